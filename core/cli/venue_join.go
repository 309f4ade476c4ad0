package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/postgres"
	"s360gate/core/venue"
)

type venueJoinOpts struct {
	venueDBOpts
	station, gate, direction, passwordFile string
}

func (r *runner) venueJoinFlags() (*flag.FlagSet, *venueJoinOpts) {
	fs := r.flagSet("venue join")
	o := &venueJoinOpts{}
	o.register(fs, true)
	fs.StringVar(&o.station, "station", "", "this station's `NAME` in the venue and to S-360 (acIdentifier), e.g. GATE_A_LAPTOP1")
	fs.StringVar(&o.gate, "gate", "", "the `GATE` this station stands at (wrong-gate check); default: stored")
	fs.StringVar(&o.direction, "direction", "", "`in` or out; default: stored")
	fs.StringVar(&o.passwordFile, "password-file", "", "read the S-360 operator password from `FILE` and store it in this data directory: the station may then become the venue's S-360 client")
	return fs, o
}

// venueJoin is `venue join`: its flags made a core.VenueJoin, which
// joinVenue carries out as the Settings screen's Join does.
func (r *runner) venueJoin(args []string) int {
	fs, o := r.venueJoinFlags()
	if code := r.parseVenueFlags("join", fs, args); code != ExitOK {
		return code
	}
	if err := o.check(); err != nil {
		return r.venueUsage("join", err)
	}
	if o.station == "" {
		return r.venueUsage("join", errors.New("--station: give this station's name in the venue (e.g. GATE_A_LAPTOP1)"))
	}
	st, err := r.loadSettings()
	if err != nil {
		return r.failErr(err)
	}
	j := core.VenueJoin{DB: o.db, TrustedLAN: o.trustedLAN, Station: o.station, Gate: st.file.Gate, Direction: st.file.Direction}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "gate":
			j.Gate = o.gate
		case "direction":
			d, err := core.ParseDirection(o.direction)
			if err != nil || o.direction == "" {
				bad = fmt.Errorf("--direction: in or out, not %q", o.direction)
			}
			j.Direction = d
		}
	})
	if bad != nil {
		return r.venueUsage("join", bad)
	}
	if o.passwordFile != "" {
		p, err := readPasswordFile(o.passwordFile)
		if err != nil {
			return r.failErr(err)
		}
		j.Password = p
	}
	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	rep, err := r.joinVenue(ctx, j)
	var fe core.FieldErrors
	switch {
	case errors.As(err, &fe):
		return r.fail(ExitUsage, fieldMessage(fe)+" (nothing was saved)")
	case err != nil:
		return r.failErr(err)
	}
	if rep.SameName > 0 {
		fmt.Fprintf(r.stderr, "s360gate: note: a station named %s was heard %s ago; if that is another computer, join this one under another --station\n",
			rep.Station, rep.SameName.Round(time.Second))
	}
	fmt.Fprintf(r.stdout, "%s (gate %s, %s) joined the venue %s: it decides and records through the venue's database.\n",
		rep.Station, orNone(rep.Gate), rep.Direction, rep.Address)
	switch {
	case rep.PasswordStored:
		fmt.Fprintln(r.stdout, "It holds the S-360 password: with `s360gate sync` running it may become the venue's S-360 client.")
	case rep.PasswordEnv:
		fmt.Fprintln(r.stdout, "It may become the venue's S-360 client while S360_PASSWORD is set (the password is not stored).")
	default:
		fmt.Fprintln(r.stdout, "It holds no S-360 password: gate only (give --password-file to make it a candidate for the venue's S-360 client).")
	}
	if rep.Syncer != "" {
		fmt.Fprintf(r.stdout, "The venue's S-360 client now: %s.\n", rep.Syncer)
	} else {
		fmt.Fprintln(r.stdout, "No station is the venue's S-360 client yet: run `s360gate sync` on a station holding the password.")
	}
	if rep.DBPasswordInFile {
		fmt.Fprintf(r.stdout, "The database password is kept in %s, readable by this account only (PGPASSWORD or ~/.pgpass keep it out of the file).\n",
			config.VenueFileName)
	}
	return ExitOK
}

// joinReport is what joinVenue did, for its caller to say.
type joinReport struct {
	Station, Gate string
	Direction     core.Direction
	Address       postgres.Address
	// PasswordStored: the station's settings hold the S-360 password (a
	// candidate); PasswordEnv: only S360_PASSWORD gives it one.
	PasswordStored, PasswordEnv bool
	// Syncer is the venue's S-360 client now ("" none).
	Syncer string
	// SameName > 0: another station of this name was heard that long ago
	// (perhaps another computer under the same name).
	SameName time.Duration
	// DBPasswordInFile: the venue link holds the database's password.
	DBPasswordInFile bool
}

