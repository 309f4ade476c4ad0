package ui

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"s360gate/core"
)

// fakeConfig stands for main's SaveSettings: validate, then store all or
// nothing (as core/config does), and count the calls.
type fakeConfig struct {
	mu     sync.Mutex
	stored core.Settings
	calls  int
	refuse error // returned instead of saving when set
}

func (c *fakeConfig) get() core.Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stored
}

func (c *fakeConfig) save(s core.Settings) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.refuse != nil {
		return c.refuse
	}
	if errs := s.Validate(); errs != nil {
		return &core.Error{Code: core.EInvalid, Message: "Settings not saved: " + errs.Error(), Err: errs}
	}
	c.stored = s
	return nil
}

func (c *fakeConfig) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

type settingsFixture struct {
	h     *uiHarness
	s     *SettingsScreen
	cfg   *fakeConfig
	saved []core.Settings // onSaved calls
}

func newTestSettings(t *testing.T, stored core.Settings) *settingsFixture {
	t.Helper()
	f := &settingsFixture{h: newHarness(t), cfg: &fakeConfig{stored: stored}}
	d := Deps{Settings: f.cfg.get, SaveSettings: f.cfg.save, Now: func() time.Time { return testNow }}
	f.h.ui(func() {
		f.s = NewSettingsScreen(f.h.w, d, func(s core.Settings) { f.saved = append(f.saved, s) })
	})
	f.h.show(f.s.Object())
	return f
}

// save presses Save and waits until the screen has answered.
func (f *settingsFixture) save() string {
	f.h.t.Helper()
	f.h.ui(func() { test.Tap(f.s.saveBtn) })
	f.h.eventually("save answered", func() bool {
		return !f.s.saving && f.s.summary.Text != "" && f.s.summary.Text != "Saving…"
	})
	return f.h.text(func() string { return f.s.summary.Text })
}

func (f *settingsFixture) fieldError(field string) string {
	return f.h.text(func() string {
		l := f.s.errs[field]
		if !l.Visible() {
			return ""
		}
		return l.Text
	})
}

func sandboxSettings() core.Settings {
	s := testSettings()
	s.Environment = core.EnvSandbox
	s.Endpoint = "https://venue.sandbox.secutix.com/tnci/backend-apis/externalAccessControlService"
	s.Institution, s.Operator, s.Partner = "VENUE", "gateop", "VENUE"
	s.Password = "stored-secret"
	return s
}

func TestSettingsInvalidEndpointShownBesideFieldAndNothingStored(t *testing.T) {
	orig := sandboxSettings()
	f := newTestSettings(t, orig)
	f.h.ui(func() { f.s.endpoint.SetText("http://example.com") })
	summary := f.save()
	if msg := f.fieldError("endpoint"); !strings.Contains(msg, "https://") {
		t.Errorf("endpoint error = %q", msg)
	}
	if !strings.Contains(summary, "Not saved") || !strings.Contains(summary, "Endpoint") {
		t.Errorf("summary = %q", summary)
	}
	if f.cfg.count() != 0 || !reflect.DeepEqual(f.cfg.get(), orig) || len(f.saved) != 0 {
		t.Error("invalid settings reached SaveSettings")
	}
}

func TestSettingsBadPageSizeRefused(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() { f.s.pageSize.SetText("abc") })
	f.save()
	if msg := f.fieldError("pageSize"); !strings.Contains(msg, "whole number") {
		t.Errorf("pageSize error = %q", msg)
	}
	f.h.ui(func() { f.s.pageSize.SetText("20000") })
	f.save()
	if msg := f.fieldError("pageSize"); msg != "between 1 and 10000" {
		t.Errorf("pageSize error = %q", msg)
	}
	if f.cfg.count() != 0 {
		t.Error("SaveSettings called")
	}
}

func TestSettingsMalformedRulesBlockSaving(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() {
		f.s.gateRules.SetText("A = B, C\nNORTH")
		f.s.tariffRules.SetText("CHILD =")
	})
	f.save()
	if msg := f.fieldError("gateRules"); !strings.Contains(msg, "line 2") {
		t.Errorf("gateRules error = %q", msg)
	}
	if msg := f.fieldError("tariffRules"); !strings.Contains(msg, "line 1") {
		t.Errorf("tariffRules error = %q", msg)
	}
	if f.cfg.count() != 0 {
		t.Error("SaveSettings called")
	}
}

