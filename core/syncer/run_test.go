package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"s360gate/core"
)

// runUntil runs the engine on virtual time until the clock reaches end,
// and returns the start of every cycle.
func runUntil(t *testing.T, r *rig, end time.Time, each func(now time.Time)) []time.Time {
	t.Helper()
	var starts []time.Time
	r.store.onSave = func(st core.SyncState) {
		if len(starts) == 0 || !starts[len(starts)-1].Equal(st.LastCycle) {
			starts = append(starts, st.LastCycle)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.clock.onSleep = func(now time.Time) {
		if each != nil {
			each(now)
		}
		if !now.Before(end) {
			cancel()
		}
	}
	if err := r.engine.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	return starts
}

func offsets(ts []time.Time, from time.Time) []time.Duration {
	var out []time.Duration
	for _, t := range ts {
		out = append(out, t.Sub(from))
	}
	return out
}

func TestRunHourlyBeforeEventDay(t *testing.T) {
	r := newRig(t, prodSettings(), 5)
	starts := runUntil(t, r, t0.Add(3*time.Hour+time.Minute), nil)
	want := []time.Duration{0, time.Hour, 2 * time.Hour, 3 * time.Hour}
	if got := offsets(starts, t0); !slices.Equal(got, want) {
		t.Fatalf("cycles at %v, want %v", got, want)
	}
}

func TestRunEveryMinuteOnEventDay(t *testing.T) {
	s := prodSettings()
	s.EventDay = true
	r := newRig(t, s, 5)
	starts := runUntil(t, r, t0.Add(3*time.Minute+time.Second), nil)
	want := []time.Duration{0, time.Minute, 2 * time.Minute, 3 * time.Minute}
	if got := offsets(starts, t0); !slices.Equal(got, want) {
		t.Fatalf("cycles at %v, want %v", got, want)
	}
}

// A restart within the hour waits for the rest of the hour.
func TestRunAfterRestartRespectsPolicy(t *testing.T) {
	r := newRig(t, prodSettings(), 5)
	r.store.state.LastCycle = t0.Add(-40 * time.Minute)
	starts := runUntil(t, r, t0.Add(30*time.Minute), nil)
	if got := offsets(starts, t0); !slices.Equal(got, []time.Duration{20 * time.Minute}) {
		t.Fatalf("cycles at %v", got)
	}
}

// On demand, Run syncs every minute and uploads new controls promptly.
func TestRunUploadsPromptlyOnDemand(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanned := false
	starts := runUntil(t, r, t0.Add(100*time.Second), func(now time.Time) {
		if !scanned && !now.Before(t0.Add(10*time.Second)) {
			scanned = true
			r.store.scan("c1", ticket(1, core.StateValid).Barcode, now)
		}
	})
	want := []time.Duration{0, 10 * time.Second, 70 * time.Second}
	if got := offsets(starts, t0); !slices.Equal(got, want) {
		t.Fatalf("cycles at %v, want %v", got, want)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("imported %v", got)
	}
}

// After a failed upload, new scans wait for the next scheduled cycle rather
// than hammer a failing S-360.
func TestRunBacksOffAfterFailedUpload(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	r.remote.failAll["importControlledTicket"] = core.Errorf(core.EUnavailable, "down")
	r.store.scan("c0", ticket(0, core.StateValid).Barcode, t0)
	n := 0
	starts := runUntil(t, r, t0.Add(150*time.Second), func(now time.Time) {
		n++
		r.store.scan(fmt.Sprint("s", n), ticket(1, core.StateValid).Barcode, now) // a scan at every wake
	})
	// Each cycle spends 2+4+8 s (jittered: 7 to 14 s) in backoff; the next
	// starts a minute after the previous one started.
	if got := offsets(starts, t0); len(got) != 3 || got[1] != time.Minute || got[2] != 2*time.Minute {
		t.Fatalf("cycles at %v", got)
	}
	delete(r.remote.failAll, "importControlledTicket")
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(r.remote.importedIDs()); got != n+1 {
		t.Fatalf("imported %d controls, scanned %d", got, n+1)
	}
}
