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

// venueJoin makes the data directory a station of the venue: the link
// (config.VenueLink) beside its settings, its name, gate and direction in
// them, and the S-360 password if given (never in the venue's database).
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
	file := st.file
	file.Station = o.station
	var bad error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "gate":
			file.Gate = o.gate
		case "direction":
			d, err := core.ParseDirection(o.direction)
			if err != nil || o.direction == "" {
				bad = fmt.Errorf("--direction: in or out, not %q", o.direction)
			}
			file.Direction = d
		}
	})
	if bad != nil {
		return r.venueUsage("join", bad)
	}
	if errs := file.Validate(); errs != nil {
		return r.fail(ExitUsage, fieldMessage(errs)+" (nothing was saved)")
	}
	if o.passwordFile != "" {
		p, err := readPasswordFile(o.passwordFile)
		if err != nil {
			return r.failErr(err)
		}
		file.Password = p
	}
	was, already, err := r.venueLink()
	if err != nil {
		return r.failErr(err)
	}
	// Joining again (another gate, a password given) under the same name:
	// the station heard of is this one.
	rejoin := already && was.DB == o.db && st.file.Station == o.station
	if !already {
		if code, refused := r.pendingAlone(st.settings); refused {
			return code
		}
	}

	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	link := config.VenueLink{DB: o.db, TrustedLAN: o.trustedLAN, Joined: time.Now().UTC()}
	db, err := openVenue(ctx, link, file.Station)
	if err != nil {
		return r.failErr(err)
	}
	defer db.Close()
	if _, _, err := db.VenueSettings(ctx); err != nil {
		return r.failErr(err)
	}
	if stations, err := db.Stations(ctx); err == nil && !rejoin {
		for _, s := range stations {
			if s.Name == file.Station && s.Silent < 3*venue.HeartbeatEvery {
				fmt.Fprintf(r.stderr, "s360gate: note: a station named %s was heard %s ago; if that is another computer, join this one under another --station\n",
					s.Name, s.Silent.Round(time.Second))
			}
		}
	}
	if err := config.Save(r.dataDir, file); err != nil {
		return r.failErr(err)
	}
	if err := config.SaveVenue(r.dataDir, link); err != nil {
		return r.failErr(err)
	}
	run := file
	if p := env(config.PasswordEnv); p != "" {
		run.Password = p
	}
	m := venue.New(venue.Options{DB: db, Station: run, Log: quietLog(), Version: buildinfo.Get().Version})
	if err := m.Beat(ctx); err != nil {
		return r.failErr(err)
	}
	a, pw, _ := postgres.ParseDSN(o.db)
	fmt.Fprintf(r.stdout, "%s (gate %s, %s) joined the venue %s: it decides and records through the venue's database.\n",
		file.Station, orNone(file.Gate), file.Defaults().Direction, a)
	switch {
	case file.Password != "":
		fmt.Fprintln(r.stdout, "It holds the S-360 password: with `s360gate sync` running it may become the venue's S-360 client.")
	case run.Password != "":
		fmt.Fprintln(r.stdout, "It may become the venue's S-360 client while S360_PASSWORD is set (the password is not stored).")
	default:
		fmt.Fprintln(r.stdout, "It holds no S-360 password: gate only (give --password-file to make it a candidate for the venue's S-360 client).")
	}
	if li, err := db.CurrentLease(ctx); err == nil && li.Held {
		fmt.Fprintf(r.stdout, "The venue's S-360 client now: %s.\n", li.Station)
	} else {
		fmt.Fprintln(r.stdout, "No station is the venue's S-360 client yet: run `s360gate sync` on a station holding the password.")
	}
	if pw != "" && env("PGPASSWORD") != pw {
		fmt.Fprintf(r.stdout, "The database password is kept in %s, readable by this account only (PGPASSWORD or ~/.pgpass keep it out of the file).\n",
			config.VenueFileName)
	}
	return ExitOK
}

// pendingAlone refuses to join while the station's own store holds
// controls S-360 has not been sent: once joined, its sync is the venue's
// and they would never go.
func (r *runner) pendingAlone(s core.Settings) (int, bool) {
	store, err := existingStore(r.dataDir, s)
	if err != nil {
		return ExitOK, false // no store of its own: nothing pending
	}
	defer store.Close()
	cc, err := store.ControlCounts(r.ctx, time.Now())
	if err != nil || cc.Pending == 0 {
		return ExitOK, false
	}
	return r.fail(ExitFailure, fmt.Sprintf("this station holds %d controls S-360 has not been sent yet: run `s360gate sync --once` before joining the venue, so that none is lost (nothing was saved)", cc.Pending)), true
}

// venueLeave makes the station standalone again: the link goes; its own
// settings and data stay.
func (r *runner) venueLeave(args []string) int {
	fs := r.flagSet("venue leave")
	if code := r.parseVenueFlags("leave", fs, args); code != ExitOK {
		return code
	}
	link, joined, err := r.venueLink()
	if err != nil {
		return r.failErr(err)
	}
	if !joined {
		fmt.Fprintln(r.stdout, "This station is not a station of a venue: nothing to do.")
		return ExitOK
	}
	st, err := r.loadSettings()
	if err != nil {
		return r.failErr(err)
	}
	name := st.settings.Station
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	if db, err := openVenue(ctx, link, name); err == nil {
		li, err := db.CurrentLease(ctx)
		db.Close()
		if err == nil && li.Held && li.Station == name {
			return r.fail(ExitFailure, name+" is the venue's S-360 client right now: stop its `s360gate sync` first (its turn lapses "+
				"within "+postgres.DefaultLeaseTTL.String()+" once it stops)")
		}
	}
	if err := config.LeaveVenue(r.dataDir); err != nil {
		return r.failErr(err)
	}
	a, _, _ := postgres.ParseDSN(link.DB)
	fmt.Fprintf(r.stdout, "%s left the venue %s: it decides from its own ticket list in %s again. What it recorded in the venue stays there.\n",
		name, a, r.dataDir)
	fmt.Fprintln(r.stdout, "Note: S-360 allows one client per product: a sync on this station is now a client of its own.")
	return ExitOK
}
