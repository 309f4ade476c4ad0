package venue

import (
	"errors"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/storetest"
)

// Two candidates and a gate: one syncer, which exports the venue's list;
// the gates' controls reach S-360 once. When the syncer loses the database
// (its pool closed: a cable pulled), it stops calling S-360 before its
// lease could lapse, the other candidate takes over and goes on from the
// committed cursor, and the simulator sees one cursor chain.
func TestElectionAndHandover(t *testing.T) {
	s := startS360(t, 6000)
	dsn := venueDB(t, s)
	pw := s.sim.Config().Password
	a := member(t, dsn, "GATE_A", pw)
	b := member(t, dsn, "GATE_B", pw)
	g := member(t, dsn, "GATE_C", "")
	running(t, a)
	running(t, b)
	running(t, g)
	view := openDB(t, dsn, "VIEW")

	items := simItems(s.sim)
	eventually(t, 30*time.Second, "the venue's list exported", func() bool { return ticketTotal(t, view) == items })
	first := syncerNow(t, view)
	if first.Station != "GATE_A" && first.Station != "GATE_B" {
		t.Fatalf("syncer %+v", first)
	}
	// The gate-only station is seen, and is never the syncer.
	eventually(t, 5*time.Second, "three stations seen", func() bool {
		st, _ := view.Stations(ctx)
		return len(st) == 3
	})

	// Controls made at the gates go up once.
	gate := storetest.Checkpoint("")
	gate.Event.Season, gate.Event.Products = s.sim.Config().Season, s.sim.Config().Products
	for _, code := range validCodes(s.sim, 20) {
		gate.Station.Name = "GATE_C"
		if v, err := view.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: gate, Now: time.Now()}); err != nil || v.Outcome != core.Admit {
			t.Fatalf("scan %s: %+v %v", code, v, err)
		}
	}
	eventually(t, 30*time.Second, "the controls uploaded", func() bool {
		cc, _ := view.ControlCounts(ctx, time.Time{})
		return cc.Pending == 0
	})

	// The syncer loses the database.
	lost, other := a, b
	if first.Station == "GATE_B" {
		lost, other = b, a
	}
	lost.db.Close()
	cut := time.Now()
	eventually(t, 3*testTTL, "the other candidate takes over", func() bool {
		_, ok := other.Syncing()
		return ok
	})
	took := time.Since(cut)
	li := syncerNow(t, view)
	if li.Station != other.Name() || li.Epoch <= first.Epoch {
		t.Fatalf("after the cut: %+v (was %+v)", li, first)
	}
	t.Logf("handover %v after the cut (lease %v)", took.Round(time.Millisecond), testTTL)
	if _, ok := lost.Syncing(); ok {
		t.Fatal("the cut-off station still thinks it is the syncer")
	}
	for _, c := range s.calls() {
		if c.Agent == UserAgent("test", lost.Name()) && c.At.After(cut.Add(testTTL-testTTL/10)) {
			t.Fatalf("the cut-off syncer called %s at %v, %v after the cut: past its lease", c.Method, c.At, c.At.Sub(cut))
		}
	}
	// More controls, uploaded by the new syncer, and more tickets sold.
	for _, code := range validCodes(s.sim, 30)[20:] {
		view.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: gate, Now: time.Now()})
	}
	s.sim.Sell(40, "")
	eventually(t, 30*time.Second, "the new syncer exports and uploads", func() bool {
		cc, _ := view.ControlCounts(ctx, time.Time{})
		return cc.Pending == 0 && ticketTotal(t, view) == items+40
	})
	if br := s.sim.ChainBreaks(); len(br) != 0 {
		t.Fatalf("two cursor chains interleaved: %+v", br)
	}
	checkOnce(t, s)
	if first := firstExportFrom(s, other.Name()); first == "" {
		t.Fatal("the new syncer started a new full export")
	}
}

// syncerNow is the current lease, which must be held.
func syncerNow(t *testing.T, db *postgres.DB) postgres.LeaseInfo {
	t.Helper()
	li, err := db.CurrentLease(ctx)
	if err != nil || !li.Held {
		t.Fatalf("no syncer: %+v %v", li, err)
	}
	return li
}

