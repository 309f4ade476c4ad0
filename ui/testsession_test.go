package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"s360gate/core"
	"s360gate/core/sqlite"
	"s360gate/core/testsession"
)

// uploadingSyncer is an engine whose cycle uploads: every pending control
// is marked uploaded, as S-360's acknowledgement would.
type uploadingSyncer struct {
	fakeSyncer
	db *sqlite.DB
}

func (u *uploadingSyncer) SyncNow(ctx context.Context) error {
	u.fakeSyncer.SyncNow(ctx)
	pend, err := u.db.PendingControls(ctx, 0)
	if err != nil {
		return err
	}
	ids := make([]string, len(pend))
	for i, c := range pend {
		ids[i] = c.ID
	}
	return u.db.MarkUploaded(ctx, ids, testNow)
}

// TestTestSessionScreen: the IT person scans test tickets with the
// outcome the institution expects, finishes, and gets the report: the
// station's verdicts, PASS/FAIL, what S-360 recorded, the files saved.
func TestTestSessionScreen(t *testing.T) {
	h := newHarness(t)
	db := seedDB(t)
	if err := db.SaveSyncState(context.Background(), core.SyncState{LastExportOK: testNow.Add(-time.Minute)}); err != nil {
		t.Fatal(err) // a fresh list: controls are OK, not OFFLINE_OK
	}
	eng := &uploadingSyncer{db: db}
	// S-360 lists a control at testNow (our scan of Grace's ticket) and
	// the earlier admission of Ada's.
	r := &fakeRemote{ticket: core.RemoteTicket{Ticket: core.Ticket{Barcode: bcGrace, State: core.StateValid},
		Operations: []core.RemoteOperation{{Result: "OK", At: testNow}}}}
	st := testSettings()
	st.Station, st.Gate = "GATE_A_IT", "A"
	dir := t.TempDir()
	d := Deps{Store: db, Engine: eng, Remote: func() core.Remote { return r }, Settings: func() core.Settings { return st },
		Now: func() time.Time { return testNow }, DataDir: dir}
	var s *TestSessionScreen
	h.ui(func() { s = NewTestSessionScreen(h.w, d) })
	h.show(s.Object())
	if !strings.Contains(h.text(func() string { return s.intro.Text }), "Environment sim, station GATE_A_IT at gate A") {
		t.Errorf("intro %q", s.intro.Text)
	}
	scan := func(code, expect string) {
		h.ui(func() {
			s.expect.SetSelected(expect)
			test.Type(s.entry, code)
			s.entry.TypedKey(&fyneKeyReturn)
		})
	}
	scan(bcGrace, "ADMIT")
	h.eventually("first line", func() bool { return len(s.rows) == 1 })
	scan("T26-00012", "ADMIT") // Ada's, by taxNumber: already used
	scan("NO-SUCH-CARD ", tsNoExpectation())
	h.eventually("three lines", func() bool { return len(s.rows) == 3 })
	h.ui(func() {
		if r := s.rows[0]; r.Outcome != core.Admit || r.Match != testsession.Pass {
			t.Errorf("line 1 %+v", r)
		}
		if r := s.rows[1]; r.Reason != core.ReasonAlreadyUsed || r.Match != testsession.Fail || r.Barcode != bcAda {
			t.Errorf("line 2 %+v", r)
		}
		if !s.finish.Visible() || s.finish.Disabled() {
			t.Error("Finish not offered")
		}
	})

	h.ui(func() { test.Tap(s.finish) })
	h.eventually("the report", func() bool { return s.finished })
	h.ui(func() {
		out := s.status.Text
		for _, want := range []string{"Uploaded at ", "3 tickets: 1 PASS, 1 FAIL, 1 without an expected outcome", "Report saved: " + filepath.Join(dir, testsession.DirName)} {
			if !strings.Contains(out, want) {
				t.Errorf("status %q lacks %q", out, want)
			}
		}
		if got := tsColumns[6].cell(&s.rows[0]); got != testsession.RecordedYes {
			t.Errorf("Grace's control at S-360: %q", got)
		}
		if got := tsColumns[6].cell(&s.rows[2]); got != testsession.RecordedNotSent {
			t.Errorf("unknown card: %q", got)
		}
		if got := tsColumns[5].cell(&s.rows[0]); got != "VALID: OK" {
			t.Errorf("S-360 column %q", got)
		}
		if !s.open.Visible() || !s.again.Visible() || !s.entry.Disabled() {
			t.Error("after finishing: Open the report and New session, and no more scans")
		}
	})
	if files, _ := filepath.Glob(filepath.Join(dir, testsession.DirName, "testsession-sim-GATE_A_IT-*")); len(files) != 2 {
		t.Errorf("report files %v", files)
	} else if b, _ := os.ReadFile(files[1]); !strings.Contains(string(b), "GATE_A_IT") {
		t.Errorf("the page does not name the station")
	}
	h.ui(func() { test.Tap(s.again) })
	h.ui(func() {
		if len(s.rows) != 0 || s.entry.Disabled() || s.open.Visible() {
			t.Error("New session did not clear the window")
		}
	})
}

