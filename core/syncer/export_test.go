package syncer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"s360gate/core"
)

func TestExportDrainsThenIncremental(t *testing.T) {
	r := newRig(t, simSettings(), 25)
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 10 + 10 + 5, then an empty page says the list is drained.
	if rep.Pages != 4 || rep.Tickets != 25 || !rep.Drained {
		t.Fatalf("report %+v", rep)
	}
	if got, want := r.remote.exportCursors(), []string{"", "10", "20", "25"}; !slices.Equal(got, want) {
		t.Fatalf("cursors %v, want %v", got, want)
	}
	key := core.CursorKey("S26", []string{"P1"}, nil)
	if c := r.store.cursor(key); c != "25" {
		t.Fatalf("stored cursor %q", c)
	}

	// S-360 cancels a ticket: the next cycle gets only that change.
	cancelled := ticket(3, core.StateCancelled)
	cancelled.CancellationCause = "REFUND_REQUESTED"
	r.remote.add(cancelled)
	rep, err = r.engine.RunCycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 2 || rep.Tickets != 1 {
		t.Fatalf("incremental report %+v", rep)
	}
	got, _ := r.store.Ticket(context.Background(), cancelled.Barcode)
	if got.State != core.StateCancelled || got.CancellationCause != "REFUND_REQUESTED" {
		t.Fatalf("ticket after incremental export: %+v", got)
	}
	st := r.engine.Status()
	if st.Tickets.Valid != 24 || st.Tickets.Invalid != 1 || !st.Online || st.LastExportOK.IsZero() {
		t.Fatalf("status %+v", st)
	}
	state, _ := r.store.SyncState(context.Background())
	if !state.ExportComplete || state.LastExportOK.IsZero() {
		t.Fatalf("state %+v", state)
	}
}

// A shutdown after some pages keeps what was committed, and the next run
// resumes from the committed cursor without asking for any page twice.
func TestExportResumesAfterShutdown(t *testing.T) {
	r := newRig(t, simSettings(), 95)
	ctx, cancel := context.WithCancel(context.Background())
	pages := 0
	r.remote.onExport = func(core.ExportRequest) {
		pages++
		if pages == 3 {
			cancel() // the page is answered, then the station shuts down
		}
	}
	_, err := r.engine.RunCycle(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	key := core.CursorKey("S26", []string{"P1"}, nil)
	// The fake remote refuses a cancelled ctx, so the third page was not
	// served; the first two were committed.
	if c := r.store.cursor(key); c != "20" {
		t.Fatalf("cursor after shutdown %q", c)
	}
	if st, _ := r.store.SyncState(context.Background()); st.LastError != "" || !st.LastExportOK.IsZero() {
		t.Fatalf("a shutdown is not an error, nor a success: %+v", st)
	}

	r.remote.onExport = nil
	e2 := r.newEngine(simSettings())
	if _, err := e2.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	cur := r.remote.exportCursors()
	// "20" was asked once before the shutdown (the answer never came) and
	// once after; no committed cursor was ever passed twice.
	want := []string{"", "10", "20", "20", "30", "40", "50", "60", "70", "80", "90", "95"}
	if !slices.Equal(cur, want) {
		t.Fatalf("cursors %v", cur)
	}
	if n, _ := r.store.TicketCounts(context.Background()); n.Valid != 95 {
		t.Fatalf("tickets %+v", n)
	}
}

// A page received just before a shutdown is still committed, so it is never
// fetched again.
func TestExportCommitsPageReceivedDuringShutdown(t *testing.T) {
	r := newRig(t, simSettings(), 30)
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{Remote: r.remote, n: 2, cancel: cancel}
	e := New(Options{Settings: simSettings(), Remote: w, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
	if _, err := e.RunCycle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	key := core.CursorKey("S26", []string{"P1"}, nil)
	if c := r.store.cursor(key); c != "20" {
		t.Fatalf("cursor %q: the page in hand was not committed", c)
	}
	if _, err := r.newEngine(simSettings()).RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := r.remote.exportCursors(), []string{"", "10", "20", "30"}; !slices.Equal(got, want) {
		t.Fatalf("cursors %v, want %v", got, want)
	}
}

// cancelAfter cancels the ctx once n export pages were answered.
type cancelAfter struct {
	core.Remote
	n      int
	pages  int
	cancel func()
}

func (c *cancelAfter) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	p, err := c.Remote.ExportList(ctx, req)
	if err == nil {
		c.pages++
		if c.pages == c.n {
			c.cancel()
		}
	}
	return p, err
}

// stuckRemote answers items without moving the cursor, or with none.
type stuckRemote struct {
	core.Remote
	cursor string
	calls  int
}

func (s *stuckRemote) ExportList(_ context.Context, req core.ExportRequest) (core.ExportPage, error) {
	s.calls++
	return core.ExportPage{Tickets: []core.Ticket{ticket(s.calls, core.StateValid)}, Cursor: s.cursor}, nil
}

func TestExportStopsWhenCursorDoesNotMove(t *testing.T) {
	for _, cursor := range []string{"", "7"} {
		r := newRig(t, simSettings(), 0)
		r.store.cursors[core.CursorKey("S26", []string{"P1"}, nil)] = "7"
		sr := &stuckRemote{Remote: r.remote, cursor: cursor}
		e := New(Options{Settings: simSettings(), Remote: sr, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
		rep, err := e.RunCycle(context.Background())
		if err != nil || sr.calls != 1 || rep.Tickets != 1 {
			t.Fatalf("cursor %q: err %v calls %d report %+v", cursor, err, sr.calls, rep)
		}
		if c := r.store.cursor(core.CursorKey("S26", []string{"P1"}, nil)); c != "7" {
			t.Fatalf("a missing paginationEnd must not reset the cursor: %q", c)
		}
	}
}

func TestExportNeedsSeason(t *testing.T) {
	s := simSettings()
	s.Season = ""
	r := newRig(t, s, 5)
	rep, err := r.engine.RunCycle(context.Background())
	if core.ErrorCode(err) != core.EInvalid || len(r.remote.exportCursors()) != 0 || rep.UploadErr != nil {
		t.Fatalf("err %v report %+v", err, rep)
	}
}

func TestExportUsesSettings(t *testing.T) {
	s := simSettings()
	s.Performances = []string{"PERF01"}
	s.PageSize = 0 // default 5000
	r := newRig(t, s, 3)
	var got core.ExportRequest
	r.remote.onExport = func(req core.ExportRequest) { got = req }
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Season != "S26" || !slices.Equal(got.Products, []string{"P1"}) || !slices.Equal(got.Performances, []string{"PERF01"}) || got.PageSize != 5000 {
		t.Fatalf("request %+v", got)
	}
	// The performance filter has its own cursor.
	if c := r.store.cursor(core.CursorKey("S26", []string{"P1"}, []string{"PERF01"})); c != strconv.Itoa(3) {
		t.Fatalf("cursor %q", c)
	}
}

func TestExportStoreFailure(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	r.store.failOn["ApplyPage"] = errors.New("disk I/O error")
	rep, err := r.engine.RunCycle(context.Background())
	if core.ErrorCode(rep.ExportErr) != core.EUnavailable || err == nil {
		t.Fatalf("err %v", err)
	}
	if st := r.engine.Status(); st.LastError == "" || st.LastErrorAt.IsZero() {
		t.Fatalf("status %+v", st)
	}
}
