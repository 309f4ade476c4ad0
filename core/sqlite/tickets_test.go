package sqlite

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"s360gate/core"
)

func TestTicketRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	want := tk("7415628301550254", func(t *core.Ticket) {
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
}

// TestApplyPageOrder: S-360's order is the truth. A valid ticket followed
// by its invalid counterpart is invalid, within a page and across pages.
func TestApplyPageOrder(t *testing.T) {
	db, _ := openTest(t)
	invalid := func(t *core.Ticket) { t.State = core.StateInvalidated }
	apply(t, db, tk("1"), tk("1", invalid), tk("2", invalid), tk("2"))
	apply(t, db, tk("3"))
	apply(t, db, tk("3", invalid))
	for code, want := range map[string]core.TicketState{"1": core.StateInvalidated, "2": core.StateValid, "3": core.StateInvalidated} {
		got, err := db.Ticket(ctx, code)
		if err != nil || got.State != want {
			t.Errorf("%s: %s (%v), want %s", code, got.State, err, want)
		}
	}
	wantVerdict(t, scan(t, db, "1", checkpoint("A"), time.Time{}), core.Deny, core.ReasonInvalidated)
}

// TestApplyPageBatches drives the batched insert and its fallback: pages
// larger than a batch, barcodes repeated inside a batch and across batches,
// re-exports of stored tickets. The store must end as a map applied in
// order would.
func TestApplyPageBatches(t *testing.T) {
	db, _ := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]core.Ticket{}
	for page := 0; page < 6; page++ {
		var ts []core.Ticket
		for i := 0; i < 50+rng.IntN(200); i++ {
			code := fmt.Sprintf("B%04d", rng.IntN(400))
			st := []core.TicketState{core.StateValid, core.StateCancelled, core.StateInvalidated}[rng.IntN(3)]
			seat := fmt.Sprint(page*1000 + i)
			ts = append(ts, tk(code, func(t *core.Ticket) { t.State, t.Seat = st, seat }))
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
	c, err := db.TicketCounts(ctx)
	if err != nil || c.Valid+c.Invalid != len(want) {
		t.Fatalf("counts %+v (%v), want %d tickets", c, err, len(want))
	}
}

// TestApplyPageAtomic: a page that fails half-way leaves neither its
// tickets nor its cursor.
func TestApplyPageAtomic(t *testing.T) {
	db, _ := openTest(t)
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{tk("1")}, Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	page := []core.Ticket{tk("2"), tk("1", func(t *core.Ticket) { t.State = core.StateCancelled })}
	for i := 0; i < 100; i++ { // past the first batch
		page = append(page, tk(fmt.Sprint("x", i)))
	}
	page = append(page, core.Ticket{State: core.StateValid}, tk("3"))
	err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "c2"})
	wantCode(t, err, core.EInvalid)
	if c, _ := db.Cursor(ctx, "k"); c != "c1" {
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
	// The database rule holds even without the Go check.
	_, err = db.w.Exec(`INSERT INTO tickets (barcode, state, updated_at) VALUES ('', 'VALID', 0)`)
	if err == nil {
		t.Fatal("empty barcode accepted")
	}
	// The store still works after the failure.
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page[:2], Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "k"); c != "c2" {
		t.Fatalf("cursor %q, want c2", c)
	}
}

func TestCursor(t *testing.T) {
	db, _ := openTest(t)
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
}

// TestRejectedSurvivesReexport: S-360 never re-sends what it refused; the
// flag is ours and a re-export keeps it.
func TestRejectedSurvivesReexport(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("700"), tk("701"))
	v := scan(t, db, "700", checkpoint("A"), time.Time{})
	if err := db.MarkRejected(ctx, []string{v.Control.ID}, "blacklisted", day); err != nil {
		t.Fatal(err)
	}
	apply(t, db, tk("700", func(t *core.Ticket) { t.Seat = "99" }), tk("701"))
	got, err := db.Ticket(ctx, "700")
	if err != nil || got.RejectedByS360 != "blacklisted" || got.Seat != "99" {
		t.Fatalf("after re-export: %+v (%v)", got, err)
	}
	// The batched path too.
	var page []core.Ticket
	for i := 0; i < 130; i++ {
		page = append(page, tk(fmt.Sprint("y", i)))
	}
	page[70] = tk("700")
	apply(t, db, page...)
	apply(t, db, page...)
	if got, _ := db.Ticket(ctx, "700"); got.RejectedByS360 != "blacklisted" {
		t.Fatalf("flag lost by a batched re-export: %+v", got)
	}
	c, err := db.TicketCounts(ctx)
	// valid: 701 and y0…y129 but y70
	if err != nil || c.Invalid != 1 || c.Valid != 130 {
		t.Fatalf("counts %+v, %v", c, err)
	}
}

func TestTicketCounts(t *testing.T) {
	db, _ := openTest(t)
	if c, err := db.TicketCounts(ctx); err != nil || c != (core.TicketCounts{}) {
		t.Fatalf("empty counts %+v, %v", c, err)
	}
	apply(t, db, tk("1"), tk("2"), tk("3", func(t *core.Ticket) { t.State = core.StateCancelled }),
		tk("4", func(t *core.Ticket) { t.State = core.StateInvalidated }))
	if c, _ := db.TicketCounts(ctx); c != (core.TicketCounts{Valid: 2, Invalid: 2}) {
		t.Fatalf("counts %+v", c)
	}
	apply(t, db, tk("3"))
	if c, _ := db.TicketCounts(ctx); c != (core.TicketCounts{Valid: 3, Invalid: 1}) {
		t.Fatalf("counts after revalidation %+v", c)
	}
}

func TestRawKept(t *testing.T) {
	db, _ := openTest(t)
	raw := []byte(`{"barcode":"9","futureField":{"a":[1,2]}}`)
	apply(t, db, tk("9", func(t *core.Ticket) { t.Raw = raw }))
	got, _ := db.Ticket(ctx, "9")
	if !bytes.Equal(got.Raw, raw) {
		t.Fatalf("raw %s", got.Raw)
	}
}
