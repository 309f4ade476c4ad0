package syncer

import (
	"context"
	"errors"
	"testing"
	"time"

	"s360gate/core"
)

func prodSettings() core.Settings {
	s := simSettings()
	s.Environment = core.EnvProduction
	s.EventDate = "2026-12-24"
	return s
}

func refusedUntil(t *testing.T, err error, next time.Time) {
	t.Helper()
	var ref *core.PolicyRefusal
	if !errors.As(err, &ref) {
		t.Fatalf("want a *core.PolicyRefusal, got %v", err)
	}
	if !ref.Next.Equal(next) || ref.Env == "" {
		t.Fatalf("refusal %+v, want next %v", ref, next)
	}
}

func TestProductionOneCycleAnHour(t *testing.T) {
	r := newRig(t, prodSettings(), 5)
	// The cycle's start is on the disk before S-360 hears of it.
	r.remote.onExport = func(core.ExportRequest) {
		if st, _ := r.store.SyncState(context.Background()); !st.LastCycle.Equal(t0) {
			t.Errorf("LastCycle %v when S-360 was called", st.LastCycle)
		}
	}
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.remote.onExport = nil
	r.clock.Advance(59 * time.Minute)
	err := r.engine.SyncNow(context.Background())
	refusedUntil(t, err, t0.Add(time.Hour))
	if st := r.engine.Status(); !st.NextAllowed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("NextAllowed %v", st.NextAllowed)
	}
	if n := len(r.remote.exportCursors()); n != 2 {
		t.Fatalf("S-360 called while refused: %d exports", n)
	}

	// A restart does not give a free cycle.
	e2 := r.newEngine(prodSettings())
	refusedUntil(t, e2.SyncNow(context.Background()), t0.Add(time.Hour))

	r.clock.Set(t0.Add(time.Hour))
	if err := e2.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e2.Status(); !st.NextAllowed.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("NextAllowed %v", st.NextAllowed)
	}
}

func TestEventDayOneCycleAMinute(t *testing.T) {
	forced := prodSettings()
	forced.EventDay = true
	dated := prodSettings()
	dated.Environment = core.EnvPreprod // same rule
	for name, s := range map[string]core.Settings{"forced": forced, "date": dated} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, s, 5)
			start := time.Date(2026, 12, 24, 18, 0, 0, 0, time.Local) // prodSettings' EventDate
			r.clock.Set(start)
			if err := r.engine.SyncNow(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(30 * time.Second)
			refusedUntil(t, r.engine.SyncNow(context.Background()), start.Add(time.Minute))
			r.clock.Set(start.Add(time.Minute))
			if err := r.engine.SyncNow(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSandboxOnDemand(t *testing.T) {
	s := simSettings()
	s.Environment = core.EnvSandbox
	r := newRig(t, s, 5)
	for range 3 {
		if err := r.engine.SyncNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if st := r.engine.Status(); !st.NextAllowed.IsZero() {
		t.Fatalf("NextAllowed %v", st.NextAllowed)
	}
}

// A clock set back since the last cycle does not lock the station out for
// as long as it was set back: one interval from now at most.
func TestClockSetBack(t *testing.T) {
	r := newRig(t, prodSettings(), 5)
	r.store.state.LastCycle = t0.Add(48 * time.Hour)
	refusedUntil(t, r.engine.SyncNow(context.Background()), t0.Add(time.Hour))
}

// Settings changed in the GUI apply from the next cycle.
func TestUpdateSettings(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.engine.UpdateSettings(prodSettings())
	if st := r.engine.Status(); st.Environment != core.EnvProduction || !st.NextAllowed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("status %+v", st)
	}
	refusedUntil(t, r.engine.SyncNow(context.Background()), t0.Add(time.Hour))
}

func TestStateNotSavedMeansNoCall(t *testing.T) {
	r := newRig(t, prodSettings(), 5)
	r.store.failOn["SaveSyncState"] = errors.New("disk full")
	err := r.engine.SyncNow(context.Background())
	if core.ErrorCode(err) != core.EUnavailable || len(r.remote.exportCursors()) != 0 {
		t.Fatalf("err %v, %d exports", err, len(r.remote.exportCursors()))
	}
	if st := r.engine.Status(); st.LastError == "" {
		t.Fatalf("status %+v", st)
	}
}

func TestCyclesDoNotOverlap(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	inside := make(chan struct{})
	release := make(chan struct{})
	r.remote.onExport = func(core.ExportRequest) {
		if inside != nil {
			close(inside)
			inside = nil
			<-release
		}
	}
	done := make(chan error)
	wait := inside
	go func() { done <- r.engine.SyncNow(context.Background()) }()
	<-wait
	if st := r.engine.Status(); !st.Running || st.Phase != "export" {
		t.Errorf("status during export %+v", st)
	}
	if err := r.engine.SyncNow(context.Background()); core.ErrorCode(err) != core.ERefused {
		t.Errorf("second cycle: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := r.engine.Status(); st.Running || st.Phase != "" {
		t.Fatalf("status after %+v", st)
	}
}
