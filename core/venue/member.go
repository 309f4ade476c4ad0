package venue

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/s360"
	"s360gate/core/syncer"
)

// Defaults of Options.
const (
	// HeartbeatEvery is how often a member reports itself. A station not
	// heard of for three of them is shown as offline.
	HeartbeatEvery = 5 * time.Second
	// TryEvery is how often a candidate looks whether the lease is free.
	TryEvery = time.Second
)

// LocalCopy is a station's local copy of the venue (issue 16): kept
// current at every heartbeat, and where the station decides when the venue
// cannot be reached.
type LocalCopy interface {
	// CatchUp brings the copy up to date with the venue.
	CatchUp(ctx context.Context) error
	// Pending is how many controls the station decided on its own and has
	// not pushed to the venue yet.
	Pending() int
}

// Options make a Member. DB and Station are required.
type Options struct {
	DB *postgres.DB
	// Station is the station's own settings: name, gate, direction and the
	// S-360 password (a candidate has one). Its S-360 settings are ignored:
	// the venue's are used.
	Station core.Settings
	Log     logrus.FieldLogger
	Version string // reported to the venue
	// LeaseTTL is how long the syncer's lease lasts without a renewal
	// (default postgres.DefaultLeaseTTL); it is renewed every 3/10 of it,
	// and the margins of the call rules (doc.go) are fractions of it.
	LeaseTTL       time.Duration
	HeartbeatEvery time.Duration
	TryEvery       time.Duration
	Local          LocalCopy // nil: none (issue 16)
	// OnRetry is told of the engine's retries (see syncer.Options).
	OnRetry func(syncer.Retry)
	// Engine and Client adjust the sync engine's and the S-360 client's
	// options before they are made (tests: shorter polls and timeouts).
	Engine func(*syncer.Options)
	Client func(*s360.Config)
}

// Member is this station as a member of the venue.
type Member struct {
	o   Options
	db  *postgres.DB
	log logrus.FieldLogger

	// offset is the database's clock minus this machine's, in
	// nanoseconds, as last measured.
	offset   atomic.Int64
	measured atomic.Bool // offset was measured once

	mu   sync.Mutex
	term *term // the syncer's turn under way, nil when not the syncer
}

// New makes a member. It does no I/O.
func New(o Options) *Member {
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = postgres.DefaultLeaseTTL
	}
	if o.HeartbeatEvery <= 0 {
		o.HeartbeatEvery = HeartbeatEvery
	}
	if o.TryEvery <= 0 {
		o.TryEvery = TryEvery
	}
	if o.Log == nil {
		o.Log = logrus.StandardLogger()
	}
	o.Station = o.Station.Defaults()
	return &Member{o: o, db: o.DB, log: o.Log.WithFields(logrus.Fields{"component": "venue", "station": o.Station.Station})}
}

// Name is the station's name in the venue.
func (m *Member) Name() string { return m.o.Station.Station }

// Candidate reports whether this station may become the syncer: it holds
// the S-360 password.
func (m *Member) Candidate() bool { return m.o.Station.Password != "" }

// Now is the venue's time: this machine's clock corrected by its offset
// from the database's, as last measured.
func (m *Member) Now() time.Time { return time.Now().Add(time.Duration(m.offset.Load())) }

// ClockOffset is the database's clock minus this machine's, as last
// measured (ok false: never measured yet).
func (m *Member) ClockOffset() (time.Duration, bool) {
	return time.Duration(m.offset.Load()), m.measured.Load()
}

// Syncing returns the epoch of the syncer's turn under way, if this
// member is the syncer.
func (m *Member) Syncing() (int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.term == nil || m.term.ctx.Err() != nil {
		return 0, false
	}
	return m.term.lease.Epoch, true
}

