package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/postgres"
	"s360gate/core/s360"
	"s360gate/core/syncer"
	"s360gate/core/venue"
)

type venueStatusOpts struct {
	venueDBOpts
	json bool
}

func (r *runner) venueStatusFlags() (*flag.FlagSet, *venueStatusOpts) {
	fs := r.flagSet("venue status")
	o := &venueStatusOpts{}
	o.register(fs, false)
	fs.BoolVar(&o.json, "json", false, "print one JSON object")
	return fs, o
}

// venueStatusOut is `venue status --json`. Scripts read it: add keys,
// never rename them. Times are the venue's (its zone's offset).
type venueStatusOut struct {
	Database   string `json:"database"` // user@host:port/db, never the password
	TLS        bool   `json:"tls"`
	TrustedLAN bool   `json:"trustedLan,omitempty"`
	// Station is this data directory's station ("" when looking from
	// outside with --db).
	Station string    `json:"station,omitempty"`
	DBTime  time.Time `json:"dbTime"`
	// Settings are the venue's S-360 settings (null before `venue init`).
	Settings          *core.VenueSettings `json:"settings"`
	SettingsUpdatedAt time.Time           `json:"settingsUpdatedAt,omitzero"`
	Syncer            venueSyncerOut      `json:"syncer"`
	Stations          []venueStationOut   `json:"stations"`
	Tickets           core.TicketCounts   `json:"tickets"`
	Controls          venueControlsOut    `json:"controls"`
	LastExport        time.Time           `json:"lastExport,omitzero"`
	LastUpload        time.Time           `json:"lastUpload,omitzero"`
	LastError         string              `json:"lastError,omitempty"`
	LastErrorAt       time.Time           `json:"lastErrorAt,omitzero"`
	TimeZone          string              `json:"timeZone,omitempty"`
	// NextAllowed is when S-360 may be called next: the call policy's and
	// the request budget's later limit (zero: now).
	NextAllowed    time.Time      `json:"nextAllowed,omitzero"`
	NextAllowedWhy string         `json:"nextAllowedWhy,omitempty"`
	Budget         venueBudgetOut `json:"budget"`
	UploadInDoubt  *venueDoubtOut `json:"uploadInDoubt,omitempty"`
	// DoubleEntries are the tickets let in twice by stations that could
	// not see each other (issue 16), oldest second entry first.
	DoubleEntries []core.DoubleEntry `json:"doubleEntries"`
	zone          *time.Location     // for the text
	settings      core.Settings      // effective, for the text
	now           time.Time          // the database's, for the text
	say           core.Speaker       // the double entries' words
}

type venueSyncerOut struct {
	Station string    `json:"station,omitempty"` // "" when none holds the lease
	Held    bool      `json:"held"`
	Epoch   int64     `json:"epoch"`
	Since   time.Time `json:"since,omitzero"`
	Renewed time.Time `json:"renewed,omitzero"`
	Expires time.Time `json:"expires,omitzero"`
}

type venueStationOut struct {
	Name          string         `json:"name"`
	Gate          string         `json:"gate,omitempty"`
	Direction     core.Direction `json:"direction"`
	Candidate     bool           `json:"candidate"`
	Syncer        bool           `json:"syncer"`
	Online        bool           `json:"online"`
	LastHeard     time.Time      `json:"lastHeard"`
	SilentSeconds float64        `json:"silentSeconds"`
	ScansToday    int            `json:"scansToday"`
	Pending       int            `json:"pending"` // its own controls not pushed to the venue yet (issue 16)
	ClockOffsetMS int64          `json:"clockOffsetMs"`
	Version       string         `json:"version,omitempty"`
}

type venueControlsOut struct {
	AdmittedToday int `json:"admittedToday"`
	DeniedToday   int `json:"deniedToday"`
	Pending       int `json:"pending"` // not acknowledged by S-360 yet
	Rejected      int `json:"rejected"`
}

type venueBudgetOut struct {
	CallsLastMinute int `json:"callsLastMinute"`
	Budget          int `json:"budget"`
}

type venueDoubtOut struct {
	Station  string    `json:"station"`
	Epoch    int64     `json:"epoch"`
	Started  time.Time `json:"started"`
	Controls int       `json:"controls"`
}

