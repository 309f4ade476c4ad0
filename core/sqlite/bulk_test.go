package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"s360gate/core"
)

func hasIndex(t *testing.T, db *DB) bool {
	t.Helper()
	ok, err := hasBarcodeIndex(ctx, db.r)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// checkWriterCache checks that the writer's page cache is the configured
// one again (a bulk load and the index build shrink it).
func checkWriterCache(t *testing.T, db *DB) {
	t.Helper()
	var kib int
	if err := db.w.QueryRow(`PRAGMA cache_size`).Scan(&kib); err != nil {
		t.Fatal(err)
	}
	if kib != -db.cacheKiB {
		t.Fatalf("writer's cache_size %d after the bulk load, want %d", kib, -db.cacheKiB)
	}
}

// checkTickets checks that each barcode is stored once, with the state of
// its last item, and that rowids are 1..n (TicketCounts counts on it).
func checkTickets(t *testing.T, db *DB, want map[string]core.TicketState) {
	t.Helper()
	var n, maxRowid int
	if err := db.r.QueryRow(`SELECT count(*), coalesce(max(rowid), 0) FROM tickets`).Scan(&n, &maxRowid); err != nil {
		t.Fatal(err)
	}
	if n != len(want) || maxRowid != n {
		t.Fatalf("%d rows up to rowid %d, want %d", n, maxRowid, len(want))
	}
	for code, st := range want {
		got, err := db.Ticket(ctx, code)
		if err != nil {
			t.Fatal(code, err)
		}
		if got.State != st {
			t.Fatalf("%s: state %s, want %s (the last item wins)", code, got.State, st)
		}
	}
	tc, err := db.TicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Valid+tc.Invalid != len(want) {
		t.Fatalf("counts %+v, want %d tickets", tc, len(want))
	}
}

func cancelled(t *core.Ticket) { t.State = core.StateCancelled; t.CancellationCause = "REFUNDED" }

// pagesWithRepeats is an export of size-ticket pages in which some barcodes
// come again in later pages, cancelled (a ticket changed while the list was
// being paged); want is what the store must hold after it.
func pagesWithRepeats(pages, size int) ([]core.ExportPage, map[string]core.TicketState) {
	want := map[string]core.TicketState{}
	var out []core.ExportPage
	for p := range pages {
		ts := genPages(p*size, 1, size)[0]
		if p > 0 {
			// Items of the first page again, in the middle of this one.
			again := genTicket(p)
			cancelled(&again)
			ts = append(ts[:size/2], append([]core.Ticket{again}, ts[size/2:]...)...)
		}
		for _, tkt := range ts {
			want[tkt.Barcode] = tkt.State
		}
		out = append(out, core.ExportPage{Tickets: ts, Cursor: fmt.Sprintf("c%d", p+1)})
	}
	return out, want
}

// The first export into an empty store is a bulk load: the barcode index
// is dropped while the pages are stored, across commits, and built when
// the export writer closes; a barcode sent again replaces its row.
func TestBulkLoadFirstExport(t *testing.T) {
	db, _ := openTest(t)
	pages, want := pagesWithRepeats(4, 300)
	w := beginExport(t, db)
	for i, p := range pages {
		if err := w.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if hasIndex(t, db) || !db.barcodeIndexDeferred.Load() {
				t.Fatal("the barcode index is there in the middle of a first export")
			}
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !hasIndex(t, db) || db.barcodeIndexDeferred.Load() {
		t.Fatal("no barcode index after the export")
	}
	checkWriterCache(t, db)
	checkTickets(t, db, want)
	if c, _ := db.Cursor(ctx, "k"); c != "c4" {
		t.Fatalf("cursor %q", c)
	}
	// The next export is the normal kind, and finds what is stored.
	again := genTicket(5)
	again.State = core.StateInvalidated
	want[again.Barcode] = again.State
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{again}, Cursor: "c5"}); err != nil {
		t.Fatal(err)
	}
	checkTickets(t, db, want)
}