// Beat reports the station to the venue once, brings its local copy up to
// date (issue 16), and measures the database's clock.
func (m *Member) Beat(ctx context.Context) error {
	s := m.o.Station
	zone := m.zone(ctx)
	y, mo, d := core.DateIn(m.Now(), zone)
	scans, err := m.db.ScansSince(ctx, s.Station, core.MidnightIn(y, mo, d, zone))
	if err != nil {
		return err
	}
	var local error
	pending := 0
	if m.o.Local != nil {
		local = m.o.Local.CatchUp(ctx)
		pending = m.o.Local.Pending()
	}
	start := time.Now()
	dbNow, err := m.db.Heartbeat(ctx, postgres.StationBeat{Name: s.Station, Gate: s.Gate, Direction: s.Direction,
		Candidate: m.Candidate(), Version: m.o.Version, ScansToday: scans, Pending: pending, Clock: start})
	if err != nil {
		return err
	}
	m.offset.Store(int64(dbNow.Sub(start.Add(time.Since(start) / 2))))
	m.measured.Store(true)
	if t := m.current(); t != nil {
		t.reloadSettings(ctx)
		t.countOthers(ctx)
	}
	return local
}

// zone is the venue's time zone (nil: not known yet).
func (m *Member) zone(ctx context.Context) *time.Location {
	st, err := m.db.SyncState(ctx)
	if err != nil {
		return nil
	}
	return st.Zone()
}

// RunHeartbeat reports the station to the venue every HeartbeatEvery until
// ctx ends. Failures are logged: a station cut off from the venue goes on
// (issue 16 decides what it does meanwhile).
func (m *Member) RunHeartbeat(ctx context.Context) {
	failing := false
	for {
		bctx, cancel := context.WithTimeout(ctx, m.o.HeartbeatEvery)
		err := m.Beat(bctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing:
			m.log.WithError(err).Warn("cannot report this station to the venue")
		case err == nil && failing:
			m.log.Info("reporting to the venue again")
		}
		failing = err != nil
		if core.Sleep(ctx, m.o.HeartbeatEvery) != nil {
			return
		}
	}
}

// Run keeps the station a member of the venue until ctx ends: it reports
// itself, and a candidate takes part in the election and, while it is the
// syncer, keeps the venue in sync with S-360 (the engine's Run). On the way
// out the syncer gives its lease up, so that another candidate takes over
// at once. It returns ctx's error.
func (m *Member) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { m.RunHeartbeat(ctx) })
	defer wg.Wait()
	if !m.Candidate() {
		m.log.Info("this station holds no S-360 password: gate only, never the venue's syncer")
		<-ctx.Done()
		return ctx.Err()
	}
	for ctx.Err() == nil {
		l, lapsed, err := m.await(ctx)
		if err != nil || l == nil {
			continue
		}
		t, err := m.startTerm(ctx, l, lapsed)
		if err != nil && ctx.Err() != nil {
			m.giveUp(l)
			break
		}
		if err != nil {
			m.log.WithError(err).Error("cannot act as the venue's syncer; giving the turn up")
			m.giveUp(l)
			core.Sleep(ctx, max(m.o.LeaseTTL, time.Minute)) // let another candidate try
			continue
		}
		if err := t.engine.Run(t.ctx); err != nil && ctx.Err() == nil && t.ctx.Err() == nil {
			m.log.WithError(err).Error("the sync engine stopped")
		}
		m.endTerm(t, ctx.Err())
	}
	return ctx.Err()
}

