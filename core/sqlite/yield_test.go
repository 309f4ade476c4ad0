package sqlite

import (
	"testing"
	"time"

	"s360gate/core"
)

// A scan arriving while a big page is being stored does not wait for the
// page: the page's transaction commits what it wrote (under the previous
// cursor: a prefix of S-360's order, as a smaller page would have left)
// and lets the scan through, then stores the rest; the page ends whole,
// with its cursor.
func TestApplyPageYieldsToScans(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 60,000 tickets")
	}
	db, _ := openTest(t)
	apply(t, db, tk("GATE-0")) // cursor "cur-1"
	page := genPages(1, 1, 60_000)[0]
	done := make(chan error, 1)
	go func() { done <- db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "after"}) }()

	cp := checkpoint("A")
	yielded := false
	var waited time.Duration
	for i := 0; i < 100 && !yielded; i++ {
		time.Sleep(20 * time.Millisecond)
		t0 := time.Now()
		scan(t, db, "GATE-0", cp, time.Time{})
		waited = max(waited, time.Since(t0))
		var n int
		if err := db.r.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("the page was stored (%v) before a scan saw it part-way", err)
		default:
		}
		if n > 1 {
			yielded = true
			if c, err := db.Cursor(ctx, "k"); err != nil || c != "cur-1" {
				t.Fatalf("cursor %q (%v) while the page is being stored, want the previous one", c, err)
			}
			if n >= len(page)+1 {
				t.Fatalf("%d tickets visible before the page ended", n)
			}
		}
	}
	if !yielded {
		t.Fatal("no scan was let through while the page was stored")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("longest scan during the ingest: %v", waited)
	if c, err := db.TicketCounts(ctx); err != nil || c.Valid+c.Invalid != len(page)+1 {
		t.Fatalf("counts %+v (%v), want %d tickets", c, err, len(page)+1)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "after" {
		t.Fatalf("cursor %q after the page, want \"after\"", c)
	}
	for _, i := range []int{0, len(page) / 2, len(page) - 1} {
		if _, err := db.Ticket(ctx, page[i].Barcode); err != nil {
			t.Fatalf("ticket %d of the page: %v", i, err)
		}
	}
}

// Nobody waiting to write (readers do not count): the page is one
// transaction, never seen half-stored.
func TestApplyPageAtomicWhenAlone(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("GATE-0"))
	page := genPages(1, 1, 20_000)[0]
	done := make(chan error, 1)
	go func() { done <- db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "after"}) }()
	seen := map[int]bool{}
	for {
		var n int
		if err := db.r.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		seen[n] = true
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			for n := range seen {
				if n != 1 && n != len(page)+1 {
					t.Fatalf("a reader saw %d tickets: the page was committed in parts", n)
				}
			}
			return
		default:
		}
	}
}
