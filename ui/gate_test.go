package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"s360gate/core"
)

func gateControls(t *testing.T, f *gateFixture) []core.Control {
	t.Helper()
	var out []core.Control
	err := f.db.Controls(context.Background(), core.ControlFilter{}, func(c core.Control) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGateAdmitThenAlreadyUsed(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		if got := f.w.Title(); got != "s360gate — GATE_A_LAPTOP1" {
			t.Errorf("title %q", got)
		}
	})

	f.scan(gcValid)
	word, sub, msg := f.shown()
	if word != "ADMIT" || f.kind() != kindAdmit || msg != "Valid ticket" || !strings.HasPrefix(sub, "Let in") {
		t.Fatalf("first scan: %q / %q / %q", word, sub, msg)
	}
	if got := f.factText("Seat"); got != "Sector B · Block 12 · Row 7 · Seat 31" {
		t.Errorf("seat %q", got)
	}
	if got := f.factText("Tax no."); got != "T26-00031" {
		t.Errorf("taxNumber %q", got)
	}
	if got := f.factText("Barcode"); got != "…000001" {
		t.Errorf("barcode tail %q", got)
	}
	if f.sound.last() != soundAdmit {
		t.Errorf("sound %v, want admit", f.sound.last())
	}

	f.scan(gcValid)
	word, _, msg = f.shown()
	if word != "DENY" || f.kind() != kindDeny {
		t.Fatalf("second scan: %q", word)
	}
	if want := "Already used at 19:05, gate A, GATE_A_LAPTOP1"; msg != want {
		t.Errorf("reason %q, want %q", msg, want)
	}
	if f.sound.last() != soundDeny {
		t.Errorf("sound %v, want deny", f.sound.last())
	}
	f.ui(func() {
		if !f.m.gate.overrideBtn.Visible() {
			t.Error("Override… is not offered on a DENY")
		}
	})
	if n := len(gateControls(t, f)); n != 2 {
		t.Errorf("%d controls recorded, want 2", n)
	}
}

func TestGateChildTariffIsAmberWithAgeCheck(t *testing.T) {
	f := newGateFixture(t)
	f.scan(gcChild)
	word, sub, _ := f.shown()
	if word != "ADMIT — CHECK" || f.kind() != kindCheck || !strings.HasPrefix(sub, "Check first") {
		t.Fatalf("child: %q / %q", word, sub)
	}
	prompts := strings.Join(f.promptTexts(), "\n")
	if !strings.Contains(prompts, "AGE CHECK: under 16 — CHILD tariff — born 2014-05-02, 12 years") {
		t.Errorf("prompts:\n%s", prompts)
	}
	if got := f.factText("Holder"); got != "Mia Keller, born 2014-05-02" {
		t.Errorf("holder %q", got)
	}
	if f.sound.last() != soundAttention {
		t.Errorf("sound %v, want attention", f.sound.last())
	}
}

func TestGateHideHolderKeepsIdentityOffTheGate(t *testing.T) {
	f := newGateFixture(t, func(_ *Deps, c *gateConfig) { c.s.HideHolder = true })
	f.scan(gcChild)
	if got := f.factText("Holder"); got != "" {
		t.Errorf("holder shown although hidden: %q", got)
	}
	for _, p := range f.promptTexts() {
		if strings.Contains(p, "Keller") {
			t.Errorf("holder name in a prompt: %q", p)
		}
	}
	if word, _, _ := f.shown(); word != "ADMIT — CHECK" {
		t.Errorf("the age check must stay: %q", word)
	}
}

func TestGateDenials(t *testing.T) {
	f := newGateFixture(t)
	for _, c := range []struct{ code, msg string }{
		{gcUnknown, "Unknown ticket — not in this event's list"},
		{gcCancelled, "Cancelled — refund requested"},
		{gcWrongGate, "Wrong entrance — use gate N3"},
	} {
		f.scan(c.code)
		if word, _, msg := f.shown(); word != "DENY" || msg != c.msg {
			t.Errorf("%s: %q %q, want DENY %q", c.code, word, msg, c.msg)
		}
	}
}

