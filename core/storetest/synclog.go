package storetest

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

var _ = add("Calls", func(t *testing.T, b Backend) {
	db, o := open(t, b)
	for i, m := range []string{"exportList", "exportList", "importControlledTicket"} {
		c := core.Call{Method: m, At: Day.Add(time.Duration(i) * time.Second), OK: i != 1, Detail: "HTTP 200",
			Duration: 42 * time.Millisecond, Budgeted: i == 2}
		if err := db.RecordCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	calls, err := db.CallsSince(ctx, Day.Add(time.Second))
	if err != nil || len(calls) != 2 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	if c := calls[0]; c.Method != "exportList" || c.OK || !c.At.Equal(Day.Add(time.Second)) || c.Duration != 42*time.Millisecond || c.Detail != "HTTP 200" {
		t.Fatalf("call %+v", c)
	}
	if all, _ := db.CallsSince(ctx, time.Time{}); len(all) != 3 {
		t.Fatalf("all calls %d", len(all))
	}
	// The calls outlive the handle that recorded them: a restart (or, in a
	// venue, the next syncer) sees the budget already spent.
	db.Close()
	if again, err := o(t).CallsSince(ctx, Day); err != nil || len(again) != 3 {
		t.Fatalf("calls after reopen %d, %v", len(again), err)
	}
})

var _ = add("SyncState", func(t *testing.T, b Backend) {
	db, o := open(t, b)
	if s, err := db.SyncState(ctx); err != nil || !reflect.DeepEqual(s, core.SyncState{}) {
		t.Fatalf("fresh state %+v %v", s, err)
	}
	want := core.SyncState{LastCycle: Day, LastExportOK: Day.Add(time.Second), LastUploadOK: Day.Add(2 * time.Second),
		LastError: "HTTP 509", LastErrorAt: Day.Add(3 * time.Second), ExportComplete: true,
		TimeZone: "Europe/Zurich", TimeZoneAt: Day.Add(4 * time.Second)}
	if err := db.SaveSyncState(ctx, want); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = o(t)
	got, err := db.SyncState(ctx)
	if err != nil || !got.LastCycle.Equal(want.LastCycle) || !got.LastExportOK.Equal(want.LastExportOK) ||
		!got.LastUploadOK.Equal(want.LastUploadOK) || !got.LastErrorAt.Equal(want.LastErrorAt) ||
		got.LastError != want.LastError || !got.ExportComplete || !got.LastSuccess().Equal(want.LastUploadOK) ||
		got.TimeZone != "Europe/Zurich" || !got.TimeZoneAt.Equal(want.TimeZoneAt) || got.Zone() == nil {
		t.Fatalf("state %+v %v", got, err)
	}
	if err := db.SaveSyncState(ctx, core.SyncState{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SyncState(ctx); !reflect.DeepEqual(got, core.SyncState{}) {
		t.Fatalf("cleared state %+v", got)
	}
})

// ScanInTheStoredZone: a scan's decision runs in the venue's zone the
// sync engine stored, though the caller (gate, scan, desk) did not say:
// "already used at" is the venue's hour.
var _ = add("ScanInTheStoredZone", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"))
	if err := db.SaveSyncState(ctx, core.SyncState{TimeZone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	first := Day.Add(5 * time.Minute)
	cp := Checkpoint("A")
	if _, err := db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: cp, Now: first}); err != nil {
		t.Fatal(err)
	}
	v, err := db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: cp, Now: first.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	tokyo := core.LoadZone("Asia/Tokyo")
	msg := core.Speak(words.EN, tokyo).Verdict(&v)
	if want := "Already used at " + core.FormatIn(first, tokyo, "15:04"); v.Reason != core.ReasonAlreadyUsed || !strings.HasPrefix(msg, want+",") {
		t.Fatalf("verdict %s %q, want %q…", v.Reason, msg, want)
	}
	if !strings.HasPrefix(msg, "Already used at "+first.In(tokyo).Format("15:04")) {
		t.Fatalf("not the venue's hour: %q", msg)
	}
})
