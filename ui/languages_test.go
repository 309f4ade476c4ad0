package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"s360gate/core"
	"s360gate/core/words"
)

// withLanguage makes the station speak l.
func withLanguage(l words.Lang) gateOption {
	return func(_ *Deps, c *gateConfig) { c.s.Language = string(l) }
}

// The screens of a gate laptop, in every language, at the two screen sizes
// gate laptops have: nothing a person must read is cut off or pushed out
// of the window (cutOffs), the window never asks for more than the screen,
// and the words are the language's. German's are the longest.
func TestEveryScreenInEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("every screen in four languages at two sizes")
	}
	for _, l := range words.All {
		for _, size := range []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 768}} {
			t.Run(string(l)+"/"+itoaPlain(int(size.Width)), func(t *testing.T) { screensFit(t, l, size) })
		}
	}
}

func itoaPlain(n int) string { return strings.ReplaceAll(words.EN.Number(n), ",", "") }

func screensFit(t *testing.T, l words.Lang, size fyne.Size) {
	// English again once the window is closed (cleanups run last first):
	// its goroutines speak until then.
	t.Cleanup(func() { SetLanguage(words.EN) })
	f := newGateFixture(t, withDemo, withLanguage(l))
	// The window a laptop of that size shows: the screen less the desktop's
	// bars and the title.
	win := fyne.NewSize(size.Width, size.Height-68)
	f.ui(func() {
		f.w.Resize(win)
		if m := f.w.Content().MinSize(); m.Width > win.Width || m.Height > win.Height {
			t.Errorf("the window asks for %v on a %v screen", m, size)
			for _, it := range f.m.tabs.Items {
				t.Logf("tab %q asks for %v", it.Text, it.Content.MinSize())
			}
			t.Logf("the top bar asks for %v", f.m.top.obj.MinSize())
		}
	})
	check := func(where string) {
		t.Helper()
		f.ui(func() {
			if m := f.w.Content().MinSize(); m.Width > win.Width || m.Height > win.Height {
				t.Errorf("%s: the window asks for %v on a %v screen", where, m, size)
			}
			for _, c := range cutOffs(f.w.Canvas()) {
				t.Errorf("%s: %s", where, c)
			}
		})
	}
	check("the gate before any sync")
	// The manual field beside the scanner's state and Check keeps room for
	// a dozen typed digits (the state is as wide as its longest words:
	// "Click here to scan" said at length left Italian 52 px).
	f.ui(func() {
		if w := f.m.gate.entry.Size().Width; w < 120 {
			t.Errorf("the manual field is %v px wide", w)
		}
	})
	// The top bar's longest state: offline, controls waiting, synced hours ago.
	f.ui(func() {
		s := f.m.settings()
		st := longStatus(3)
		st.Called, st.Pending = true, 123456
		f.m.top.applySync(st, &s, gateNow)
	})
	// The gate: every kind of verdict, its prompts, facts and buttons.
	for _, code := range []string{gcValid, gcChild, gcWrongGate, gcCancelled, gcValid, gcUnknown} {
		f.scan(code)
		word, _, message := f.shown()
		check("gate after " + code + " (" + word + ": " + message + ")")
	}
	f.ui(func() {
		if got, want := f.m.gate.panel.word, Lang().T("outcome.DENY", nil); got != want {
			t.Errorf("the verdict's word is %q, want %q", got, want)
		}
	})
	// The supervisor's dialogs over it, and Help → About.
	f.ui(func() { f.m.gate.askOverride() })
	check("the override dialog")
	f.ui(func() { f.m.dismissOverlays() })
	f.ui(func() { f.m.gate.askDirection() })
	check("the direction dialog")
	f.ui(func() { f.m.dismissOverlays() })
	f.ui(func() { showAbout(f.w, f.m.d.DataDir) })
	check("the about dialog")
	f.ui(func() { f.m.dismissOverlays() })
	// The dispute desk with a ticket, its controls and the gate check.
	f.ui(func() { f.m.tabs.Select(f.m.deskTab) })
	f.ui(func() {
		f.m.desk.query.SetText(gcValid)
		f.m.desk.Search()
	})
	f.eventually("the desk's ticket", func() bool {
		return f.m.desk.detail.showing && f.m.desk.detail.gateLine.Text != T("desk.gateChecking")
	})
	check("the dispute desk")
	// Sync: every long text it can show.
	f.ui(func() {
		f.m.tabs.SelectIndex(2)
		st := longStatus(3)
		st.LastErrorSaid = []core.Said{core.SayWords("s360.err.certUnknown", nil)}
		f.m.status.apply(st)
	})
	check("the Sync tab")
	// Settings, with a refusal under a field and in the summary.
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		f.m.settingsTab.pageSize.SetText("20000")
		f.m.settingsTab.Save()
	})
	check("the Settings tab")
	f.ui(func() {
		if !strings.Contains(f.m.settingsTab.errs["pageSize"].Text, "10000") || f.m.settingsTab.errs["pageSize"].Text != Lang().T("setting.pageSize.range", map[string]any{"Min": 1, "Max": core.MaxPageSize}) {
			t.Errorf("the page size's refusal: %q", f.m.settingsTab.errs["pageSize"].Text)
		}
	})
	// The test session's window, on the same screen.
	var ts *TestSessionScreen
	var tw fyne.Window
	f.ui(func() {
		tw = test.NewTempWindow(t, nil)
		ts = NewTestSessionScreen(tw, f.m.d)
		tw.SetContent(ts.Object())
		tw.Resize(win)
		ts.Scan(gcWrongGate + " " + "ADMIT")
	})
	f.eventually("the test session's line", func() bool { return len(ts.rows) == 1 && ts.status.Text != "" })
	f.ui(func() {
		if m := tw.Content().MinSize(); m.Width > win.Width || m.Height > win.Height {
			t.Errorf("the test session asks for %v on a %v screen", m, size)
		}
		for _, c := range cutOffs(tw.Canvas()) {
			t.Errorf("the test session: %s", c)
		}
	})
	_ = time.Second
}

