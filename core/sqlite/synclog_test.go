package sqlite

import (
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

func TestCalls(t *testing.T) {
	db, _ := openTest(t)
	for i, m := range []string{"exportList", "exportList", "importControlledTicket"} {
		c := core.Call{Method: m, At: day.Add(time.Duration(i) * time.Second), OK: i != 1, Detail: "HTTP 200", Duration: 42 * time.Millisecond}
		if err := db.RecordCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	calls, err := db.CallsSince(ctx, day.Add(time.Second))
	if err != nil || len(calls) != 2 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	if c := calls[0]; c.Method != "exportList" || c.OK || !c.At.Equal(day.Add(time.Second)) || c.Duration != 42*time.Millisecond || c.Detail != "HTTP 200" {
		t.Fatalf("call %+v", c)
	}
	if all, _ := db.CallsSince(ctx, time.Time{}); len(all) != 3 {
		t.Fatalf("all calls %d", len(all))
	}
}

func TestSyncState(t *testing.T) {
	db, path := openTest(t)
	if s, err := db.SyncState(ctx); err != nil || s != (core.SyncState{}) {
		t.Fatalf("fresh state %+v %v", s, err)
	}
	want := core.SyncState{LastCycle: day, LastExportOK: day.Add(time.Second), LastUploadOK: day.Add(2 * time.Second),
		LastError: "HTTP 509", LastErrorAt: day.Add(3 * time.Second), ExportComplete: true,
		TimeZone: "Europe/Zurich", TimeZoneAt: day.Add(4 * time.Second)}
	if err := db.SaveSyncState(ctx, want); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.SyncState(ctx)
	if err != nil || !got.LastCycle.Equal(want.LastCycle) || !got.LastUploadOK.Equal(want.LastUploadOK) ||
		got.LastError != want.LastError || !got.ExportComplete || !got.LastSuccess().Equal(want.LastUploadOK) ||
		got.TimeZone != "Europe/Zurich" || !got.TimeZoneAt.Equal(want.TimeZoneAt) || got.Zone() == nil {
		t.Fatalf("state %+v %v", got, err)
	}
	if err := db.SaveSyncState(ctx, core.SyncState{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SyncState(ctx); got != (core.SyncState{}) {
		t.Fatalf("cleared state %+v", got)
	}
}

// TestScanInTheStoredZone: a scan's decision runs in the venue's zone the
// sync engine stored, though the caller (gate, scan, desk) did not say:
// "already used at" is the venue's hour.
func TestScanInTheStoredZone(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"))
	if err := db.SaveSyncState(ctx, core.SyncState{TimeZone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	first := day.Add(5 * time.Minute)
	cp := checkpoint("A")
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
}
