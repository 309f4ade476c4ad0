package sqlite

import (
	"testing"
	"time"

	"s360gate/core"
)

// TicketCounts takes the total from the largest rowid, which holds only
// while no ticket row is ever deleted: check it against a real count after
// everything that writes tickets (new pages, repeated barcodes, re-exports,
// refusals, a purge with its VACUUM).
func TestTicketCountsMatchesCount(t *testing.T) {
	db, _ := openTest(t)
	check := func(when string) {
		t.Helper()
		db.ticketsChanged() // no cached answer
		c, err := db.TicketCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var total, invalid int
		db.r.QueryRow(`SELECT count(*) FROM tickets`).Scan(&total)
		db.r.QueryRow(`SELECT count(*) FROM tickets WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL`).Scan(&invalid)
		if c.Valid+c.Invalid != total || c.Invalid != invalid {
			t.Fatalf("%s: counts %+v, the table holds %d tickets, %d invalid", when, c, total, invalid)
		}
	}
	check("empty")
	page := genPages(0, 1, 300)[0]
	page = append(page, page[10]) // a barcode twice in a page
	page[len(page)-1].State = core.StateCancelled
	apply(t, db, page...)
	check("first page")
	apply(t, db, page[100:]...)
	check("re-export")
	apply(t, db, genPages(1, 1, 200)[0]...)
	check("second page")
	v := scan(t, db, page[5].Barcode, checkpoint(page[5].EntranceCode), time.Time{})
	if v.Control != nil {
		if err := db.MarkRejected(ctx, []string{v.Control.ID}, "blacklisted", day); err != nil {
			t.Fatal(err)
		}
	}
	check("refusal")
	if _, err := db.PurgePersonalData(ctx, day.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	check("purge")
	apply(t, db, genPages(2, 1, 50)[0]...)
	check("after the purge")
}