func TestGateScanErrorIsNotRecordedNeverAdmit(t *testing.T) {
	f := newGateFixture(t, withFailingStore)
	f.scan(gcValid)
	word, sub, msg := f.shown()
	if word != "NOT RECORDED" || f.kind() != kindError || !strings.HasPrefix(sub, "Try again") {
		t.Fatalf("error shown as %q / %q", word, sub)
	}
	if msg != "The scan could not be saved: the disk is full or failing" {
		t.Errorf("message %q", msg)
	}
	f.ui(func() {
		if f.m.gate.counters.admitted != 0 || f.m.gate.overrideBtn.Visible() {
			t.Error("an unrecorded scan counted or offered an override")
		}
		if e := f.m.gate.feed.ring.Newest(0); e.Word != "NOT RECORDED" || e.Scan {
			t.Errorf("feed line %+v", e)
		}
	})
	if f.sound.last() != soundDeny {
		t.Errorf("sound %v, want the deny buzz", f.sound.last())
	}
}

func TestGateUnreadableScanIsAmberAndRecordsNothing(t *testing.T) {
	f := newGateFixture(t)
	f.scan("12")
	word, _, msg := f.shown()
	if word != "SCAN NOT READ" || f.kind() != kindUnread || !strings.Contains(msg, "too short") {
		t.Fatalf("%q %q", word, msg)
	}
	if n := len(gateControls(t, f)); n != 0 {
		t.Errorf("%d controls recorded for an unread scan", n)
	}
}

// The scanner needs no click: nothing is focused, keys reach the window.
func TestGateWindowCaptureWithoutFocus(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		if f.w.Canvas().Focused() != nil {
			t.Fatalf("%T has the focus at start", f.w.Canvas().Focused())
		}
	})
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Fatalf("window-level scan gave %q", word)
	}
	f.ui(func() {
		if f.w.Canvas().Focused() != nil {
			t.Errorf("%T took the focus", f.w.Canvas().Focused())
		}
		if !strings.Contains(f.m.gate.readyText.Text, "Scanner ready") {
			t.Errorf("ready line %q", f.m.gate.readyText.Text)
		}
	})
}

// Enter in the manual field submits, and the keyboard goes back to the
// window for the next scan.
func TestGateManualEntry(t *testing.T) {
	f := newGateFixture(t)
	f.waitShown(func() {
		f.typeInto(f.m.gate.entry, " "+gcChild+" ")
		f.pressKey(fyne.KeyReturn, handKeyGap)
		f.settleKeys()
	})
	if word, _, _ := f.shown(); word != "ADMIT — CHECK" {
		t.Fatalf("manual entry gave %q", word)
	}
	f.ui(func() {
		if f.m.gate.entry.Text != "" || f.w.Canvas().Focused() != nil {
			t.Errorf("field %q, focus %T: the next scan would land in the field", f.m.gate.entry.Text, f.w.Canvas().Focused())
		}
	})
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Errorf("scan after manual entry gave %q", word)
	}
}

// Terminator, prefix and suffix come from the settings.
func TestGateScannerSetupFromSettings(t *testing.T) {
	f := newGateFixture(t, func(_ *Deps, c *gateConfig) {
		c.s.ScannerTerminator, c.s.ScannerPrefix, c.s.ScannerSuffix = "tab", "#", "$"
	})
	f.waitShown(func() { f.scanKeys("#"+gcValid+"$", fyne.KeyTab) })
	if word, _, msg := f.shown(); word != "ADMIT" {
		t.Fatalf("prefixed, Tab-terminated scan gave %q %q", word, msg)
	}
	if got := f.factText("Barcode"); got != "…000001" {
		t.Errorf("prefix/suffix not stripped: %q", got)
	}
}

