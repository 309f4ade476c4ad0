package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/words"
)

// longStatus has every long text the Sync tab can show.
func longStatus(rejected int) core.SyncStatus {
	st := core.SyncStatus{
		Environment: core.EnvProduction, Online: false,
		LastExportOK: gateNow.Add(-3 * time.Hour), NextAllowed: gateNow.Add(40 * time.Minute),
		Tickets: core.TicketCounts{Valid: 124000, Invalid: 321}, Pending: 1234,
		LastError:   strings.Repeat("S-360 answered 503 Service Unavailable while the controls were sent; ", 4),
		LastErrorAt: gateNow.Add(-time.Minute),
	}
	for i := range rejected {
		st.Rejected = append(st.Rejected, core.Control{Barcode: "74156283015502" + itoa(10+i), At: gateNow, Station: "GATE_B_2", Gate: "B",
			Upload: core.UploadRejected, UploadDetail: "Failed to import controlledTickets:7415628301550254"})
	}
	return st
}

// No tab may make the window larger than a 1024×700 laptop screen, even
// before it was ever shown (AppTabs size the window for the largest
// minimum of all tabs, hidden ones included).
func TestEveryTabFitsASmallLaptop(t *testing.T) {
	f := newGateFixture(t, withDemo)
	f.ui(func() {
		f.m.status.apply(longStatus(3))
		f.m.settingsTab.setSummary(0, strings.Repeat("Not saved: a long refusal from SaveSettings. ", 6))
		f.m.desk.showResults(deskAnswer{q: "T26-99999", mode: deskModeTax, unaudited: true, empty: true})
	})
	limit := fyne.NewSize(1024, 700)
	f.ui(func() {
		for _, it := range f.m.tabs.Items {
			if m := it.Content.MinSize(); m.Width > limit.Width || m.Height > limit.Height-200 {
				t.Errorf("tab %q asks for %v", it.Text, m)
			}
		}
		if m := f.w.Content().MinSize(); m.Width > limit.Width || m.Height > limit.Height {
			t.Errorf("the window asks for %v, more than %v", m, limit)
		}
	})
}

// At 1024×700 the Sync tab shows its words and keeps room for the
// rejected controls; with none, the table makes way.
func TestStatusLayoutAtSmallLaptop(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		f.w.Resize(fyne.NewSize(1024, 700))
		f.m.tabs.SelectIndex(2)
		f.m.status.apply(longStatus(12))
	})
	f.ui(func() {
		s := f.m.status
		words := s.split.Objects[0].(*container.Scroll)
		if !s.rejTable.Visible() || s.rejTable.Size().Height < 140 || words.Size().Height < 150 {
			t.Errorf("words %v, table %v (visible %v)", words.Size(), s.rejTable.Size(), s.rejTable.Visible())
		}
		if s.rejTable.Position().Y < words.Size().Height {
			t.Error("the table overlaps the words")
		}
		s.apply(core.SyncStatus{Environment: core.EnvProduction, Online: true})
		if s.rejTable.Visible() || words.Size().Height < s.split.Size().Height-1 {
			t.Errorf("nothing rejected: table visible %v, words %v of %v", s.rejTable.Visible(), words.Size(), s.split.Size())
		}
	})
}

// On a 1024 px screen the verdict keeps about half the width, and its sub
// line ("Check first, then let in · 19:05:00") stays readable.
func TestGateVerdictReadableAt1024(t *testing.T) {
	f := newGateFixture(t, withDemo)
	f.ui(func() { f.w.Resize(fyne.NewSize(1024, 700)) })
	f.scan(gcChild)
	f.ui(func() {
		cols := f.m.gate.obj.(*fyne.Container).Objects
		t.Logf("right column min %v, demo min %v", cols[1].MinSize(), cols[2].MinSize())
		if w := cols[0].Size().Width; w < 0.42*1024 {
			t.Errorf("verdict column %v wide at 1024", w)
		}
		p := f.m.gate.panel
		r := test.WidgetRenderer(p).(*verdictRenderer)
		if r.sub.TextSize < subReadable {
			t.Errorf("sub line %q at %v px", r.sub.Text, r.sub.TextSize)
		}
		if r.word.Text != "ADMIT" || r.word2.Text != "CHECK" || r.word.TextSize < 60 {
			t.Errorf("word %q/%q at %v px", r.word.Text, r.word2.Text, r.word.TextSize)
		}
	})
}

