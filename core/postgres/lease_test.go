package postgres

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/storetest"
)

// expire makes the current lease lapse, as if its TTL had passed on the
// database's clock without a renewal (no waiting in the tests).
func expire(t testing.TB, db *DB) {
	t.Helper()
	if _, err := db.pool.Exec(ctx, `UPDATE lease SET expires_at = now() - interval '1 millisecond' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
}

func acquire(t testing.TB, db *DB, station string) *Lease {
	t.Helper()
	l, err := db.TryAcquireLease(ctx, station, 0)
	if err != nil || l == nil {
		t.Fatalf("%s could not take the lease: %v", station, err)
	}
	return l
}

func wantFenced(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrFenced) || core.ErrorCode(err) != core.EConflict {
		t.Fatalf("%s: %v, want refused by the fence", what, err)
	}
}

func TestLeaseAcquireRenewRelease(t *testing.T) {
	db := openTest(t)
	if li, err := db.CurrentLease(ctx); err != nil || li.Epoch != 0 || li.Held || li.DBNow.IsZero() {
		t.Fatalf("fresh lease %+v %v", li, err)
	}
	a := acquire(t, db, "GATE_A")
	if a.Epoch != 1 || a.TTL != DefaultLeaseTTL || a.Remaining() <= 0 || a.Remaining() > DefaultLeaseTTL {
		t.Fatalf("lease %+v, remaining %v", a, a.Remaining())
	}
	li, _ := db.CurrentLease(ctx)
	if !li.Held || li.Station != "GATE_A" || li.Epoch != 1 || !li.Expires.Equal(a.Expires) ||
		li.Expires.Sub(li.DBNow) > DefaultLeaseTTL || li.Expires.Sub(li.DBNow) < DefaultLeaseTTL-5*time.Second {
		t.Fatalf("current %+v", li)
	}
	// Held: nobody else takes it, not even another handle of the database.
	other := fresh2(t, db)
	if l, err := other.TryAcquireLease(ctx, "GATE_B", 0); l != nil || err != nil {
		t.Fatalf("a held lease was taken: %+v %v", l, err)
	}
	// Renewing moves the expiry on, by the database's clock.
	before := a.Expires
	if err := db.RenewLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if !a.Expires.After(before) || a.Epoch != 1 {
		t.Fatalf("renewed %+v (was until %v)", a, before)
	}
	// Released: another candidate takes it at once, with a new epoch.
	if err := db.ReleaseLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Remaining() != 0 {
		t.Fatal("a released lease still has time")
	}
	b := acquire(t, other, "GATE_B")
	if b.Epoch != 2 {
		t.Fatalf("epoch %d after a release, want 2", b.Epoch)
	}
	// The old holder's renewal and release change nothing.
	err := db.RenewLease(ctx, a)
	if !errors.Is(err, ErrLeaseLost) || core.ErrorCode(err) != core.EConflict {
		t.Fatalf("renewal after a takeover: %v", err)
	}
	if err := db.ReleaseLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if li, _ := db.CurrentLease(ctx); li.Station != "GATE_B" || li.Epoch != 2 || !li.Held {
		t.Fatalf("current after the old holder's release %+v", li)
	}
	// TTLs out of range are refused in words.
	for _, ttl := range []time.Duration{time.Millisecond, 2 * time.Hour} {
		if _, err := db.TryAcquireLease(ctx, "X", ttl); core.ErrorCode(err) != core.EInvalid {
			t.Errorf("ttl %v: %v", ttl, err)
		}
	}
}

// fresh2 opens another handle on db's database (another station).
func fresh2(t testing.TB, db *DB, opts ...Option) *DB {
	t.Helper()
	o, err := Open(ctx, db.pool.Config().ConnString(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// The lease runs on the database's clock: with a 1 s TTL and no renewal,
// another candidate takes it within about a second — whatever this
// machine's clock says (the test never reads it for the expiry).
func TestLeaseExpiresByTheDatabaseClock(t *testing.T) {
	db := openTest(t)
	a, err := db.TryAcquireLease(ctx, "GATE_A", time.Second)
	if err != nil || a == nil {
		t.Fatal(a, err)
	}
	other := fresh2(t, db)
	deadline := time.Now().Add(10 * time.Second) // generous: a shared machine
	var b *Lease
	for b == nil {
		if time.Now().After(deadline) {
			t.Fatal("the lease never expired")
		}
		if b, err = other.TryAcquireLease(ctx, "GATE_B", time.Second); err != nil {
			t.Fatal(err)
		}
		if b == nil {
			time.Sleep(50 * time.Millisecond) // polling for the expiry under test
		}
	}
	li, _ := db.CurrentLease(ctx)
	if b.Epoch != a.Epoch+1 || li.Station != "GATE_B" || li.Since.Sub(a.Expires) < 0 {
		t.Fatalf("took over %+v at %v; A's expired %v", b, li.Since, a.Expires)
	}
	if a.Remaining() != 0 {
		t.Fatalf("A still believes it holds the lease for %v", a.Remaining())
	}
}

// Candidates trying at once on an expired lease: exactly one wins.
func TestLeaseOneWinner(t *testing.T) {
	db := openTest(t)
	acquire(t, db, "OLD")
	for round := range 5 {
		expire(t, db)
		const n = 10
		handles := make([]*DB, n)
		for i := range handles {
			handles[i] = fresh2(t, db)
		}
		won := make([]*Lease, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, h := range handles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				won[i], errs[i] = h.TryAcquireLease(ctx, fmt.Sprint("C", i), 0)
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		for i := range won {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if won[i] != nil {
				winners++
				if won[i].Epoch != int64(round+2) {
					t.Fatalf("round %d: epoch %d", round, won[i].Epoch)
				}
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d winners", round, winners)
		}
	}
}

// The paused syncer: A holds epoch 1 and stores pages; it stalls, its lease
// lapses, B takes over and goes on from A's cursor. When A comes back, every
// write it tries — a page, a cursor through its export writer, an
// acknowledgment, a refusal, its sync state — is refused and changes
// nothing: the cursor never goes back, no control is acknowledged twice.
func TestFencingRefusesTheOldSyncer(t *testing.T) {
	db := openTest(t)
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"), storetest.Ticket("102"))
	c1 := scanCode(t, db, "100").Control
	c2 := scanCode(t, db, "101").Control
	c3 := scanCode(t, db, "102").Control

	la := acquire(t, db, "GATE_A")
	a := db.Syncer(la)
	if err := a.ApplyPage(ctx, "k", core.ExportPage{Tickets: storetest.GenPages(0, 1, 50)[0], Cursor: "A1"}); err != nil {
		t.Fatal(err)
	}
	wa, err := a.BeginExport(ctx, "k") // A's export run, open across the handover
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	if err := wa.Apply(ctx, core.ExportPage{Tickets: storetest.GenPages(50, 1, 50)[0], Cursor: "A2"}); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkUploaded(ctx, []string{c1.ID}, storetest.Day); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveSyncState(ctx, core.SyncState{LastCycle: storetest.Day, LastExportOK: storetest.Day}); err != nil {
		t.Fatal(err)
	}

	// A stalls; B takes over and continues from A's committed cursor.
	expire(t, db)
	other := fresh2(t, db)
	lb := acquire(t, other, "GATE_B")
	b := other.Syncer(lb)
	if c, _ := b.Cursor(ctx, "k"); c != "A2" {
		t.Fatalf("B starts from %q, want A's A2", c)
	}
	if err := b.ApplyPage(ctx, "k", core.ExportPage{Tickets: storetest.GenPages(100, 1, 50)[0], Cursor: "B3"}); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkUploaded(ctx, []string{c2.ID}, storetest.Day.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	stateB := core.SyncState{LastCycle: storetest.Day.Add(time.Minute), LastUploadOK: storetest.Day.Add(time.Minute)}
	if err := b.SaveSyncState(ctx, stateB); err != nil {
		t.Fatal(err)
	}

	// A comes back.
	wantFenced(t, "A's page", a.ApplyPage(ctx, "k", core.ExportPage{Tickets: storetest.GenPages(150, 1, 50)[0], Cursor: "A-late"}))
	wantFenced(t, "A's writer", wa.Apply(ctx, core.ExportPage{Tickets: storetest.GenPages(200, 1, 50)[0], Cursor: "A-late2"}))
	wantFenced(t, "A's acknowledgment", a.MarkUploaded(ctx, []string{c2.ID, c3.ID}, storetest.Day.Add(2*time.Minute)))
	wantFenced(t, "A's refusal", a.MarkRejected(ctx, []string{c3.ID}, "late", storetest.Day.Add(2*time.Minute)))
	wantFenced(t, "A's sync state", a.SaveSyncState(ctx, core.SyncState{LastCycle: storetest.Day}))
	if err := db.RenewLease(ctx, la); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("A's renewal: %v", err)
	}

	if c, _ := db.Cursor(ctx, "k"); c != "B3" {
		t.Fatalf("cursor %q after A's late writes, want B's B3", c)
	}
	if n := total(t, db); n != 3+150 {
		t.Fatalf("%d tickets: A's late pages were stored", n)
	}
	byID := controlsByID(t, db)
	if c := byID[c2.ID]; c.Upload != core.UploadDone || !c.UploadedAt.Equal(storetest.Day.Add(time.Minute)) {
		t.Fatalf("c2 %+v: acknowledged twice or by A", c)
	}
	if c := byID[c3.ID]; c.Upload != core.UploadPending {
		t.Fatalf("c3 %+v, want still pending for B", c)
	}
	if tk, _ := db.Ticket(ctx, "102"); tk.RejectedByS360 != "" {
		t.Fatal("A's late refusal flagged the ticket")
	}
	if s, _ := db.SyncState(ctx); !s.LastCycle.Equal(stateB.LastCycle) {
		t.Fatalf("sync state %+v: A set the policy clock back", s)
	}
	// Calls are recorded whoever makes them: they count against the budget.
	if err := a.RecordCall(ctx, core.Call{Method: "exportList", At: storetest.Day, Budgeted: true}); err != nil {
		t.Fatal(err)
	}
	// Once a syncer has been elected, nothing writes around the fence.
	wantFenced(t, "an unfenced page", db.ApplyPage(ctx, "k", core.ExportPage{Cursor: "X"}))
	wantFenced(t, "an unfenced acknowledgment", db.MarkUploaded(ctx, []string{c3.ID}, storetest.Day))
	wantFenced(t, "an unfenced refusal", db.MarkRejected(ctx, []string{c3.ID}, "x", storetest.Day))
	wantFenced(t, "an unfenced sync state", db.SaveSyncState(ctx, core.SyncState{}))
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	wantFenced(t, "an unfenced export writer", w.Apply(ctx, core.ExportPage{Cursor: "Y"}))
	if c, _ := db.Cursor(ctx, "k"); c != "B3" {
		t.Fatalf("cursor %q", c)
	}
}

// A handover in the middle of the old syncer's stream of commits: every
// commit of A either lands before B's take-over or is refused; none lands
// after B's first write, so the cursor B saw is never moved back.
func TestFencingRaceWithTakeover(t *testing.T) {
	for round := range 3 {
		db := openTest(t)
		la := acquire(t, db, "GATE_A")
		a := db.Syncer(la)
		other := fresh2(t, db)
		stop := make(chan struct{})
		aDone := make(chan []string)
		refused := make(chan struct{}) // closed at A's third refusal
		nRefused := 0
		go func() {
			var landed []string
			for i := 0; ; i++ {
				select {
				case <-stop:
					aDone <- landed
					return
				default:
				}
				cur := fmt.Sprint("A", i)
				err := a.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{storetest.GenTicket(i)}, Cursor: cur})
				switch {
				case err == nil:
					landed = append(landed, cur)
				case errors.Is(err, ErrFenced):
					if nRefused++; nRefused == 3 {
						close(refused)
					}
				default:
					t.Error(err)
				}
			}
		}()
		deadline := time.Now().Add(30 * time.Second)
		// Let A commit a few pages, then take over.
		for c := ""; c == ""; c, _ = other.Cursor(ctx, "k") {
			if time.Now().After(deadline) {
				t.Fatal("A never committed")
			}
		}
		expire(t, other)
		lb := acquire(t, other, "GATE_B")
		seen, _ := other.Cursor(ctx, "k")
		b := other.Syncer(lb)
		if err := b.ApplyPage(ctx, "k", core.ExportPage{Cursor: "B"}); err != nil {
			t.Fatal(err)
		}
		// A goes on trying after the handover, and is refused.
		select {
		case <-refused:
		case <-time.After(time.Until(deadline)):
			t.Fatal("A was never refused")
		}
		close(stop)
		landed := <-aDone
		if len(landed) == 0 || landed[len(landed)-1] != seen {
			t.Fatalf("round %d: A's last landed page %v, but B started from %q", round, landed[len(landed)-1:], seen)
		}
		if c, _ := db.Cursor(ctx, "k"); c != "B" {
			t.Fatalf("round %d: cursor %q, want B", round, c)
		}
	}
}

func scanCode(t testing.TB, db *DB, code string) core.Verdict {
	t.Helper()
	v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func apply(t testing.TB, db *DB, ts ...core.Ticket) {
	t.Helper()
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "c0"}); err != nil {
		t.Fatal(err)
	}
}

func total(t testing.TB, db *DB) int {
	t.Helper()
	c, err := db.TicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c.Valid + c.Invalid
}

func controlsByID(t testing.TB, db *DB) map[string]core.Control {
	t.Helper()
	out := map[string]core.Control{}
	if err := db.Controls(ctx, core.ControlFilter{}, func(c core.Control) error { out[c.ID] = c; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