func TestGateOverrideNeedsReasonAndPIN(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	f.scan(gcValid)
	f.scan(gcValid)
	f.ui(func() { test.Tap(f.m.gate.overrideBtn) })

	var admit fyne.Tappable
	f.ui(func() {
		b := findButton(f.w.Canvas(), "Admit")
		if b == nil {
			t.Fatal("no Admit button in the override dialog")
		}
		admit = b
		if !b.Disabled() {
			t.Error("Admit is enabled without a reason and PIN")
		}
		test.Tap(b)
	})
	if n := len(gateControls(t, f)); n != 2 {
		t.Fatalf("%d controls after tapping a disabled Admit", n)
	}

	// A reason and a wrong PIN: refused, plainly, nothing recorded.
	f.ui(func() {
		sd := f.m.gate.dialog
		f.typeInto(sd.formEntry("Reason"), "re-issued at the box office")
		f.typeInto(sd.pin, "1111")
		test.Tap(admit)
		if !sd.note.Visible() || sd.note.Text != "Wrong PIN — nothing was changed. Try again." {
			t.Errorf("wrong PIN note %q (visible %v)", sd.note.Text, sd.note.Visible())
		}
		if f.w.Canvas().Overlays().Top() == nil {
			t.Error("the dialog closed on a wrong PIN")
		}
	})
	if n := len(gateControls(t, f)); n != 2 {
		t.Fatalf("a wrong PIN recorded something: %d controls", n)
	}

	// The right PIN: the new ADMIT is shown and recorded.
	f.waitShown(func() {
		f.typeInto(f.m.gate.dialog.pin, "4711")
		test.Tap(admit)
	})
	word, sub, msg := f.shown()
	if word != "ADMIT" || !strings.HasPrefix(sub, "Supervisor override") || !strings.Contains(msg, "re-issued at the box office") {
		t.Fatalf("after override: %q / %q / %q", word, sub, msg)
	}
	cs := gateControls(t, f)
	if len(cs) != 3 {
		t.Fatalf("%d controls, want 3", len(cs))
	}
	var over *core.Control
	for i := range cs {
		if cs[i].Override {
			over = &cs[i]
		}
	}
	if over == nil || over.OverrideReason != "re-issued at the box office" {
		t.Errorf("override control %+v", over)
	}
	f.ui(func() {
		if e := f.m.gate.feed.ring.Newest(0); e.Word != "OVERRIDE" || e.Scan {
			t.Errorf("feed line %+v", e)
		}
		if f.m.gate.counters.admitted != 2 || f.m.gate.overrideBtn.Visible() {
			t.Errorf("admitted %d, override still offered %v", f.m.gate.counters.admitted, f.m.gate.overrideBtn.Visible())
		}
	})
}

func TestGateOverrideWithoutPINSaysSo(t *testing.T) {
	f := newGateFixture(t)
	f.scan(gcCancelled)
	f.ui(func() { test.Tap(f.m.gate.overrideBtn) })
	f.ui(func() {
		sd := f.m.gate.dialog
		if sd.pin != nil {
			t.Fatal("a PIN is asked although none is set")
		}
		if !sd.hasText("No supervisor PIN is set") {
			t.Error("no hint to set a PIN")
		}
	})
	f.waitShown(func() {
		f.typeInto(f.m.gate.dialog.formEntry("Reason"), "refund cancelled by phone")
		test.Tap(findButton(f.w.Canvas(), "Admit"))
	})
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Errorf("override without PIN gave %q", word)
	}
}

func TestGateDemoTicketScansLikeAScanner(t *testing.T) {
	f := newGateFixture(t, withDemo)
	f.ui(func() {
		if !f.m.top.demo.Visible() {
			t.Error("no DEMO banner with demo tickets")
		}
	})
	// The whole card is clickable: a click on its note scans it too.
	f.waitShown(func() {
		card := findDemoCard(f.w.Canvas(), "Scan: Child")
		if card == nil {
			t.Fatal("no demo card")
		}
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(card)
		test.TapCanvas(f.w.Canvas(), at.AddXY(card.Size().Width/2, card.Size().Height-8))
	})
	if word, _, _ := f.shown(); word != "ADMIT — CHECK" {
		t.Errorf("demo child gave %q", word)
	}
	cs := gateControls(t, f)
	if len(cs) != 1 || cs[0].Barcode != gcChild {
		t.Errorf("demo scan recorded %+v", cs)
	}
}