// The sub line goes under the icon rather than shrink, in two lines if it
// must, and inside the panel, in every language.
func TestVerdictSubLineNeverTiny(t *testing.T) {
	test.NewTempApp(t)
	defer SetLanguage(words.EN)
	p := newVerdictPanel()
	at := time.Date(2026, 11, 27, 19, 5, 0, 0, time.Local)
	exit := &core.Settings{Direction: core.DirectionOut}
	for _, l := range words.All {
		SetLanguage(l)
		for _, size := range []fyne.Size{{Width: 420, Height: 300}, {Width: 500, Height: 340}, {Width: 900, Height: 420}} {
			for _, v := range []verdictView{
				viewOf(&core.Verdict{Outcome: core.Admit, Prompts: []core.Prompt{{Kind: core.PromptAgeCheck, Rule: "AGE CHECK"}}}, &core.Settings{}, at),
				viewOf(&core.Verdict{Outcome: core.Admit}, exit, at),
				viewOf(&core.Verdict{Outcome: core.Deny, Reason: core.ReasonAlreadyUsed}, &core.Settings{}, at),
				errorView(core.Errorf(core.EUnavailable, "x"), at),
				unreadView(errors.New("x"), "x", at),
				idleView(exit),
			} {
				p.set(v, false)
				p.Resize(size)
				r := test.WidgetRenderer(p).(*verdictRenderer)
				r.Layout(size)
				if r.sub.TextSize < subReadable {
					t.Errorf("%s %v %q: sub line at %v px", l, size, v.Word, r.sub.TextSize)
				}
				for _, x := range []*canvas.Text{r.sub, r.sub2, r.clock} {
					if x.Text == "" {
						continue
					}
					w := fyne.MeasureText(x.Text, x.TextSize, x.TextStyle).Width
					if end := x.Position().Y + x.Size().Height; end > size.Height || x.Position().X+w > size.Width-12 {
						t.Errorf("%s %v %q: %q out of the panel (%v, %v wide)", l, size, v.Word, x.Text, x.Position(), w)
					}
				}
			}
		}
	}
}

// A feed line shows the whole reason on its own line, as wide as the column.
func TestFeedRowShowsReason(t *testing.T) {
	test.NewTempApp(t)
	row := newFeedRow()
	fillFeedRow(row, feedEntry{At: gateNow, Kind: kindDeny, Word: "DENY", Text: "Already used at 19:02, GATE_A_2", Tail: "…000042"})
	row.Resize(fyne.NewSize(320, row.MinSize().Height))
	reason := row.(*fyne.Container).Objects[1].(*widget.Label)
	if reason.Text != "Already used at 19:02, GATE_A_2" || reason.Size().Width < 300 {
		t.Errorf("reason line %q, %v wide in a 320 px column", reason.Text, reason.Size().Width)
	}
}

// Common gate laptops, as the window's content gets them: the screen less
// the task bar and the window's title bar (windowSizeFor).
var (
	laptop1366 = windowSizeFor(1366, 768-40, 1)
	laptop1024 = windowSizeFor(1024, 768-40, 1)
)

func absRect(o fyne.CanvasObject) (fyne.Position, fyne.Position) {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return p, p.Add(o.Size())
}

