package postgres

import (
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/storetest"
)

// The batch in doubt: recorded by the syncer before it sends (fenced),
// read by the next syncer with those of its controls still pending,
// cleared once found out; the old syncer can neither record nor clear
// one after a handover.
func TestUploadInDoubt(t *testing.T) {
	db := openTest(t, AsStation("GATE_A"))
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"), storetest.Ticket("102"))
	c1 := scanCode(t, db, "100").Control
	c2 := scanCode(t, db, "101").Control
	c3 := scanCode(t, db, "102").Control

	if _, ok, err := db.UploadInDoubt(ctx); ok || err != nil {
		t.Fatalf("a new venue has a batch in doubt (%v)", err)
	}
	la := acquire(t, db, "GATE_A")
	a := db.Syncer(la)
	if err := a.BeginUpload(ctx, []string{c1.ID, c2.ID}); err != nil {
		t.Fatal(err)
	}
	// A dies; the answer for c1 had been stored, not c2's.
	if err := a.MarkUploaded(ctx, []string{c1.ID}, storetest.Day); err != nil {
		t.Fatal(err)
	}
	expire(t, db)
	other := fresh2(t, db, AsStation("GATE_B"))
	b := other.Syncer(acquire(t, other, "GATE_B"))
	in, ok, err := other.UploadInDoubt(ctx)
	if err != nil || !ok {
		t.Fatalf("no batch in doubt after A's death: %v", err)
	}
	if in.Epoch != la.Epoch || in.Station != "GATE_A" || len(in.IDs) != 2 || in.Started.IsZero() ||
		len(in.Pending) != 1 || in.Pending[0].ID != c2.ID {
		t.Fatalf("batch in doubt %+v", in)
	}
	wantFenced(t, "A's late record", a.BeginUpload(ctx, []string{c3.ID}))
	wantFenced(t, "A's late clearing", a.EndUpload(ctx))

	if err := b.BeginUpload(ctx, []string{c2.ID, c3.ID}); err != nil {
		t.Fatal(err)
	}
	if in, _, _ := other.UploadInDoubt(ctx); in.Epoch == la.Epoch || len(in.Pending) != 2 {
		t.Fatalf("B's record did not replace A's: %+v", in)
	}
	if err := b.EndUpload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := other.UploadInDoubt(ctx); ok {
		t.Fatal("the batch is still in doubt after EndUpload")
	}
}

// Every session of the store gives up a transaction its station left
// open (a paused laptop) instead of holding its locks.
func TestIdleTransactionsEnd(t *testing.T) {
	db := openTest(t)
	var v string
	if err := db.pool.QueryRow(ctx, `SHOW idle_in_transaction_session_timeout`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "5s" || IdleInTransaction != 5*time.Second {
		t.Fatalf("idle_in_transaction_session_timeout = %q", v)
	}
}

func TestScansSince(t *testing.T) {
	db := openTest(t, AsStation("GATE_A"))
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"))
	scanCode(t, db, "100")
	scanCode(t, db, "101")
	scanCode(t, db, "100")
	station := scanCode(t, db, "100").Control.Station
	if n, err := db.ScansSince(ctx, station, storetest.Day.Add(-time.Hour)); err != nil || n != 4 {
		t.Fatalf("ScansSince = %d, %v", n, err)
	}
	if n, _ := db.ScansSince(ctx, station, storetest.Day.Add(time.Hour)); n != 0 {
		t.Fatalf("scans after the last one: %d", n)
	}
	if n, _ := db.ScansSince(ctx, "NOBODY", time.Time{}); n != 0 {
		t.Fatalf("another station's scans: %d", n)
	}
	if by, err := db.ScansByStation(ctx, storetest.Day.Add(-time.Hour)); err != nil || len(by) != 1 || by[station] != 4 {
		t.Fatalf("ScansByStation = %v, %v", by, err)
	}
}

// A syncer learns of the S-360 calls every other process records (another
// station's lookup), never of its own twice.
func TestCallsByOthers(t *testing.T) {
	o := fresh(t)
	a, b := o(t, AsStation("GATE_A")), o(t, AsStation("GATE_B"))
	call := func(db *DB, m string) {
		if err := db.RecordCall(ctx, core.Call{Method: m, At: storetest.Day, Budgeted: true}); err != nil {
			t.Fatal(err)
		}
	}
	call(a, "exportList")
	mark, err := a.CallMark(ctx)
	if err != nil || mark == 0 {
		t.Fatalf("mark %d %v", mark, err)
	}
	call(b, "getControlledTicket")
	call(a, "importControlledTicket")
	call(b, "getControlledTicket")
	calls, next, err := a.CallsByOthers(ctx, mark)
	if err != nil || len(calls) != 2 || calls[0].Method != "getControlledTicket" || !calls[1].Budgeted || next <= mark {
		t.Fatalf("calls by others %+v, mark %d→%d, %v", calls, mark, next, err)
	}
	if calls, _, _ := a.CallsByOthers(ctx, next); len(calls) != 0 {
		t.Fatalf("read twice: %+v", calls)
	}
}
