package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
)

// lookupLimit bounds a lookup: a holder name can match many tickets, and the
// dispute desk reads the answer.
const lookupLimit = 100

// remoteLimit bounds what lookup --remote asks S-360 about: one call per
// ticket, out of the request budget the sync shares.
const remoteLimit = 5

func (r *runner) lookupFlags() (*flag.FlagSet, *bool) {
	fs := r.flagSet("lookup")
	remote := fs.Bool("remote", false, "also ask S-360 what it says now (getControlledTicket) of the tickets found, or of QUERY when none is")
	return fs, remote
}

// remoteOut is lookup --remote's answer: what the station knows and what
// S-360 says now.
type remoteOut struct {
	Query string         `json:"query"`
	Local []recordOut    `json:"local"`
	S360  []remoteAnswer `json:"s360"`
	// NotAsked counts local matches beyond remoteLimit, not asked about.
	NotAsked int `json:"notAsked,omitempty"`
}

// remoteAnswer is S-360's answer about one code, or why there is none.
type remoteAnswer struct {
	Asked  string             `json:"asked"`
	Ticket *core.RemoteTicket `json:"ticket,omitempty"`
	Error  string             `json:"error,omitempty"`
}

// lookup is the dispute desk's search: every ticket matching QUERY, with its
// controls, as JSON. Each lookup is audited (holder data is personal data):
// the audit entry is written first, so nothing is shown unaudited.
//
// With --remote it also asks S-360 (getControlledTicket) about each ticket
// found, up to remoteLimit, or about the query itself when nothing is found
// here (a ticket sold after the last sync), within the request budget: the
// client's limiter, seeded from and recording to the store's call log so
// that it counts with the sync's calls in other processes.
func (r *runner) lookup(args []string) int {
	fs, remote := r.lookupFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("lookup", err)
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	if query == "" {
		return r.usageError("lookup", fmt.Errorf("give a taxNumber, barcode, container or holder name to look up"))
	}
	load := r.loadStoreSettings
	if *remote {
		load = r.loadSettings // S-360's address and credentials are needed
	}
	st, err := load()
	if err != nil {
		return r.failErr(err)
	}
	store, s, err := r.stationStore(st.settings)
	if err != nil {
		return r.failErr(err)
	}
	st.settings = s
	defer store.Close()
	r.warn(st)
	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()

	if *remote && store.ReadOnly() {
		return r.fail(ExitFailure, r.dataDir+" cannot be written: --remote needs it, to count S-360's calls against the request budget")
	}
	if store.ReadOnly() {
		// A copy on a read-only medium (after the event, for a dispute)
		// cannot hold the audit entry: whoever has the copy can read the
		// file anyway. Said, not hidden.
		fmt.Fprintln(r.stderr, "s360gate: "+r.dataDir+" cannot be written: this lookup is not recorded in its audit log")
	} else if err := store.Audit(r.ctx, who(st.settings), query, time.Now()); err != nil {
		return r.failErr(err)
	}
	recs, err := store.Lookup(r.ctx, query, lookupLimit)
	if err != nil {
		return r.failErr(err)
	}
	log.WithField("matches", len(recs)).Debug("lookup")
	say := r.speaker(st.settings, venueZone(r.ctx, store))
	also, err := alsoAdmitted(r.ctx, store, say)
	if err != nil {
		return r.failErr(err)
	}
	var out any = recordsOut(recs, say, also)
	if *remote {
		ro := r.askS360(store, st.settings, log, query, recs, say)
		ro.Local = recordsOut(recs, say, also)
		if len(recs) == 0 && !slices.ContainsFunc(ro.S360, func(a remoteAnswer) bool { return a.Ticket != nil }) {
			why := ""
			if len(ro.S360) > 0 && ro.S360[0].Error != "" {
				why = " (" + ro.S360[0].Error + ")"
			}
			return r.fail(ExitFailure, "No ticket matches "+query+why)
		}
		out = ro
	} else if len(recs) == 0 {
		return r.fail(ExitFailure, "No ticket matches "+query)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return r.failErr(err)
	}
	if _, err := r.stdout.Write(append(b, '\n')); err != nil {
		return ExitFailure
	}
	return ExitOK
}

// askS360 asks S-360 about the tickets found (or the query), one call each,
// within the request budget.
func (r *runner) askS360(store Store, s core.Settings, log logrus.FieldLogger, query string, recs []core.TicketRecord, say core.Speaker) remoteOut {
	ro := remoteOut{Query: query, Local: recordsOut(recs, say, func(*core.Control) string { return "" }), S360: []remoteAnswer{}}
	var codes []string
	for _, rec := range recs {
		codes = append(codes, rec.Ticket.Barcode)
	}
	if len(codes) == 0 {
		codes = []string{query}
	}
	if len(codes) > remoteLimit {
		ro.NotAsked = len(codes) - remoteLimit
		codes = codes[:remoteLimit]
	}
	st := &stack{store: store, log: log}
	run := s
	if p := env(config.PasswordEnv); p != "" {
		run.Password = p
	}
	client, err := st.newClient(run)
	zone := venueZone(r.ctx, store)
	for _, code := range codes {
		a := remoteAnswer{Asked: code}
		if err != nil {
			a.Error = "S-360 is not configured: " + core.ErrorMessage(err)
			ro.S360 = append(ro.S360, a)
			continue
		}
		ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
		rt, cerr := client.ControlledTicket(ctx, code)
		cancel()
		switch {
		case core.ErrorCode(cerr) == core.ENotFound:
			a.Error = "S-360 does not know " + code
		case cerr != nil:
			a.Error = oneLine(logging.Redact(describe(cerr)))
		default:
			for i := range rt.Operations {
				rt.Operations[i].At = rt.Operations[i].At.In(core.ZoneOr(zone))
			}
			a.Ticket = &rt
		}
		ro.S360 = append(ro.S360, a)
	}
	return ro
}

// who is the audit's "who": the station, and the account running the
// command when known.
func who(s core.Settings) string {
	w := s.Station
	if u := env("USER"); u != "" {
		w += " (" + u + ")"
	}
	return w
}

// recordOut is a ticket and its controls as lookup prints them.
type recordOut struct {
	Ticket   core.Ticket  `json:"ticket"`
	Controls []controlOut `json:"controls"`
}

func recordsOut(recs []core.TicketRecord, say core.Speaker, also func(*core.Control) string) []recordOut {
	out := make([]recordOut, len(recs))
	for i, rec := range recs {
		out[i] = recordOut{Ticket: rec.Ticket, Controls: make([]controlOut, len(rec.Controls))}
		for j := range rec.Controls {
			out[i].Controls[j] = sayControl(rec.Controls[j], say, also(&rec.Controls[j]))
		}
	}
	return out
}
