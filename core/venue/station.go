package venue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/sqlite"
)

// A Station is a joined station, complete: the one engine the headless
// commands and the desktop app open (issue 16). It decides through the
// venue's database while that answers within the station's fallback time,
// and from its local copy of the venue when it does not, keeps that copy
// current, pushes what it decided alone once the venue answers again, and
// takes part in the venue (heartbeat, and with Elect the election of the
// S-360 client). It is a core.Store and a core.Venue.

// StationOptions open a Station. DB, Local and Station are required.
type StationOptions struct {
	// DB is the venue database's address; TrustedLAN lets it be reached
	// without TLS (config.VenueLink).
	DB         string
	TrustedLAN bool
	// Local is this station's own store, which becomes its copy of the
	// venue. The Station owns it: Close closes it.
	Local *sqlite.DB
	// Station is this station's own settings: name, gate, direction, the
	// S-360 password (a candidate holds one), VenueFallbackMs.
	Station core.Settings
	// Elect: take part in the election of the venue's S-360 client (`sync`,
	// the desktop app). Without it the station only reports itself (`scan`,
	// `lookup`): it never calls S-360.
	Elect   bool
	Log     logrus.FieldLogger
	Version string
	// Tune adjusts the member's options (tests: a shorter lease).
	Tune func(*Options)
	// CopyKeptElsewhere: another process of this station (its `sync`, the
	// desktop app) keeps the copy current; this one decides from it when
	// it must, and pushes what it decided, but never copies itself (two
	// processes filling one store would mix their fills).
	CopyKeptElsewhere bool
	// OnClose is called at the end of Close (the cli releases its lock
	// on the copy).
	OnClose func()
	// ProbeEvery is how often a station cut off asks the venue whether it
	// answers again (default 500 ms); CopyEvery how often the copy is
	// brought up to date (default 1 s; the station's own scans bring it
	// sooner); StatusEvery how often the venue's status is read (3 s).
	ProbeEvery, CopyEvery, StatusEvery time.Duration
}

// Station is a joined station. Its methods are safe for concurrent use.
type Station struct {
	o     StationOptions
	local *sqlite.DB
	copy  *localCopy
	log   logrus.FieldLogger

	pg     atomic.Pointer[postgres.DB]
	member atomic.Pointer[Member]

	settingsMu sync.Mutex
	settings   core.Settings // the station's own under the venue's

	offset atomic.Int64 // the venue's clock minus this machine's, when no member measured it

	// gate orders local decisions (read side) and the return to the venue
	// (write side): once the last local control is pushed and the link
	// is up, no scan decides locally unless the link drops again.
	gate sync.RWMutex
	down atomic.Bool

	link   watch[core.LinkState]
	status watch[core.VenueStatus]

	wake  chan struct{} // bring the copy up to date now
	probe chan struct{} // the link went down

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// closeMu orders starting the member (when the venue is first
	// reached) with Close, so that nothing starts once Close waits.
	closeMu sync.Mutex
	closed  bool
}

var (
	_ core.Store = (*Station)(nil)
	_ core.Venue = (*Station)(nil)
)

// OpenStation opens a joined station and starts its work in the
// background (see Station). When the venue's database cannot be reached
// but the local copy was filled before, the station opens with its link
// down and decides locally; one that never copied its venue cannot decide
// alone, and OpenStation returns the venue's error.
func OpenStation(ctx context.Context, o StationOptions) (*Station, error) {
	if o.Log == nil {
		o.Log = logrus.StandardLogger()
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = 500 * time.Millisecond
	}
	if o.CopyEvery <= 0 {
		o.CopyEvery = time.Second
	}
	if o.StatusEvery <= 0 {
		o.StatusEvery = 3 * time.Second
	}
	cp, err := newLocalCopy(ctx, o.Local)
	if err != nil {
		return nil, err
	}
	cp.elsewhere = o.CopyKeptElsewhere
	s := &Station{o: o, local: o.Local, copy: cp, wake: make(chan struct{}, 1), probe: make(chan struct{}, 1),
		log: o.Log.WithFields(logrus.Fields{"component": "venue", "station": o.Station.Station})}
	cp.onCopied = s.copied
	ready, copiedAt := cp.ready()
	v, off, known := cp.settings()
	s.offset.Store(int64(off))
	s.settings = o.Station.WithVenue(v)

	octx, cancel := context.WithTimeout(ctx, 5*time.Second)
	db, err := s.open(octx)
	cancel()
	now := s.Now()
	switch {
	case err == nil:
		v, _, err := db.VenueSettings(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		s.settings = o.Station.WithVenue(v)
		s.pg.Store(db)
		s.link.v = core.LinkState{Up: true, Since: now, CopyReady: ready, CopiedAt: copiedAt}
	case core.ErrorCode(err) == core.EUnavailable && ready && known:
		s.log.WithError(err).Warn("the venue cannot be reached: deciding from this station's copy of the venue")
		s.down.Store(true)
		s.link.v = core.LinkState{Since: now, Error: err.Error(), CopyReady: true, CopiedAt: copiedAt}
	default:
		return nil, err
	}
	s.link.v.Unpushed = max(cp.unpushed(ctx), 0)
	s.status.v = core.VenueStatus{Station: o.Station.Station, Candidate: o.Station.Password != "", Link: s.link.v}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if db != nil {
		s.startMember(db)
	}
	s.wg.Go(s.follow)
	s.wg.Go(s.watchLink)
	s.wg.Go(s.readStatus)
	s.wakeCopy()
	return s, nil
}

// open opens the venue's database.
func (s *Station) open(ctx context.Context) (*postgres.DB, error) {
	opts := []postgres.Option{postgres.AsStation(s.o.Station.Station)}
	if s.o.TrustedLAN {
		opts = append(opts, postgres.TrustedLAN())
	}
	return postgres.Open(ctx, s.o.DB, opts...)
}

// startMember makes the station a member of the venue on db: reporting
// itself, and with Elect a candidate for the syncer's turn.
func (s *Station) startMember(db *postgres.DB) {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return
	}
	o := Options{DB: db, Station: s.Settings(), Log: s.o.Log, Version: s.o.Version, Local: stationCopy{s}}
	if s.o.Tune != nil {
		s.o.Tune(&o)
	}
	m := New(o)
	s.member.Store(m)
	s.wg.Go(func() {
		if s.o.Elect {
			m.Run(s.ctx)
		} else {
			m.RunHeartbeat(s.ctx)
		}
	})
}

