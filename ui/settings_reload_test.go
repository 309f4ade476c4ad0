package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// A form nobody touched is reloaded whole.
func TestSettingsReloadCleanFormTakesEverything(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	st := sandboxSettings()
	st.Direction, st.Mute, st.Station = core.DirectionOut, true, "GATE_B_1"
	f.h.ui(func() {
		if f.s.Edited() {
			t.Fatal("a form just loaded counts as edited")
		}
		f.s.Reload(st)
		if f.s.direction.Selected != choiceLabel("direction", "out") || !f.s.mute.Checked || f.s.station.Text != "GATE_B_1" {
			t.Errorf("after Reload: direction %q, mute %v, station %q", f.s.direction.Selected, f.s.mute.Checked, f.s.station.Text)
		}
		if f.s.Edited() || f.s.summary.Text != "" {
			t.Errorf("edited %v, summary %q", f.s.Edited(), f.s.summary.Text)
		}
	})
}

// Unsaved edits survive a direction and mute change made at the gate; the
// fields that changed on disk show the new values, and the next Save keeps
// both.
func TestSettingsReloadKeepsUnsavedEdits(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() {
		f.s.gate.SetText("C")
		f.s.tariffRules.SetText("CHILD = AGE CHECK: under 12")
		f.s.mute.SetChecked(false)
		if !f.s.Edited() {
			t.Fatal("edits not seen")
		}
	})
	st := sandboxSettings()
	st.Direction, st.Mute = core.DirectionOut, true
	f.cfg.mu.Lock()
	f.cfg.stored = st // as SaveSettings from the gate would have done
	f.cfg.mu.Unlock()
	f.h.ui(func() {
		f.s.Reload(st)
		s := f.s
		if s.direction.Selected != choiceLabel("direction", "out") || !s.mute.Checked {
			t.Errorf("changed fields not refreshed: direction %q, mute %v", s.direction.Selected, s.mute.Checked)
		}
		if s.gate.Text != "C" || s.tariffRules.Text != "CHILD = AGE CHECK: under 12" {
			t.Errorf("unsaved edits lost: gate %q, tariff %q", s.gate.Text, s.tariffRules.Text)
		}
		if !s.Edited() {
			t.Error("the kept edits no longer count as unsaved")
		}
		want := "Direction, Mute the gate sounds were just changed outside this form: they show the saved values. Your other changes are not saved yet."
		if s.summary.Text != want || s.summary.Importance != widget.WarningImportance {
			t.Errorf("summary %q (importance %v)", s.summary.Text, s.summary.Importance)
		}
	})
	if summary := f.save(); !strings.HasPrefix(summary, "Saved") {
		t.Fatalf("summary = %q", summary)
	}
	got := f.cfg.get()
	if got.Direction != core.DirectionOut || !got.Mute || got.Gate != "C" || got.TariffRules["CHILD"] != "AGE CHECK: under 12" {
		t.Errorf("saved %+v", got)
	}
}

// A typed password or PIN is an unsaved edit too, and is kept.
func TestSettingsReloadKeepsTypedPassword(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	st := sandboxSettings()
	st.Mute = true
	f.h.ui(func() {
		f.s.password.SetText("new-secret")
		f.s.Reload(st)
		if f.s.password.Text != "new-secret" || !f.s.mute.Checked {
			t.Errorf("password %q, mute %v", f.s.password.Text, f.s.mute.Checked)
		}
		if f.s.summary.Text != "Mute the gate sounds was just changed outside this form: it shows the saved value. Your other changes are not saved yet." {
			t.Errorf("summary %q", f.s.summary.Text)
		}
	})
}