// An export into a store that holds tickets, or while the gate scans, keeps
// the index.
func TestBulkLoadOnlyIntoAnEmptyStoreAndAnIdleGate(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*testing.T, *DB)
	}{
		{"tickets stored", func(t *testing.T, db *DB) { apply(t, db, tk("OLD-1")) }},
		{"gate scanning", func(t *testing.T, db *DB) {
			v := scan(t, db, "NOT-IN-THE-LIST", checkpoint("A"), time.Time{})
			wantVerdict(t, v, core.Deny, core.ReasonUnknown)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := openTest(t)
			c.setup(t, db)
			w := beginExport(t, db)
			if err := w.Apply(ctx, core.ExportPage{Tickets: genPages(0, 1, 50)[0], Cursor: "c1"}); err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if !hasIndex(t, db) || db.barcodeIndexDeferred.Load() {
				t.Fatal("the barcode index was dropped")
			}
		})
	}
}

// A scan in the middle of a bulk load builds the index first, and decides
// on what is committed; the export goes on the normal way and still
// replaces a barcode sent again.
func TestScanDuringBulkLoad(t *testing.T) {
	db, _ := openTest(t)
	pages, want := pagesWithRepeats(3, 300)
	w := beginExport(t, db)
	if err := w.Apply(ctx, pages[0]); err != nil {
		t.Fatal(err)
	}
	if !db.barcodeIndexDeferred.Load() {
		t.Fatal("no bulk load")
	}
	// The writer holds the connection between pages: the scan waits, and
	// the next page lets it through.
	first := pages[0].Tickets[0].Barcode
	done := make(chan core.Verdict, 1)
	go func() {
		v, err := db.Scan(ctx, core.ScanRequest{Code: first, Checkpoint: checkpoint("A"), Now: day})
		if err != nil {
			t.Error(err)
		}
		done <- v
	}()
	for db.writers.Load() == 0 {
		time.Sleep(time.Millisecond) // a bounded wait for the scan to queue for the writer
	}
	for _, p := range pages[1:] {
		if err := w.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	v := <-done
	if v.Outcome != core.Admit && v.Reason != core.ReasonWrongGate {
		t.Fatalf("verdict %s %s (%q) for a committed ticket", v.Outcome, v.Reason, said(&v))
	}
	if !hasIndex(t, db) || db.barcodeIndexDeferred.Load() {
		t.Fatal("the scan went through without the barcode index")
	}
	checkWriterCache(t, db)
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkTickets(t, db, want)
}

// A crash in the middle of a bulk load leaves the tickets without the
// index; the next Open builds it.
func TestOpenAfterInterruptedBulkLoad(t *testing.T) {
	db, path := openTest(t)
	pages, _ := pagesWithRepeats(2, 200)
	w := beginExport(t, db)
	for _, p := range pages {
		if err := w.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// What a crash now leaves on disk: the database and its WAL as they
	// are (nothing is being written).
	crash := filepath.Join(t.TempDir(), "station.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crash+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	after, err := Open(crash)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	if !hasIndex(t, after) {
		t.Fatal("Open left the barcode index missing")
	}
	n := count(t, after)
	if n != len(pages[0].Tickets)+len(pages[1].Tickets)-1 {
		t.Fatalf("%d tickets after the crash", n)
	}
	v := scan(t, after, pages[1].Tickets[0].Barcode, checkpoint("A"), time.Time{})
	if v.Reason == core.ReasonUnknown {
		t.Fatalf("a committed ticket unknown after the crash: %+v", v)
	}
}

// Should a barcode be stored twice (a second process exporting into the
// file during a bulk load), building the index keeps its latest row.
func TestBarcodeIndexKeepsLatestDuplicate(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("DUP"), tk("OTHER"))
	if _, err := db.w.Exec(`DROP INDEX tickets_barcode`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO tickets (barcode, state, updated_at) VALUES ('DUP', 'CANCELLED', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := db.repairBarcodeIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if !hasIndex(t, db) {
		t.Fatal("no index")
	}
	got, err := db.Ticket(ctx, "DUP")
	if err != nil || got.State != core.StateCancelled || count(t, db) != 2 {
		t.Fatalf("DUP %s %v, %d rows", got.State, err, count(t, db))
	}
}

// The index a bulk load builds is the one migration 0002 made.
func TestBarcodeIndexSQL(t *testing.T) {
	db, _ := openTest(t)
	def := func() string {
		var s string
		if err := db.w.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'tickets_barcode'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	migrated := def()
	if _, err := db.w.Exec(`DROP INDEX tickets_barcode`); err != nil {
		t.Fatal(err)
	}
	if err := db.repairBarcodeIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if built := def(); built != migrated {
		t.Fatalf("built %q, migration 0002 made %q", built, migrated)
	}
}

// A version 1 store (barcode as the primary key) upgrades with its rows
// and rowids, and exports update it as before.
func TestMigrateBarcodeIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	if err := createFile(path); err != nil {
		t.Fatal(err)
	}
	v1, err := sql.Open("sqlite", dsn(path, &options{}, 2048, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, v1, false, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for i, code := range []string{"B", "A", "C"} {
		if _, err := v1.Exec(`INSERT INTO tickets (rowid, barcode, state, tax_number, rejected_by_s360, updated_at) VALUES (?, ?, 'VALID', ?, ?, 0)`,
			i+1, code, "tx-"+code, map[bool]any{true: "refused", false: nil}[code == "C"]); err != nil {
			t.Fatal(err)
		}
	}
	v1.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !hasIndex(t, db) {
		t.Fatal("no barcode index after the upgrade")
	}
	for i, code := range []string{"B", "A", "C"} {
		var rowid int
		var rejected sql.NullString
		if err := db.r.QueryRow(`SELECT rowid, rejected_by_s360 FROM tickets WHERE barcode = ?`, code).Scan(&rowid, &rejected); err != nil {
			t.Fatal(err)
		}
		if rowid != i+1 || rejected.Valid != (code == "C") {
			t.Fatalf("%s: rowid %d, rejected %v", code, rowid, rejected)
		}
	}
	apply(t, db, tk("A", cancelled), tk("D"))
	checkTickets(t, db, map[string]core.TicketState{"A": core.StateCancelled, "B": core.StateValid, "C": core.StateValid, "D": core.StateValid})
	if tc, _ := db.TicketCounts(ctx); tc.Invalid != 2 {
		t.Fatalf("counts %+v: A cancelled, C refused by S-360", tc)
	}
}

func TestLoadedBarcodes(t *testing.T) {
	stored := map[int64]string{}
	is := func(code string) func(int64) (bool, error) {
		return func(rowid int64) (bool, error) { return stored[rowid] == code, nil }
	}
	for _, c := range []struct {
		name string
		hash func(string) uint64
	}{
		{"maphash", nil},
		{"every tag the same", func(string) uint64 { return 7 << 32 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			clear(stored)
			l := newLoadedBarcodes(c.hash)
			n := 100_000 // the table grows several times
			if c.hash != nil {
				n = 2000 // every lookup reads every slot
			}
			for i := range n {
				code := barcodeOf(i)
				if _, ok, _ := l.find(code, is(code)); ok {
					t.Fatalf("%s found before it was added", code)
				}
				rowid := int64(i + 1)
				stored[rowid] = code
				if !l.add(code, rowid) {
					t.Fatal("add refused")
				}
			}
			for i := range n {
				code := barcodeOf(i)
				rowid, ok, err := l.find(code, is(code))
				if err != nil || !ok || rowid != int64(i+1) {
					t.Fatalf("%s: rowid %d %v %v", code, rowid, ok, err)
				}
			}
			if _, ok, _ := l.find("never-added", is("never-added")); ok {
				t.Fatal("found a barcode never added")
			}
			if l.add("x", 1<<32) {
				t.Fatal("a rowid beyond 32 bits accepted")
			}
		})
	}
}