// venueStatus prints the venue as the database holds it now.
func (r *runner) venueStatus(args []string) int {
	fs, o := r.venueStatusFlags()
	if code := r.parseVenueFlags("status", fs, args); code != ExitOK {
		return code
	}
	link, joined, err := r.venueLink()
	if err != nil {
		return r.failErr(err)
	}
	station, own := "", core.Settings{}
	if o.db != "" {
		if err := o.check(); err != nil {
			return r.venueUsage("status", err)
		}
		link = config.VenueLink{DB: o.db, TrustedLAN: o.trustedLAN}
	} else if !joined {
		return r.fail(ExitFailure, "this station ("+r.dataDir+") is not a station of a venue: join one (s360gate venue join) or give --db")
	}
	if joined && o.db == "" {
		if st, err := r.loadStoreSettings(); err == nil {
			station, own = st.settings.Station, st.settings
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	db, err := openVenue(ctx, link, orNone(station), postgres.MaxConns(2))
	if err != nil {
		return r.failErr(err)
	}
	defer db.Close()
	out, err := gatherStatus(ctx, db)
	if err != nil {
		return r.failErr(err)
	}
	out.say = r.speaker(own, out.zone)
	a, _, _ := postgres.ParseDSN(link.DB)
	out.Database, out.TLS, out.TrustedLAN, out.Station = a.String(), a.TLS, link.TrustedLAN, station
	if o.json {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return r.failErr(err)
		}
		fmt.Fprintln(r.stdout, string(b))
		return ExitOK
	}
	if err := out.write(r.stdout); err != nil {
		return ExitFailure
	}
	return ExitOK
}

// gatherStatus reads everything the status shows.
func gatherStatus(ctx context.Context, db *postgres.DB) (*venueStatusOut, error) {
	out := &venueStatusOut{Stations: []venueStationOut{}}
	li, err := db.CurrentLease(ctx)
	if err != nil {
		return nil, err
	}
	now := li.DBNow
	state, err := db.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	zone := state.Zone()
	in := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.In(core.ZoneOr(zone))
	}
	out.zone, out.DBTime = zone, in(now)
	out.Syncer = venueSyncerOut{Held: li.Held, Epoch: li.Epoch, Since: in(li.Since), Renewed: in(li.Renewed), Expires: in(li.Expires)}
	if li.Held {
		out.Syncer.Station = li.Station
	}
	v, at, err := db.VenueSettings(ctx)
	switch {
	case err == nil:
		out.Settings, out.SettingsUpdatedAt = &v, in(at)
	case !errors.Is(err, postgres.ErrNoVenueSettings):
		return nil, err
	}
	out.settings = core.Settings{}.WithVenue(v)
	y, m, d := core.DateIn(now, zone)
	midnight := core.MidnightIn(y, m, d, zone)
	stations, err := db.Stations(ctx)
	if err != nil {
		return nil, err
	}
	// Scans today as the venue recorded them (a station's heartbeat says
	// it only every few seconds).
	scans, err := db.ScansByStation(ctx, midnight)
	if err != nil {
		return nil, err
	}
	for _, s := range stations {
		out.Stations = append(out.Stations, venueStationOut{Name: s.Name, Gate: s.Gate, Direction: s.Direction,
			Candidate: s.Candidate, Syncer: s.Syncer, Online: s.Silent < 3*venue.HeartbeatEvery,
			LastHeard: in(s.LastHeard), SilentSeconds: s.Silent.Round(time.Millisecond).Seconds(),
			ScansToday: scans[s.Name], Pending: s.Pending, ClockOffsetMS: s.ClockOffset.Milliseconds(), Version: s.Version})
	}
	if out.Tickets, err = db.TicketCounts(ctx); err != nil {
		return nil, err
	}
	cc, err := db.ControlCounts(ctx, midnight)
	if err != nil {
		return nil, err
	}
	out.Controls = venueControlsOut{AdmittedToday: cc.Admitted, Pending: cc.Pending, Rejected: cc.Rejected}
	for _, n := range cc.Denied {
		out.Controls.DeniedToday += n
	}
	out.LastExport, out.LastUpload = in(state.LastExportOK), in(state.LastUploadOK)
	out.LastError, out.LastErrorAt, out.TimeZone = state.LastError, in(state.LastErrorAt), state.TimeZone

	// The next call: the policy's next cycle, and the request budget.
	next := syncer.NextAllowed(out.settings, state.LastCycle, now, zone)
	if !next.After(now) {
		next = time.Time{}
	} else {
		out.NextAllowedWhy = "call policy: one sync an hour before event day"
		ev := out.settings.Event()
		if core.IsEventDay(out.settings.EventDay, &ev, now, zone) {
			out.NextAllowedWhy = "call policy: one sync a minute on event day"
		}
	}
	calls, err := db.CallsSince(ctx, now.Add(-s360.LimitWindow))
	if err != nil {
		return nil, err
	}
	var budgeted []time.Time
	for _, c := range calls {
		if c.Budgeted {
			budgeted = append(budgeted, c.At)
		}
	}
	out.Budget = venueBudgetOut{CallsLastMinute: len(budgeted), Budget: s360.DefaultBudget}
	if n := len(budgeted); n >= s360.DefaultBudget {
		if slot := budgeted[n-s360.DefaultBudget].Add(s360.LimitWindow); slot.After(now) && slot.After(next) {
			next, out.NextAllowedWhy = slot, fmt.Sprintf("request budget: %d requests in the last minute", n)
		}
	}
	out.NextAllowed = in(next)
	if out.DoubleEntries, err = db.DoubleEntries(ctx); err != nil {
		return nil, err
	}
	if out.DoubleEntries == nil {
		out.DoubleEntries = []core.DoubleEntry{}
	}
	for i := range out.DoubleEntries {
		d := &out.DoubleEntries[i]
		d.First.At, d.Second.At = in(d.First.At), in(d.Second.At)
	}
	out.now = now
	if doubt, ok, err := db.UploadInDoubt(ctx); err != nil {
		return nil, err
	} else if ok && len(doubt.Pending) > 0 {
		out.UploadInDoubt = &venueDoubtOut{Station: doubt.Station, Epoch: doubt.Epoch, Started: in(doubt.Started), Controls: len(doubt.Pending)}
	}
	return out, nil
}