// "Saved, restart needed" (EConflict) is a notice, not a refusal.
func TestSettingsSavedButRestartNeededIsANotice(t *testing.T) {
	f := newTestSettings(t, testSettings())
	msg := "Saved. Close and reopen s360gate to switch to sandbox: each environment keeps its own ticket list."
	f.cfg.refuse = core.Errorf(core.EConflict, "%s", msg)
	f.h.ui(func() { f.s.station.SetText("GATE_N_1") })
	if summary := f.save(); summary != msg {
		t.Errorf("summary = %q", summary)
	}
	f.h.ui(func() {
		if f.s.summary.Importance != widget.WarningImportance {
			t.Errorf("importance %v, want warning (amber)", f.s.summary.Importance)
		}
		if f.s.station.Text != "GATE_N_1" || f.s.Edited() {
			t.Errorf("the form does not show what was saved: station %q, edited %v", f.s.station.Text, f.s.Edited())
		}
	})
	if len(f.saved) != 0 {
		t.Error("onSaved called although the running station keeps its settings until restarted")
	}
	// Other refusals still say "Not saved".
	f.cfg.refuse = core.Errorf(core.EUnavailable, "The settings file cannot be written")
	if summary := f.save(); summary != "Not saved: The settings file cannot be written" {
		t.Errorf("summary = %q", summary)
	}
}

// Edits left behind when a scan pulls the supervisor to the gate are shown
// on every other tab, and closing the window asks before losing them.
func TestUnsavedSettingsAreNeverLostSilently(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		st.station.SetText("")
		f.typeInto(st.station, "GATE_B")
	})
	f.scan(gcValid)
	f.ui(func() {
		if !f.m.unsaved.Visible() || f.m.settingsItm.Text != "Settings •" {
			t.Errorf("unsaved bar %v, tab %q", f.m.unsaved.Visible(), f.m.settingsItm.Text)
		}
		f.m.confirmClose()
		if f.w.Canvas().Overlays().Top() == nil {
			t.Fatal("closing with unsaved settings asked nothing")
		}
		test.Tap(findButton(f.w.Canvas(), "Back to Settings"))
		if f.m.tabs.Selected() != f.m.settingsItm || f.m.unsaved.Visible() || st.station.Text != "GATE_B" {
			t.Errorf("back: tab %q, bar %v, station %q", f.m.tabs.Selected().Text, f.m.unsaved.Visible(), st.station.Text)
		}
		st.Save()
	})
	f.eventually("saved", func() bool { return f.m.settingsItm.Text == "Settings" })
	if f.cfg.get().Station != "GATE_B" {
		t.Errorf("station %q", f.cfg.get().Station)
	}
}

// Another environment takes effect after a restart: one click, and the
// top bar says so meanwhile.
func TestEnvironmentChangeOffersARestart(t *testing.T) {
	restarts := 0
	f := newGateFixture(t, func(d *Deps, c *gateConfig) {
		c.restartFor = true
		d.Restart = func() { restarts++ }
	})
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		st.env.SetSelected(string(core.EnvPreprod))
		st.Save()
	})
	f.eventually("the restart offer", func() bool { return findButton(f.w.Canvas(), "Restart now") != nil })
	f.ui(func() {
		if got := f.m.top.env.Text; got != "PRODUCTION → PREPROD after restart" {
			t.Errorf("top bar %q", got)
		}
		test.Tap(findButton(f.w.Canvas(), "Restart now"))
	})
	if restarts != 1 {
		t.Errorf("%d restarts", restarts)
	}
}

// The mouse wheel scrolls the Settings page over its fields too.
func TestSettingsWheelScrollsOverFields(t *testing.T) {
	f := newGateFixture(t)
	st := f.m.settingsTab
	f.ui(func() {
		f.w.Resize(fyne.NewSize(1024, 700))
		f.m.tabs.Select(f.m.settingsItm)
	})
	f.ui(func() {
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(st.operator)
		test.Scroll(f.w.Canvas(), at.AddXY(20, 10), 0, -120)
		if st.page.Offset.Y <= 0 {
			t.Errorf("the page did not scroll (offset %v)", st.page.Offset)
		}
		at = fyne.CurrentApp().Driver().AbsolutePositionForObject(st.gateRules)
		before := st.page.Offset.Y
		test.Scroll(f.w.Canvas(), at.AddXY(20, 10), 0, -120)
		if st.page.Offset.Y <= before {
			t.Errorf("the page did not scroll over a multi-line field (offset %v)", st.page.Offset)
		}
	})
}