func TestSettingsValidSaveBuildsTheRightStruct(t *testing.T) {
	f := newTestSettings(t, testSettings())
	f.h.ui(func() {
		s := f.s
		s.env.SetSelected("preprod")
		s.endpoint.SetText("https://venue.pp-ws.secutix.com/tnci/backend-apis/externalAccessControlService/")
		s.institution.SetText("VENUE")
		s.operator.SetText("gateop")
		s.partner.SetText("")
		test.Type(s.password, "s3cret")
		s.season.SetText("S26")
		s.products.SetText("P1, P2 P1")
		s.performances.SetText("")
		s.eventDate.SetText("2026-12-05")
		s.eventDay.SetChecked(true)
		s.pageSize.SetText("2,000")
		s.station.SetText("GATE_A_LAPTOP1")
		s.gate.SetText("A")
		s.direction.SetSelected(choiceLabel("direction", "out"))
		s.reentry.SetChecked(true)
		s.gateRules.SetText("# north stand\nA = B, C\n\nD: E")
		s.tariffRules.SetText("CHILD = AGE CHECK: under 16\nSTUDENT = CHECK STUDENT CARD")
		s.hideHolder.SetChecked(true)
		s.staleness.SetText("10")
		s.purge.SetText("30")
		s.terminator.SetSelected(choiceLabel("scannerTerminator", "tab"))
		s.prefix.SetText("]C1")
		s.suffix.SetText("")
		s.mute.SetChecked(true)
	})
	summary := f.save()
	if !strings.HasPrefix(summary, "Saved at") {
		t.Fatalf("summary = %q (errors: %v)", summary, f.visibleErrors())
	}
	want := testSettings()
	want.Environment = core.EnvPreprod
	want.Endpoint = "https://venue.pp-ws.secutix.com/tnci/backend-apis/externalAccessControlService"
	want.Institution, want.Operator, want.Partner, want.Password = "VENUE", "gateop", "VENUE", "s3cret"
	want.Season, want.Products, want.Performances = "S26", []string{"P1", "P2"}, nil
	want.EventDate, want.EventDay, want.PageSize = "2026-12-05", true, 2000
	want.Station, want.Gate, want.Direction, want.AllowReentry = "GATE_A_LAPTOP1", "A", core.DirectionOut, true
	want.GateRules = map[string][]string{"A": {"B", "C"}, "D": {"E"}}
	want.TariffRules = map[string]string{"CHILD": "AGE CHECK: under 16", "STUDENT": "CHECK STUDENT CARD"}
	want.HideHolder, want.StalenessMinutes, want.PurgeAfterDays = true, 10, 30
	want.ScannerTerminator, want.ScannerPrefix, want.ScannerSuffix, want.Mute = "tab", "]C1", "", true
	if got := f.cfg.get(); !reflect.DeepEqual(got, want) {
		t.Errorf("saved\n%+v\nwant\n%+v", got, want)
	}
	if len(f.saved) != 1 || !reflect.DeepEqual(f.saved[0], want) {
		t.Error("onSaved not called with the saved settings")
	}
	f.h.ui(func() {
		if f.s.password.Text != "" || f.s.password.PlaceHolder != "•••• stored" {
			t.Errorf("password field = %q / %q after saving", f.s.password.Text, f.s.password.PlaceHolder)
		}
	})
}

func (f *settingsFixture) visibleErrors() map[string]string {
	out := map[string]string{}
	f.h.ui(func() {
		for k, l := range f.s.errs {
			if l.Visible() {
				out[k] = l.Text
			}
		}
	})
	return out
}

func TestSettingsEmptyPasswordKeepsTheStoredOne(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() {
		if f.s.password.Text != "" {
			t.Error("the stored password was put back in the field")
		}
		if f.s.password.PlaceHolder != "•••• stored" {
			t.Errorf("placeholder = %q", f.s.password.PlaceHolder)
		}
		f.s.operator.SetText("other")
	})
	if summary := f.save(); !strings.HasPrefix(summary, "Saved") {
		t.Fatalf("summary = %q", summary)
	}
	if got := f.cfg.get(); got.Password != "stored-secret" || got.Operator != "other" {
		t.Errorf("saved password %q operator %q", got.Password, got.Operator)
	}
}

func TestSettingsPINRequiredWhenSet(t *testing.T) {
	st := sandboxSettings()
	hash, err := core.HashPIN("1234")
	if err != nil {
		t.Fatal(err)
	}
	st.SupervisorPIN = hash
	f := newTestSettings(t, st)
	f.h.ui(func() {
		if !f.s.pinAuthRow.Visible() {
			t.Error("no PIN field although a PIN is set")
		}
		f.s.gate.SetText("B")
	})
	f.save()
	if msg := f.fieldError("pin"); msg != "Enter the supervisor PIN to save changes." {
		t.Errorf("pin error = %q", msg)
	}
	f.h.ui(func() { f.s.pinAuth.SetText("9999") })
	f.save()
	if msg := f.fieldError("pin"); msg != "Wrong PIN." {
		t.Errorf("pin error = %q", msg)
	}
	if f.cfg.count() != 0 {
		t.Fatal("saved without the PIN")
	}
	f.h.ui(func() { f.s.pinAuth.SetText("1234") })
	if summary := f.save(); !strings.HasPrefix(summary, "Saved") {
		t.Fatalf("summary = %q", summary)
	}
	if got := f.cfg.get(); got.Gate != "B" || got.SupervisorPIN != hash {
		t.Errorf("saved gate %q, PIN hash kept: %v", got.Gate, got.SupervisorPIN == hash)
	}
	f.h.ui(func() {
		if f.s.pinAuth.Text != "" {
			t.Error("the PIN stays typed after saving")
		}
	})
}