// joinVenue makes the data directory a station of the venue j names: the
// link (config.VenueLink) beside its settings, its name, gate and
// direction in them, and the S-360 password if given (never in the venue's
// database). It is `venue join` and the Settings screen's Join. Every
// refusal is one line in the catalogue's words (core.Say; a
// core.FieldErrors for a station name, gate or direction the settings
// refuse) and stores nothing: it is refused while the station's own store
// holds controls S-360 was never sent (they would never go once joined).
func (r *runner) joinVenue(ctx context.Context, j core.VenueJoin) (joinReport, error) {
	var rep joinReport
	addr, err := checkVenueDB(j.DB, j.TrustedLAN)
	if err != nil {
		return rep, err
	}
	if j.Station == "" {
		return rep, core.Say(core.EInvalid, "venue.err.noStation", nil)
	}
	st, err := r.loadSettings()
	if err != nil {
		return rep, err
	}
	file := st.file
	file.Station, file.Gate = j.Station, j.Gate
	if j.Direction != "" {
		file.Direction = j.Direction
	}
	if errs := file.Validate(); errs != nil {
		return rep, errs
	}
	if j.Password != "" {
		file.Password = j.Password
	}
	was, already, err := r.venueLink()
	if err != nil {
		return rep, err
	}
	// Joining again (another gate, a password given) under the same name:
	// the station heard of is this one.
	rejoin := already && was.DB == j.DB && st.file.Station == j.Station
	if !already {
		if n := r.pendingAlone(ctx, st.settings); n > 0 {
			return rep, core.Say(core.EConflict, "venue.err.pending", map[string]any{"Count": n})
		}
	}
	link := config.VenueLink{DB: j.DB, TrustedLAN: j.TrustedLAN, Joined: time.Now().UTC()}
	db, err := openVenue(ctx, link, file.Station)
	if err != nil {
		return rep, venueErr(err, addr)
	}
	defer db.Close()
	if _, _, err := db.VenueSettings(ctx); err != nil {
		return rep, venueErr(err, addr)
	}
	if stations, err := db.Stations(ctx); err == nil && !rejoin {
		for _, s := range stations {
			if s.Name == file.Station && s.Silent < 3*venue.HeartbeatEvery {
				rep.SameName = max(s.Silent, time.Millisecond)
			}
		}
	}
	if err := config.Save(r.dataDir, file); err != nil {
		return rep, err
	}
	if err := config.SaveVenue(r.dataDir, link); err != nil {
		return rep, err
	}
	run := file
	if p := env(config.PasswordEnv); p != "" {
		run.Password = p
	}
	m := venue.New(venue.Options{DB: db, Station: run, Log: quietLog(), Version: buildinfo.Get().Version})
	if err := m.Beat(ctx); err != nil {
		return rep, venueErr(err, addr)
	}
	_, pw, _ := postgres.ParseDSN(j.DB)
	rep.Station, rep.Gate, rep.Direction, rep.Address = file.Station, file.Gate, file.Defaults().Direction, addr
	rep.PasswordStored, rep.PasswordEnv = file.Password != "", run.Password != ""
	if li, err := db.CurrentLease(ctx); err == nil && li.Held {
		rep.Syncer = li.Station
	}
	rep.DBPasswordInFile = pw != "" && env("PGPASSWORD") != pw
	return rep, nil
}

// checkVenueDB refuses an address that cannot be used before anything is
// opened: none, not an address, or clear text to another machine on a
// network not said to be trusted.
func checkVenueDB(dsn string, trustedLAN bool) (postgres.Address, error) {
	if dsn == "" {
		return postgres.Address{}, core.Say(core.EInvalid, "venue.err.noDB", nil)
	}
	maskDSN(dsn)
	a, _, err := postgres.ParseDSN(dsn)
	if err != nil {
		return a, core.SayWrap(core.EInvalid, err, "venue.err.address", nil)
	}
	if !trustedLAN && !a.TLS && !a.Local {
		return a, core.Say(core.EInvalid, "venue.err.tls", map[string]any{"Host": a.Host})
	}
	return a, nil
}

