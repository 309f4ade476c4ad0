package venue

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/s360"
	"s360gate/core/syncer"
)

// ErrNotSyncer is in the chain of an S-360 call refused because this
// station is no longer (or may no longer be) the venue's syncer.
var ErrNotSyncer = errors.New("not the venue's syncer")

// term is one turn of this station as the venue's syncer: from taking the
// lease to losing it or giving it up.
type term struct {
	m      *Member
	lease  *postgres.Lease
	store  *syncStore
	guard  *guard
	engine *syncer.Engine
	log    logrus.FieldLogger

	// ctx ends with the turn: when the lease is lost, when it may have run
	// out (stopMargin before it could lapse without a renewal), on a write
	// the fence refused, or when the member stops.
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{} // the keeper has stopped

	// The call rules' margins (doc.go), fractions of the lease's TTL.
	renewEvery, stopMargin, ackMargin, importTimeout time.Duration

	// base and until: the lease surely holds until base+until on this
	// process's monotonic clock. Only the keeper renews the lease; every
	// other goroutine reads the time left here.
	base  time.Time
	until atomic.Int64
	// renewed is closed and replaced at each renewal (waitLease).
	mu      sync.Mutex
	renewed chan struct{}

	venue core.VenueSettings // as last applied
	// callMark: the calls other processes recorded up to it are in the
	// client's budget (countOthers).
	callMark int64
}

// remaining is how long the lease surely still holds.
func (t *term) remaining() time.Duration {
	return max(time.Duration(t.until.Load())-time.Since(t.base), 0)
}

// live reports whether this station may still start talking to S-360.
func (t *term) live() bool { return t.ctx.Err() == nil && t.remaining() > t.stopMargin }

func (t *term) why() error {
	if err := context.Cause(t.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return core.Wrap(core.EConflict, ErrNotSyncer, "This station stopped being the venue's S-360 client")
}

// end ends the turn for reason (the first reason wins).
func (t *term) end(reason error) { t.cancel(reason) }

// inFlight names the call a syncer that ended without giving its lease up
// may have had under way (see startTerm).
const inFlight = "(under way when the last syncer ended)"

// startTerm begins a turn as the venue's syncer with lease l: it measures
// the database's clock, reads the venue's S-360 settings, makes the client
// and the engine on the fenced store, and starts keeping the lease.
//
// lapsed says the syncer before did not give the lease up: it died, hung or
// lost the network, perhaps in the middle of a call. A call is logged once
// its answer is in, so that one was never logged, though S-360 counted it
// (one at most: the engine's fetches and uploads never overlap). It is
// logged now, as made now, for every later syncer's budget to count: one
// request of the budget for a minute after such a handover.
func (m *Member) startTerm(ctx context.Context, l *postgres.Lease, lapsed bool) (*term, error) {
	ttl := l.TTL
	t := &term{m: m, lease: l, base: time.Now(), renewed: make(chan struct{}), done: make(chan struct{}),
		renewEvery: ttl * 3 / 10, stopMargin: ttl / 10, ackMargin: ttl / 5, importTimeout: ttl / 2,
		log: m.log.WithField("epoch", l.Epoch)}
	t.until.Store(int64(l.Remaining()))
	t.ctx, t.cancel = context.WithCancelCause(ctx)
	if _, off, err := m.db.DBTime(t.ctx); err == nil {
		m.offset.Store(int64(off))
	} else {
		t.cancel(err)
		return nil, err
	}
	v, _, err := m.db.VenueSettings(t.ctx)
	if err != nil {
		t.cancel(err)
		return nil, err
	}
	t.venue = v
	if lapsed {
		c := core.Call{Method: inFlight, At: m.Now(), Budgeted: true,
			Detail: "not made by this station: the budget counts the call the syncer before it may have had under way"}
		if err := m.db.RecordCall(t.ctx, c); err != nil {
			t.cancel(err)
			return nil, err
		}
	}
	s := m.o.Station.WithVenue(v)
	t.store = &syncStore{SyncerStore: m.db.Syncer(l), t: t}
	t.guard = &guard{t: t}
	cl, err := t.newClient(s)
	if err != nil {
		t.cancel(err)
		return nil, err
	}
	t.guard.client.Store(cl)
	eo := syncer.Options{Settings: s, Remote: t.guard, Store: t.store, Now: m.Now, Log: t.log, OnRetry: m.o.OnRetry}
	if m.o.Engine != nil {
		m.o.Engine(&eo)
	}
	t.engine = syncer.New(eo)
	go t.keep()
	m.mu.Lock()
	m.term = t
	m.mu.Unlock()
	t.log.WithFields(logrus.Fields{"environment": s.Environment, "season": s.Season, "products": s.Products}).
		Info("this station is now the venue's S-360 client (syncer)")
	return t, nil
}

// endTerm ends t and waits for its keeper. A turn ended by the member
// stopping (stop non-nil), or whose lease may still be current, gives the
// lease up so that another candidate takes over at once.
func (m *Member) endTerm(t *term, stop error) {
	t.end(stop)
	<-t.done
	m.mu.Lock()
	if m.term == t {
		m.term = nil
	}
	m.mu.Unlock()
	if !errors.Is(context.Cause(t.ctx), postgres.ErrLeaseLost) && !errors.Is(context.Cause(t.ctx), postgres.ErrFenced) {
		m.giveUp(t.lease)
	}
	if c := context.Cause(t.ctx); c != nil && !errors.Is(c, context.Canceled) && stop == nil {
		t.log.WithError(c).Warn("this station stepped down as the venue's syncer")
	} else {
		t.log.Info("this station gave up the venue's syncer turn")
	}
}

// keep renews the lease every renewEvery until the turn ends. It ends the
// turn when the lease was taken over, or when it would run out (within
// stopMargin) without a renewal: the database cannot be reached, or this
// process was paused.
func (t *term) keep() {
	defer close(t.done)
	tick := time.NewTicker(t.renewEvery)
	defer tick.Stop()
	runOut := time.NewTimer(t.remaining() - t.stopMargin)
	defer runOut.Stop()
	failing := false
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-runOut.C:
			t.end(core.Wrap(core.EUnavailable, ErrNotSyncer,
				"The syncer's turn ran out without a renewal (the venue database did not answer, or this station was paused): stopped calling S-360"))
			return
		case <-tick.C:
		}
		if !t.live() {
			// Paused past the margin: the timer may not have fired yet.
			t.end(core.Wrap(core.EUnavailable, ErrNotSyncer, "The syncer's turn ran out without a renewal: stopped calling S-360"))
			return
		}
		rctx, cancel := context.WithTimeout(t.ctx, t.renewEvery)
		err := t.m.db.RenewLease(rctx, t.lease)
		left := t.lease.Remaining()
		cancel()
		switch {
		case errors.Is(err, postgres.ErrLeaseLost):
			t.end(err)
			return
		case err != nil:
			if !failing && t.ctx.Err() == nil {
				t.log.WithError(err).Warn("cannot renew the syncer's turn; trying again")
			}
			failing = true
			continue
		}
		failing = false
		t.until.Store(int64(time.Since(t.base) + left))
		runOut.Reset(left - t.stopMargin)
		t.mu.Lock()
		close(t.renewed)
		t.renewed = make(chan struct{})
		t.mu.Unlock()
	}
}

