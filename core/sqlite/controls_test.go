package sqlite

import (
	"errors"
	"testing"
	"time"

	"s360gate/core"
)

func collect(t *testing.T, db *DB, f core.ControlFilter) []core.Control {
	t.Helper()
	var out []core.Control
	if err := db.Controls(ctx, f, func(c core.Control) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(cs []core.Control) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestUploadTransitions(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"), tk("2"), tk("3"))
	cp := checkpoint("A")
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }
	c1 := scan(t, db, "1", cp, at(3)).Control
	c2 := scan(t, db, "2", cp, at(1)).Control // earlier time, recorded later
	c3 := scan(t, db, "3", cp, at(2)).Control
	local := scan(t, db, "nope", cp, at(4)).Control // unknown: never sent
	if local.Upload != core.UploadLocal {
		t.Fatalf("unknown barcode control %+v", local)
	}

	pending, err := db.PendingControls(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(pending); len(got) != 3 || got[0] != c2.ID || got[1] != c3.ID || got[2] != c1.ID {
		t.Fatalf("pending %v, want oldest first %v %v %v", got, c2.ID, c3.ID, c1.ID)
	}
	if p, _ := db.PendingControls(ctx, 2); len(p) != 2 || p[0].ID != c2.ID {
		t.Fatalf("limited pending %v", ids(p))
	}

	if err := db.MarkUploaded(ctx, []string{c2.ID, c3.ID, "unknown-id"}, at(10)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRejected(ctx, []string{c1.ID}, "Failed to import controlledTickets:1", at(11)); err != nil {
		t.Fatal(err)
	}
	// Uploaded is final: a late refusal of another batch does not undo it,
	// and a late acknowledgement does not undo a refusal.
	if err := db.MarkUploaded(ctx, []string{c1.ID}, at(12)); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingControls(ctx, 0); len(p) != 0 {
		t.Fatalf("still pending: %v", ids(p))
	}
	byID := map[string]core.Control{}
	for _, c := range collect(t, db, core.ControlFilter{}) {
		byID[c.ID] = c
	}
	if c := byID[c2.ID]; c.Upload != core.UploadDone || !c.UploadedAt.Equal(at(10)) {
		t.Fatalf("uploaded control %+v", c)
	}
	if c := byID[c1.ID]; c.Upload != core.UploadRejected || c.UploadDetail != "Failed to import controlledTickets:1" || !c.UploadedAt.Equal(at(11)) {
		t.Fatalf("rejected control %+v", c)
	}
	if c := byID[local.ID]; c.Upload != core.UploadLocal {
		t.Fatalf("local control %+v", c)
	}
	if tk, _ := db.Ticket(ctx, "1"); tk.RejectedByS360 != "Failed to import controlledTickets:1" {
		t.Fatalf("ticket not flagged: %+v", tk)
	}
	if tk, _ := db.Ticket(ctx, "2"); tk.RejectedByS360 != "" {
		t.Fatalf("ticket wrongly flagged: %+v", tk)
	}
	if rej := collect(t, db, core.ControlFilter{Upload: core.UploadRejected}); len(rej) != 1 || rej[0].ID != c1.ID {
		t.Fatalf("rejected filter %v", ids(rej))
	}

	// An empty detail still flags (an empty flag would read as "fine").
	c4 := scan(t, db, "2", checkpoint("B"), at(20)).Control // already used: denied, still uploaded
	if err := db.MarkRejected(ctx, []string{c4.ID}, "", at(21)); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, scan(t, db, "2", cp, at(22)), core.Deny, core.ReasonRejectedByS360)

	cc, err := db.ControlCounts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if cc.Admitted != 3 || cc.Denied[core.ReasonUnknown] != 1 || cc.Denied[core.ReasonAlreadyUsed] != 1 ||
		cc.Denied[core.ReasonRejectedByS360] != 1 || cc.Pending != 1 || cc.Rejected != 2 {
		t.Fatalf("counts %+v", cc)
	}
	if cc, _ := db.ControlCounts(ctx, at(15)); cc.Admitted != 0 || len(cc.Denied) != 2 || cc.Pending != 1 {
		t.Fatalf("counts since %+v", cc)
	}
}

func TestControlsFilter(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"), tk("2"))
	cp := checkpoint("A")
	var all []string
	for i, code := range []string{"1", "2", "1", "x", "2"} {
		all = append(all, scan(t, db, code, cp, day.Add(time.Duration(i)*time.Minute)).Control.ID)
	}
	if got := ids(collect(t, db, core.ControlFilter{})); len(got) != 5 || got[0] != all[0] || got[4] != all[4] {
		t.Fatalf("all %v", got)
	}
	if got := ids(collect(t, db, core.ControlFilter{Newest: true, Limit: 2})); len(got) != 2 || got[0] != all[4] || got[1] != all[3] {
		t.Fatalf("feed %v", got)
	}
	if got := ids(collect(t, db, core.ControlFilter{Since: day.Add(2 * time.Minute)})); len(got) != 3 || got[0] != all[2] {
		t.Fatalf("since %v", got)
	}
	if got := ids(collect(t, db, core.ControlFilter{Barcode: "1"})); len(got) != 2 || got[1] != all[2] {
		t.Fatalf("barcode %v", got)
	}
	// A code in no ticket is found by what was scanned.
	if got := ids(collect(t, db, core.ControlFilter{Scanned: "x"})); len(got) != 1 || got[0] != all[3] {
		t.Fatalf("scanned %v", got)
	}
	// Denials are reported to S-360 too (FAIL).
	if got := collect(t, db, core.ControlFilter{Upload: core.UploadPending, Barcode: "2"}); len(got) != 2 || got[1].Reason != core.ReasonAlreadyUsed {
		t.Fatalf("pending of 2: %+v", got)
	}
	stop := errors.New("enough")
	n := 0
	err := db.Controls(ctx, core.ControlFilter{}, func(core.Control) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("callback error: %v after %d", err, n)
	}
}

// TestControlsSurviveReopen: what the gate acknowledged is on disk.
func TestControlsSurviveReopen(t *testing.T) {
	db, path := openTest(t)
	apply(t, db, tk("1"))
	v := scan(t, db, "1", checkpoint("A"), time.Time{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got := collect(t, db2, core.ControlFilter{})
	if len(got) != 1 || got[0].ID != v.Control.ID || !got[0].At.Equal(v.Control.At) || got[0].Outcome != core.Admit {
		t.Fatalf("after reopen %+v, want %+v", got, v.Control)
	}
	wantVerdict(t, scan(t, db2, "1", checkpoint("A"), time.Time{}), core.Deny, core.ReasonAlreadyUsed)
}

// An exit is not an admission, and the exit of a ticket never seen coming
// in is not a denial: both count as exits.
func TestControlCountsExits(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"), tk("2"))
	in, out := checkpoint("A"), checkpoint("A")
	out.Station.Direction = core.DirectionOut
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }
	wantVerdict(t, scan(t, db, "1", in, at(1)), core.Admit, core.ReasonOK)
	wantVerdict(t, scan(t, db, "1", out, at(2)), core.Admit, core.ReasonExit)
	wantVerdict(t, scan(t, db, "2", out, at(3)), core.Deny, core.ReasonNotInside)
	scan(t, db, "nope", out, at(4))
	wantVerdict(t, scan(t, db, "2", in, at(5)), core.Admit, core.ReasonOK)
	cc, err := db.ControlCounts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if cc.Admitted != 2 || cc.Exited != 3 || len(cc.Denied) != 0 {
		t.Fatalf("counts %+v", cc)
	}
}
