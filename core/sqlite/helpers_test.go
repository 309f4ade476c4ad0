package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/storetest"
	"s360gate/core/words"
)

var ctx = context.Background()

// The fixtures are the store contract's (core/storetest), shared with the
// venue store's tests.
var day = storetest.Day

func barcodeOf(i int) string                          { return storetest.BarcodeOf(i) }
func genTicket(i int) core.Ticket                     { return storetest.GenTicket(i) }
func genPages(start, pages, size int) [][]core.Ticket { return storetest.GenPages(start, pages, size) }
func checkpoint(gate string) core.Checkpoint          { return storetest.Checkpoint(gate) }
func tk(barcode string, mods ...func(*core.Ticket)) core.Ticket {
	return storetest.Ticket(barcode, mods...)
}

func openTest(t testing.TB, opts ...Option) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "station.db")
	db, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// beginExport opens an export writer under key "k", closed at the end of
// the test.
func beginExport(t testing.TB, db *DB) core.ExportWriter {
	t.Helper()
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// apply stores tickets as one page under key "k".
func apply(t testing.TB, db *DB, ts ...core.Ticket) {
	t.Helper()
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "cur-" + strconv.Itoa(len(ts))}); err != nil {
		t.Fatal(err)
	}
}

// scan scans code at cp at time now (day when zero) and fails on error.
func scan(t testing.TB, db *DB, code string, cp core.Checkpoint, now time.Time) core.Verdict {
	t.Helper()
	if now.IsZero() {
		now = day
	}
	v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantVerdict(t testing.TB, v core.Verdict, o core.Outcome, r core.Reason) {
	t.Helper()
	if v.Outcome != o || v.Reason != r {
		t.Fatalf("verdict %s %s (%q), want %s %s", v.Outcome, v.Reason, said(&v), o, r)
	}
}

func countControls(t testing.TB, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM controls`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantCode checks that err is a *core.Error with the code.
func wantCode(t testing.TB, err error, code string) *core.Error {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("error %v (%T), want a *core.Error %s", err, err, code)
	}
	return ce
}

func itoa(i int) string { return strconv.Itoa(i) }

// said is a verdict's message in English (the laptop's zone).
func said(v *core.Verdict) string { return core.Speak(words.EN, nil).Verdict(v) }

// barcodes are the records' tickets' barcodes, in order.
func barcodes(rs []core.TicketRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ticket.Barcode)
	}
	return out
}

// oldStore is a new store file of schema version (as an older s360gate
// made it), open without this version's upgrades.
func oldStore(t *testing.T, version int) (path string, old *sql.DB) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if old, err = sql.Open("sqlite", "file:"+path); err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, old, false, ms[:version]); err != nil {
		t.Fatal(err)
	}
	return path, old
}
