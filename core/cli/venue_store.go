package cli

import (
	"context"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/postgres"
	"s360gate/core/sqlite"
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

// VenueCopyDB is a joined station's local copy of its venue, in its data
// directory: a store of its own, so that the station's standalone store
// stays as it was (`venue leave` finds it again).
const VenueCopyDB = "s360gate-venue.db"

// openStation opens this data directory's station of the venue linked
// by l: the one engine of a joined station (venue.OpenStation), deciding
// through the venue and from its local copy in the station's own store
// when the venue does not answer. elect makes it take part in the election
// of the venue's S-360 client (`sync`); the other commands only report in.
func (r *runner) openStation(s core.Settings, l config.VenueLink, elect bool, log logrus.FieldLogger, tune ...func(*venue.Options)) (*venue.Station, error) {
	path := filepath.Join(r.dataDir, VenueCopyDB)
	// One process of a station keeps its copy (`sync` and `scan` may run
	// side by side); the others use it.
	release, held, err := lockSync(path)
	if err != nil {
		return nil, err
	}
	if release == nil {
		release = func() {}
	}
	local, err := sqlite.Open(path)
	if err != nil {
		release()
		return nil, err
	}
	o := venue.StationOptions{DB: l.DB, TrustedLAN: l.TrustedLAN, Local: local, Station: s, Elect: elect,
		Log: log, Version: buildinfo.Get().Version, CopyKeptElsewhere: held, OnClose: release}
	o.Tune = func(mo *venue.Options) {
		for _, f := range tune {
			if f != nil {
				f(mo)
			}
		}
		if VenueTuning != nil {
			VenueTuning(mo)
		}
	}
	if StationTuning != nil {
		StationTuning(&o)
	}
	octx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	st, err := venue.OpenStation(octx, o)
	if err != nil {
		local.Close()
		release()
		return nil, err
	}
	return st, nil
}

// StationTuning, when set, adjusts a joined station's options before it
// opens (tests: quicker probes). The product never sets it.
var StationTuning func(*venue.StationOptions)

// clockOf is the clock a command stamps its scans with: the venue's
// (the database's) on a joined station, so that one laptop's clock cannot
// put its controls at the wrong time; this machine's otherwise.
func clockOf(s Store) func() time.Time {
	if v, ok := s.(*venue.Station); ok {
		return v.Now
	}
	return time.Now
}

// stationStore opens what a reading command works on, with the settings it
// decides with: the station's own store and settings, or, on a joined
// station, the venue (venue.Station: the venue's database, or the local
// copy while it cannot be reached) and the venue's S-360 settings (event,
// entrance rules, tariff prompts) under the station's own. The station
// reports itself to the venue while the command runs (a scanning station
// is seen in `venue status`).
func (r *runner) stationStore(s core.Settings) (Store, core.Settings, error) {
	l, joined, err := r.venueLink()
	if err != nil {
		return nil, s, err
	}
	if !joined {
		store, err := existingStore(r.dataDir, s)
		return store, s, err
	}
	st, err := r.openStation(s, l, false, quietLog())
	if err != nil {
		return nil, s, err
	}
	return st, st.Settings(), nil
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
