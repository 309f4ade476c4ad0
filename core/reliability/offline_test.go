package reliability

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/s360sim"
	"s360gate/core/syncer"
)

// TestOfflineDay lives through a whole event in simulated time with S-360
// unreachable (its server stopped: connection refused) from a minute after
// the last sync: 5,000 scans over four hours while the engine tries its
// event-day cycle every minute (production policy), then S-360 comes back.
//
//   - Each control says Offline exactly when the station had not heard from
//     S-360 for longer than the staleness limit (15 min) at the scan; S-360
//     finally receives OFFLINE_OK / OFFLINE_FAIL for those, OK / FAIL for
//     the others. Failed cycles must not count as contact with S-360.
//   - When S-360 is back, every control is uploaded, each acknowledged once,
//     in ceil(n/batch) imports plus retries, and never more than 60
//     requests of a method in any minute of simulated time (S-360's limit);
//     S-360 never answers 509.
func TestOfflineDay(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of scans over a simulated event; skipped with -short")
	}
	seed := seedFrom(t, "S360_OFFLINE_SEED")
	rng := newRand(seed)
	nScans := envInt(t, "S360_OFFLINE_SCANS", 5000)
	const batch = 50
	t.Logf("%d scans, seed %d (S360_OFFLINE_SEED=%d replays them)", nScans, seed, seed)

	t0 := time.Date(2026, 12, 5, 13, 0, 0, 0, time.Local)
	clk := newClock(t0)
	sim := s360sim.New(s360sim.Config{Tickets: 12_000, Seed: 9, Now: clk.Now, EventDate: t0.Add(3 * time.Hour)})
	srv := startSimServer(t, sim, clk.Now)
	cfg := sim.Config()
	client := virtualClient(t, srv, cfg, clk)
	path := filepath.Join(t.TempDir(), "station.db")
	db := openTestStore(t, path)
	settings := core.Settings{Environment: core.EnvProduction, Endpoint: srv.endpoint(), Institution: cfg.Institution,
		Operator: cfg.Operator, Season: cfg.Season, Products: cfg.Products, EventDay: true, Station: "GATE_N_1"}.Defaults()
	staleness := time.Duration(settings.StalenessMinutes) * time.Minute
	engine := syncer.New(syncer.Options{Settings: settings, Remote: client, Store: db, Now: clk.Now, Sleep: clk.Sleep,
		UploadBatch: batch, Log: quietLog()})
	ctx := context.Background()

	// The morning sync, then S-360 goes away.
	if rep, err := engine.RunCycle(ctx); err != nil || !rep.Drained {
		t.Fatalf("morning sync: %v %+v", err, rep)
	}
	state, err := db.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	contact := state.LastSuccess() // the last time S-360 answered
	clk.AdvanceTo(t0.Add(time.Minute))
	srv.stop()

	// The gates: scans spread over four hours from t0+5m.
	code := gateCodes(sim, cfg.Products[0], rng, 14)
	open, hours := t0.Add(5*time.Minute), 4*time.Hour
	at := make([]time.Time, nScans)
	for i := range at {
		at[i] = open.Add(time.Duration(rng.Int64N(int64(hours))))
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	cp := settings.Checkpoint()
	cycles, refused := 0, 0
	i := 0
	for minute := t0.Add(time.Minute); i < len(at); minute = minute.Add(time.Minute) {
		for ; i < len(at) && at[i].Before(minute); i++ {
			clk.AdvanceTo(at[i])
			if _, err := db.Scan(ctx, core.ScanRequest{Code: code(), Checkpoint: cp, Now: clk.Now()}); err != nil {
				t.Fatalf("scan %d: %v", i, err)
			}
		}
		clk.AdvanceTo(minute)
		rep, err := engine.RunCycle(ctx)
		cycles++
		if err == nil || rep.Uploaded > 0 || rep.Tickets > 0 {
			t.Fatalf("cycle at %s with S-360 down: err %v, report %+v", clk.Now().Format("15:04:05"), err, rep)
		}
		if _, ok := err.(*core.PolicyRefusal); ok {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of %d cycles refused by the call policy: the loop is not one a minute", refused, cycles)
	}
	if st := engine.Status(); st.Online || st.LastError == "" {
		t.Errorf("status while S-360 is down: %+v", st)
	}

	// Every control says whether the station was offline at the scan.
	var n, offline int
	err = db.Controls(ctx, core.ControlFilter{}, func(c core.Control) error {
		want := c.At.Sub(contact) > staleness
		if c.Offline != want {
			t.Errorf("control at %s (%v after the last contact at %s): offline %v, want %v",
				c.At.Format("15:04:05"), c.At.Sub(contact).Round(time.Second), contact.Format("15:04:05"), c.Offline, want)
			return fmt.Errorf("stop")
		}
		if c.ShouldUpload() {
			n++
			if c.Offline {
				offline++
			}
		}
		return nil
	})
	if err != nil && t.Failed() {
		t.FailNow()
	} else if err != nil {
		t.Fatal(err)
	}
	if offline == 0 || offline == n {
		t.Fatalf("%d of %d controls offline: the day should have both", offline, n)
	}

	// S-360 is back.
	back := clk.Now().Add(5 * time.Minute)
	clk.AdvanceTo(back)
	srv.restart(t)
	for cycle := 1; ; cycle++ {
		rep, err := engine.RunCycle(ctx)
		if err == nil && rep.Pending == 0 && rep.Drained {
			break
		}
		if cycle == 30 {
			t.Fatalf("not caught up after %d cycles: %v %+v", cycle, err, rep)
		}
		clk.Advance(time.Minute)
	}
	up := checkUploadedOnce(t, db, srv)
	calls, _, imports := srv.snapshot()
	after := slices.DeleteFunc(imports, func(c importCall) bool { return c.At.Before(back) })
	failedImports := 0 // refused for a blacklisted ticket (then sent again without it), or failed
	importKinds := map[string]int{}
	for _, c := range after {
		importKinds[c.Kind]++
		if !c.Delivered {
			failedImports++
		}
	}
	if want := (up+batch-1)/batch + failedImports; len(after) != want {
		t.Errorf("%d imports for %d controls in batches of %d (%d failed): want %d", len(after), up, batch, failedImports, want)
	}
	for _, m := range []string{"importControlledTicket", "exportList"} {
		if w := maxPerWindow(calls, m, time.Minute); w > 60 {
			t.Errorf("%d %s requests in one minute, over S-360's 60", w, m)
		}
	}
	if st := sim.Stats(); st.RateLimited > 0 {
		t.Errorf("S-360 refused %d requests (509)", st.RateLimited)
	}
	results := map[string]int{}
	for _, rc := range sim.Controls() {
		results[rc.ControlResult]++
	}
	t.Logf("%d cycles while S-360 was down; %d controls for S-360 (%d offline), %d uploaded in %d imports %v over %v of simulated time; S-360 received %v",
		cycles, n, offline, up, len(after), importKinds, clk.Now().Sub(back).Round(time.Second), results)
	if results["OFFLINE_OK"] == 0 || results["OFFLINE_FAIL"] == 0 || results["OK"] == 0 {
		t.Errorf("S-360 received %v: want online and offline results", results)
	}
}
