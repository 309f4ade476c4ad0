package syncer

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"s360gate/core"
)

// pipeStore is the fake store with an ExportWriter that records what the
// engine asks of it (and can hold it up), storing page by page underneath.
type pipeStore struct {
	*fakeStore
	mu       sync.Mutex
	log      []string // "apply <cursor>" and "commit", in order
	onApply  func(core.ExportPage)
	onCommit func()
}

func (s *pipeStore) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	return &pipeWriter{s: s, inner: core.PageAtATime(s.fakeStore, key)}, nil
}

func (s *pipeStore) entries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

type pipeWriter struct {
	s     *pipeStore
	inner core.ExportWriter
}

func (w *pipeWriter) Apply(ctx context.Context, p core.ExportPage) error {
	w.s.mu.Lock()
	w.s.log = append(w.s.log, "apply "+p.Cursor)
	f := w.s.onApply
	w.s.mu.Unlock()
	if f != nil {
		f(p)
	}
	return w.inner.Apply(ctx, p)
}

func (w *pipeWriter) Commit(ctx context.Context) error {
	w.s.mu.Lock()
	w.s.log = append(w.s.log, "commit")
	f := w.s.onCommit
	w.s.mu.Unlock()
	if f != nil {
		f()
	}
	return w.inner.Commit(ctx)
}

func (w *pipeWriter) Close() error { return w.inner.Close() }

// asked closes a channel when S-360 is first asked for a cursor.
type asked struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

func newAsked() *asked { return &asked{ch: map[string]chan struct{}{}} }

func (a *asked) chanFor(cursor string) chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.ch[cursor]
	if !ok {
		c = make(chan struct{})
		a.ch[cursor] = c
	}
	return c
}

func (a *asked) note(cursor string) {
	c := a.chanFor(cursor)
	select {
	case <-c:
	default:
		close(c)
	}
}

// waitFor fails the test if cursor is not asked for soon: the engine would
// otherwise deadlock here, which is the failure being tested.
func (a *asked) waitFor(t *testing.T, cursor, why string) {
	select {
	case <-a.chanFor(cursor):
	case <-time.After(10 * time.Second):
		t.Errorf("page %q was never asked for %s", cursor, why)
	}
}

func newPipeRig(t *testing.T, tickets int) (*rig, *pipeStore) {
	r := newRig(t, simSettings(), tickets)
	ps := &pipeStore{fakeStore: r.store}
	r.engine = New(Options{Settings: simSettings(), Remote: r.remote, Store: ps, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog(), UploadBatch: 500})
	return r, ps
}

// The next page is asked for while the current one is being stored.
func TestExportFetchesWhileStoring(t *testing.T) {
	r, ps := newPipeRig(t, 35)
	a := newAsked()
	r.remote.onExport = func(req core.ExportRequest) { a.note(req.Cursor) }
	ps.onApply = func(p core.ExportPage) {
		if p.Cursor == "10" {
			a.waitFor(t, "10", "while the first page was being stored")
		}
	}
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil || !rep.Drained || rep.Tickets != 35 {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	if got := r.remote.exportCursors(); !slices.Equal(got, []string{"", "10", "20", "30", "35"}) {
		t.Fatalf("cursors asked %v", got)
	}
}

// Pages already in hand go into the same transaction; with nothing in
// hand the engine commits before it waits for S-360, so that the store's
// writer is never held while the network is slow.
func TestExportCommitsWhenNothingIsInHand(t *testing.T) {
	r, ps := newPipeRig(t, 45)
	a := newAsked()
	committed := make(chan struct{})
	var once sync.Once
	ps.onCommit = func() { once.Do(func() { close(committed) }) }
	r.remote.onExport = func(req core.ExportRequest) {
		a.note(req.Cursor)
		if req.Cursor == "20" {
			// The third page is slow: S-360 answers it only once the
			// engine has committed what it holds.
			select {
			case <-committed:
			case <-time.After(10 * time.Second):
				t.Error("the engine held its transaction open while waiting for S-360")
			}
		}
	}
	ps.onApply = func(p core.ExportPage) {
		if p.Cursor == "10" {
			// Asking for page 3 means page 2 is in the engine's hands.
			a.waitFor(t, "20", "while the first page was being stored")
		}
	}
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil || !rep.Drained || rep.Tickets != 45 {
		t.Fatalf("report %+v, err %v", rep, err)
	}
	log := ps.entries()
	if len(log) < 3 || !slices.Equal(log[:3], []string{"apply 10", "apply 20", "commit"}) {
		t.Fatalf("store calls %v: want the two pages in hand stored before one commit", log)
	}
	if log[len(log)-1] != "commit" {
		t.Fatalf("store calls %v: the export did not end with a commit", log)
	}
	if n := len(r.store.tickets); n != 45 {
		t.Fatalf("%d tickets stored", n)
	}
}

// A failure part-way commits the pages stored before it, so the next
// cycle goes on from there.
func TestExportCommitsBeforeAFailure(t *testing.T) {
	r, ps := newPipeRig(t, 50)
	r.remote.onExport = func(req core.ExportRequest) {
		if req.Cursor == "30" {
			r.remote.fail("exportList", core.Errorf(core.EInvalid, "S-360 refused the request"))
		}
	}
	_, err := r.engine.RunCycle(context.Background())
	if core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("err %v", err)
	}
	if log := ps.entries(); log[len(log)-1] != "commit" {
		t.Fatalf("store calls %v: no commit after the failure", log)
	}
	if c := r.store.cursor(core.CursorKey("S26", []string{"P1"}, nil)); c != "30" {
		t.Fatalf("cursor %q after the failure, want 30", c)
	}
}