// await tries once to take the lease, and returns it if this candidate
// got it (nil otherwise, after a pause; or when ctx ends). It reads who
// holds the lease first: while it runs for longer than a try, it sleeps a
// try (with jitter, so that candidates do not ask in step); when it lapses
// sooner, it sleeps until then and tries to take it. Another candidate may
// be quicker.
//
// lapsed says the lease was taken from a holder that did not give it up
// (see startTerm).
func (m *Member) await(ctx context.Context) (l *postgres.Lease, lapsed bool, err error) {
	li, err := query(m, ctx, func(ctx context.Context) (postgres.LeaseInfo, error) { return m.db.CurrentLease(ctx) })
	if err != nil {
		m.log.WithError(err).Debug("cannot read the syncer's lease")
		return nil, false, core.Sleep(ctx, m.o.TryEvery)
	}
	if li.Held {
		left := li.Expires.Sub(li.DBNow)
		if left > m.o.TryEvery {
			return nil, false, core.Sleep(ctx, m.o.TryEvery/2+rand.N(m.o.TryEvery/2))
		}
		if err := core.Sleep(ctx, left); err != nil {
			return nil, false, err
		}
	}
	l, err = query(m, ctx, func(ctx context.Context) (*postgres.Lease, error) {
		return m.db.TryAcquireLease(ctx, m.Name(), m.o.LeaseTTL)
	})
	if err != nil {
		m.log.WithError(err).Debug("cannot take the syncer's lease")
		return nil, false, core.Sleep(ctx, m.o.TryEvery)
	}
	// A holder that gives the lease up clears its station (ReleaseLease).
	return l, li.Station != "", nil
}

// query runs one of the election's short queries with a time limit: a
// database that does not answer must not hold the candidate for long.
func query[T any](m *Member, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	qctx, cancel := context.WithTimeout(ctx, m.o.LeaseTTL/2)
	defer cancel()
	return fn(qctx)
}

// Report says what Once did.
type Report struct {
	Name      string
	Candidate bool
	// Syncer: this station was the venue's syncer for a cycle; Cycle says
	// what it did.
	Syncer bool
	Epoch  int64
	Cycle  syncer.CycleReport
	// Lease is who is the venue's syncer, read after this station's part.
	Lease postgres.LeaseInfo
}

// Once does this station's part once: it reports itself and, if it is a
// candidate and the lease is free, takes it, runs one sync cycle for the
// venue and gives the lease up. The error is the cycle's (a
// *core.PolicyRefusal when the call policy says not now) or the venue's.
func (m *Member) Once(ctx context.Context) (Report, error) {
	rep := Report{Name: m.Name(), Candidate: m.Candidate(), Cycle: syncer.CycleReport{Pending: -1}}
	if err := m.Beat(ctx); err != nil {
		return rep, err
	}
	var cycleErr error
	if m.Candidate() {
		before, err := m.db.CurrentLease(ctx)
		if err != nil {
			return rep, err
		}
		l, err := m.db.TryAcquireLease(ctx, m.Name(), m.o.LeaseTTL)
		if err != nil {
			return rep, err
		}
		if l != nil {
			t, err := m.startTerm(ctx, l, before.Station != "")
			if err != nil {
				m.giveUp(l)
				return rep, err
			}
			rep.Syncer, rep.Epoch = true, l.Epoch
			rep.Cycle, cycleErr = t.engine.RunCycle(t.ctx)
			if cerr := t.ctx.Err(); cerr != nil && ctx.Err() == nil {
				// The turn ended under the cycle: say why rather than
				// "context canceled".
				cycleErr = errors.Join(cycleErr, t.why())
			}
			m.endTerm(t, nil)
			if m.o.Local != nil && cycleErr == nil {
				// The copy holds what this cycle brought: a station that
				// syncs once and is then cut off decides with it.
				cycleErr = m.o.Local.CatchUp(ctx)
			}
		}
	}
	li, err := m.db.CurrentLease(context.WithoutCancel(ctx))
	if err != nil {
		return rep, errors.Join(cycleErr, err)
	}
	rep.Lease = li
	return rep, cycleErr
}

func (m *Member) current() *term {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.term
}

// giveUp releases a lease this member will not use.
func (m *Member) giveUp(l *postgres.Lease) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.db.ReleaseLease(ctx, l); err != nil {
		m.log.WithError(err).Warn("cannot give the syncer's turn up; it lapses by itself")
	}
}
