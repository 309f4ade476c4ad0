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
const tsNoExpectation = "— (none)"

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
	w := fyne.CurrentApp().NewWindow("S-360 test session")
	s := NewTestSessionScreen(w, d)
	w.SetContent(withCatcher(s.Object()))
	s.attachKeyboard(fyne.Do)
	w.SetOnClosed(s.keys.close)
	w.Resize(fyne.NewSize(1100, 640))
	w.Show()
	w.Canvas().Focus(s.entry)
	return s
}

// tsColumns are the report's columns as the window shows them.
var tsColumns = []struct {
	title string
	width float32
	cell  func(r *testsession.Result) string
}{
	{"#", 40, func(r *testsession.Result) string { return deskThousands(r.Line) }},
	{"Scanned", 200, func(r *testsession.Result) string { return r.Scanned }},
	{"Expected", 120, func(r *testsession.Result) string { return deskOr(r.Expected) }},
	{"Station's verdict", 250, func(r *testsession.Result) string {
		if r.Error != "" {
			return r.Error
		}
		return string(r.Outcome) + " " + string(r.Reason) + " — " + r.Message
	}},
	{"Result", 70, func(r *testsession.Result) string { return deskOr(r.Match) }},
	{"S-360 says", 200, func(r *testsession.Result) string {
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
	{"Our control at S-360", 150, func(r *testsession.Result) string { return deskOr(r.Recorded) }},
}

// NewTestSessionScreen builds the screen in w.
func NewTestSessionScreen(w fyne.Window, d Deps) *TestSessionScreen {
	s := &TestSessionScreen{d: d, w: w, do: deskDo}
	s.start()
	s.intro = widget.NewLabel("")
	s.intro.Wrapping = fyne.TextWrapWord
	s.intro.SetText(s.introWords())
	s.expect = newChoice(append([]string{tsNoExpectation}, testsession.Expectations()...), nil)
	s.expect.SetSelected(tsNoExpectation)
	s.entry = newField()
	s.entry.SetPlaceHolder("Scan a test ticket, or type its barcode or taxNumber, then Enter")
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
			o.(*widget.Label).SetText(tsColumns[id.Col].title)
		}
	}
	for i, c := range tsColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.finish = widget.NewButtonWithIcon("Finish: upload and ask S-360", theme.ConfirmIcon(), s.Finish)
	s.finish.Importance = widget.HighImportance
	s.finish.Disable()
	s.open = widget.NewButtonWithIcon("Open the report", theme.DocumentIcon(), s.openReport)
	s.open.Hide()
	s.again = widget.NewButtonWithIcon("New session", theme.ContentClearIcon(), s.restart)
	s.again.Hide()
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord

	scanRow := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Expected outcome"), s.expect), nil, s.entry)
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
		Remote: remote, Zone: venueZone(), Now: s.now})
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
	where := "station " + st.Station
	if st.Gate != "" {
		where += " at gate " + st.Gate
	}
	return "Environment " + string(st.Environment) + ", " + where + ". Scan each test ticket the institution gave you " +
		"(valid and invalid ones: wrong entrance, invalid card, already scanned, cancelled, reprinted), choosing first the " +
		"outcome the institution expects if it told you. Each scan is decided and recorded as at the gate. Finish uploads " +
		"the controls (when the call policy allows) and asks S-360 what it recorded of each ticket; the report is saved " +
		"as CSV and as a page to print."
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
			s.status.SetText("Scan not read: " + err.Error() + " Scan the ticket again.")
			return
		}
		s.record(sc.Code)
	}, func(string) {
		s.dismissOverlays()
		s.status.SetText("Scan not read: the scanner's code did not end (check the scanner's terminator). Scan the ticket again.")
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
	if err == nil && l.Expected == "" && s.expect.Selected != tsNoExpectation {
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
			s.status.SetText(deskThousands(len(s.rows)) + " scanned. " + tsScanWords(r))
		})
	}()
	return true
}

// tsScanWords is one scan's verdict in a sentence.
func tsScanWords(r testsession.Result) string {
	if r.Error != "" {
		return "Line " + deskThousands(r.Line) + ": " + r.Error
	}
	s := "Line " + deskThousands(r.Line) + ": " + string(r.Outcome) + " — " + r.Message
	if r.Match != "" {
		s += " (expected " + r.Expected + ": " + r.Match + ")"
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
	s.status.SetText("Uploading the controls and asking S-360 what it recorded…")
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
				saved = " The report could not be saved: " + core.ErrorMessage(err)
			} else {
				htmlPath, saved = h, " Report saved: "+h+" (and .csv beside it)."
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