// renewal is closed at the next renewal of the lease.
func (t *term) renewal() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.renewed
}

// newClient makes the S-360 client of the turn: the venue's settings with
// this station's password, the database's clock, every call recorded in
// the venue's call log, the request budget seeded from it (every station's
// calls of the last minute), and connections that refuse to send once the
// turn may be over.
func (t *term) newClient(s core.Settings) (*s360.Client, error) {
	m := t.m
	cfg := s360.ConfigFrom(s)
	cfg.Log = t.log
	cfg.Now = m.Now
	cfg.Zone = m.zone(t.ctx)
	cfg.UserAgent = UserAgent(m.o.Version, m.Name())
	cfg.Conn = t.wrapConn
	cfg.OnCall = func(c core.Call) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.db.RecordCall(ctx, c); err != nil {
			t.log.WithError(err).Warn("cannot record an S-360 call in the venue's log")
		}
	}
	if m.o.Client != nil {
		m.o.Client(&cfg)
	}
	cl, err := s360.New(cfg)
	if err != nil {
		return nil, err
	}
	mark, err := m.db.CallMark(t.ctx)
	if err != nil {
		return nil, err
	}
	calls, err := m.db.CallsSince(t.ctx, m.Now().Add(-2*time.Minute))
	if err != nil {
		return nil, err
	}
	cl.Seed(calls)
	t.callMark = mark
	return cl, nil
}

// UserAgent is how a station names itself to S-360.
func UserAgent(version, station string) string {
	if version == "" {
		version = "dev"
	}
	return "s360gate/" + version + " (" + station + ")"
}

// reloadSettings applies the venue's S-360 settings if they changed since
// the turn began (`venue init` run again): the engine's next cycle uses
// them, with a new client if the connection changed.
func (t *term) reloadSettings(ctx context.Context) {
	v, _, err := t.m.db.VenueSettings(ctx)
	if err != nil || reflect.DeepEqual(v, t.venue) {
		return
	}
	s := t.m.o.Station.WithVenue(v)
	old := t.m.o.Station.WithVenue(t.venue)
	if !sameConnection(s, old) {
		cl, err := t.newClient(s)
		if err != nil {
			t.log.WithError(err).Error("the venue's new S-360 settings cannot be used; keeping the old ones")
			return
		}
		t.guard.client.Store(cl)
	}
	t.venue = v
	t.engine.UpdateSettings(s)
	t.log.Info("the venue's S-360 settings changed; the next cycle uses them")
}

// sameConnection reports whether a and b reach S-360 the same way.
func sameConnection(a, b core.Settings) bool {
	x, y := s360.ConfigFrom(a), s360.ConfigFrom(b)
	return x.Endpoint == y.Endpoint && x.Institution == y.Institution && x.Operator == y.Operator &&
		x.Partner == y.Partner && x.Password == y.Password
}

// countOthers adds to the client's budget the S-360 calls other processes
// made since the last look (another station's `lookup --remote`): the
// budget is the venue's while the turn runs, not only at its start.
func (t *term) countOthers(ctx context.Context) {
	calls, mark, err := t.m.db.CallsByOthers(ctx, t.callMark)
	if err != nil {
		return
	}
	t.callMark = mark
	if len(calls) > 0 {
		t.guard.client.Load().Seed(calls)
	}
}
