package storetest

import (
	"fmt"
	"testing"

	"s360gate/core"
)

// An export writer chooses its transactions (core/sqlite gathers pages,
// core/postgres commits each), but what it commits, whenever, is whole
// pages with the cursor of the last of them (possibly followed by the first
// tickets of the next page under that cursor): a cursor never runs ahead of
// its tickets.
func consistent(t *testing.T, db Store, pages [][]core.Ticket, cursors []string) int {
	t.Helper()
	c := cursor(t, db)
	done := 0 // pages the cursor says are stored
	for i, cur := range cursors {
		if c == cur {
			done = i + 1
		}
	}
	if c != "" && done == 0 {
		t.Fatalf("cursor %q is none of the pages'", c)
	}
	for _, p := range pages[:done] {
		for _, tk := range p {
			if _, err := db.Ticket(ctx, tk.Barcode); err != nil {
				t.Fatalf("cursor %q committed without ticket %s: %v", c, tk.Barcode, err)
			}
		}
	}
	return done
}

var _ = add("ExportWriterCommits", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	pages := GenPages(0, 3, 500)
	cursors := []string{"c1", "c2", "c3"}
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i, p := range pages {
		if err := w.Apply(ctx, core.ExportPage{Tickets: p, Cursor: cursors[i]}); err != nil {
			t.Fatal(err)
		}
		consistent(t, db, pages, cursors)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := cursor(t, db); c != "c3" || total(t, db) != 1500 {
		t.Fatalf("after the commit: cursor %q, %d tickets", c, total(t, db))
	}
	// The writer goes on after a commit.
	if err := w.Apply(ctx, core.ExportPage{Tickets: GenPages(1500, 1, 10)[0], Cursor: "c4"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if c := cursor(t, db); c != "c4" || total(t, db) != 1510 {
		t.Fatalf("cursor %q, %d tickets", c, total(t, db))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
})

// Closing without a commit (a crash, a failure) keeps exactly what was
// committed, consistent, and the store is free again.
var _ = add("ExportWriterCloseWithoutCommit", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	pages := GenPages(0, 2, 300)
	cursors := []string{"c1", "c2"}
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
	if done := consistent(t, db, pages, cursors); done < 1 || total(t, db) != 300*done {
		t.Fatalf("after Close: %d pages by the cursor, %d tickets", done, total(t, db))
	}
	w2, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	w2.Close()
	scan(t, db, pages[0][0].Barcode, Checkpoint(pages[0][0].EntranceCode), Day)
})

// A failed page spends the writer: nothing of that page is stored, and it
// refuses more pages rather than store them after a gap.
var _ = add("ExportWriterSpentAfterFailure", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	first := GenPages(0, 1, 50)[0]
	if err := w.Apply(ctx, core.ExportPage{Tickets: first, Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	bad := GenPages(50, 1, 10)[0]
	bad[5].Barcode = ""
	if err := w.Apply(ctx, core.ExportPage{Tickets: bad, Cursor: "c2"}); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("page with an empty barcode: %v", err)
	}
	if err := w.Apply(ctx, core.ExportPage{Tickets: GenPages(60, 1, 10)[0], Cursor: "c3"}); err == nil {
		t.Fatal("a spent writer stored a page")
	}
	if err := w.Commit(ctx); err == nil {
		t.Fatal("a spent writer committed")
	}
	c := cursor(t, db)
	if n := total(t, db); !(c == "" && n == 0 || c == "c1" && n == 50) {
		t.Fatalf("cursor %q, %d tickets after a failure; want the first page or nothing", c, n)
	}
})

// A first export in which S-360 sends some tickets again on later pages
// (changed while the list was being paged: cancelled, say), among new ones:
// each barcode is stored once, with its last state, and counted once; the
// other tickets of those pages are stored too.
var _ = add("ExportWriterSentAgain", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	pages := GenPages(0, 3, 400)
	// Page 2 brings five tickets of page 1 again, cancelled; page 3 one of
	// page 2's and one of page 1's again.
	cancel := func(tk core.Ticket) core.Ticket {
		tk.State, tk.CancellationCause = core.StateCancelled, "REFUND_REQUESTED"
		return tk
	}
	for i := range 5 {
		pages[1][i*7] = cancel(pages[0][i*50])
	}
	pages[2][3], pages[2][9] = cancel(pages[1][200]), cancel(pages[0][399])
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i, p := range pages {
		if err := w.Apply(ctx, core.ExportPage{Tickets: p, Cursor: fmt.Sprint("c", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if n := total(t, db); n != 3*400-7 {
		t.Fatalf("%d tickets stored, want %d", n, 3*400-7)
	}
	for _, tk := range []core.Ticket{pages[0][0], pages[0][200], pages[1][200], pages[0][399]} {
		got, err := db.Ticket(ctx, tk.Barcode)
		if err != nil || got.State != core.StateCancelled {
			t.Fatalf("%s: %s, %v; want the later, cancelled state", tk.Barcode, got.State, err)
		}
	}
	if got, _ := db.Ticket(ctx, pages[1][1].Barcode); got.State != core.StateValid {
		t.Fatalf("a new ticket of the second page: %+v", got)
	}
	if c := cursor(t, db); c != "c3" {
		t.Fatalf("cursor %q", c)
	}
})
