package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The scanner always wins: whatever has the focus, a scan is a scan, and
// its keys never land in a field. These run the real main window; keys are
// timed on the capture's clock (gate_harness_test.go).

func TestScanWhileASettingsFieldHasTheFocus(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.SelectIndex(3)
		st.operator.SetText("")
		f.typeInto(st.operator, "gate") // a person's edit: it stays
	})
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Fatalf("scan from the Operator field gave %q", word)
	}
	f.ui(func() {
		if st.operator.Text != "gate" {
			t.Errorf("Operator field %q: the scan reached it", st.operator.Text)
		}
		if f.m.tabs.Selected() != f.m.gateTab {
			t.Error("the gate was not brought to the front")
		}
		if f.w.Canvas().Focused() != nil {
			t.Errorf("%T still has the focus on a hidden tab", f.w.Canvas().Focused())
		}
	})
	if cs := gateControls(t, f); len(cs) != 1 || cs[0].Barcode != gcValid {
		t.Errorf("recorded %+v", cs)
	}
}

// A scan while the override dialog is open, into its reason field: the
// dialog goes (nothing overridden), the scan is recorded and shown.
func TestScanWhileTheOverrideDialogIsOpen(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	f.deniedThenOverride("re-iss")
	f.scan(gcChild)
	if word, _, _ := f.shown(); word != "ADMIT — CHECK" {
		t.Fatalf("scan in the override dialog gave %q", word)
	}
	f.ui(func() {
		if f.w.Canvas().Overlays().Top() != nil {
			t.Error("the dialog still hides the verdict")
		}
	})
	cs := gateControls(t, f)
	if len(cs) != 2 || cs[1].Barcode != gcChild || cs[0].Override || cs[1].Override {
		t.Errorf("recorded %+v", cs)
	}
}

// A scan into the PIN field is not a wrong PIN.
func TestScanIntoThePINFieldIsNoWrongPIN(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	f.deniedThenOverride("box office")
	f.ui(func() { f.w.Canvas().Focus(f.m.gate.dialog.pin) })
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Fatalf("scan in the PIN field gave %q", word)
	}
	f.ui(func() {
		if f.m.pins.fails != 0 {
			t.Errorf("%d wrong PINs counted", f.m.pins.fails)
		}
	})

	// The Settings PIN field likewise: no Save, no "Wrong PIN".
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.SelectIndex(3)
		f.w.Canvas().Focus(st.pinAuth)
	})
	f.scan(gcChild)
	f.ui(func() {
		if st.pinAuth.Text != "" || st.errs["pin"].Visible() || f.m.pins.fails != 0 || st.saving {
			t.Errorf("PIN field %q, error %q, fails %d", st.pinAuth.Text, st.errs["pin"].Text, f.m.pins.fails)
		}
	})
	if f.cfg.saves != 0 {
		t.Error("the scan saved the settings")
	}
}

// With the terminator left at Enter, a scanner ending with Tab: each scan
// is its own, none merged, none dropped.
func TestTabEndedScanThenEnterEndedScan(t *testing.T) {
	f := newGateFixture(t)
	f.waitShown(func() { f.scanKeys(gcValid, fyne.KeyTab) })
	f.ui(func() { f.advanceKeys(time.Second) })
	f.waitShown(func() { f.scanKeys(gcChild, fyne.KeyReturn) })
	cs := gateControls(t, f)
	if len(cs) != 2 || cs[0].Barcode != gcValid || cs[1].Barcode != gcChild {
		t.Fatalf("recorded %+v", cs)
	}
	if word, _, _ := f.shown(); word != "ADMIT — CHECK" {
		t.Errorf("second scan shown as %q", word)
	}
}

// Hand typing goes into the manual field (where it can be seen) and stays
// there; the scan that follows is a scan of its own.
func TestHandTypingThenAScan(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		f.handType("T26-00")
		if f.m.gate.entry.Text != "T26-00" || f.w.Canvas().Focused() != fyne.Focusable(f.m.gate.entry) {
			t.Errorf("manual field %q, focus %T", f.m.gate.entry.Text, f.w.Canvas().Focused())
		}
	})
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Fatalf("scan after hand typing gave %q", word)
	}
	f.ui(func() {
		if f.m.gate.entry.Text != "T26-00" {
			t.Errorf("manual field %q after the scan", f.m.gate.entry.Text)
		}
	})
	if cs := gateControls(t, f); len(cs) != 1 || cs[0].Scanned != gcValid {
		t.Errorf("recorded %+v", cs)
	}
}

