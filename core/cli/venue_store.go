package cli

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/postgres"
	"s360gate/core/venue"
)

// A joined station (`venue join`) decides, records, looks up, reports and
// purges on the venue's database instead of its own file: its data
// directory holds the link (config.VenueLink) and its own settings.

// venueLink reads the data directory's link to a venue (ok false: the
// station is on its own) and masks the database's password everywhere
// from now on: the DSN's, PGPASSWORD's or ~/.pgpass's.
func (r *runner) venueLink() (config.VenueLink, bool, error) {
	l, ok, err := config.LoadVenue(r.dataDir)
	if err != nil || !ok {
		return l, ok, err
	}
	maskDSN(l.DB)
	return l, true, nil
}

// maskDSN registers the password dsn resolves to as a secret.
func maskDSN(dsn string) {
	logging.Secret(env("PGPASSWORD"))
	if _, pw, err := postgres.ParseDSN(dsn); err == nil {
		logging.Secret(pw)
	}
}

// openVenue opens the venue's database as station.
func openVenue(ctx context.Context, l config.VenueLink, station string, opts ...postgres.Option) (*postgres.DB, error) {
	opts = append(opts, postgres.AsStation(station))
	if l.TrustedLAN {
		opts = append(opts, postgres.TrustedLAN())
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return postgres.Open(octx, l.DB, opts...)
}

// venueStore is the venue's database as a joined station's commands use
// it: its member keeps the station reported (scan) and gives the venue's
// clock.
type venueStore struct {
	*postgres.DB
	member *venue.Member
	stop   func()
}

func (v *venueStore) Close() error {
	if v.stop != nil {
		v.stop()
	}
	return v.DB.Close()
}

// clockOf is the clock a command stamps its scans with: the venue's
// (the database's) on a joined station, so that one laptop's clock cannot
// put its controls at the wrong time; this machine's otherwise.
func clockOf(s Store) func() time.Time {
	if v, ok := s.(*venueStore); ok {
		return v.member.Now
	}
	return time.Now
}

// stationStore opens what a reading command works on, with the settings it
// decides with: the station's own store and settings, or, on a joined
// station, the venue's database and the venue's S-360 settings (event,
// entrance rules, tariff prompts) under the station's own. With report,
// the station reports itself to the venue while the command runs (a
// scanning station is seen in `venue status`).
func (r *runner) stationStore(s core.Settings, report bool) (Store, core.Settings, error) {
	l, joined, err := r.venueLink()
	if err != nil {
		return nil, s, err
	}
	if !joined {
		store, err := existingStore(r.dataDir, s)
		return store, s, err
	}
	db, err := openVenue(r.ctx, l, s.Station)
	if err != nil {
		return nil, s, err
	}
	v, _, err := db.VenueSettings(r.ctx)
	if err != nil {
		db.Close()
		return nil, s, err
	}
	s = s.WithVenue(v)
	m := venue.New(venue.Options{DB: db, Station: s, Log: quietLog(), Version: buildinfo.Get().Version})
	vs := &venueStore{DB: db, member: m}
	bctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	err = m.Beat(bctx) // also measures the database's clock
	cancel()
	if err != nil && report {
		// A station that cannot report itself cannot record its scans
		// either; the reading commands go on (a standby server, say).
		db.Close()
		return nil, s, err
	}
	if report {
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.ctx))
		done := make(chan struct{})
		go func() { m.RunHeartbeat(ctx); close(done) }()
		vs.stop = func() { cancel(); <-done }
	}
	return vs, s, nil
}

// quietLog discards: the reading commands say what matters on stdout and
// stderr themselves.
func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(discard{})
	return l
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
