package postgres

import (
	"fmt"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/storetest"
)

// catchUp reads every ticket and control change after the positions, in
// pages of limit, as a station's local copy does, and returns the last
// version of each row seen and the new positions.
type copyOf struct {
	tickets  map[string]core.Ticket
	controls map[string]VenueControl
	tpos     ChangePos
	cpos     ChangePos
	reads    int
}

func newCopy() *copyOf {
	return &copyOf{tickets: map[string]core.Ticket{}, controls: map[string]VenueControl{}}
}

func (c *copyOf) catchUp(t testing.TB, db *DB, limit int) {
	t.Helper()
	for {
		ts, err := db.TicketChanges(ctx, c.tpos, limit)
		if err != nil {
			t.Fatal(err)
		}
		c.reads++
		for _, tc := range ts {
			if !c.tpos.Less(tc.Pos) {
				t.Fatalf("ticket change %v not after %v", tc.Pos, c.tpos)
			}
			c.tpos, c.tickets[tc.Ticket.Barcode] = tc.Pos, tc.Ticket
		}
		if len(ts) < limit {
			break
		}
	}
	for {
		cs, err := db.ControlChanges(ctx, c.cpos, limit)
		if err != nil {
			t.Fatal(err)
		}
		c.reads++
		for _, vc := range cs {
			if !c.cpos.Less(vc.Pos) {
				t.Fatalf("control change %v not after %v", vc.Pos, c.cpos)
			}
			c.cpos, c.controls[vc.ID] = vc.Pos, vc
		}
		if len(cs) < limit {
			break
		}
	}
}

