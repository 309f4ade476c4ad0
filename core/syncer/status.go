package syncer

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"time"

	"s360gate/core"
)

// rejectedShown is how many rejected controls the status lists.
const rejectedShown = 100

// progressEvery is how often the export's progress is announced: often
// enough for a progress bar, rarely enough not to flood the screens.
const progressEvery = 100 * time.Millisecond

// Status is the engine's state for the screens.
func (e *Engine) Status() core.SyncStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snapshot()
}

// snapshot copies the status so that no caller shares its slice. e.mu held.
func (e *Engine) snapshot() core.SyncStatus {
	st := e.status
	st.Rejected = slices.Clone(st.Rejected)
	return st
}

// Refresh reloads from the store what the status shows: sync state, ticket
// and control counts, rejected controls.
func (e *Engine) Refresh(ctx context.Context) error {
	state, err := e.store.SyncState(ctx)
	if err != nil {
		return err
	}
	tc, err := e.store.TicketCounts(ctx)
	if err != nil {
		return err
	}
	e.mu.Lock()
	s := e.settings
	e.mu.Unlock()
	e.setState(state, nextAllowed(s, state.LastCycle, e.now(), state.Zone()))
	e.update(func(st *core.SyncStatus) { st.Tickets = tc })
	return e.refreshControls(ctx)
}

// refreshControls reloads the pending count and the rejected controls:
// what changes as the gates scan.
func (e *Engine) refreshControls(ctx context.Context) error {
	// Only the upload states are wanted, and ControlCounts counts those
	// over every control whatever since is; since = now spares counting
	// every control of the day by outcome, which on an event day's store
	// (tens of thousands of controls) cost more than the rest of a cycle.
	cc, err := e.store.ControlCounts(ctx, e.now())
	if err != nil {
		return err
	}
	var rejected []core.Control
	if cc.Rejected > 0 {
		f := core.ControlFilter{Upload: core.UploadRejected, Limit: rejectedShown, Newest: true}
		err = e.store.Controls(ctx, f, func(c core.Control) error {
			rejected = append(rejected, c)
			return nil
		})
		if err != nil {
			return err
		}
	}
	e.update(func(st *core.SyncStatus) {
		st.Pending = cc.Pending
		st.Rejected = rejected
		st.RejectedCount = cc.Rejected
	})
	return nil
}

// setState remembers the persisted sync state and shows it.
func (e *Engine) setState(state core.SyncState, next time.Time) {
	e.update(func(st *core.SyncStatus) {
		e.state = state
		st.LastExportOK = state.LastExportOK
		st.LastUploadOK = state.LastUploadOK
		st.LastError = state.LastError
		st.LastErrorSaid = state.LastErrorSaid
		st.LastErrorAt = state.LastErrorAt
		st.TimeZone = state.TimeZone
		st.NextAllowed = next
	})
}

func (e *Engine) setPhase(phase string, running bool) {
	e.update(func(st *core.SyncStatus) {
		st.Phase, st.Running = phase, running
		if phase == "export" {
			st.Received, st.Pages = 0, 0
		}
		if phase != "export" {
			st.ExportStart, st.BudgetWait = time.Time{}, time.Time{}
		}
	})
}

// budgetWait shows, before a request of method, until when the client
// will wait for its request budget ("" after the request: no wait). The
// export's pace is that budget's, and "Next call allowed: now" while the
// client waits would be untrue.
func (e *Engine) budgetWait(method string) {
	b, ok := e.remote.(core.Budgeted)
	if !ok {
		return
	}
	var until time.Time
	budget := b.Budget()
	if method != "" {
		if next := b.NextSlot(); next.After(e.now()) {
			until = next
		}
	}
	e.update(func(st *core.SyncStatus) { st.BudgetWait, st.Budget = until, budget })
}

