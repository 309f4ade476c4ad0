package sqlite

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

// TestDiskFullLosesNothing fills the "disk" (SQLite's max_page_count on
// the writing connection, so that writes fail with SQLITE_FULL as on a
// full disk) in the middle of a gate's work: every write refused says so in
// words, nothing refused is half-stored, and everything stored before —
// tickets, controls, audit, calls — is still there after a reopen.
func TestDiskFullLosesNothing(t *testing.T) {
	db, path := openTest(t)
	first := genPages(0, 1, 300)[0]
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: first, Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	cp := checkpoint("A")
	var recorded []string
	scanNext := func(i int) (core.Verdict, error) {
		cp.Station.Gate = first[i].EntranceCode
		return db.Scan(ctx, core.ScanRequest{Code: first[i].Barcode, Checkpoint: cp, Now: day})
	}
	for i := 0; i < 5; i++ {
		v, err := scanNext(i)
		if err != nil || v.Outcome != core.Admit {
			t.Fatalf("scan %d: %+v %v", i, v, err)
		}
		recorded = append(recorded, v.Control.ID)
	}
	if err := db.Audit(ctx, "desk", "T123", day); err != nil {
		t.Fatal(err)
	}

	var pages int
	if err := db.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`PRAGMA max_page_count = ` + strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	full := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: written although the disk is full", what)
		}
		if core.ErrorCode(err) != core.EUnavailable || !strings.Contains(core.ErrorMessage(err), "cannot be written") ||
			!strings.Contains(core.ErrorMessage(err), "disk is full") {
			t.Errorf("%s: %q (%s), want the disk-full words", what, core.ErrorMessage(err), core.ErrorCode(err))
		}
	}

	// A new page of tickets is refused whole: no ticket, no cursor.
	before, _ := db.TicketCounts(ctx)
	full("ingest", db.ApplyPage(ctx, "k", core.ExportPage{Tickets: genPages(1000, 1, 2000)[0], Cursor: "c2"}))
	if after, _ := db.TicketCounts(ctx); after != before {
		t.Errorf("a refused page changed the counts: %+v -> %+v", before, after)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c1" {
		t.Errorf("cursor %q after a refused page, want c1", c)
	}

	// Scans go on until the free space is used, then each one is refused
	// with no verdict.
	var err error
	i := 5
	for ; i < len(first) && err == nil; i++ {
		var v core.Verdict
		v, err = scanNext(i)
		if err == nil {
			recorded = append(recorded, v.Control.ID)
		} else if v.Outcome != "" || v.Control != nil {
			t.Errorf("a verdict with the error: %+v", v)
		}
	}
	full("scan", err)
	_, err = scanNext(i)
	full("next scan", err)
	full("audit", db.Audit(ctx, "desk", strings.Repeat("T456 ", 4000), day)) // needs new pages
	full("call", db.RecordCall(ctx, core.Call{Method: "exportList", At: day, OK: true, Detail: strings.Repeat("x", 20000)}))

	// Reading still works on a full disk.
	n := 0
	if err := db.Controls(ctx, core.ControlFilter{}, func(core.Control) error { n++; return nil }); err != nil || n != len(recorded) {
		t.Errorf("controls on a full disk: %d, %v; want %d", n, err, len(recorded))
	}

	// The disk is freed: reopen; nothing recorded is lost.
	if err := db.Close(); err != nil {
		t.Logf("close on a full disk: %v", err)
	}
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var ok string
	if err := db2.w.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity after a full disk: %q %v", ok, err)
	}
	got := map[string]bool{}
	if err := db2.Controls(ctx, core.ControlFilter{}, func(c core.Control) error { got[c.ID] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, id := range recorded {
		if !got[id] {
			t.Errorf("control %s, recorded before the disk filled up, is lost", id)
		}
	}
	if len(got) != len(recorded) {
		t.Errorf("%d controls after reopen, want %d", len(got), len(recorded))
	}
	if tc, _ := db2.TicketCounts(ctx); tc != before {
		t.Errorf("tickets after reopen %+v, want %+v", tc, before)
	}
	if a, err := db2.AuditLog(ctx, time.Time{}, 0); err != nil || len(a) != 1 || a[0].Query != "T123" {
		t.Errorf("audit after reopen: %+v %v", a, err)
	}
	// And it works again.
	v, err := db2.Scan(ctx, core.ScanRequest{Code: first[i].Barcode, Checkpoint: checkpoint(first[i].EntranceCode), Now: day})
	if err != nil || v.Control == nil {
		t.Errorf("scan after the disk was freed: %+v %v", v, err)
	}
}

// TestMaxPagesIsAFullDisk: the MaxPages option makes the real store behave
// as on a full disk (for the commands' tests), and only the writer is
// bounded: reading goes on.
func TestMaxPagesIsAFullDisk(t *testing.T) {
	db, path := openTest(t)
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: genPages(0, 1, 50)[0], Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := db.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	db.Close()
	small, err := Open(path, MaxPages(pages))
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	err = small.ApplyPage(ctx, "k", core.ExportPage{Tickets: genPages(100, 1, 2000)[0], Cursor: "c2"})
	if core.ErrorCode(err) != core.EUnavailable || !strings.Contains(core.ErrorMessage(err), "disk is full") {
		t.Fatalf("ingest beyond MaxPages: %v", err)
	}
	if tc, err := small.TicketCounts(ctx); err != nil || tc.Valid+tc.Invalid != 50 {
		t.Errorf("counts %+v %v, want the 50 stored before", tc, err)
	}
}