// The words on the screens are the station's language's, Fyne's own
// included, and the gate's verdict words fit the verdict panel at 1024×768.
func TestGateSpeaksTheStationsLanguage(t *testing.T) {
	for _, c := range []struct {
		l                    words.Lang
		admit, deny, tab, no string
	}{
		{words.FR, "ENTRÉE", "REFUSÉ", "Porte", "Non"},
		{words.DE, "EINLASS", "KEIN EINLASS", "Tor", "Nein"},
		{words.IT, "INGRESSO", "NEGATO", "Varco", "No"},
	} {
		t.Run(string(c.l), func(t *testing.T) {
			t.Cleanup(func() { SetLanguage(words.EN) })
			f := newGateFixture(t, withLanguage(c.l))
			f.ui(func() { f.w.Resize(fyne.NewSize(1024, 700)) })
			f.scan(gcValid)
			if word, _, msg := f.shown(); word != c.admit || msg != c.l.T("msg.OK", nil) {
				t.Errorf("admit: %q %q", word, msg)
			}
			f.scan(gcValid)
			word, _, msg := f.shown()
			if word != c.deny || !strings.HasPrefix(msg, strings.Split(c.l.Template("msg.ALREADY_USED"), "{{")[0]) {
				t.Errorf("deny: %q %q", word, msg)
			}
			f.ui(func() {
				r := test.WidgetRenderer(f.m.gate.panel).(*verdictRenderer)
				for _, tx := range r.Objects() {
					_ = tx
				}
				if f.m.tabs.Items[0].Text != c.tab {
					t.Errorf("tab %q", f.m.tabs.Items[0].Text)
				}
				for _, cut := range cutOffs(f.w.Canvas()) {
					t.Errorf("cut off: %s", cut)
				}
			})
			f.ui(func() { f.m.gate.askDirection() })
			f.ui(func() {
				if b := buttons(f.w); len(b) < 2 || b[len(b)-2] != T("Cancel") || T("Cancel") == "Cancel" {
					t.Errorf("the supervisor dialog's buttons: %q", b)
				}
			})
		})
	}
}

// Choosing another language in Settings takes effect at a restart offered
// in one click; the settings saved, nothing is lost. The app starts again
// speaking it (the language is the first thing built).
func TestLanguageChangeOffersARestart(t *testing.T) {
	restarts := 0
	t.Cleanup(func() { SetLanguage(words.EN) })
	f := newGateFixture(t, func(d *Deps, c *gateConfig) { d.Restart = func() { restarts++ } })
	st := f.m.settingsTab
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		st.language.SetSelected(words.DE.Name())
		st.Save()
	})
	f.eventually("the restart offer", func() bool { return findButton(f.w.Canvas(), "Restart now") != nil })
	if got := f.cfg.get().Language; got != "de" {
		t.Fatalf("saved language %q", got)
	}
	f.ui(func() {
		if f.m.tabs.Items[0].Text != "Gate" {
			t.Errorf("the screens changed language before the restart: %q", f.m.tabs.Items[0].Text)
		}
		test.Tap(findButton(f.w.Canvas(), "Restart now"))
	})
	if restarts != 1 {
		t.Fatalf("%d restarts", restarts)
	}
	// The next start, on the settings saved.
	g := newGateFixture(t, withLanguage(words.DE))
	g.ui(func() {
		if g.m.tabs.Items[0].Text != "Tor" || g.m.settingsTab.saveBtn.Text != "Speichern" {
			t.Errorf("after the restart: %q, %q", g.m.tabs.Items[0].Text, g.m.settingsTab.saveBtn.Text)
		}
		if got := g.m.settingsTab.language.Selected; got != "Deutsch" {
			t.Errorf("the language choice shows %q", got)
		}
	})
	// Saving the same language again offers nothing.
	g.ui(func() {
		g.m.tabs.Select(g.m.settingsItm)
		g.m.settingsTab.station.SetText("GATE_A_2")
		g.m.settingsTab.Save()
	})
	// The save is over when the screen has shown it (not when the file
	// holds it): the screen speaks after the file is written.
	g.eventually("the save", func() bool { return !g.m.settingsTab.saving && g.cfg.get().Station == "GATE_A_2" })
	g.ui(func() {
		if findButton(g.w.Canvas(), T("app.restartNow")) != nil {
			t.Error("a restart offered without a change of language")
		}
	})
}