func TestGateFeedAndCounters(t *testing.T) {
	f := newGateFixture(t)
	for _, c := range []string{gcValid, gcValid, gcUnknown, gcChild} {
		f.scan(c)
	}
	f.ui(func() {
		r := f.m.gate.feed.ring
		var words []string
		for i := 0; i < r.Len(); i++ {
			words = append(words, r.Newest(i).Word)
		}
		if got := strings.Join(words, ","); got != "CHECK,DENY,DENY,ADMIT" {
			t.Errorf("feed newest first: %s", got)
		}
		if r.Newest(1).Text != "Unknown ticket — not in this event's list" || r.Newest(1).Tail != "…999999" {
			t.Errorf("feed line %+v", r.Newest(1))
		}
		if f.m.gate.feed.list.Length() != 4 {
			t.Errorf("list shows %d rows", f.m.gate.feed.list.Length())
		}
		c := f.m.gate.counters
		if c.admittedText.Text != "2" || c.deniedText.Text != "2" || c.rateText.Text != "4" {
			t.Errorf("counters %s admitted, %s denied, %s/min", c.admittedText.Text, c.deniedText.Text, c.rateText.Text)
		}
		if c.reasons.Text != "Unknown ticket 1 · Already used 1" {
			t.Errorf("reasons %q", c.reasons.Text)
		}
	})
}

func TestGateLoadsRecentScansAtStart(t *testing.T) {
	f := newGateFixture(t, func(d *Deps, c *gateConfig) {
		for _, code := range []string{gcValid, gcCancelled} {
			req := core.ScanRequest{Code: code, Checkpoint: c.s.Checkpoint(), Now: gateNow.Add(-30 * time.Minute)}
			if _, err := d.Store.Scan(context.Background(), req); err != nil {
				panic(err)
			}
		}
	})
	f.ui(func() {
		r := f.m.gate.feed.ring
		if r.Len() != 2 || r.Newest(0).Word != "DENY" || r.Newest(1).Word != "ADMIT" {
			t.Errorf("feed at start: %d lines, newest %+v", r.Len(), r.Newest(0))
		}
		c := f.m.gate.counters
		if c.admittedText.Text != "1" || c.deniedText.Text != "1" || c.rateText.Text != "0" {
			t.Errorf("counters at start %s/%s/%s", c.admittedText.Text, c.deniedText.Text, c.rateText.Text)
		}
	})
}

// Scans on the dispute desk are look-ups: no control, no verdict.
func TestGateScanOnDeskTabGoesToTheDesk(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		f.m.tabs.Select(f.m.deskTab)
		f.scanKeys(gcCancelled, fyne.KeyReturn)
		if f.m.desk.query.Text != gcCancelled {
			t.Errorf("desk query %q", f.m.desk.query.Text)
		}
	})
	if n := len(gateControls(t, f)); n != 0 {
		t.Errorf("a desk scan recorded %d controls", n)
	}
	// On another tab the gate takes the scan and comes to the front.
	f.ui(func() { f.m.tabs.SelectIndex(3) })
	f.scan(gcValid)
	f.ui(func() {
		if f.m.tabs.Selected() != f.m.gateTab {
			t.Error("the gate tab was not brought to the front")
		}
	})
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Errorf("scan from Settings tab gave %q", word)
	}
}

func TestGateDirectionSwitchBehindPIN(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	f.ui(func() {
		if f.m.top.dir.Text != "ENTRY · IN" {
			t.Errorf("direction badge %q", f.m.top.dir.Text)
		}
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		sd := f.m.gate.dialog
		f.typeInto(sd.pin, "0000")
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		if sd.note.Text != "Wrong PIN — nothing was changed. Try again." {
			t.Errorf("wrong PIN: %q", sd.note.Text)
		}
	})
	if f.cfg.get().Direction != core.DirectionIn {
		t.Fatal("a wrong PIN changed the direction")
	}
	f.ui(func() {
		f.typeInto(f.m.gate.dialog.pin, "4711")
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
	})
	if f.cfg.get().Direction != core.DirectionOut {
		t.Fatal("direction not saved")
	}
	f.ui(func() {
		if f.m.top.dir.Text != "EXIT · OUT" || f.m.gate.panel.word != "EXIT" || f.m.gate.direction.Text != "Switch to ENTRY…" {
			t.Errorf("after the switch: badge %q, panel %q, button %q", f.m.top.dir.Text, f.m.gate.panel.word, f.m.gate.direction.Text)
		}
	})
	// At an exit, a ticket never admitted is let out all the same: amber,
	// not a red DENY, and counted as an exit, not a denial.
	f.scan(gcValid)
	if word, _, msg := f.shown(); word != "EXIT" || f.kind() != kindCheck || !strings.HasPrefix(msg, "Not inside") {
		t.Errorf("exit scan: %q %v %q", word, f.kind(), msg)
	}
	f.ui(func() {
		c := f.m.gate.counters
		if c.admittedText.Text != "1" || c.admittedLabel.Text != "left today" || c.deniedText.Text != "0" {
			t.Errorf("counters %s %q, denied %s", c.admittedText.Text, c.admittedLabel.Text, c.deniedText.Text)
		}
		if e := f.m.gate.feed.ring.Newest(0); e.Word != "EXIT" {
			t.Errorf("feed %+v", e)
		}
	})
}