// stationCopy is the station's copy as its member sees it: a `sync
// --once` brings it up to date, and the heartbeat reports what waits to be
// pushed.
type stationCopy struct{ s *Station }

func (c stationCopy) CatchUp(ctx context.Context) error {
	db := c.s.pg.Load()
	if db == nil || c.s.down.Load() || c.s.o.CopyKeptElsewhere {
		return nil
	}
	return c.s.copy.catchUp(ctx, db, c.s.clockOffset())
}

func (c stationCopy) Pending() int { return c.s.Link().Unpushed }

// Close stops the station's work (a syncer gives its lease up) and closes
// both stores.
func (s *Station) Close() error {
	s.closeMu.Lock()
	s.closed = true
	s.closeMu.Unlock()
	s.cancel()
	s.wg.Wait()
	if db := s.pg.Load(); db != nil {
		db.Close()
	}
	err := s.local.Close()
	if s.o.OnClose != nil {
		s.o.OnClose()
	}
	return err
}

// Member is the station as a member of the venue (nil until the venue
// was reached once).
func (s *Station) Member() *Member { return s.member.Load() }

// Settings are the station's own settings under the venue's S-360
// settings, as last read from the venue (or its copy).
func (s *Station) Settings() core.Settings {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	return s.settings
}

// Local is the station's copy of the venue (tests, the bench).
func (s *Station) Local() *sqlite.DB { return s.local }

// Now is the venue's time: this machine's clock corrected by the
// database's, as last measured (or stored with the copy).
func (s *Station) Now() time.Time { return time.Now().Add(s.clockOffset()) }

func (s *Station) clockOffset() time.Duration {
	if m := s.member.Load(); m != nil {
		if off, ok := m.ClockOffset(); ok {
			return off
		}
	}
	return time.Duration(s.offset.Load())
}

// fallback is how long a scan waits for the venue.
func (s *Station) fallback() time.Duration { return s.o.Station.VenueFallback() }

// wakeCopy asks the follower to bring the copy up to date now.
func (s *Station) wakeCopy() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// follow keeps the copy current while the link is up, and pushes any
// control decided locally that is left over.
func (s *Station) follow() {
	t := time.NewTicker(s.o.CopyEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
		db := s.pg.Load()
		if db == nil || s.down.Load() {
			continue
		}
		// A venue gone silent must not hold the follower: a catch-up
		// has a limit (a first fill a long one).
		limit := 10 * time.Second
		if ok, _ := s.copy.ready(); !ok {
			limit = 10 * time.Minute
		}
		ctx, cancel := context.WithTimeout(s.ctx, limit)
		err := s.pushAll(ctx, db)
		if err == nil && !s.o.CopyKeptElsewhere {
			err = s.copy.catchUp(ctx, db, s.clockOffset())
		}
		cancel()
		switch {
		case s.ctx.Err() != nil:
			return
		case err != nil && core.ErrorCode(err) == core.EUnavailable:
			s.markDown(err)
		case err != nil && !failing:
			s.log.WithError(err).Error("cannot bring this station's copy of the venue up to date")
		}
		failing = err != nil
	}
}

// copied is told by the copy after a catch-up that changed it.
func (s *Station) copied(st sqlite.VenueCopy) {
	if v, _, ok := settingsOf(st); ok {
		s.settingsMu.Lock()
		s.settings = s.o.Station.WithVenue(v)
		s.settingsMu.Unlock()
	}
	s.setLink(func(l *core.LinkState) { l.CopyReady, l.CopiedAt = st.Filled, st.CopiedAt })
}
