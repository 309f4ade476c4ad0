package ui

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/testsession"
)

// The test session, for the IT person wiring the venue to S-360: scan the
// test tickets the institution handed over, each with the outcome it
// expects; the station decides and records them as at the gate; then one
// sync uploads the controls and S-360 is asked what it recorded. The
// session itself is core/testsession's; this is its window, opened from
// the Sync tab.

// tsNoExpectation is the expectation select's "none".
func tsNoExpectation() string { return T("ts.none") }

// TestSessionScreen is the test session's window content.
type TestSessionScreen struct {
	d    Deps
	w    fyne.Window
	do   func(func())
	sess *testsession.Session

	intro    *widget.Label
	expect   *choice
	entry    *field
	keys     *keyboard // the window's, when shown (ShowTestSession)
	rows     []testsession.Result
	table    *keyTable
	finish   *widget.Button
	open     *widget.Button
	again    *widget.Button
	status   *widget.Label
	report   string // the HTML report's path, once saved
	busy     bool   // a Finish is under way
	finished bool
	// scanned closes when the last scan asked for is recorded: scans are
	// recorded one after the other, in the order they came, off the UI
	// goroutine.
	scanned chan struct{}
	line    int
	obj     fyne.CanvasObject
}

// ShowTestSession opens the test session in a window of its own.
func ShowTestSession(d Deps) *TestSessionScreen {
	w := fyne.CurrentApp().NewWindow(T("ts.title"))
	s := NewTestSessionScreen(w, d)
	w.SetContent(withCatcher(s.Object()))
	s.attachKeyboard(fyne.Do)
	w.SetOnClosed(s.keys.close)
	fitAtMost(w, fyne.NewSize(1100, 640))
	w.Show()
	w.Canvas().Focus(s.entry)
	return s
}

// tsColumns are the report's columns as the window shows them.
var tsColumns = []struct {
	title string // a key of the catalogue
	width float32
	cell  func(r *testsession.Result) string
}{
	{"#", 40, func(r *testsession.Result) string { return deskThousands(r.Line) }},
	{"ts.col.scanned", 200, func(r *testsession.Result) string { return r.Scanned }},
	{"ts.col.expected", 120, func(r *testsession.Result) string { return deskOr(r.Expected) }},
	{"ts.col.verdict", 250, func(r *testsession.Result) string {
		if r.Error != "" {
			return r.Error
		}
		return say().Outcome(r.Outcome) + " " + string(r.Reason) + " — " + r.Message
	}},
	{"ts.col.result", 70, func(r *testsession.Result) string { return deskOr(r.Match) }},
	{"ts.col.s360", 200, func(r *testsession.Result) string {
		switch {
		case r.S360 != nil:
			ops := make([]string, 0, len(r.S360.Operations))
			for _, op := range r.S360.Operations {
				ops = append(ops, op.Result)
			}
			s := string(r.S360.Ticket.State)
			if len(ops) > 0 {
				s += ": " + strings.Join(ops, ", ")
			}
			return s
		case r.S360Error != "":
			return r.S360Error
		}
		return "—"
	}},
	{"ts.col.ours", 150, func(r *testsession.Result) string {
		if r.Recorded == "" {
			return deskOr("")
		}
		return T("report.recorded." + strings.ReplaceAll(r.Recorded, " ", "-"))
	}},
}

