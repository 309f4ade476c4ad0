package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"s360gate/core"
)

func newTestStatus(t *testing.T, eng *fakeSyncer) (*uiHarness, *StatusScreen) {
	t.Helper()
	h := newHarness(t)
	settings := func() core.Settings {
		s := testSettings()
		s.Environment = core.EnvProduction
		s.EventDate = "2026-12-05" // not today: once an hour
		return s
	}
	d := Deps{Engine: eng, Settings: settings, Now: func() time.Time { return testNow }}
	var s *StatusScreen
	h.ui(func() { s = NewStatusScreen(h.w, d) })
	h.show(s.Object())
	return h, s
}

func TestStatusReflectsPublishedStatus(t *testing.T) {
	eng := &fakeSyncer{status: core.SyncStatus{Environment: core.EnvProduction}}
	h, s := newTestStatus(t, eng)

	rejectedAt := testNow.Add(-20 * time.Minute)
	eng.publish(core.SyncStatus{
		Environment:  core.EnvProduction,
		Online:       true,
		LastExportOK: testNow.Add(-3 * time.Minute),
		LastUploadOK: testNow.Add(-3 * time.Minute),
		NextAllowed:  testNow.Add(55 * time.Minute),
		Tickets:      core.TicketCounts{Valid: 124000, Invalid: 321},
		Pending:      3,
		Rejected: []core.Control{{
			Barcode: "7415628301550254", At: rejectedAt, Station: "GATE_B_2", Gate: "B",
			Upload: core.UploadRejected, UploadDetail: "Failed to import controlledTickets:7415628301550254",
		}},
		LastError:   "S-360 refused the controls of 1 blacklisted ticket",
		LastErrorAt: testNow.Add(-20 * time.Minute),
	})

	h.eventually("pending count", func() bool { return s.pending.Text == "3 controls waiting to be sent" })
	h.ui(func() {
		checks := map[string][2]string{
			"online":      {s.online.Text, "Online"},
			"tickets":     {s.tickets.Text, "124,000 valid · 321 invalid"},
			"last export": {s.lastExport.Text, "(3 min ago)"},
			"next":        {s.next.Text, "14:05, in 55 min (production: at most one sync an hour before event day)"},
			"last error":  {s.lastError.Text, "12:50:00 — S-360 refused"},
			"rejected":    {s.rejTitle.Text, "Controls rejected by S-360: 1"},
		}
		for what, c := range checks {
			if !strings.Contains(c[0], c[1]) {
				t.Errorf("%s = %q, want it to contain %q", what, c[0], c[1])
			}
		}
		if s.demo.Visible() {
			t.Error("DEMO banner shown in production")
		}
		if len(s.rejected) != 1 {
			t.Fatalf("rejected rows = %d", len(s.rejected))
		}
		row := &s.rejected[0]
		if got := statusRejectedCell(row, 0, testNow); got != "7415628301550254" {
			t.Errorf("barcode cell = %q", got)
		}
		if got := statusRejectedCell(row, 2, testNow); got != "GATE_B_2" {
			t.Errorf("station cell = %q", got)
		}
		if got := statusRejectedCell(row, 4, testNow); !strings.Contains(got, "Failed to import controlledTickets") {
			t.Errorf("detail cell = %q", got)
		}
	})

	// Offline and nothing pending.
	eng.publish(core.SyncStatus{Environment: core.EnvSim, Called: true, LastError: "S-360 cannot be reached", LastErrorAt: testNow})
	h.eventually("offline", func() bool { return strings.HasPrefix(s.online.Text, "Offline") })
	h.ui(func() {
		if s.pending.Text != "none: S-360 has every control" {
			t.Errorf("pending = %q", s.pending.Text)
		}
		if !s.demo.Visible() {
			t.Error("no DEMO banner on the simulator")
		}
		if s.lastExport.Text != "never" {
			t.Errorf("last export = %q", s.lastExport.Text)
		}
	})
}

