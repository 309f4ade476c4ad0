package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/logging"
)

// lookupLimit bounds a lookup: a holder name can match many tickets, and the
// dispute desk reads the answer.
const lookupLimit = 100

// lookup is the dispute desk's search: every ticket matching QUERY, with its
// controls, as JSON. Each lookup is audited (holder data is personal data):
// the audit entry is written first, so nothing is shown unaudited.
func (r *runner) lookup(args []string) int {
	fs := r.flagSet("lookup")
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("lookup", err)
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	if query == "" {
		return r.usageError("lookup", fmt.Errorf("give a taxNumber, barcode, container or holder name to look up"))
	}
	st, err := r.loadStoreSettings()
	if err != nil {
		return r.failErr(err)
	}
	store, err := existingStore(r.dataDir, st.settings)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	r.warn(st)
	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()

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
	if len(recs) == 0 {
		return r.fail(ExitFailure, "No ticket matches "+query)
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return r.failErr(err)
	}
	if _, err := r.stdout.Write(append(b, '\n')); err != nil {
		return ExitFailure
	}
	return ExitOK
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