// NewTestSessionScreen builds the screen in w.
func NewTestSessionScreen(w fyne.Window, d Deps) *TestSessionScreen {
	s := &TestSessionScreen{d: d, w: w, do: deskDo}
	s.start()
	s.intro = widget.NewLabel("")
	s.intro.Wrapping = fyne.TextWrapWord
	s.intro.SetText(s.introWords())
	s.expect = newChoice(append([]string{tsNoExpectation()}, testsession.Expectations()...), nil)
	s.expect.SetSelected(tsNoExpectation())
	s.entry = newField()
	s.entry.SetPlaceHolder(T("ts.entryHint"))
	s.entry.OnSubmitted = s.Scan
	s.table = newKeyTable(
		func() (int, int) { return len(s.rows), len(tsColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(s.rows) {
				l.SetText("")
				return
			}
			r := &s.rows[id.Row]
			l.Importance = widget.MediumImportance
			switch {
			case id.Col == 4 && r.Match == testsession.Pass, id.Col == 6 && r.Recorded == testsession.RecordedYes:
				l.Importance = widget.SuccessImportance
			case id.Col == 4 && r.Match == testsession.Fail, id.Col == 6 && (r.Recorded == testsession.RecordedNo || r.Recorded == testsession.RecordedUnknown):
				l.Importance = widget.DangerImportance
			}
			l.SetText(tsColumns[id.Col].cell(r))
		})
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(tsColumns) {
			o.(*widget.Label).SetText(T(tsColumns[id.Col].title))
		}
	}
	// Each column at least as wide as its title in the GUI's language.
	pad := 2*theme.InnerPadding() + theme.Padding()
	for i, c := range tsColumns {
		s.table.SetColumnWidth(i, max(c.width, fyne.MeasureText(T(c.title), theme.TextSize(), fyne.TextStyle{Bold: true}).Width+pad))
	}
	s.finish = widget.NewButtonWithIcon(T("ts.finish"), theme.ConfirmIcon(), s.Finish)
	s.finish.Importance = widget.HighImportance
	s.finish.Disable()
	s.open = widget.NewButtonWithIcon(T("ts.open"), theme.DocumentIcon(), s.openReport)
	s.open.Hide()
	s.again = widget.NewButtonWithIcon(T("ts.again"), theme.ContentClearIcon(), s.restart)
	s.again.Hide()
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord

	scanRow := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(T("ts.expected")), s.expect), nil, s.entry)
	buttons := container.NewHBox(s.finish, s.open, s.again)
	top := container.NewVBox(s.intro, scanRow)
	bottom := container.NewVBox(buttons, s.status)
	s.obj = container.NewBorder(top, bottom, nil, nil, s.table)
	return s
}

// Object is the window's content.
func (s *TestSessionScreen) Object() fyne.CanvasObject { return s.obj }

func (s *TestSessionScreen) settings() core.Settings {
	if s.d.Settings == nil {
		return core.Settings{}.Defaults()
	}
	return s.d.Settings()
}

// start begins a session with the station as it is configured now.
func (s *TestSessionScreen) start() {
	var remote core.Remote
	if s.d.Remote != nil {
		if r := s.d.Remote(); r != nil {
			remote = r
		}
	}
	s.sess = testsession.New(testsession.Options{Settings: s.settings(), Store: s.d.Store, Syncer: s.d.Engine,
		Remote: remote, Zone: venueZone(), Now: s.now, Lang: Lang()})
	s.rows, s.line, s.report, s.finished, s.scanned = nil, 0, "", false, nil
}

func (s *TestSessionScreen) now() time.Time {
	if s.d.Now == nil {
		return time.Now()
	}
	return s.d.Now()
}

func (s *TestSessionScreen) introWords() string {
	st := s.settings()
	where := T("ts.station", map[string]any{"Station": st.Station})
	if st.Gate != "" {
		where = T("ts.stationGate", map[string]any{"Station": st.Station, "Gate": st.Gate})
	}
	return T("ts.intro", map[string]any{"Env": string(st.Environment), "Where": where})
}

// attachKeyboard gives the window the gate's keyboard (keyboard.go): a
// test ticket scanned while the expectation menu or any field has the
// focus is a scan, recorded whole, and never typed into the field; hand
// typing stays in the field (Enter submits it, see Scan). run runs a func
// on the UI goroutine.
func (s *TestSessionScreen) attachKeyboard(run func(func())) {
	st := s.settings()
	opts := scannerOptions(&st)
	s.keys = newKeyboard(s.w, opts, run, func() keySink {
		if s.entry.Disabled() {
			return nil
		}
		return s.entry
	}, func(raw string) {
		s.dismissOverlays()
		sc, err := opts.Normalize(raw)
		if err != nil {
			s.status.SetText(T("app.scanNotRead", map[string]any{"Why": say().Error(err)}))
			return
		}
		s.record(sc.Code)
	}, func(string) {
		s.dismissOverlays()
		s.status.SetText(T("app.scanNotEnded"))
	})
}

