package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
)

type venueDBOpts struct {
	db         string
	trustedLAN bool
}

func (o *venueDBOpts) register(fs *flag.FlagSet, required bool) {
	what := "the venue database: `DSN`, postgres://USER@HOST[:PORT]/DB?sslmode=require or host=… dbname=… (password: in it, PGPASSWORD or ~/.pgpass)"
	if !required {
		what += "; default: the one this station joined"
	}
	fs.StringVar(&o.db, "db", "", what)
	fs.BoolVar(&o.trustedLAN, "trusted-lan", false, "the venue's network is trusted: allow a database on another machine without TLS")
}

// check refuses a missing or unusable address before anything is opened.
func (o *venueDBOpts) check() error {
	if o.db == "" {
		return errors.New("--db: give the venue database's address (postgres://USER@HOST/DB?sslmode=require)")
	}
	maskDSN(o.db)
	if _, _, err := postgres.CheckDSN(o.db, o.trustedLAN); err != nil {
		return fmt.Errorf("--db: %s", describe(err))
	}
	return nil
}

func (r *runner) venueInitFlags() (*flag.FlagSet, *settingFlags, *venueDBOpts) {
	fs := r.flagSet("venue init")
	o := &venueDBOpts{}
	o.register(fs, true)
	sf := &settingFlags{}
	// The same flags as sync's, from the same descriptions.
	for _, d := range core.SettingsTable {
		if d.Venue && d.Flag != "" {
			sf.register(r, fs, d.Key)
		}
	}
	return fs, sf, o
}

// venueInit creates or upgrades the venue database's schema and stores the
// venue's S-360 settings. Given again, it changes only the settings given.
// Refused values change nothing stored (exit 2): the values given are
// checked before the database is opened, their merge with what is stored
// before it is written.
func (r *runner) venueInit(args []string) int {
	fs, cf, o := r.venueInitFlags()
	if code := r.parseVenueFlags("init", fs, args); code != ExitOK {
		return code
	}
	if err := o.check(); err != nil {
		return r.venueUsage("init", err)
	}
	given := core.Settings{}
	cf.apply(&given)
	if errs := givenOnly(given.Venue().Validate(), cf); errs != nil {
		return r.fail(ExitUsage, fieldMessage(errs)+" (nothing was saved)")
	}

	ctx, cancel := context.WithTimeout(r.ctx, time.Minute)
	defer cancel()
	var opts []postgres.Option
	if o.trustedLAN {
		opts = append(opts, postgres.TrustedLAN())
	}
	db, err := postgres.Open(ctx, o.db, append(opts, postgres.AsStation("venue init"))...)
	if err != nil {
		return r.failErr(err)
	}
	defer db.Close()
	stored, _, err := db.VenueSettings(ctx)
	first := errors.Is(err, postgres.ErrNoVenueSettings)
	if err != nil && !first {
		return r.failErr(err)
	}
	s, err := asSettings(stored)
	if err != nil {
		return r.failErr(err)
	}
	cf.apply(&s)
	v := s.Venue()
	if errs := v.Validate(); errs != nil {
		return r.fail(ExitUsage, fieldMessage(errs)+" (nothing was saved)")
	}
	if gap := syncGap(core.Settings{}.WithVenue(v)); gap != "" {
		return r.fail(ExitUsage, gap)
	}
	if first || changed(fs, "db", "trusted-lan", "data-dir", "verbose") {
		if err := db.SaveVenueSettings(ctx, v, byWhom("venue init")); err != nil {
			return r.failErr(err)
		}
	}
	a, _, _ := postgres.ParseDSN(o.db)
	fmt.Fprintf(r.stdout, "Venue database %s ready (schema version %d). The venue's S-360 settings: %s.\n",
		a, postgres.SchemaVersion(), describeVenue(v))
	if first {
		fmt.Fprintln(r.stdout, "Next, on each station: s360gate venue join --db DSN --station NAME [--gate G] [--password-file F]")
	}
	return ExitOK
}

// asSettings is a venue's stored settings as a station's, without the
// defaults: a flag given later changes what it names and nothing else (a
// partner left out follows the institution). The two types share the
// settings' JSON names.
func asSettings(v core.VenueSettings) (core.Settings, error) {
	var s core.Settings
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	return s, err
}

// givenOnly keeps the refusals of the settings whose flags were given.
func givenOnly(errs core.FieldErrors, sf *settingFlags) core.FieldErrors {
	var out core.FieldErrors
	for _, e := range errs {
		if _, given := sf.given[e.Field]; given {
			out = append(out, e)
		}
	}
	return out
}
