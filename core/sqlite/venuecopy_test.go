package sqlite

import (
	"context"
	"testing"

	"s360gate/core"
	"s360gate/core/storetest"
)

// A station's copy of its venue: a control decided off the venue waits to
// be pushed, in order; the venue's version of it never overwrites it until
// it is pushed; starting a copy of another venue drops what the store held
// except what waits to be pushed; the copy's state survives a reopen.
func TestVenueCopy(t *testing.T) {
	ctx := context.Background()
	db, path := openTest(t)
	if err := db.StartVenueCopy(ctx, "venue-1"); err != nil {
		t.Fatal(err)
	}
	flag := func(tk *core.Ticket) { tk.RejectedByS360 = "refused" }
	if err := db.CopyTickets(ctx, []core.Ticket{storetest.Ticket("100"), storetest.Ticket("101"), storetest.Ticket("102", flag)}); err != nil {
		t.Fatal(err)
	}
	if tk, err := db.Ticket(ctx, "102"); err != nil || tk.RejectedByS360 != "refused" {
		t.Fatalf("refusal not copied: %+v %v", tk, err)
	}
	req := func(code, id string) core.ScanRequest {
		return core.ScanRequest{Code: code, Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day, ControlID: id}
	}
	a, err := db.ScanOffVenue(ctx, req("100", "local-1"))
	if err != nil || a.Outcome != core.Admit || !a.Control.OffVenue {
		t.Fatalf("%+v %v", a.Control, err)
	}
	if _, err := db.ScanOffVenue(ctx, req("101", "local-2")); err != nil {
		t.Fatal(err)
	}
	// The venue's version of local-1 (its answer was lost) does not
	// overwrite it; another control of the venue is copied.
	venue1 := *a.Control
	venue1.Outcome, venue1.Reason, venue1.OffVenue = core.Deny, core.ReasonAlreadyUsed, false
	other := venue1
	other.ID, other.Scanned, other.Barcode, other.Outcome, other.Reason = "venue-9", "101", "101", core.Admit, core.ReasonOK
	if err := db.CopyControls(ctx, []core.Control{venue1, other}); err != nil {
		t.Fatal(err)
	}
	us, err := db.UnpushedControls(ctx, 0)
	if err != nil || len(us) != 2 || us[0].ID != "local-1" || us[1].ID != "local-2" || us[0].Outcome != core.Admit {
		t.Fatalf("unpushed: %+v %v", us, err)
	}
	if err := db.MarkPushed(ctx, []string{"local-1"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountUnpushed(ctx); n != 1 {
		t.Fatalf("%d unpushed after one was pushed", n)
	}
	// Once pushed, the venue's version is the copy's.
	if err := db.CopyControls(ctx, []core.Control{venue1}); err != nil {
		t.Fatal(err)
	}
	c := controlByID(t, db, "local-1")
	if c.Outcome != core.Deny {
		t.Fatalf("pushed control not refreshed from the venue: %+v", c)
	}
	st := VenueCopy{Venue: "venue-1", Filled: true, TicketsPos: "5.6", ControlsPos: "7.8", Settings: `{"season":"S"}`, CopiedAt: storetest.Day}
	if err := db.SaveVenueCopy(ctx, st); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if got, err := db2.VenueCopy(ctx); err != nil || got != st {
		t.Fatalf("copy state %+v, want %+v (%v)", got, st, err)
	}
	// Another venue: the copy starts afresh, the unpushed control stays.
	if err := db2.StartVenueCopy(ctx, "venue-2"); err != nil {
		t.Fatal(err)
	}
	if tc, _ := db2.TicketCounts(ctx); tc.Valid+tc.Invalid != 0 {
		t.Fatalf("tickets left: %+v", tc)
	}
	us, err = db2.UnpushedControls(ctx, 0)
	if err != nil || len(us) != 1 || us[0].ID != "local-2" {
		t.Fatalf("unpushed after a new copy: %+v %v", us, err)
	}
	if got, _ := db2.VenueCopy(ctx); got.Venue != "venue-2" || got.Filled {
		t.Fatalf("%+v", got)
	}
}