func TestGateMuteToggle(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() { test.Tap(findButton(f.w.Canvas(), "Sound on")) })
	if !f.cfg.get().Mute {
		t.Fatal("mute not saved")
	}
	f.scan(gcValid)
	if f.sound.last() != soundNone {
		t.Errorf("muted gate played %v", f.sound.last())
	}
	f.ui(func() {
		if f.m.gate.mute.Text != "Sound off" {
			t.Errorf("mute button %q", f.m.gate.mute.Text)
		}
	})
}

// blockingStore holds every scan until released, to see the gate between
// keystroke and verdict.
type blockingStore struct {
	Store
	release chan struct{}
}

func (b blockingStore) Scan(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	<-b.release
	return b.Store.Scan(ctx, req)
}

func TestGateProcessingThenReadyAndHold(t *testing.T) {
	release := make(chan struct{})
	f := newGateFixture(t, func(d *Deps, _ *gateConfig) { d.Store = blockingStore{d.Store, release} })
	f.ui(func() {
		f.m.gate.holdAdmit = 50 * time.Millisecond
		f.scanKeys(gcValid, fyne.KeyReturn)
		if f.m.gate.readyText.Text != "Scanner ready" {
			t.Errorf("at once: %q (a redraw before the verdict delays it)", f.m.gate.readyText.Text)
		}
	})
	// A slow store: after busyAfter the ready line says so.
	f.eventually("Processing…", func() bool { return f.m.gate.readyText.Text == "Processing…" })
	f.ui(func() {
		if f.m.gate.panel.word == "ADMIT" {
			t.Error("ADMIT before the control was recorded")
		}
	})
	close(release)
	f.eventually("the ADMIT", func() bool { return f.m.gate.panel.word == "ADMIT" })
	f.ui(func() {
		if f.m.gate.readyText.Text != "Scanner ready" {
			t.Errorf("after the verdict: %q", f.m.gate.readyText.Text)
		}
	})
	// The verdict does not linger: the next person must not be waved
	// through on it, nor on its details.
	f.eventually("the panel back to READY", func() bool { return f.m.gate.panel.word == "READY" })
	if _, _, msg := f.shown(); msg != "" {
		t.Errorf("details kept beside READY: %q", msg)
	}
	f.ui(func() {
		g := f.m.gate
		if len(visible(g.facts.Objects)) != 0 || len(visible(g.prompts.Objects)) != 0 || g.overrideBtn.Visible() {
			t.Errorf("READY beside %d facts, %d prompts", len(visible(g.facts.Objects)), len(visible(g.prompts.Objects)))
		}
	})
}

func TestGateDirectionChangeReachesSettingsForm(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		if f.m.settingsTab.stored.Direction != core.DirectionOut {
			t.Error("the Settings form still holds ENTRY: its next Save would undo the switch")
		}
	})
}

// A scanner typing US key codes into an AZERTY layout: the scanner package
// maps the code back, and the gate says so in amber so someone fixes it.
func TestGateWrongKeyboardLayoutIsReadWithAWarning(t *testing.T) {
	f := newGateFixture(t)
	azerty := strings.NewReplacer("1", "&", "2", "é", "0", "à").Replace(gcValid)
	f.scan(azerty)
	word, _, _ := f.shown()
	prompts := strings.Join(f.promptTexts(), "\n")
	if word != "ADMIT — CHECK" || !strings.HasPrefix(prompts, "SCANNER: ") {
		t.Fatalf("%q with prompts %q", word, prompts)
	}
	if cs := gateControls(t, f); len(cs) != 1 || cs[0].Barcode != gcValid {
		t.Errorf("recorded %+v", cs)
	}
}