// A scanner that never ends its code: SCAN NOT READ, nothing recorded, and
// the next scan is whole.
func TestUnterminatedScanIsNotRead(t *testing.T) {
	f := newGateFixture(t)
	f.waitShown(func() {
		f.typeKeys(gcValid[:12], scanKeyGap)
		f.settleKeys()
	})
	word, _, msg := f.shown()
	if word != "SCAN NOT READ" || !strings.Contains(msg, "terminator") {
		t.Fatalf("%q %q", word, msg)
	}
	f.scan(gcValid)
	if cs := gateControls(t, f); len(cs) != 1 || cs[0].Barcode != gcValid {
		t.Errorf("recorded %+v", cs)
	}
	f.ui(func() {
		if f.m.gate.entry.Text != "" {
			t.Errorf("manual field %q", f.m.gate.entry.Text)
		}
	})
}

// The desk's search-mode menu open: the scan is looked up at the desk.
func TestScanWhileTheDeskMenuIsOpen(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		f.m.tabs.Select(f.m.deskTab)
		test.Tap(f.m.desk.mode)
		if f.w.Canvas().Overlays().Top() == nil {
			t.Fatal("the menu did not open")
		}
		f.scanKeys(gcCancelled, fyne.KeyReturn)
		if f.w.Canvas().Overlays().Top() != nil {
			t.Error("the menu is still open")
		}
		if f.m.desk.query.Text != gcCancelled {
			t.Errorf("desk query %q", f.m.desk.query.Text)
		}
	})
	f.eventually("the desk's answer", func() bool { return f.m.desk.detail.showing })
	if n := len(gateControls(t, f)); n != 0 {
		t.Errorf("a desk scan recorded %d controls", n)
	}
}

// A person's Tab moves among the form's fields, never onto a button (a
// scan would vanish into it).
func TestTabMovesAmongFieldsOnly(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.SelectIndex(3)
		f.w.Canvas().Focus(st.partner)
		f.pressKey(fyne.KeyTab, handKeyGap)
		f.settleKeys()
		if got := f.w.Canvas().Focused(); got != fyne.Focusable(st.password) {
			t.Errorf("Tab from Partner went to %T", got)
		}
		f.pressKey(fyne.KeyTab, handKeyGap) // past Test connection, a button
		f.settleKeys()
		if got := f.w.Canvas().Focused(); got != fyne.Focusable(st.season) {
			t.Errorf("Tab from Password went to %T", got)
		}
	})
}

// Keys typed by hand reach a settings field, in order, and mark it edited.
func TestHandTypingReachesTheFocusedField(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.SelectIndex(3)
		st.station.SetText("")
		f.typeInto(st.station, "GATE_B")
		f.pressKey(fyne.KeyBackspace, handKeyGap)
		f.typeKeys("2", handKeyGap)
		f.settleKeys()
		if st.station.Text != "GATE_2" || !st.Edited() {
			t.Errorf("station %q, edited %v", st.station.Text, st.Edited())
		}
	})
	if n := len(gateControls(t, f)); n != 0 {
		t.Errorf("typing recorded %d controls", n)
	}
}

// A starved system delivers a scan's first keys apart from the rest: they
// went into the manual field as a person's, and are taken back from it
// when the rest is the scanner's. The scan is whole, the field empty.
func TestScanWhoseStartCameAloneIsWhole(t *testing.T) {
	f := newGateFixture(t)
	f.waitShown(func() {
		f.settleKeys()
		f.typeKeys(gcValid[:3], scanKeyGap)
		f.advanceKeys(90 * time.Millisecond) // the rest is late: the start goes to the field
		if f.m.gate.entry.Text != gcValid[:3] {
			t.Fatalf("field %q: the test proves nothing", f.m.gate.entry.Text)
		}
		f.typeKeys(gcValid[3:], scanKeyGap)
		f.pressKey(fyne.KeyReturn, scanKeyGap)
	})
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Fatalf("%q", word)
	}
	f.ui(func() {
		if f.m.gate.entry.Text != "" {
			t.Errorf("field %q", f.m.gate.entry.Text)
		}
	})
	if cs := gateControls(t, f); len(cs) != 1 || cs[0].Scanned != gcValid {
		t.Errorf("recorded %+v", cs)
	}
}

// deniedThenOverride scans a cancelled ticket, opens the override dialog
// and types reason into it by hand.
func (f *gateFixture) deniedThenOverride(reason string) {
	f.t.Helper()
	f.scan(gcCancelled)
	f.ui(func() {
		test.Tap(f.m.gate.overrideBtn)
		f.typeInto(f.m.gate.dialog.formEntry("Reason"), reason)
	})
}
