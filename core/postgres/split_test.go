package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/storetest"
)

// A snapshot, then the changes from its positions, give the venue exactly:
// whatever was written while the snapshot was read comes from the feed,
// and a transaction open across the snapshot is not passed over.
func TestSnapshotThenChanges(t *testing.T) {
	db := openTest(t)
	pages := storetest.GenPages(0, 3, 200)
	for _, p := range pages {
		apply(t, db, p...)
	}
	used := scanAt(t, db, pages[0][0])
	// A writer whose transaction began before the snapshot and commits
	// after it.
	slow, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rollback(slow)
	c := core.Control{ID: "slow", At: storetest.Day, Station: "S", Direction: core.DirectionIn, Scanned: "x",
		Outcome: core.Deny, Reason: core.ReasonUnknown, Upload: core.UploadLocal}
	if _, err := slow.Exec(ctx, insertControlSQL, controlArgs(&c, "")...); err != nil {
		t.Fatal(err)
	}
	cp := newCopy()
	var order []string
	tpos, cpos, err := db.Snapshot(ctx, 64, func(ts []core.Ticket) error {
		for _, tk := range ts {
			cp.tickets[tk.Barcode] = tk
			order = append(order, tk.Barcode)
		}
		// Written while the snapshot is read: not in it, in the feed.
		if len(order) == 64 {
			scanAt(t, db, pages[1][0])
		}
		return nil
	}, func(cs []VenueControl) error {
		for _, c := range cs {
			cp.controls[c.ID] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cp.tickets) != 600 || len(cp.controls) != 1 || cp.controls[used.Control.ID].ID == "" {
		t.Fatalf("snapshot: %d tickets, controls %v", len(cp.tickets), cp.controls)
	}
	var want []string
	for _, p := range pages {
		for _, tk := range p {
			want = append(want, tk.Barcode)
		}
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("ticket %d is %s, want %s: not in S-360's order", i, order[i], want[i])
		}
	}
	if err := slow.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	cp.tpos, cp.cpos = tpos, cpos
	cp.catchUp(t, db, 100)
	if len(cp.controls) != 3 || cp.controls["slow"].ID == "" {
		t.Fatalf("after the feed: %d controls (%v)", len(cp.controls), cp.controls)
	}
	// A callback's error ends the snapshot and is returned as is.
	stop := errors.New("stop")
	if _, _, err := db.Snapshot(ctx, 10, func([]core.Ticket) error { return stop }, nil); err != stop {
		t.Fatalf("callback error: %v", err)
	}
	if id, err := db.VenueID(ctx); err != nil || len(id) < 30 {
		t.Fatalf("venue id %q, %v", id, err)
	}
}

// A scan is recorded under the id its station chose.
func TestScanUnderGivenID(t *testing.T) {
	db := openTest(t)
	apply(t, db, storetest.Ticket("100"))
	v, err := db.Scan(ctx, core.ScanRequest{Code: "100", Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day, ControlID: "chosen-1"})
	if err != nil || v.Control.ID != "chosen-1" || v.Control.OffVenue {
		t.Fatalf("%+v %v", v.Control, err)
	}
	// The id is the control's key: a second scan under it is not recorded.
	if _, err := db.Scan(ctx, core.ScanRequest{Code: "100", Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day, ControlID: "chosen-1"}); err == nil {
		t.Fatal("a second control under one id was recorded")
	}
	d, err := db.Scan(ctx, core.ScanRequest{Code: "100", Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day})
	if err != nil || d.Outcome != core.Deny {
		t.Fatal(d, err)
	}
	o, err := db.OverrideAs(ctx, "chosen-2", d.Control.ID, "family", storetest.Day)
	if err != nil || o.Control.ID != "chosen-2" {
		t.Fatalf("%+v %v", o.Control, err)
	}
}

// The venue committed a scan whose answer never reached its station; the
// station decided alone under the same id and showed its own verdict.
// The push keeps one control, the station's, marked off venue: with the
// same outcome the venue's record (and what S-360 was sent) stays; with
// another one the station's verdict replaces it and goes to S-360. A push
// repeated later changes nothing.
func TestPushCorrectsAScanWhoseAnswerWasLost(t *testing.T) {
	db := openTest(t)
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"), storetest.Ticket("102"))
	scan := func(code, id string) core.Control {
		v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day, ControlID: id})
		if err != nil {
			t.Fatal(err)
		}
		return *v.Control
	}
	// 100: both admitted (the usual case).
	same := scan("100", "same")
	if err := db.MarkUploaded(ctx, []string{"same"}, storetest.Day); err != nil {
		t.Fatal(err)
	}
	// 101: the venue knew another station had admitted it (DENY), the
	// station's copy did not (ADMIT): the person went in.
	scan("101", "first-101")
	scan("101", "other")
	// 102: the venue admitted, the station denied (its copy was behind):
	// the person was turned away.
	venue102 := scan("102", "turned")
	if err := db.MarkUploaded(ctx, []string{"turned"}, storetest.Day); err != nil {
		t.Fatal(err)
	}
	local := func(c core.Control, o core.Outcome, r core.Reason) core.Control {
		c.Outcome, c.Reason, c.Facts = o, r, core.Facts{Text: "local: " + string(r)}
		c.Upload, c.UploadedAt, c.UploadDetail = core.UploadPending, time.Time{}, ""
		return c
	}
	other := controlsByID(t, db)["other"]
	push := []core.Control{local(same, core.Admit, core.ReasonOK), local(other, core.Admit, core.ReasonOK),
		local(venue102, core.Deny, core.ReasonAlreadyUsed)}
	n, err := db.PushControls(ctx, push)
	if err != nil || n != 3 {
		t.Fatalf("push: %d, %v", n, err)
	}
	got := controlsByID(t, db)
	if len(got) != 4 {
		t.Fatalf("%d controls, want 4: one per scan", len(got))
	}
	if c := got["same"]; !c.OffVenue || c.Upload != core.UploadDone || c.Outcome != core.Admit || c.Facts.Text != "local: OK" {
		t.Fatalf("same outcome: %+v", c)
	}
	if c := got["other"]; !c.OffVenue || c.Outcome != core.Admit || c.Upload != core.UploadPending {
		t.Fatalf("admitted at the gate, denied by the venue: %+v", c)
	}
	if c := got["turned"]; !c.OffVenue || c.Outcome != core.Deny || c.Upload != core.UploadPending || c.UploadDetail == "" {
		t.Fatalf("denied at the gate, admitted by the venue: %+v", c)
	}
	// 101 was let in twice: a double entry, found.
	ds, err := db.DoubleEntriesOf(ctx, storetest.Ticket("101").Barcode)
	if err != nil || len(ds) != 1 || ds[0].First.ID != "first-101" || ds[0].Second.ID != "other" {
		t.Fatalf("double entries of 101: %+v %v", ds, err)
	}
	if ds, _ := db.DoubleEntriesOf(ctx, "100"); len(ds) != 0 {
		t.Fatalf("100: %+v", ds)
	}
	// A repeated push (a crash before the station noted it) changes
	// nothing: no new change, nothing stored.
	before, err := db.ControlChanges(ctx, ChangePos{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.PushControls(ctx, push); err != nil || n != 0 {
		t.Fatalf("push again: %d, %v", n, err)
	}
	after, err := db.ControlChanges(ctx, ChangePos{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[len(after)-1].Pos != before[len(before)-1].Pos {
		t.Fatalf("a repeated push changed the venue")
	}
	// The words of a double entry are core's.
	d := ds[0]
	if w := core.Speak("en", nil).AlsoAdmitted(&d.Second, storetest.Day); !strings.Contains(w, "while the venue link was down") {
		t.Fatal(w)
	}
}