// stored shows, after an export's commit, how many tickets the store
// holds now (at most every progressEvery: the count reads the store).
func (e *Engine) stored(ctx context.Context) {
	e.mu.Lock()
	due := time.Since(e.counted) >= progressEvery
	if due {
		e.counted = time.Now()
	}
	e.mu.Unlock()
	if !due {
		return
	}
	if tc, err := e.store.TicketCounts(ctx); err == nil {
		e.update(func(st *core.SyncStatus) { st.Tickets = tc })
	}
}

// received announces the export's progress, at most every progressEvery;
// the phase change that follows announces the final count anyway.
func (e *Engine) received(n, pages int) {
	e.mu.Lock()
	e.status.Received, e.status.Pages = n, pages
	due := time.Since(e.progress) >= progressEvery
	if due {
		e.progress = time.Now()
		e.seq++
	}
	e.mu.Unlock()
	if due {
		e.publish()
	}
}

// noteCall records whether the last call reached S-360. A call that did
// not is the last error at once, while the cycle retries: "Offline" beside
// "Last error: none" would contradict itself.
func (e *Engine) noteCall(err error) {
	if online, ok := reached(err); ok {
		e.update(func(st *core.SyncStatus) {
			st.Online, st.Called = online, true
			if !online {
				st.LastError, st.LastErrorAt = plainWords(err), e.now()
			}
		})
	}
}

// fail shows an error that ended a cycle before it called S-360 (a
// shutdown is not shown).
func (e *Engine) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e.update(func(st *core.SyncStatus) {
		w := saidOf(err)
		st.LastError, st.LastErrorSaid, st.LastErrorAt = w.Text, []core.Said{w}, e.now()
	})
	e.log.WithError(err).Error("sync cycle not started")
	return err
}

// update changes the status under the lock and, if it changed, tells the
// subscribers, outside the lock.
func (e *Engine) update(fn func(*core.SyncStatus)) {
	e.mu.Lock()
	before := e.status
	fn(&e.status)
	changed := !reflect.DeepEqual(before, e.status)
	if changed {
		e.seq++
	}
	e.mu.Unlock()
	if changed {
		e.publish()
	}
}

// publish offers the current status to every subscriber. Offering never
// waits: each subscriber has its own goroutine and a one-slot mailbox
// where a newer status replaces one not yet delivered, so a slow screen
// sees fewer, never stale, updates and cannot hold up the engine.
func (e *Engine) publish() {
	e.mu.Lock()
	seq, st := e.seq, e.snapshot()
	subs := make([]*subscriber, 0, len(e.subs))
	for s := range e.subs {
		subs = append(subs, s)
	}
	e.mu.Unlock()
	for _, s := range subs {
		s.offer(seq, st)
	}
}

// Subscribe calls fn with the current status, then on every change, until
// cancel is called. Calls to one fn never overlap; intermediate states may
// be skipped when fn is slow. A call already under way may finish after
// cancel returns.
func (e *Engine) Subscribe(fn func(core.SyncStatus)) (cancel func()) {
	s := &subscriber{fn: fn, wake: make(chan struct{}, 1), done: make(chan struct{})}
	e.mu.Lock()
	e.subs[s] = struct{}{}
	seq, st := e.seq, e.snapshot()
	e.mu.Unlock()
	go s.loop()
	s.offer(seq, st)
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			delete(e.subs, s)
			e.mu.Unlock()
			close(s.done)
		})
	}
}

type subscriber struct {
	fn      func(core.SyncStatus)
	mu      sync.Mutex
	next    *core.SyncStatus // latest status not yet delivered
	seq     uint64           // version of the latest status offered
	offered bool
	wake    chan struct{}
	done    chan struct{}
}

// offer leaves st for delivery unless a newer one was offered already (two
// publishers may race; the older must not overwrite the newer).
func (s *subscriber) offer(seq uint64, st core.SyncStatus) {
	s.mu.Lock()
	if s.offered && seq <= s.seq {
		s.mu.Unlock()
		return
	}
	s.seq, s.next, s.offered = seq, &st, true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // already woken: it will take the newest
	}
}

func (s *subscriber) loop() {
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		st := s.next
		s.next = nil
		s.mu.Unlock()
		if st != nil {
			s.fn(*st)
		}
	}
}
