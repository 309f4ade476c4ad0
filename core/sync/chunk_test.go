package sync

import (
	"context"
	"errors"
	"slices"
	stdsync "sync"
	"testing"
	"time"

	"s360gate/core"
)

// recordingStore records every ApplyPage and can fail one of them.
type recordingStore struct {
	*fakeStore
	mu      stdsync.Mutex
	applied []core.ExportPage
	failIf  func(p core.ExportPage, stored int) bool // fail this ApplyPage (stored: tickets held)
}

func (s *recordingStore) ApplyPage(ctx context.Context, key string, p core.ExportPage) error {
	s.mu.Lock()
	s.applied = append(s.applied, core.ExportPage{Tickets: slices.Clone(p.Tickets), Cursor: p.Cursor})
	fail := s.failIf != nil && s.failIf(p, len(s.fakeStore.tickets))
	s.mu.Unlock()
	if fail {
		return errors.New("disk I/O error")
	}
	return s.fakeStore.ApplyPage(ctx, key, p)
}

func chunkRig(t *testing.T, tickets, pageSize int, took time.Duration) (*rig, *recordingStore, *Engine) {
	t.Helper()
	r := newRig(t, simSettings(), tickets)
	st := &recordingStore{fakeStore: r.store}
	s := simSettings()
	s.PageSize = pageSize
	e := New(Options{Settings: s, Remote: r.remote, Store: st, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
	e.since = func(time.Time) time.Duration { return took }
	return r, st, e
}

// A page is stored in chunks, in order, so that the gate's scans never wait
// long for the store's only writer; only the last chunk moves the cursor.
// A slow store makes the chunks smaller, down to applyMinChunk.
func TestExportStoresPagesInChunks(t *testing.T) {
	r, st, e := chunkRig(t, 2500, 1000, 10*applyBudget)
	if _, err := e.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var got []core.Ticket
	before := ""
	for i, p := range st.applied {
		sizes = append(sizes, len(p.Tickets))
		got = append(got, p.Tickets...)
		last := len(got)%1000 == 0 || len(got) == 2500
		switch {
		case len(p.Tickets) == 0: // the empty page that says "drained"
		case last && p.Cursor == before:
			t.Fatalf("chunk %d ends a page but keeps the cursor %q", i, p.Cursor)
		case !last && p.Cursor != before:
			t.Fatalf("chunk %d (%d tickets into the page) moved the cursor to %q", i, len(got)%1000, p.Cursor)
		}
		before = p.Cursor
	}
	if !slices.EqualFunc(got, r.remote.items, func(a, b core.Ticket) bool { return a.Barcode == b.Barcode }) {
		t.Fatalf("chunks do not add up to the list in order")
	}
	if sizes[0] != applyFirstChunk || sizes[1] != applyFirstChunk/2 || slices.Max(sizes[2:]) > applyMinChunk {
		t.Fatalf("chunk sizes %v: want %d, %d, then at most %d", sizes, applyFirstChunk, applyFirstChunk/2, applyMinChunk)
	}
	key := core.CursorKey("S26", []string{"P1"}, nil)
	if c := r.store.cursor(key); c != "2500" {
		t.Fatalf("stored cursor %q", c)
	}
}

// A fast store gets bigger chunks, up to whole pages.
func TestExportChunksGrowOnAFastStore(t *testing.T) {
	_, st, e := chunkRig(t, 3000, 1000, 0)
	if _, err := e.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, p := range st.applied {
		sizes = append(sizes, len(p.Tickets))
	}
	// 64, 128, 256, 512, then the page's remaining 40; whole pages after that.
	if want := []int{64, 128, 256, 512, 40, 1000, 1000}; !slices.Equal(sizes, want) {
		t.Fatalf("chunk sizes %v, want %v", sizes, want)
	}
}

// A failure (or a crash) between the chunks of a page leaves the chunks
// already stored under the old cursor: the next cycle asks for the same
// page again, stores it whole, and the list ends complete.
func TestExportChunkFailureRefetchesThePage(t *testing.T) {
	r, st, e := chunkRig(t, 2500, 1000, 10*applyBudget)
	// Page 2's second chunk fails: its first is stored, under the old cursor.
	st.failIf = func(p core.ExportPage, stored int) bool { return p.Cursor == "1000" && stored > 1000 }
	_, err := e.RunCycle(context.Background())
	if err == nil {
		t.Fatal("the cycle did not fail")
	}
	key := core.CursorKey("S26", []string{"P1"}, nil)
	if c := r.store.cursor(key); c != "1000" {
		t.Fatalf("cursor %q after a failed chunk, want the page's old cursor 1000", c)
	}
	if n := len(r.store.tickets); n <= 1000 || n >= 2000 {
		t.Fatalf("%d tickets stored after the failure, want page 1 and part of page 2", n)
	}
	st.failIf = nil
	if _, err := e.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := r.remote.exportCursors(), []string{"", "1000", "1000", "2000", "2500"}; !slices.Equal(got, want) {
		t.Fatalf("cursors asked %v, want %v", got, want)
	}
	if c := r.store.cursor(key); c != "2500" || len(r.store.tickets) != 2500 {
		t.Fatalf("cursor %q, %d tickets", c, len(r.store.tickets))
	}
}
