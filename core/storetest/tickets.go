package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"s360gate/core"
)

var _ = add("TicketRoundTrip", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	want := Ticket("7415628301550254", func(t *core.Ticket) {
		t.State, t.CancellationCause = core.StateCancelled, "REFUND_REQUESTED"
		t.AudienceSubCategoryCode, t.ContainerID = "CHILD", "RFID-1"
		t.ValidFrom = time.Date(2026, 11, 27, 12, 0, 0, 123456000, time.UTC)
		t.ValidTo = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) // "forever" must not overflow
		t.Holder = core.Holder{FirstName: "Zoë", LastName: "Müller", IDNumber: "C123", BirthDate: "2015-03-01", CountryCode: "CH"}
		t.Raw = []byte(`{"barcode":"7415628301550254","x":1}`)
	})
	apply(t, db, want)
	got, err := db.Ticket(ctx, want.Barcode)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ValidFrom.Equal(want.ValidFrom) || !got.ValidTo.Equal(want.ValidTo) {
		t.Fatalf("times %v %v, want %v %v", got.ValidFrom, got.ValidTo, want.ValidFrom, want.ValidTo)
	}
	got.ValidFrom, got.ValidTo = want.ValidFrom, want.ValidTo
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// Zero times and empty fields come back as such.
	apply(t, db, core.Ticket{Barcode: "1", State: core.StateValid})
	got, err = db.Ticket(ctx, "1")
	if err != nil || !reflect.DeepEqual(got, core.Ticket{Barcode: "1", State: core.StateValid}) {
		t.Fatalf("minimal ticket %+v, %v", got, err)
	}
	_, err = db.Ticket(ctx, "nope")
	wantCode(t, err, core.ENotFound)
})

// S-360's order is the truth. A valid ticket followed by its invalid
// counterpart is invalid, within a page and across pages.
var _ = add("ApplyPageOrder", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	invalid := func(t *core.Ticket) { t.State = core.StateInvalidated }
	apply(t, db, Ticket("1"), Ticket("1", invalid), Ticket("2", invalid), Ticket("2"))
	apply(t, db, Ticket("3"))
	apply(t, db, Ticket("3", invalid))
	for code, want := range map[string]core.TicketState{"1": core.StateInvalidated, "2": core.StateValid, "3": core.StateInvalidated} {
		got, err := db.Ticket(ctx, code)
		if err != nil || got.State != want {
			t.Errorf("%s: %s (%v), want %s", code, got.State, err, want)
		}
	}
	wantVerdict(t, scan(t, db, "1", Checkpoint("A"), time.Time{}), core.Deny, core.ReasonInvalidated)
})

// Pages larger than a batch, barcodes repeated inside a page and across
// pages, re-exports of stored tickets: the store must end as a map applied
// in order would.
var _ = add("ApplyPageBatches", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]core.Ticket{}
	for page := 0; page < 6; page++ {
		var ts []core.Ticket
		for i := 0; i < 50+rng.IntN(200); i++ {
			code := fmt.Sprintf("B%04d", rng.IntN(400))
			st := []core.TicketState{core.StateValid, core.StateCancelled, core.StateInvalidated}[rng.IntN(3)]
			seat := fmt.Sprint(page*1000 + i)
			ts = append(ts, Ticket(code, func(t *core.Ticket) { t.State, t.Seat = st, seat }))
			want[code] = ts[len(ts)-1]
		}
		apply(t, db, ts...)
	}
	for code, w := range want {
		got, err := db.Ticket(ctx, code)
		if err != nil || got.State != w.State || got.Seat != w.Seat {
			t.Fatalf("%s: %s seat %s (%v), want %s seat %s", code, got.State, got.Seat, err, w.State, w.Seat)
		}
	}
	valid := 0
	for _, w := range want {
		if w.State == core.StateValid {
			valid++
		}
	}
	c, err := db.TicketCounts(ctx)
	if err != nil || c.Valid != valid || c.Invalid != len(want)-valid {
		t.Fatalf("counts %+v (%v), want %d tickets, %d valid", c, err, len(want), valid)
	}
})

// A page that fails half-way leaves neither its tickets nor its cursor,
// and the store works on.
var _ = add("ApplyPageAtomic", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{Ticket("1")}, Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	page := []core.Ticket{Ticket("2"), Ticket("1", func(t *core.Ticket) { t.State = core.StateCancelled })}
	for i := 0; i < 100; i++ { // past a first batch
		page = append(page, Ticket(fmt.Sprint("x", i)))
	}
	page = append(page, core.Ticket{State: core.StateValid}, Ticket("3"))
	err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "c2"})
	wantCode(t, err, core.EInvalid)
	if c := cursor(t, db); c != "c1" {
		t.Fatalf("cursor %q after a failed page, want c1", c)
	}
	if got, _ := db.Ticket(ctx, "1"); got.State != core.StateValid {
		t.Fatalf("ticket 1 changed by a failed page: %s", got.State)
	}
	for _, code := range []string{"2", "x0", "x99", "3"} {
		if _, err := db.Ticket(ctx, code); core.ErrorCode(err) != core.ENotFound {
			t.Fatalf("%s stored by a failed page (%v)", code, err)
		}
	}
	if n := total(t, db); n != 1 {
		t.Fatalf("%d tickets counted after a failed page, want 1", n)
	}
	// The store still works after the failure.
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page[:2], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if c := cursor(t, db); c != "c2" {
		t.Fatalf("cursor %q, want c2", c)
	}
})