// TestStatusNamesTheZone: the Sync tab says whose clock the station
// shows, and the screens show the venue's times once S-360 named its zone.
func TestStatusNamesTheZone(t *testing.T) {
	t.Cleanup(func() { setVenueZone("") })
	eng := &fakeSyncer{status: core.SyncStatus{Environment: core.EnvProduction}}
	h, s := newTestStatus(t, eng)
	h.eventually("no zone yet", func() bool { return strings.HasPrefix(s.zone.Text, "Not known yet: times, event day") })
	tokyo := core.LoadZone("Asia/Tokyo")
	eng.publish(core.SyncStatus{Environment: core.EnvProduction, TimeZone: "Asia/Tokyo", LastExportOK: testNow.Add(-time.Minute)})
	h.eventually("the zone", func() bool { return strings.HasPrefix(s.zone.Text, "Asia/Tokyo (JST), the institution's, from S-360") })
	if venueZone() != tokyo {
		t.Fatal("the screens' zone is not the venue's")
	}
	want := testNow.Add(-time.Minute).In(tokyo).Format("15:04:05")
	if !core.LaptopShows(tokyo, testNow) {
		want += " JST"
		if !strings.Contains(s.zone.Text, "this computer is set to") {
			t.Errorf("zone words %q", s.zone.Text)
		}
	}
	h.eventually("venue time", func() bool { return strings.HasPrefix(s.lastExport.Text, want) })
}

// TestTestSessionKeyboard: the test session's window has the gate's
// keyboard. A test ticket scanned while the expectation menu is open, or
// while the field holds half a hand-typed number, is recorded whole with
// the expectation chosen before it; the hand-typed text stays in the field
// and is never glued onto the scan.
func TestTestSessionKeyboard(t *testing.T) {
	h := newHarness(t)
	db := seedDB(t)
	st := testSettings()
	d := Deps{Store: db, Engine: &uploadingSyncer{db: db}, Settings: func() core.Settings { return st },
		Now: func() time.Time { return testNow }, DataDir: t.TempDir()}
	var s *TestSessionScreen
	keyTime := testNow
	h.ui(func() {
		s = NewTestSessionScreen(h.w, d)
		h.w.SetContent(withCatcher(s.Object()))
		s.attachKeyboard(func(f func()) { f() })
		s.keys.capture.clock = func() time.Time { return keyTime }
		s.keys.capture.schedule = func(time.Duration) {}
	})
	t.Cleanup(func() { h.ui(s.keys.close) })
	// advance lets d pass on the capture's clock, firing its timer on time.
	advance := func(d time.Duration) {
		end := keyTime.Add(d)
		for due := s.keys.capture.asm.Deadline(); !due.IsZero() && !due.After(end); due = s.keys.capture.asm.Deadline() {
			keyTime = due
			s.keys.capture.fire()
		}
		keyTime = end
	}
	typeKeys := func(text string, gap time.Duration) {
		c := h.w.Canvas()
		for _, r := range text {
			advance(gap)
			if fo := c.Focused(); fo != nil {
				fo.TypedRune(r)
			} else {
				c.OnTypedRune()(r)
			}
		}
	}
	press := func(name fyne.KeyName, gap time.Duration) {
		advance(gap)
		c := h.w.Canvas()
		if fo := c.Focused(); fo != nil {
			fo.TypedKey(&fyne.KeyEvent{Name: name})
		} else {
			c.OnTypedKey()(&fyne.KeyEvent{Name: name})
		}
	}
	scan := func(code string) {
		advance(time.Second) // a scanner's burst starts after a pause
		typeKeys(code, scanKeyGap)
		press(fyne.KeyReturn, scanKeyGap)
		advance(time.Second)
	}

	h.ui(func() {
		s.expect.SetSelected("ADMIT")
		s.expect.open() // the menu is open when the scanner fires
		scan(bcGrace)
		if s.w.Canvas().Overlays().Top() != nil {
			t.Error("the expectation menu stayed open over the scan")
		}
	})
	h.eventually("the scan", func() bool { return len(s.rows) == 1 })
	h.ui(func() {
		if r := s.rows[0]; r.Scanned != bcGrace || r.Expected != "ADMIT" || r.Outcome != core.Admit {
			t.Errorf("scanned with the menu open: %+v", r)
		}
		h.w.Canvas().Focus(s.entry)
		typeKeys("T26-00", handKeyGap)
		advance(time.Second)
		scan(bcAda)
	})
	h.eventually("the second scan", func() bool { return len(s.rows) == 2 })
	h.ui(func() {
		if r := s.rows[1]; r.Scanned != bcAda {
			t.Errorf("second scan recorded as %q, want %q alone", r.Scanned, bcAda)
		}
		if s.entry.Text != "T26-00" {
			t.Errorf("the hand-typed text became %q", s.entry.Text)
		}
	})
}