// Mute and direction changed at the gate reach a Settings form with
// unsaved edits without wiping them.
func TestGateChangesKeepUnsavedSettingsEdits(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		st.station.SetText("GATE_A_LAPTOP9")
		test.Tap(findButton(f.w.Canvas(), "Sound on"))
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
	})
	f.ui(func() {
		if !st.mute.Checked || st.direction.Selected != choiceLabel("direction", "out") {
			t.Errorf("form: mute %v, direction %q", st.mute.Checked, st.direction.Selected)
		}
		if st.station.Text != "GATE_A_LAPTOP9" {
			t.Errorf("the unsaved station name was wiped: %q", st.station.Text)
		}
		if !strings.Contains(st.summary.Text, "Direction was just changed") {
			t.Errorf("summary %q", st.summary.Text)
		}
		st.Save()
	})
	f.eventually("saved", func() bool { return strings.HasPrefix(st.summary.Text, "Saved") })
	if got := f.cfg.get(); got.Station != "GATE_A_LAPTOP9" || !got.Mute || got.Direction != core.DirectionOut {
		t.Errorf("saved station %q, mute %v, direction %v", got.Station, got.Mute, got.Direction)
	}
}

// Each new verdict is read from the top: its reason and prompts, not the
// place the last one was scrolled to.
func TestNewVerdictDetailsStartAtTheTop(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() { f.w.Resize(fyne.NewSize(1024, 600)) })
	f.scan(gcChild)
	f.ui(func() {
		sc := f.m.gate.scroll
		sc.ScrollToBottom()
		if sc.Offset.Y == 0 {
			t.Fatal("the details do not scroll at 1024x600: the test proves nothing")
		}
	})
	f.scan(gcChild) // already used: a new verdict
	f.ui(func() {
		if y := f.m.gate.scroll.Offset.Y; y != 0 {
			t.Errorf("the new verdict's details start %v px down", y)
		}
	})
}

// A supervisor overriding: the verdict stays while the dialog is open.
func TestVerdictStaysWhileTheOverrideDialogIsOpen(t *testing.T) {
	f := newGateFixture(t)
	f.scan(gcCancelled)
	f.ui(func() {
		test.Tap(f.m.gate.overrideBtn)
		f.m.gate.shownAt = time.Now().Add(-time.Hour) // long past its hold
		f.m.gate.tick(gateNow)
		if f.m.gate.panel.word != "DENY" || !f.m.gate.overrideBtn.Visible() {
			t.Errorf("panel %q with the dialog open", f.m.gate.panel.word)
		}
	})
}

// Scan after scan, the gate reuses what it shows: the verdict's prompt
// boxes and fact lines, the held keys, the dialogs a scan closed, the
// counters' reasons. None of them grows with the number of scans.
func TestGateStructuresStayBounded(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	codes := []string{gcValid, gcChild, gcUnknown, gcCancelled, gcWrongGate, "12"}
	for i := range 60 {
		f.scan(codes[i%len(codes)])
		if i%10 == 3 { // a DENY (cancelled): open the override dialog, then scan
			f.ui(func() { test.Tap(f.m.gate.overrideBtn) })
		}
	}
	f.ui(func() {
		g := f.m.gate
		if n := len(g.facts.Objects); n > 2*8 {
			t.Errorf("%d fact labels after 60 verdicts", n)
		}
		if n := len(g.prompts.Objects); n > 4 {
			t.Errorf("%d prompt boxes after 60 verdicts", n)
		}
		if n := len(f.w.Canvas().Overlays().List()); n != 0 {
			t.Errorf("%d overlays left", n)
		}
		if f.m.capture.asm.Held() != 0 {
			t.Errorf("%d keys held", f.m.capture.asm.Held())
		}
		if n := len(g.counters.denied); n > len(core.DenyReasons) {
			t.Errorf("%d deny reasons counted", n)
		}
		if g.feed.ring.Len() != 60 || len(g.feed.ring.buf) != feedCap {
			t.Errorf("feed %d of %d", g.feed.ring.Len(), len(g.feed.ring.buf))
		}
	})
}