func TestStatusSyncNowRefusedByPolicy(t *testing.T) {
	next := time.Date(2026, 11, 27, 14, 5, 0, 0, time.Local)
	eng := &fakeSyncer{
		status:  core.SyncStatus{Environment: core.EnvProduction, Online: true},
		syncErr: &core.PolicyRefusal{Next: next, Env: core.EnvProduction},
	}
	h, s := newTestStatus(t, eng)
	h.ui(func() { test.Tap(s.syncBtn) })
	want := "Not allowed before 14:05 (production: at most one sync an hour before event day)"
	h.eventually("refusal message", func() bool { return s.syncMsg.Text == want })
	h.ui(func() {
		if s.syncBtn.Disabled() {
			t.Error("Sync now stays disabled after a refusal")
		}
	})
	if eng.syncCalls != 1 {
		t.Errorf("SyncNow called %d times", eng.syncCalls)
	}

	// A failure is said in plain words.
	eng.mu.Lock()
	eng.syncErr = core.Wrap(core.EUnavailable, errors.New("dial tcp"), "S-360 cannot be reached")
	eng.mu.Unlock()
	h.ui(func() { test.Tap(s.syncBtn) })
	h.eventually("failure message", func() bool { return s.syncMsg.Text == "Sync failed: S-360 cannot be reached" })
}

func TestStatusRunningExportShowsProgressAndDisablesSync(t *testing.T) {
	eng := &fakeSyncer{status: core.SyncStatus{Environment: core.EnvSandbox}}
	h, s := newTestStatus(t, eng)
	eng.publish(core.SyncStatus{Environment: core.EnvSandbox, Running: true, Phase: "export", Received: 124000})
	h.eventually("progress", func() bool { return s.progMsg.Text == "Receiving tickets… 124,000 so far" })
	// A first export waiting for the request budget says so, and what it
	// allows; "Next call allowed" is not "now" then.
	eng.publish(core.SyncStatus{Environment: core.EnvSandbox, Running: true, Phase: "export", Called: true, Online: true,
		Received: 240000, Pages: 24, PageSize: 10000, Budget: 50,
		ExportStart: testNow.Add(-2 * time.Minute), BudgetWait: testNow.Add(25 * time.Second)})
	want := "Receiving tickets… 240,000 so far in 24 pages · S-360 allows 50 requests a minute: at most about 500,000 tickets a minute · about 120,000 a minute so far · waiting for the request limit until 13:10:25"
	h.eventually("budget progress", func() bool { return s.progMsg.Text == want })
	h.ui(func() {
		if !strings.HasPrefix(s.next.Text, "13:10:25, in 25 s — the export waits for S-360's request limit (50 a minute)") {
			t.Errorf("next call allowed %q", s.next.Text)
		}
	})
	h.ui(func() {
		if !s.syncBtn.Disabled() {
			t.Error("Sync now enabled while a cycle runs")
		}
		if !s.progress.Visible() || !s.progMsg.Visible() {
			t.Error("progress not shown")
		}
	})
	eng.publish(core.SyncStatus{Environment: core.EnvSandbox})
	h.eventually("done", func() bool { return !s.syncBtn.Disabled() && !s.progress.Visible() })
}

func TestStatusUnsubscribes(t *testing.T) {
	eng := &fakeSyncer{}
	h, s := newTestStatus(t, eng)
	if eng.subscribers() != 1 {
		t.Fatalf("subscribers = %d", eng.subscribers())
	}
	// Closing the window: the next status ends the subscription, without
	// taking over the window's OnClosed (app.go's).
	h.ui(func() { h.w.Close() })
	eng.publish(core.SyncStatus{Pending: 9})
	if n := eng.subscribers(); n != 0 {
		t.Errorf("still %d subscribers after the window closed", n)
	}
	h.ui(func() {
		if strings.Contains(s.pending.Text, "9") {
			t.Error("a closed screen was updated")
		}
	})
	s.Close() // idempotent
	if eng.cancelled != 1 {
		t.Errorf("cancelled %d times", eng.cancelled)
	}
}