// write is the status for people.
func (o *venueStatusOut) write(w io.Writer) error {
	tf := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return core.FormatIn(t, o.zone, "2006-01-02 15:04:05")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Venue database: %s", o.Database)
	switch {
	case o.TLS:
		b.WriteString(" (TLS)")
	case o.TrustedLAN:
		b.WriteString(" (without TLS: the venue's network is trusted)")
	}
	b.WriteString("\n")
	if o.Station != "" {
		fmt.Fprintf(&b, "This station: %s\n", o.Station)
	}
	if o.Settings == nil {
		b.WriteString("S-360 settings: not set yet (run `s360gate venue init`)\n")
	} else {
		fmt.Fprintf(&b, "S-360 settings: %s\n", describeVenue(*o.Settings))
	}
	if o.Syncer.Held {
		fmt.Fprintf(&b, "Syncer (the venue's S-360 client): %s, since %s, epoch %d\n", o.Syncer.Station, tf(o.Syncer.Since), o.Syncer.Epoch)
	} else {
		b.WriteString("Syncer (the venue's S-360 client): none now — a station holding the S-360 password must run `s360gate sync`\n")
	}
	fmt.Fprintf(&b, "Tickets held: %d (%d valid, %d not)\n", o.Tickets.Valid+o.Tickets.Invalid, o.Tickets.Valid, o.Tickets.Invalid)
	fmt.Fprintf(&b, "Today: %d admitted, %d denied; waiting for S-360: %d; refused by S-360: %d\n",
		o.Controls.AdmittedToday, o.Controls.DeniedToday, o.Controls.Pending, o.Controls.Rejected)
	fmt.Fprintf(&b, "Last export: %s; last upload: %s\n", tf(o.LastExport), tf(o.LastUpload))
	if o.LastError != "" {
		fmt.Fprintf(&b, "Last error (%s): %s\n", tf(o.LastErrorAt), o.LastError)
	}
	if o.NextAllowed.IsZero() {
		fmt.Fprintf(&b, "Next allowed S-360 call: now (%d of %d requests used in the last minute)\n", o.Budget.CallsLastMinute, o.Budget.Budget)
	} else {
		fmt.Fprintf(&b, "Next allowed S-360 call: %s (%s)\n", tf(o.NextAllowed), o.NextAllowedWhy)
	}
	if d := o.UploadInDoubt; d != nil {
		fmt.Fprintf(&b, "Upload in doubt: %d controls sent by %s (epoch %d) at %s without the answer stored; the syncer asks S-360 before sending them again\n",
			d.Controls, d.Station, d.Epoch, tf(d.Started))
	}
	fmt.Fprintf(&b, "Double entries (tickets let in twice while stations could not see each other): %d\n", len(o.DoubleEntries))
	for i := range o.DoubleEntries {
		d := &o.DoubleEntries[i]
		fmt.Fprintf(&b, "  %s: %s\n", d.Barcode, o.say.DoubleEntry(d, o.now))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	fmt.Fprintf(w, "Stations (%d):\n", len(o.Stations))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tGATE\tDIR\tROLE\tLAST HEARD\tSCANS TODAY\tPENDING")
	for _, s := range o.Stations {
		role := "gate only"
		switch {
		case s.Syncer:
			role = "syncer"
		case s.Candidate:
			role = "candidate"
		}
		heard := fmt.Sprintf("%s ago", (time.Duration(s.SilentSeconds * float64(time.Second))).Round(time.Second))
		if !s.Online {
			heard += " (offline)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\t%d\n", s.Name, orDash(s.Gate), s.Direction, role, heard, s.ScansToday, s.Pending)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
