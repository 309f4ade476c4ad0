package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
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
		f.m.desk.showResults("T26-99999", deskModeTax, nil, nil, true, true)
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

// The sub line goes under the icon rather than shrink, and inside the panel.
func TestVerdictSubLineNeverTiny(t *testing.T) {
	test.NewTempApp(t)
	p := newVerdictPanel()
	at := time.Date(2026, 11, 27, 19, 5, 0, 0, time.Local)
	for _, size := range []fyne.Size{{Width: 420, Height: 300}, {Width: 500, Height: 340}, {Width: 900, Height: 420}} {
		for _, v := range []verdictView{
			viewOf(&core.Verdict{Outcome: core.Admit, Prompts: []core.Prompt{{Kind: core.PromptAgeCheck, Rule: "AGE CHECK"}}}, &core.Settings{}, at),
			errorView(core.Errorf(core.EUnavailable, "x"), at),
		} {
			p.set(v, false)
			p.Resize(size)
			r := test.WidgetRenderer(p).(*verdictRenderer)
			r.Layout(size)
			if r.sub.TextSize < subReadable {
				t.Errorf("%v %q: sub line at %v px", size, v.Word, r.sub.TextSize)
			}
			if end := r.sub.Position().Y + r.sub.Size().Height; end > size.Height || r.sub.Position().X+r.sub.Size().Width > size.Width {
				t.Errorf("%v %q: sub line out of the panel (%v, %v)", size, v.Word, r.sub.Position(), r.sub.Size())
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