// At 1366×768 every prompt of an ADMIT CHECK is on screen without
// scrolling: the verdict gives way to it (it took 56% of the height, and
// the ID check fell below the fold).
func TestGateAt1366ShowsEveryPromptUnscrolled(t *testing.T) {
	f := newGateFixture(t, withDemo)
	f.ui(func() { f.w.Resize(laptop1366) })
	f.scan(gcChild)
	f.ui(func() {
		if n := len(visible(f.m.gate.prompts.Objects)); n != 2 {
			t.Fatalf("%d prompts, want the age and the ID check", n)
		}
		_, bottom := absRect(f.m.gate.scroll)
		for _, p := range visible(f.m.gate.prompts.Objects) {
			if _, end := absRect(p); end.Y > bottom.Y+0.5 || end.Y > laptop1366.Height {
				t.Errorf("a prompt ends at %v, below the fold at %v (window %v)", end.Y, bottom.Y, laptop1366)
			}
		}
		if h := f.m.gate.panel.Size().Height; h < 0.3*laptop1366.Height {
			t.Errorf("the verdict shrank to %v px", h)
		}
	})
}

// At 1024×768 every control is on screen: the scan field, the counters,
// the sound and direction buttons, the feed; and on the other tabs their
// main buttons and fields.
func TestEveryControlReachableAt1024(t *testing.T) {
	f := newGateFixture(t, withDemo)
	f.ui(func() { f.w.Resize(laptop1024) })
	f.scan(gcChild)
	within := func(what string, o fyne.CanvasObject) {
		t.Helper()
		a, b := absRect(o)
		if !o.Visible() || o.Size().Width < 10 || o.Size().Height < 10 || a.X < 0 || a.Y < 0 ||
			b.X > laptop1024.Width+0.5 || b.Y > laptop1024.Height+0.5 {
			t.Errorf("%s at %v–%v, outside %v (visible %v)", what, a, b, laptop1024, o.Visible())
		}
	}
	f.ui(func() {
		g := f.m.gate
		within("scan field", g.entry)
		within("sound button", g.mute)
		within("direction button", g.direction)
		within("counters", g.counters.obj)
		within("feed", g.feed.list)
		within("verdict", g.panel)
		if g.feed.list.Size().Height < 120 {
			t.Errorf("feed %v tall", g.feed.list.Size().Height)
		}
		f.m.tabs.Select(f.m.deskTab)
	})
	f.ui(func() {
		within("desk search", f.m.desk.query)
		within("desk search mode", f.m.desk.mode)
		within("desk search button", f.m.desk.search)
		f.m.tabs.SelectIndex(2)
	})
	f.ui(func() {
		within("Sync now", f.m.status.syncBtn)
		f.m.tabs.Select(f.m.settingsItm)
	})
	f.ui(func() {
		within("Save", f.m.settingsTab.saveBtn)
		within("Undo changes", f.m.settingsTab.revertBtn)
		within("the Settings page", f.m.settingsTab.page)
	})
}

// The window takes the screen it opens on, less its decorations, in Fyne
// units (pixels over the scale).
func TestWindowSizeForScreens(t *testing.T) {
	for _, c := range []struct {
		w, h  int
		scale float32
		want  fyne.Size
	}{
		{1366, 728, 1, fyne.NewSize(1350, 680)},
		{1024, 728, 1, fyne.NewSize(1008, 680)},
		{1920, 1040, 1, fyne.NewSize(1904, 992)},
		{3840, 2080, 2, fyne.NewSize(1912, 1016)},
	} {
		if got := windowSizeFor(c.w, c.h, c.scale); got != c.want {
			t.Errorf("%d×%d at %v: %v, want %v", c.w, c.h, c.scale, got, c.want)
		}
	}
	if s := detectedScale(344, 1366); s != 1 { // a 15.6" laptop, 101 dpi
		t.Errorf("laptop scale %v", s)
	}
	if s := detectedScale(294, 2880); s < 2 { // a 13" 3K screen, 249 dpi
		t.Errorf("high-dpi scale %v", s)
	}
}