func TestSettingsChangePIN(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() {
		if f.s.pinAuthRow.Visible() {
			t.Error("PIN asked although none is set")
		}
		f.s.pinNew.SetText("5678")
		f.s.pinRepeat.SetText("5679")
	})
	f.save()
	if msg := f.fieldError("pinRepeat"); !strings.Contains(msg, "differ") {
		t.Errorf("repeat error = %q", msg)
	}
	f.h.ui(func() { f.s.pinNew.SetText("12"); f.s.pinRepeat.SetText("12") })
	f.save()
	if msg := f.fieldError("newPin"); !strings.Contains(msg, "4 to 32") {
		t.Errorf("new PIN error = %q", msg)
	}
	f.h.ui(func() { f.s.pinNew.SetText("5678"); f.s.pinRepeat.SetText("5678") })
	if summary := f.save(); !strings.HasPrefix(summary, "Saved") {
		t.Fatalf("summary = %q", summary)
	}
	got := f.cfg.get().SupervisorPIN
	if got == "" || strings.Contains(got, "5678") || !core.PINMatches(got, "5678") {
		t.Errorf("stored PIN %q is not a hash of the new PIN", got)
	}
	f.h.ui(func() {
		if !f.s.pinAuthRow.Visible() {
			t.Error("the new PIN is not asked for the next save")
		}
	})
}

func TestSettingsRefusalFromSaveSettingsShownBesideField(t *testing.T) {
	f := newTestSettings(t, sandboxSettings())
	f.cfg.refuse = &core.Error{Code: core.EInvalid, Message: "Settings not saved",
		Err: core.FieldErrors{{Field: "gate", Message: "no such gate at this venue"}}}
	f.save()
	if msg := f.fieldError("gate"); msg != "no such gate at this venue" {
		t.Errorf("gate error = %q", msg)
	}
	if len(f.saved) != 0 {
		t.Error("onSaved called on a refusal")
	}
	f.cfg.refuse = errors.New("disk full")
	if summary := f.save(); !strings.HasPrefix(summary, "Not saved:") {
		t.Errorf("summary = %q", summary)
	}
}

func TestSettingsTestConnectionWords(t *testing.T) {
	var got core.Settings
	prev := TestConnection
	t.Cleanup(func() { TestConnection = prev })
	var result error
	TestConnection = func(_ context.Context, s core.Settings) (string, error) {
		got = s
		return "Europe/Zurich", result
	}
	f := newTestSettings(t, sandboxSettings())
	press := func() string {
		f.h.ui(func() { test.Tap(f.s.testBtn) })
		f.h.eventually("test answered", func() bool { return !f.s.testBtn.Disabled() && f.s.testMsg.Text != "Asking S-360…" })
		return f.h.text(func() string { return f.s.testMsg.Text })
	}
	f.h.ui(func() { test.Type(f.s.password, "typed") })
	if msg := press(); msg != "Connected — S-360 answers (time zone Europe/Zurich)." {
		t.Errorf("message = %q", msg)
	}
	if got.Password != "typed" || got.Institution != "VENUE" {
		t.Errorf("tested %+v, want the form's values", got)
	}
	result = core.Errorf(core.EAuth, "bad token")
	if msg := press(); !strings.HasPrefix(msg, "S-360 rejected the credentials") {
		t.Errorf("message = %q", msg)
	}
	result = core.Errorf(core.EUnavailable, "connection refused")
	if msg := press(); !strings.HasPrefix(msg, "Cannot reach https://venue.sandbox.secutix.com") || !strings.Contains(msg, "VPN") {
		t.Errorf("message = %q", msg)
	}
	// A bad address is said beside the field, without calling anything.
	f.h.ui(func() { f.s.endpoint.SetText("http://example.com") })
	got = core.Settings{}
	if msg := press(); msg != "Fix the endpoint first." || got.Institution != "" {
		t.Errorf("message = %q", msg)
	}
}

func TestSettingsTestConnectionFallsBackToSavedRemote(t *testing.T) {
	h := newHarness(t)
	r := &fakeRemote{tz: "Europe/Paris"}
	cfg := &fakeConfig{stored: sandboxSettings()}
	d := Deps{Settings: cfg.get, SaveSettings: cfg.save, Remote: func() core.Remote { return r }}
	var s *SettingsScreen
	h.ui(func() { s = NewSettingsScreen(h.w, d, nil); test.Tap(s.testBtn) })
	h.eventually("answer", func() bool { return strings.HasPrefix(s.testMsg.Text, "Connected") })
	if !strings.Contains(h.text(func() string { return s.testMsg.Text }), "saved settings") {
		t.Error("the fallback does not say it tested the saved settings")
	}
}
