package sqlite

import (
	"testing"
	"time"

	"s360gate/core"
)

func count(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func calls(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM calls`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Pages applied to one export writer are committed together, with the
// cursor of the last, only when it commits; readers never see them half
// way.
func TestExportWriterCommitsSeveralPagesAtOnce(t *testing.T) {
	db, _ := openTest(t)
	pages := genPages(0, 3, 500)
	w := beginExport(t, db)
	for i, p := range pages {
		if err := w.Apply(ctx, core.ExportPage{Tickets: p, Cursor: "c" + string(rune('1'+i))}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != 0 {
			t.Fatalf("%d tickets visible before the commit", n)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 1500 {
		t.Fatalf("%d tickets after the commit, want 1500", n)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c3" {
		t.Fatalf("cursor %q, want c3", c)
	}
	// The writer goes on after a commit.
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(1500, 1, 10)[0], Cursor: "c4"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c4" || count(t, db) != 1510 {
		t.Fatalf("cursor %q, %d tickets", c, count(t, db))
	}
}

// Closing without a commit (a crash, a failure) leaves exactly what was
// committed: the tickets and cursor of before, nothing of the pages after.
func TestExportWriterCloseRollsBackUncommitted(t *testing.T) {
	db, _ := openTest(t)
	pages := genPages(0, 2, 300)
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: pages[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: pages[1], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c1" || count(t, db) != 300 {
		t.Fatalf("after Close: cursor %q, %d tickets; want c1 and 300", c, count(t, db))
	}
	// The store is free again: a new export and a scan go through.
	w2, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	w2.Close()
	scan(t, db, pages[0][0].Barcode, checkpoint(pages[0][0].EntranceCode), day)
}

// A failed page spends the writer: what it had not committed is rolled
// back, and it refuses more pages rather than store them after a gap.
func TestExportWriterSpentAfterFailure(t *testing.T) {
	db, _ := openTest(t)
	w := beginExport(t, db)
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(0, 1, 50)[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	bad := genPages(50, 1, 10)[0]
	bad[5].Barcode = ""
	if err := w.Apply(ctx, core.ExportPage{Tickets: bad, Cursor: "c2"}); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("page with an empty barcode: %v", err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(60, 1, 10)[0], Cursor: "c3"}); err == nil {
		t.Fatal("a spent writer stored a page")
	}
	if err := w.Commit(ctx); err == nil {
		t.Fatal("a spent writer committed")
	}
	if c, _ := db.Cursor(ctx, "k"); c != "" || count(t, db) != 0 {
		t.Fatalf("cursor %q, %d tickets after a failure; want nothing", c, count(t, db))
	}
}

// One export at a time, and none on a read-only store.
func TestBeginExportExclusive(t *testing.T) {
	db, path := openTest(t)
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginExport(ctx, "k"); core.ErrorCode(err) != core.EConflict {
		t.Fatalf("second BeginExport: %v", err)
	}
	w.Close()
	w, err = db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatalf("BeginExport after Close: %v", err)
	}
	w.Close()
	db.Close()
	ro, err := Open(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.BeginExport(ctx, "k"); core.ErrorCode(err) != core.EUnavailable {
		t.Fatalf("read-only BeginExport: %v", err)
	}
}

// The calls recorded while an export is stored are committed with it: a
// budgeted call makes the page being stored commit, so a crash forgets no
// more of them than before; unbudgeted ones wait for the export's commit.
func TestExportWriterCommitsRecordedCalls(t *testing.T) {
	db, _ := openTest(t)
	w := beginExport(t, db)
	at := time.Now()
	if err := db.RecordCall(ctx, core.Call{Method: "exportList", At: at, OK: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(0, 1, 20)[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	if calls(t, db) != 0 || count(t, db) != 0 {
		t.Fatalf("an unbudgeted call made the export commit: %d calls, %d tickets", calls(t, db), count(t, db))
	}
	if err := db.RecordCall(ctx, core.Call{Method: "exportList", At: at, OK: true, Budgeted: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(20, 1, 20)[0], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if calls(t, db) != 2 || count(t, db) != 40 {
		t.Fatalf("after a budgeted call: %d calls, %d tickets; want 2 and 40", calls(t, db), count(t, db))
	}
	// A call recorded with nothing left to store is committed by Commit,
	// and one recorded at the very end by Close.
	db.RecordCall(ctx, core.Call{Method: "exportList", At: at, OK: true})
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if calls(t, db) != 3 {
		t.Fatalf("%d calls after Commit, want 3", calls(t, db))
	}
	db.RecordCall(ctx, core.Call{Method: "exportList", At: at, OK: false, Detail: "HTTP 503"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if calls(t, db) != 4 {
		t.Fatalf("%d calls after Close, want 4", calls(t, db))
	}
	// No export open: recorded at once.
	db.RecordCall(ctx, core.Call{Method: "importControlledTicket", At: at, OK: true})
	if calls(t, db) != 5 {
		t.Fatalf("%d calls, want 5", calls(t, db))
	}
	got, err := db.CallsSince(ctx, at.Add(-time.Second))
	if err != nil || len(got) != 5 || got[3].Detail != "HTTP 503" {
		t.Fatalf("CallsSince: %+v %v", got, err)
	}
}

// A scan waiting while the export's transaction is open is let through at
// the end of the page being stored, which commits the pages so far whole.
func TestExportWriterLetsScansThrough(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("GATE-0"))
	w := beginExport(t, db)
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(0, 1, 200)[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	// The writer holds the connection between pages: a scan now waits for
	// it, and the next page lets it through.
	done := make(chan error, 1)
	go func() {
		_, err := db.Scan(ctx, core.ScanRequest{Code: "GATE-0", Checkpoint: checkpoint("A"), Now: day})
		done <- err
	}()
	for db.writers.Load() == 0 {
		time.Sleep(time.Millisecond) // a bounded wait for the scan to queue for the writer
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(200, 1, 200)[0], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// What the scan let through is whole pages (c1), perhaps followed by
	// a prefix of the next (c2 comes only with all of its page).
	c, _ := db.Cursor(ctx, "k")
	if n := count(t, db); n < 201 || (c == "c2") != (n == 401) || (c != "c1" && c != "c2") {
		t.Fatalf("cursor %q with %d tickets committed when the scan went through", c, n)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c2" || count(t, db) != 401 {
		t.Fatalf("cursor %q, %d tickets after the commit", c, count(t, db))
	}
}

// While the gate scans, the export commits every page, so that no scan
// waits for a big transaction's commit; once the gate has been quiet for a
// while, pages are batched again.
func TestExportWriterCommitsEveryPageWhileTheGateScans(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("GATE-0"))
	scan(t, db, "GATE-0", checkpoint("A"), time.Time{})
	w := beginExport(t, db)
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(0, 1, 100)[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c1" || count(t, db) != 101 {
		t.Fatalf("cursor %q, %d tickets: the page was not committed while the gate scans", c, count(t, db))
	}
	db.lastScan.Store(time.Now().Add(-gateBusyFor - time.Second).UnixNano()) // the gate went quiet
	if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(100, 1, 100)[0], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c1" || count(t, db) != 101 {
		t.Fatalf("cursor %q, %d tickets: a quiet gate should let pages gather", c, count(t, db))
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c2" || count(t, db) != 201 {
		t.Fatalf("cursor %q, %d tickets after the commit", c, count(t, db))
	}
}
