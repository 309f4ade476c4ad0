package sqlite

import (
	"testing"
	"time"

	"s360gate/core"
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
		LastError: "HTTP 509", LastErrorAt: day.Add(3 * time.Second), ExportComplete: true}
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
		got.LastError != want.LastError || !got.ExportComplete || !got.LastSuccess().Equal(want.LastUploadOK) {
		t.Fatalf("state %+v %v", got, err)
	}
	if err := db.SaveSyncState(ctx, core.SyncState{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SyncState(ctx); got != (core.SyncState{}) {
		t.Fatalf("cleared state %+v", got)
	}
}