var _ = add("Cursor", func(t *testing.T, b Backend) {
	db, o := open(t, b)
	if c, err := db.Cursor(ctx, "S|P|"); c != "" || err != nil {
		t.Fatalf("fresh cursor %q, %v", c, err)
	}
	opaque := `{"p":"Ab==","n":7}` // stored as given, never parsed
	if err := db.ApplyPage(ctx, "S|P|", core.ExportPage{Cursor: opaque}); err != nil {
		t.Fatal(err)
	}
	// An empty page without paginationEnd keeps the cursor.
	if err := db.ApplyPage(ctx, "S|P|", core.ExportPage{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "S|P|"); c != opaque {
		t.Fatalf("cursor %q, want %q", c, opaque)
	}
	if c, _ := db.Cursor(ctx, "S|Q|"); c != "" {
		t.Fatalf("other export's cursor %q", c)
	}
	// Another handle (process, station) reads the same position.
	if c, _ := o(t).Cursor(ctx, "S|P|"); c != opaque {
		t.Fatalf("cursor from another handle %q", c)
	}
})

// S-360 never re-sends what it refused; the flag is ours and a re-export
// keeps it.
var _ = add("RejectedSurvivesReexport", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("700"), Ticket("701"))
	v := scan(t, db, "700", Checkpoint("A"), time.Time{})
	if err := db.MarkRejected(ctx, []string{v.Control.ID}, "blacklisted", Day); err != nil {
		t.Fatal(err)
	}
	apply(t, db, Ticket("700", func(t *core.Ticket) { t.Seat = "99" }), Ticket("701"))
	got, err := db.Ticket(ctx, "700")
	if err != nil || got.RejectedByS360 != "blacklisted" || got.Seat != "99" {
		t.Fatalf("after re-export: %+v (%v)", got, err)
	}
	// In a bigger page too.
	var page []core.Ticket
	for i := 0; i < 130; i++ {
		page = append(page, Ticket(fmt.Sprint("y", i)))
	}
	page[70] = Ticket("700")
	apply(t, db, page...)
	apply(t, db, page...)
	if got, _ := db.Ticket(ctx, "700"); got.RejectedByS360 != "blacklisted" {
		t.Fatalf("flag lost by a re-export: %+v", got)
	}
	c, err := db.TicketCounts(ctx)
	// valid: 701 and y0…y129 but y70
	if err != nil || c.Invalid != 1 || c.Valid != 130 {
		t.Fatalf("counts %+v, %v", c, err)
	}
})

var _ = add("TicketCounts", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	if c, err := db.TicketCounts(ctx); err != nil || c != (core.TicketCounts{}) {
		t.Fatalf("empty counts %+v, %v", c, err)
	}
	apply(t, db, Ticket("1"), Ticket("2"), Ticket("3", func(t *core.Ticket) { t.State = core.StateCancelled }),
		Ticket("4", func(t *core.Ticket) { t.State = core.StateInvalidated }))
	if c, _ := db.TicketCounts(ctx); c != (core.TicketCounts{Valid: 2, Invalid: 2}) {
		t.Fatalf("counts %+v", c)
	}
	apply(t, db, Ticket("3"))
	if c, _ := db.TicketCounts(ctx); c != (core.TicketCounts{Valid: 3, Invalid: 1}) {
		t.Fatalf("counts after revalidation %+v", c)
	}
	// After everything that writes tickets, the counts are the tickets
	// applied: new pages, repeated barcodes, re-exports, a refusal, a purge.
	page := GenPages(0, 1, 300)[0]
	page = append(page, page[10]) // a barcode twice in a page
	page[len(page)-1].State = core.StateCancelled
	apply(t, db, page...)
	apply(t, db, page[100:]...)
	apply(t, db, GenPages(1, 1, 200)[0]...)
	v := scan(t, db, page[5].Barcode, Checkpoint(page[5].EntranceCode), time.Time{})
	if err := db.MarkRejected(ctx, []string{v.Control.ID}, "blacklisted", Day); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PurgePersonalData(ctx, Day.AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	apply(t, db, GenPages(2, 1, 50)[0]...)
	// 4 + 300 tickets (generated 0…299; the later pages hold none new).
	// Invalid: "4", and generated 5 (refused; re-exported since, still
	// flagged). Generated 10, cancelled by its repeat in the first page,
	// was revalidated by the page of 1…200.
	if c, _ := db.TicketCounts(ctx); c != (core.TicketCounts{Valid: 302, Invalid: 2}) {
		t.Fatalf("counts %+v, want 302 valid and 2 invalid", c)
	}
})

var _ = add("RawKept", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	raw := []byte(`{"barcode":"9","futureField":{"a":[1,2]}}`)
	apply(t, db, Ticket("9", func(t *core.Ticket) { t.Raw = raw }))
	got, _ := db.Ticket(ctx, "9")
	if !bytes.Equal(got.Raw, raw) {
		t.Fatalf("raw %s", got.Raw)
	}
})