// venueErr says a failure to reach or read the venue's database in the
// catalogue's words, by its kind (the database's own words stay in the
// chain, for the log).
func venueErr(err error, a postgres.Address) error {
	if errors.Is(err, postgres.ErrNoVenueSettings) {
		return core.SayWrap(core.ENotFound, err, "venue.err.notInit", nil)
	}
	key := ""
	switch core.ErrorCode(err) {
	case core.EUnavailable:
		key = "venue.err.unreachable"
	case core.EAuth:
		key = "venue.err.auth"
	case core.ENotFound:
		key = "venue.err.noDatabase"
	default:
		return err
	}
	return core.SayWrap(core.ErrorCode(err), err, key, map[string]any{"Address": a.String()})
}

// VenueProbe is what Test connection found of a venue.
type VenueProbe struct {
	Address          string // host:port/database, without the password
	Online, Stations int
	Syncer           string // the venue's S-360 client now ("" none)
}

// testVenue is the Settings screen's Test connection of the venue's
// database: it reaches it, reads the venue, and stores nothing here.
func (r *runner) testVenue(ctx context.Context, dsn string, trustedLAN bool, station string) (VenueProbe, error) {
	var p VenueProbe
	addr, err := checkVenueDB(dsn, trustedLAN)
	if err != nil {
		return p, err
	}
	db, err := openVenue(ctx, config.VenueLink{DB: dsn, TrustedLAN: trustedLAN}, station)
	if err != nil {
		return p, venueErr(err, addr)
	}
	defer db.Close()
	if _, _, err := db.VenueSettings(ctx); err != nil {
		return p, venueErr(err, addr)
	}
	stations, err := db.Stations(ctx)
	if err != nil {
		return p, venueErr(err, addr)
	}
	p.Address, p.Stations = addr.String(), len(stations)
	for _, s := range stations {
		if s.Silent <= 3*venue.HeartbeatEvery {
			p.Online++
		}
	}
	if li, err := db.CurrentLease(ctx); err == nil && li.Held {
		p.Syncer = li.Station
	}
	return p, nil
}

// pendingAlone counts the controls the station's own store holds that
// S-360 has not been sent: once joined, its sync is the venue's and they
// would never go.
func (r *runner) pendingAlone(ctx context.Context, s core.Settings) int {
	store, err := existingStore(r.dataDir, s)
	if err != nil {
		return 0 // no store of its own: nothing pending
	}
	defer store.Close()
	cc, err := store.ControlCounts(ctx, time.Now())
	if err != nil {
		return 0
	}
	return cc.Pending
}

// venueLeave makes the station standalone again: the link goes; its own
// settings and data stay.
func (r *runner) venueLeave(args []string) int {
	fs := r.flagSet("venue leave")
	if code := r.parseVenueFlags("leave", fs, args); code != ExitOK {
		return code
	}
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	rep, err := r.leaveVenue(ctx, false)
	if err != nil {
		return r.failErr(err)
	}
	if !rep.Joined {
		fmt.Fprintln(r.stdout, "This station is not a station of a venue: nothing to do.")
		return ExitOK
	}
	fmt.Fprintf(r.stdout, "%s left the venue %s: it decides from its own ticket list in %s again. What it recorded in the venue stays there.\n",
		rep.Station, rep.Address, r.dataDir)
	fmt.Fprintln(r.stdout, "Note: S-360 allows one client per product: a sync on this station is now a client of its own.")
	return ExitOK
}

// leaveReport is what leaveVenue did.
type leaveReport struct {
	Joined  bool // false: the station was on its own, nothing done
	Station string
	Address postgres.Address
}

// leaveVenue removes the station's link to its venue (`venue leave`, the
// Settings screen's Leave). It is refused while another process of this
// station is the venue's S-360 client: its `sync` must stop first. self
// says the caller is that process and stops now (the desktop app, which
// gives its turn up as it closes).
func (r *runner) leaveVenue(ctx context.Context, self bool) (leaveReport, error) {
	var rep leaveReport
	link, joined, err := r.venueLink()
	if err != nil || !joined {
		return rep, err
	}
	st, err := r.loadSettings()
	if err != nil {
		return rep, err
	}
	name := st.settings.Station
	if db, err := openVenue(ctx, link, name); err == nil && !self {
		li, err := db.CurrentLease(ctx)
		db.Close()
		if err == nil && li.Held && li.Station == name {
			return rep, core.Say(core.EConflict, "venue.err.leaveSyncer", map[string]any{"Station": name, "TTL": postgres.DefaultLeaseTTL.String()})
		}
	} else if err == nil {
		db.Close()
	}
	if err := config.LeaveVenue(r.dataDir); err != nil {
		return rep, err
	}
	a, _, _ := postgres.ParseDSN(link.DB)
	return leaveReport{Joined: true, Station: name, Address: a}, nil
}