// A local copy that catches up from its last positions ends equal to the
// venue, whatever was written meanwhile: new and re-exported tickets,
// scans, acknowledgments, refusals, a purge.
func TestChangesCatchUp(t *testing.T) {
	db := openTest(t)
	cp := newCopy()
	cp.catchUp(t, db, 100)
	if len(cp.tickets)+len(cp.controls) != 0 || cp.tpos != (ChangePos{}) {
		t.Fatalf("empty venue: %+v", cp)
	}
	pages := storetest.GenPages(0, 3, 250)
	for _, p := range pages {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	cp.catchUp(t, db, 100)
	if len(cp.tickets) != 750 || cp.reads < 8 {
		t.Fatalf("%d tickets in %d reads", len(cp.tickets), cp.reads)
	}
	// Nothing new: nothing read.
	before := cp.tpos
	cp.catchUp(t, db, 100)
	if cp.tpos != before {
		t.Fatalf("position moved without changes: %v → %v", before, cp.tpos)
	}
	// Every kind of write shows up, and only it.
	tk0, tk1 := pages[0][0], pages[0][1]
	v0 := scanAt(t, db, tk0)
	v1 := scanAt(t, db, tk1)
	changed := tk0
	changed.State = core.StateCancelled
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{changed}, Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	cp.catchUp(t, db, 100)
	if got := cp.tickets[tk0.Barcode]; got.State != core.StateCancelled {
		t.Fatalf("re-export not seen: %+v", got)
	}
	if len(cp.controls) != 2 || cp.controls[v0.Control.ID].Upload != core.UploadPending {
		t.Fatalf("controls %+v", cp.controls)
	}
	if err := db.MarkUploaded(ctx, []string{v0.Control.ID}, storetest.Day); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRejected(ctx, []string{v1.Control.ID}, "blacklisted", storetest.Day); err != nil {
		t.Fatal(err)
	}
	cp.catchUp(t, db, 100)
	if cp.controls[v0.Control.ID].Upload != core.UploadDone || cp.controls[v1.Control.ID].Upload != core.UploadRejected ||
		cp.tickets[tk1.Barcode].RejectedByS360 != "blacklisted" {
		t.Fatalf("acknowledgment/refusal not seen: %+v %+v %+v", cp.controls[v0.Control.ID], cp.controls[v1.Control.ID], cp.tickets[tk1.Barcode])
	}
	if _, err := db.PurgePersonalData(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	cp.catchUp(t, db, 100)
	for code, tk := range cp.tickets {
		if !tk.Holder.IsZero() {
			t.Fatalf("%s: the copy keeps a purged holder %+v", code, tk.Holder)
		}
	}
	// The copy is the venue.
	for _, p := range pages {
		for _, want := range p {
			got, err := db.Ticket(ctx, want.Barcode)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(cp.tickets[want.Barcode]) {
				t.Fatalf("%s: copy %+v, venue %+v (%v)", want.Barcode, cp.tickets[want.Barcode], got, err)
			}
		}
	}
	// Positions survive as text.
	for _, p := range []ChangePos{{}, cp.tpos, cp.cpos} {
		q, err := ParseChangePos(p.String())
		if err != nil || q != p {
			t.Fatalf("%v → %q → %v %v", p, p.String(), q, err)
		}
	}
	if _, err := ParseChangePos("12"); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("bad position: %v", err)
	}
}

func scanAt(t testing.TB, db *DB, tk core.Ticket) core.Verdict {
	t.Helper()
	v, err := db.Scan(ctx, core.ScanRequest{Code: tk.Barcode, Checkpoint: storetest.Checkpoint(tk.EntranceCode), Now: storetest.Day})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A transaction that commits after a later one must not be passed over: a
// reader never moves past a change still being written.
func TestChangesWaitForOpenTransactions(t *testing.T) {
	db := openTest(t)
	// A slow writer: its transaction takes its id first, then stays open.
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
	// A fast one commits after it started.
	fast := scanCode(t, db, "fast").Control
	cs, err := db.ControlChanges(ctx, ChangePos{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Fatalf("read %v past a transaction still open", cs)
	}
	if err := slow.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err = db.ControlChanges(ctx, ChangePos{}, 10)
	if err != nil || len(cs) != 2 || cs[0].ID != "slow" || cs[1].ID != fast.ID {
		t.Fatalf("after the commit: %+v %v", cs, err)
	}
}

// A station's push of what it decided alone is stored once, however often
// it is repeated; bad controls refuse the whole push.
func TestPushControls(t *testing.T) {
	db := openTest(t)
	at := storetest.Day
	local := func(id, code string, o core.Outcome, r core.Reason, m int) core.Control {
		return core.Control{ID: id, At: at.Add(time.Duration(m) * time.Minute), Station: "STATION7", Gate: "S2",
			Direction: core.DirectionIn, Scanned: code, Barcode: code, Outcome: o, Reason: r, Facts: core.Facts{Cause: string(r)},
			Offline: true, Upload: core.UploadPending}
	}
	cs := []core.Control{local("L1", "100", core.Admit, core.ReasonOK, 1), local("L2", "101", core.Deny, core.ReasonCancelled, 2)}
	n, err := db.PushControls(ctx, cs)
	if err != nil || n != 2 {
		t.Fatalf("push: %d, %v", n, err)
	}
	n, err = db.PushControls(ctx, append(cs, local("L3", "102", core.Admit, core.ReasonOK, 3)))
	if err != nil || n != 1 {
		t.Fatalf("push again: %d, %v", n, err)
	}
	got, err := db.ControlChanges(ctx, ChangePos{}, 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	for _, c := range got {
		if !c.OffVenue || c.Station != "STATION7" || !c.Offline || c.Upload != core.UploadPending || c.RecordedAt.IsZero() {
			t.Fatalf("pushed control %+v", c)
		}
	}
	// Pushed controls are the venue's history: the ticket is used.
	apply(t, db, storetest.Ticket("100"))
	v := scanCode(t, db, "100")
	if v.Reason != core.ReasonAlreadyUsed || v.FirstUse.ID != "L1" {
		t.Fatalf("after the push: %s, first use %+v", v.Reason, v.FirstUse)
	}
	// and the syncer uploads them
	if p, _ := db.PendingControls(ctx, 0); len(p) != 4 {
		t.Fatalf("%d pending, want the 3 pushed and the scan", len(p))
	}
	for _, bad := range []core.Control{
		{ID: "", At: at, Station: "S", Direction: core.DirectionIn, Outcome: core.Admit, Upload: core.UploadPending},
		{ID: "B", At: at, Station: "", Direction: core.DirectionIn, Outcome: core.Admit, Upload: core.UploadPending},
		{ID: "B", Station: "S", Direction: core.DirectionIn, Outcome: core.Admit, Upload: core.UploadPending},
		{ID: "B", At: at, Station: "S", Direction: "sideways", Outcome: core.Admit, Upload: core.UploadPending},
		{ID: "B", At: at, Station: "S", Direction: core.DirectionIn, Outcome: "MAYBE", Upload: core.UploadPending},
		{ID: "B", At: at, Station: "S", Direction: core.DirectionIn, Outcome: core.Admit, Upload: "lost"},
	} {
		n, err := db.PushControls(ctx, []core.Control{local("OK1", "200", core.Admit, core.ReasonOK, 5), bad})
		if core.ErrorCode(err) != core.EInvalid || n != 0 {
			t.Fatalf("bad control %+v: %d, %v", bad, n, err)
		}
	}
	if all, _ := db.ControlChanges(ctx, ChangePos{}, 0); len(all) != 4 {
		t.Fatalf("a refused push stored something: %d controls", len(all))
	}
}

// Double entries: a ticket admitted at two stations that could not see
// each other. By single entry, every entry after the first; by re-entry,
// an entry with no exit since the previous one. Overrides never are.
func TestDoubleEntries(t *testing.T) {
	db := openTest(t)
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"), storetest.Ticket("102"), storetest.Ticket("103"))
	at := func(m int) time.Time { return storetest.Day.Add(time.Duration(m) * time.Minute) }
	ctl := func(id, station, code string, dir core.Direction, o core.Outcome, r core.Reason, m int) core.Control {
		return core.Control{ID: id, At: at(m), Station: station, Direction: dir, Scanned: code, Barcode: code,
			Outcome: o, Reason: r, Upload: core.UploadPending}
	}
	in, out := core.DirectionIn, core.DirectionOut
	// 100: admitted at the venue, then at STATION7 while it was cut off.
	v := scanCode(t, db, "100")
	// 101: two cut-off stations, then an exit and a re-entry at the venue.
	// 102: admitted once, denied once: no double.
	// 103: an override after ALREADY_USED: a decision, not a double.
	if _, err := db.PushControls(ctx, []core.Control{
		ctl("S7-1", "STATION7", "100", in, core.Admit, core.ReasonOK, 5),
		ctl("S7-2", "STATION7", "101", in, core.Admit, core.ReasonOK, 6),
		ctl("S8-1", "STATION8", "101", in, core.Admit, core.ReasonOK, 7),
		ctl("S8-2", "STATION8", "101", out, core.Admit, core.ReasonExit, 8),
		ctl("S8-3", "STATION8", "101", in, core.Admit, core.ReasonOK, 9),
		ctl("S7-3", "STATION7", "102", in, core.Admit, core.ReasonOK, 10),
		ctl("S8-4", "STATION8", "102", in, core.Deny, core.ReasonAlreadyUsed, 11),
		ctl("S7-4", "STATION7", "103", in, core.Admit, core.ReasonOK, 12),
		ctl("S7-5", "STATION7", "103", in, core.Admit, core.ReasonOverride, 13),
	}); err != nil {
		t.Fatal(err)
	}
	pairs := func() []string {
		t.Helper()
		ds, err := db.DoubleEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			if d.First.Barcode != d.Barcode || d.Second.Barcode != d.Barcode || !d.Second.OffVenue {
				t.Fatalf("double entry %+v", d)
			}
			out = append(out, d.Barcode+":"+d.First.ID+">"+d.Second.ID)
		}
		return out
	}
	// No settings stored: single entry.
	want := []string{"100:" + v.Control.ID + ">S7-1", "101:S7-2>S8-1", "101:S7-2>S8-3"}
	if got := pairs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("single entry: %v, want %v", got, want)
	}
	if err := db.SaveVenueSettings(ctx, core.VenueSettings{Environment: core.EnvSim, AllowReentry: true}, "test"); err != nil {
		t.Fatal(err)
	}
	want = []string{"100:" + v.Control.ID + ">S7-1", "101:S7-2>S8-1"}
	if got := pairs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("re-entry: %v, want %v", got, want)
	}
}