// checkOnce: no control reached S-360 in two imports that S-360 answered.
func checkOnce(t *testing.T, s *s360Server) {
	t.Helper()
	seen := map[string]int{}
	for _, c := range s.calls() {
		for _, k := range c.Keys {
			seen[k]++
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("control %s sent %d times", k, n)
		}
	}
	if len(seen) != len(s.sim.Controls()) {
		t.Errorf("%d controls sent, S-360 holds %d", len(seen), len(s.sim.Controls()))
	}
}

// firstExportFrom is the paginationStart of station's first exportList
// ("" if it asked from the beginning, or never asked).
func firstExportFrom(s *s360Server, station string) string {
	for _, c := range s.calls() {
		if c.Method == "exportList" && c.Agent == UserAgent("test", station) {
			return c.Start
		}
	}
	return ""
}

// A syncer whose lease was taken over (it stalled past its expiry) notices
// at its next renewal or fenced write, stops calling S-360 and becomes a
// candidate again; its late writes are refused.
func TestDeposedSyncerSteps(t *testing.T) {
	s := startS360(t, 2000)
	dsn := venueDB(t, s)
	pw := s.sim.Config().Password
	a := member(t, dsn, "GATE_A", pw)
	running(t, a)
	view := openDB(t, dsn, "VIEW")
	eventually(t, 20*time.Second, "A syncs", func() bool { _, ok := a.Syncing(); return ok && ticketTotal(t, view) > 0 })
	epoch, _ := a.Syncing()

	// B takes the lease as if A's had lapsed.
	execDSN(t, dsn, `UPDATE lease SET expires_at = now() WHERE id = 1`)
	bdb := openDB(t, dsn, "GATE_B")
	l, err := bdb.TryAcquireLease(ctx, "GATE_B", time.Hour)
	if err != nil || l == nil {
		t.Fatalf("B could not take the lease: %v", err)
	}
	taken := time.Now()
	eventually(t, 2*testTTL, "A steps down", func() bool { _, ok := a.Syncing(); return !ok })
	noticed := time.Now()
	t.Logf("A noticed %v after the takeover", noticed.Sub(taken).Round(time.Millisecond))
	// A's stale handle is refused.
	old := a.db.Syncer(&postgres.Lease{Epoch: epoch})
	if err := old.SaveSyncState(ctx, core.SyncState{}); !errors.Is(err, postgres.ErrFenced) {
		t.Fatalf("A's late write: %v", err)
	}
	time.Sleep(testTTL) // long enough for a deposed syncer's engine to try again
	for _, c := range s.calls() {
		if c.Agent == UserAgent("test", "GATE_A") && c.At.After(noticed) {
			t.Fatalf("A called %s after stepping down", c.Method)
		}
	}
	if _, ok := a.Syncing(); ok {
		t.Fatal("A took the lease back while B holds it")
	}
}

