package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

var _ = add("UploadTransitions", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"), Ticket("2"), Ticket("3"))
	cp := Checkpoint("A")
	at := func(m int) time.Time { return Day.Add(time.Duration(m) * time.Minute) }
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
	// Uploaded is final: a late refusal of another batch does not undo it
	// (nor flags its ticket), and a late acknowledgement does not undo a
	// refusal, nor moves the time of an acknowledgement.
	if err := db.MarkUploaded(ctx, []string{c1.ID, c2.ID}, at(12)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRejected(ctx, []string{c3.ID}, "late", at(12)); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingControls(ctx, 0); len(p) != 0 {
		t.Fatalf("still pending: %v", ids(p))
	}
	byID := map[string]core.Control{}
	for _, c := range collect(t, db, core.ControlFilter{}) {
		byID[c.ID] = c
	}
	for _, c := range []*core.Control{c2, c3} {
		if c := byID[c.ID]; c.Upload != core.UploadDone || !c.UploadedAt.Equal(at(10)) || c.UploadDetail != "" {
			t.Fatalf("uploaded control %+v", c)
		}
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
	for _, code := range []string{"2", "3"} {
		if tk, _ := db.Ticket(ctx, code); tk.RejectedByS360 != "" {
			t.Fatalf("ticket wrongly flagged: %+v", tk)
		}
	}
	if rej := collect(t, db, core.ControlFilter{Upload: core.UploadRejected}); len(rej) != 1 || rej[0].ID != c1.ID {
		t.Fatalf("rejected filter %v", ids(rej))
	}

	// An empty detail still flags (an empty flag would read as "fine").
	c4 := scan(t, db, "2", Checkpoint("B"), at(20)).Control // already used: denied, still uploaded
	if err := db.MarkRejected(ctx, []string{c4.ID}, "", at(21)); err != nil {
		t.Fatal(err)
	}
	// A control of a ticket S-360 refused is never sent: it would be
	// refused again, at the cost of an import call.
	c5 := scan(t, db, "2", cp, at(22))
	wantVerdict(t, c5, core.Deny, core.ReasonRejectedByS360)
	if c5.Control.Upload != core.UploadRejected || !strings.HasPrefix(c5.Control.UploadDetail, "Not sent: S-360 refuses controls of blacklisted tickets") {
		t.Fatalf("control of a rejected ticket %+v", c5.Control)
	}

	cc, err := db.ControlCounts(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if cc.Admitted != 3 || cc.Denied[core.ReasonUnknown] != 1 || cc.Denied[core.ReasonAlreadyUsed] != 1 ||
		cc.Denied[core.ReasonRejectedByS360] != 1 || cc.Pending != 0 || cc.Rejected != 3 {
		t.Fatalf("counts %+v", cc)
	}
	if cc, _ := db.ControlCounts(ctx, at(15)); cc.Admitted != 0 || len(cc.Denied) != 2 || cc.Pending != 0 {
		t.Fatalf("counts since %+v", cc)
	}
	// Nothing marks nothing.
	if err := db.MarkUploaded(ctx, nil, at(30)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkRejected(ctx, nil, "x", at(30)); err != nil {
		t.Fatal(err)
	}
})

// BlacklistedNotSent: controls of a ticket S-360 is known to have
// blacklisted never wait for an upload: those recorded before S-360's
// refusal are rejected with the refused one, and those after (a denial,
// a supervisor's override, a ticket exported cancelled as BLACKLISTED) are
// recorded as rejected at once.
var _ = add("BlacklistedNotSent", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"), Ticket("2"), Ticket("3", func(t *core.Ticket) {
		t.State, t.CancellationCause = core.StateCancelled, "BLACKLISTED"
	}))
	cp := Checkpoint("A")
	at := func(m int) time.Time { return Day.Add(time.Duration(m) * time.Minute) }
	first := scan(t, db, "1", cp, at(1)).Control
	again := scan(t, db, "1", cp, at(2)).Control // already used: pending too
	other := scan(t, db, "2", cp, at(3)).Control
	if err := db.MarkRejected(ctx, []string{first.ID}, "Failed to import controlledTickets:1", at(4)); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.PendingControls(ctx, 0); len(p) != 1 || p[0].ID != other.ID {
		t.Fatalf("pending %v, want only %s (%s was of the refused ticket)", ids(p), other.ID, again.ID)
	}
	denied := scan(t, db, "1", cp, at(5))
	ov, err := db.Override(ctx, denied.Control.ID, "steward knows the holder", at(6))
	if err != nil {
		t.Fatal(err)
	}
	bl := scan(t, db, "3", cp, at(7))
	wantVerdict(t, bl, core.Deny, core.ReasonCancelled)
	for _, c := range []*core.Control{denied.Control, ov.Control, bl.Control} {
		if c.Upload != core.UploadRejected || !strings.Contains(c.UploadDetail, "blacklisted") {
			t.Errorf("%s %s: upload %s %q", c.Reason, c.Outcome, c.Upload, c.UploadDetail)
		}
	}
	if p, _ := db.PendingControls(ctx, 0); len(p) != 1 {
		t.Fatalf("pending %v", ids(p))
	}
})

