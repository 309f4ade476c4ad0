package sync

import (
	"context"
	"testing"
	"time"
)

// yieldingStore stands for core/sqlite, which lets scans through during a
// page itself.
type yieldingStore struct{ *recordingStore }

func (yieldingStore) YieldsToScans() bool { return true }

// A store that yields to scans itself gets whole pages, however slow it is.
func TestExportWholePagesToAYieldingStore(t *testing.T) {
	r := newRig(t, simSettings(), 2500)
	st := yieldingStore{&recordingStore{fakeStore: r.store}}
	s := simSettings()
	s.PageSize = 1000
	e := New(Options{Settings: s, Remote: r.remote, Store: st, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
	e.since = func(time.Time) time.Duration { return 10 * applyBudget }
	if _, err := e.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, p := range st.applied {
		sizes = append(sizes, len(p.Tickets))
	}
	if len(sizes) < 3 || sizes[0] != 1000 || sizes[1] != 1000 || sizes[2] != 500 {
		t.Fatalf("ApplyPage sizes %v, want whole pages 1000, 1000, 500", sizes)
	}
}