// dismissOverlays closes the expectation menu when a scan comes: the scan
// is recorded with the expectation chosen before it.
func (s *TestSessionScreen) dismissOverlays() {
	ov := s.w.Canvas().Overlays()
	for _, o := range ov.List() {
		ov.Remove(o)
	}
}

// Scan decides and records one line typed into the field ("CODE
// [EXPECTED]"; without EXPECTED, the chosen one), and empties the field.
func (s *TestSessionScreen) Scan(text string) {
	if s.record(text) {
		s.entry.SetText("")
	}
}

// record decides and records one line, in the order lines come; false when
// there was nothing to record.
func (s *TestSessionScreen) record(text string) bool {
	if s.busy || s.finished || strings.TrimSpace(text) == "" {
		return false
	}
	s.line++
	l, skip, err := testsession.ParseLine(s.line, text)
	if skip {
		s.line--
		return false
	}
	if err == nil && l.Expected == "" && s.expect.Selected != tsNoExpectation() {
		l.Expected = s.expect.Selected
	}
	prev, done := s.scanned, make(chan struct{})
	s.scanned = done
	go func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		var r testsession.Result
		if err != nil {
			r = s.sess.Invalid(l.No, text, err)
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			r = s.sess.Scan(ctx, l)
			cancel()
		}
		s.do(func() {
			s.rows = append(s.rows, r)
			s.table.Refresh()
			s.table.ScrollToBottom()
			s.finish.Enable()
			s.status.SetText(T("ts.scanned", map[string]any{"N": deskThousands(len(s.rows)), "Last": tsScanWords(r)}))
		})
	}()
	return true
}

// tsScanWords is one scan's verdict in a sentence.
func tsScanWords(r testsession.Result) string {
	if r.Error != "" {
		return T("ts.lineError", map[string]any{"N": deskThousands(r.Line), "Error": r.Error})
	}
	s := T("ts.line", map[string]any{"N": deskThousands(r.Line), "Verdict": say().Outcome(r.Outcome), "Message": r.Message})
	if r.Match != "" {
		s += T("ts.lineExpected", map[string]any{"Expected": r.Expected, "Match": r.Match})
	}
	return s
}

// Finish uploads, asks S-360 and saves the report.
func (s *TestSessionScreen) Finish() {
	if s.busy || s.finished || len(s.rows) == 0 {
		return
	}
	s.busy = true
	s.finish.Disable()
	s.entry.Disable()
	s.status.SetText(T("ts.uploading"))
	prev := s.scanned
	go func() {
		if prev != nil {
			<-prev // every scan recorded first
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		rep := s.sess.Finish(ctx)
		var saved string
		htmlPath := ""
		if s.d.DataDir != "" {
			_, h, err := rep.Save(filepath.Join(s.d.DataDir, testsession.DirName))
			if err != nil {
				saved = T("ts.notSaved", map[string]any{"Why": say().Error(err)})
			} else {
				htmlPath, saved = h, T("ts.saved", map[string]any{"Path": h})
			}
		}
		s.do(func() {
			s.busy, s.finished = false, true
			s.rows = rep.Results
			s.table.Refresh()
			s.report = htmlPath
			s.status.Importance = widget.SuccessImportance
			if !rep.OK() {
				s.status.Importance = widget.DangerImportance
			}
			s.status.SetText(rep.Upload + " " + rep.Summary() + "." + saved)
			if htmlPath != "" {
				s.open.Show()
			}
			s.again.Show()
		})
	}()
}

// openReport opens the saved page in the browser, for printing.
func (s *TestSessionScreen) openReport() {
	if s.report == "" || fyne.CurrentApp() == nil {
		return
	}
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(s.report)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // C:/… on Windows
	}
	if err := fyne.CurrentApp().OpenURL(u); err != nil && s.d.Log != nil {
		s.d.Log.WithError(err).Warn("test session: cannot open the report")
	}
}

// restart clears the window for another session.
func (s *TestSessionScreen) restart() {
	if s.busy {
		return
	}
	s.start()
	s.table.Refresh()
	s.open.Hide()
	s.again.Hide()
	s.finish.Disable()
	s.entry.Enable()
	s.status.Importance = widget.MediumImportance
	s.status.SetText("")
	s.intro.SetText(s.introWords())
	if s.w != nil {
		s.w.Canvas().Focus(s.entry)
	}
}