var _ = add("ControlsFilter", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"), Ticket("2"))
	cp := Checkpoint("A")
	var all []string
	for i, code := range []string{"1", "2", "1", "x", "2"} {
		all = append(all, scan(t, db, code, cp, Day.Add(time.Duration(i)*time.Minute)).Control.ID)
	}
	if got := ids(collect(t, db, core.ControlFilter{})); len(got) != 5 || got[0] != all[0] || got[4] != all[4] {
		t.Fatalf("all %v", got)
	}
	if got := ids(collect(t, db, core.ControlFilter{Newest: true, Limit: 2})); len(got) != 2 || got[0] != all[4] || got[1] != all[3] {
		t.Fatalf("feed %v", got)
	}
	if got := ids(collect(t, db, core.ControlFilter{Since: Day.Add(2 * time.Minute)})); len(got) != 3 || got[0] != all[2] {
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
	if got := collect(t, db, core.ControlFilter{Upload: core.UploadLocal}); len(got) != 1 || got[0].ID != all[3] {
		t.Fatalf("local %+v", got)
	}
	// Controls at the same instant keep the order they were recorded in.
	same := []string{}
	for _, code := range []string{"x1", "x2", "x3"} {
		same = append(same, scan(t, db, code, cp, Day.Add(time.Hour)).Control.ID)
	}
	if got := ids(collect(t, db, core.ControlFilter{Since: Day.Add(time.Hour)})); len(got) != 3 || got[0] != same[0] || got[2] != same[2] {
		t.Fatalf("same instant %v, want %v", got, same)
	}
	if got := ids(collect(t, db, core.ControlFilter{Since: Day.Add(time.Hour), Newest: true})); len(got) != 3 || got[0] != same[2] {
		t.Fatalf("same instant, newest first %v", got)
	}
	stop := errors.New("enough")
	n := 0
	err := db.Controls(ctx, core.ControlFilter{}, func(core.Control) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("callback error: %v after %d", err, n)
	}
})

// What the gate acknowledged is stored: a new handle (a restart, another
// station) reads it and decides on it.
var _ = add("ControlsSurviveReopen", func(t *testing.T, b Backend) {
	db, o := open(t, b)
	apply(t, db, Ticket("1"))
	v := scan(t, db, "1", Checkpoint("A"), time.Time{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := o(t)
	got := collect(t, db2, core.ControlFilter{})
	if len(got) != 1 || got[0].ID != v.Control.ID || !got[0].At.Equal(v.Control.At) || got[0].Outcome != core.Admit {
		t.Fatalf("after reopen %+v, want %+v", got, v.Control)
	}
	wantVerdict(t, scan(t, db2, "1", Checkpoint("A"), time.Time{}), core.Deny, core.ReasonAlreadyUsed)
})

// ControlCountsExits: an exit is not an admission, and the exit of a
// ticket never seen coming in is not a denial: both count as exits.
var _ = add("ControlCountsExits", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"), Ticket("2"))
	in, out := Checkpoint("A"), Checkpoint("A")
	out.Station.Direction = core.DirectionOut
	at := func(m int) time.Time { return Day.Add(time.Duration(m) * time.Minute) }
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
})