// The answer of an import is lost after S-360 took the batch: the engine
// tries again, the guard asks S-360 about one control first, finds the
// batch imported, and marks it uploaded without sending it again. When the
// batch was not taken (the answer lost before S-360 saw it), it is sent.
func TestBatchInDoubtFoundOut(t *testing.T) {
	s := startS360(t, 2000)
	dsn := venueDB(t, s)
	a := member(t, dsn, "GATE_A", s.sim.Config().Password)
	view := openDB(t, dsn, "VIEW")
	gate := storetest.Checkpoint("")
	gate.Event.Season, gate.Event.Products = s.sim.Config().Season, s.sim.Config().Products
	gate.Station.Name = "GATE_C"
	codes := validCodes(s.sim, 10)

	// First cycle: the list, and nothing to upload.
	if rep, err := a.Once(ctx); err != nil || !rep.Syncer {
		t.Fatalf("first cycle: %+v %v", rep, err)
	}
	for _, code := range codes[:5] {
		view.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: gate, Now: time.Now()})
	}
	s.drop.Store(1)
	rep, err := a.Once(ctx)
	if err != nil || rep.Cycle.Uploaded != 5 {
		t.Fatalf("cycle with a lost answer: %+v %v", rep.Cycle, err)
	}
	imports, probes := 0, 0
	for _, c := range s.calls() {
		switch c.Method {
		case "importControlledTicket":
			imports++
		case "getControlledTicket":
			probes++
		}
	}
	if imports != 1 || probes != 1 {
		t.Fatalf("%d imports and %d questions to S-360, want the batch once and one question", imports, probes)
	}
	if _, ok, _ := view.UploadInDoubt(ctx); ok {
		t.Fatal("the batch is still in doubt")
	}
	checkOnce(t, s)

	// A batch in doubt that S-360 never took is sent again.
	for _, code := range codes[5:] {
		view.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: gate, Now: time.Now()})
	}
	pending, _ := view.PendingControls(ctx, 0)
	l, _ := view.TryAcquireLease(ctx, "GATE_X", 0)
	if err := view.Syncer(l).BeginUpload(ctx, ids(pending)); err != nil {
		t.Fatal(err)
	}
	view.ReleaseLease(ctx, l)
	if rep, err := a.Once(ctx); err != nil || rep.Cycle.Uploaded != 5 {
		t.Fatalf("cycle after a batch in doubt never sent: %+v %v", rep.Cycle, err)
	}
	checkOnce(t, s)
	if len(s.sim.Controls()) != 10 {
		t.Fatalf("S-360 holds %d controls", len(s.sim.Controls()))
	}
}

// sync --once on a gate-only station and on a candidate while another
// holds the lease: they report in and say who the syncer is; the lease is
// not taken.
func TestOnceNotTheSyncer(t *testing.T) {
	s := startS360(t, 500)
	dsn := venueDB(t, s)
	pw := s.sim.Config().Password
	a := member(t, dsn, "GATE_A", pw)
	running(t, a)
	eventually(t, 20*time.Second, "A syncs", func() bool { _, ok := a.Syncing(); return ok })
	for _, m := range []*Member{member(t, dsn, "GATE_B", pw), member(t, dsn, "GATE_C", "")} {
		rep, err := m.Once(ctx)
		if err != nil || rep.Syncer || rep.Lease.Station != "GATE_A" || !rep.Lease.Held || rep.Candidate != (m.Name() == "GATE_B") {
			t.Fatalf("%s: %+v %v", m.Name(), rep, err)
		}
	}
	st, _ := openDB(t, dsn, "VIEW").Stations(ctx)
	if len(st) != 3 {
		t.Fatalf("stations %+v", st)
	}
	for _, x := range st {
		if x.Syncer != (x.Name == "GATE_A") || x.Candidate != (x.Name != "GATE_C") {
			t.Errorf("station %+v", x)
		}
	}
}

// A station joined to a venue whose settings were never stored cannot
// sync; it says so.
func TestNoVenueSettings(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	m := member(t, dsn, "GATE_A", "pw")
	_, err := m.Once(ctx)
	if !errors.Is(err, postgres.ErrNoVenueSettings) || !strings.Contains(core.ErrorMessage(err), "venue init") {
		t.Fatalf("Once without venue settings: %v", err)
	}
	if li, _ := m.db.CurrentLease(ctx); li.Held {
		t.Fatal("the lease was kept")
	}
}

// The syncer's request budget counts the calls other stations make while
// it runs (a gate's lookup --remote), not only those before its turn.
func TestBudgetCountsOtherStations(t *testing.T) {
	s := startS360(t, 500)
	dsn := venueDB(t, s)
	a := member(t, dsn, "GATE_A", s.sim.Config().Password)
	running(t, a)
	eventually(t, 20*time.Second, "A syncs", func() bool { _, ok := a.Syncing(); return ok })
	desk := openDB(t, dsn, "GATE_DESK")
	now := time.Now()
	for range 60 {
		if err := desk.RecordCall(ctx, core.Call{Method: "getControlledTicket", At: now, Budgeted: true}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "the syncer counts the desk's calls", func() bool {
		t := a.current()
		return t != nil && t.guard.client.Load().NextSlot().After(a.Now().Add(50*time.Second))
	})
}
