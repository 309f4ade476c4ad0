package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The sync status tab, for the gate supervisor: is this station in step
// with S-360, and if not, what to do about it. It follows the engine's
// published statuses; nothing here polls S-360.

// statusTick re-renders the "3 min ago" words while nothing else changes.
var statusTick = 20 * time.Second

// StatusScreen is the sync status tab.
type StatusScreen struct {
	w  fyne.Window
	d  Deps
	do func(func()) // fyne.Do; a serialising runner in tests

	last core.SyncStatus
	// venueDown: the station cannot reach its venue (see connectionOf).
	venueDown bool

	demo       fyne.CanvasObject
	dot        *canvas.Circle
	online     *widget.Label
	env        *widget.Label
	lastExport *widget.Label
	lastUpload *widget.Label
	next       *widget.Label
	tickets    *widget.Label
	pending    *widget.Label
	lastError  *widget.Label
	zone       *widget.Label
	syncBtn    *widget.Button
	testBtn    *widget.Button
	aboutBtn   *widget.Button
	syncMsg    *widget.Label
	progress   *widget.ProgressBarInfinite
	progMsg    *widget.Label
	rejTitle   *widget.Label
	rejected   []core.Control
	rejTable   *keyTable
	split      *fyne.Container // the status over the rejected controls
	venue      *statusVenue    // on a station of a venue
	obj        fyne.CanvasObject

	syncing   bool // a Sync now of ours is under way
	closeOnce sync.Once
	cancel    func() // unsubscribes
	stop      chan struct{}
	ctx       context.Context
	ctxCancel context.CancelFunc
}

// NewStatusScreen builds the tab and subscribes to the engine. The
// subscription ends with Close, or on the first status after the window
// has closed (the window's OnClosed belongs to app.go, so it is not taken
// over here).
func NewStatusScreen(w fyne.Window, d Deps) *StatusScreen {
	s := &StatusScreen{w: w, d: d, do: deskDo, stop: make(chan struct{})}
	s.ctx, s.ctxCancel = context.WithCancel(context.Background())
	s.build()
	if d.Engine == nil {
		s.online.SetText(T("status.noEngine"))
		s.syncBtn.Disable()
		return s
	}
	s.apply(d.Engine.Status())
	cancel := d.Engine.Subscribe(func(st core.SyncStatus) {
		s.do(func() {
			if !s.windowOpen() {
				s.Close()
				return
			}
			s.apply(st)
		})
	})
	s.cancel = cancel
	if d.Venue != nil {
		cancelVenue := d.Venue.Subscribe(func(st core.VenueStatus) {
			s.do(func() {
				if !s.windowOpen() {
					s.Close()
					return
				}
				s.venue.apply(st, s.now())
				s.relayout()
			})
		})
		s.cancel = func() { cancel(); cancelVenue() }
	}
	go s.tick()
	return s
}

func (s *StatusScreen) build() {
	warn := theme.Color(theme.ColorNameWarning)
	bg := canvas.NewRectangle(warn)
	demoText := canvas.NewText(T("status.demo"), theme.Color(theme.ColorNameForegroundOnWarning))
	demoText.TextStyle = fyne.TextStyle{Bold: true}
	demoText.Alignment = fyne.TextAlignCenter
	s.demo = container.NewStack(bg, container.NewPadded(demoText))
	s.demo.Hide()

	s.dot = canvas.NewCircle(theme.Color(theme.ColorNameDisabled))
	label := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	s.online, s.env, s.lastExport, s.lastUpload = label(), label(), label(), label()
	s.next, s.tickets, s.pending, s.lastError = label(), label(), label(), label()
	s.zone = label()
	s.online.TextStyle = fyne.TextStyle{Bold: true}
	dot := container.NewGridWrap(fyne.NewSquareSize(theme.TextSize()), s.dot)
	conn := container.NewBorder(nil, nil, container.NewCenter(dot), nil, s.online)

	form := container.New(layout.NewFormLayout())
	row := func(title string, o fyne.CanvasObject) {
		form.Add(widget.NewLabelWithStyle(title, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		form.Add(o)
	}
	row(T("status.row.connection"), conn)
	row(T("status.row.environment"), s.env)
	row(T("status.row.lastExport"), s.lastExport)
	row(T("status.row.lastUpload"), s.lastUpload)
	row(T("status.row.next"), s.next)
	row(T("status.row.tickets"), s.tickets)
	row(T("status.row.pending"), s.pending)
	row(T("status.row.lastError"), s.lastError)
	row(T("status.row.zone"), s.zone)

	s.syncBtn = widget.NewButtonWithIcon(T("status.syncNow"), theme.ViewRefreshIcon(), s.SyncNow)
	s.syncBtn.Importance = widget.HighImportance
	s.syncMsg = label()
	// The IT person's proof of the two-way interface (test session).
	s.testBtn = widget.NewButtonWithIcon(T("status.testSession"), theme.DocumentIcon(), func() { ShowTestSession(s.d) })
	// Which s360gate this is, what a supervisor reads out when reporting
	// a problem (the words of `s360gate --version`).
	s.aboutBtn = widget.NewButtonWithIcon(T("about.menu"), theme.InfoIcon(), func() { showAbout(s.w, s.d.DataDir) })
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.progMsg = widget.NewLabel("")
	s.progMsg.Hide()

	s.rejTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.rejTitle.Wrapping = fyne.TextWrapWord
	s.rejTable = newStatusRejectedTable(func() []core.Control { return s.rejected }, s.now)
	s.rejTable.Hide() // until S-360 rejects something

	// The words wrap, so they live in a scroll container: a wrapped label
	// measured before its tab is first laid out (at a few pixels wide) asks
	// for one line per character, and AppTabs would make the window as
	// tall as that. In a scroll they are measured at the width they get.
	right := container.NewHBox(s.testBtn, s.aboutBtn)
	if s.d.Venue != nil {
		// The venue's S-360 client is the only one: the test session
		// (its own calls to S-360) is for a station on its own.
		right = container.NewHBox(s.aboutBtn)
	}
	info := container.NewVBox(form,
		container.NewBorder(nil, nil, s.syncBtn, right, s.syncMsg),
		s.progMsg, s.progress)
	if s.d.Venue != nil {
		s.venue = newStatusVenue()
		info.Add(s.venue.obj)
	}
	info.Add(widget.NewSeparator())
	info.Add(s.rejTitle)
	s.split = container.New(&statusSplit{keep: statusTableKeep}, container.NewVScroll(info), s.rejTable)
	s.obj = container.NewBorder(s.demo, nil, nil, nil, s.split)
}

// statusTableKeep is the height kept for the rejected controls (a header
// and about three rows) when the window is too short for everything.
const statusTableKeep = 150

// statusSplit stacks the status words (a vertical scroll) over the table of
// rejected controls. The words get the height they need at this width, as
// long as the table keeps keep; the table gets the rest. With the table
// hidden (nothing rejected) the words get it all. Its minimum is small
// either way: the window size is the supervisor's choice, not this tab's.
type statusSplit struct{ keep float32 }

func (l *statusSplit) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	top, table := objs[0].(*container.Scroll), objs[1]
	top.Move(fyne.NewPos(0, 0))
	if !table.Visible() {
		top.Resize(size)
		return
	}
	// Lay the words out at this width first: wrapped labels measure their
	// height at the width they were last given.
	top.Resize(fyne.NewSize(size.Width, max(top.Size().Height, 1)))
	gap := theme.Padding()
	keep := min(l.keep, size.Height/2)
	h := max(0, min(top.Content.MinSize().Height, size.Height-gap-keep))
	top.Resize(fyne.NewSize(size.Width, h))
	table.Move(fyne.NewPos(0, h+gap))
	table.Resize(fyne.NewSize(size.Width, max(0, size.Height-h-gap)))
}

func (l *statusSplit) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	if t := objs[1]; t.Visible() {
		tm := t.MinSize()
		m = fyne.NewSize(max(m.Width, tm.Width), m.Height+theme.Padding()+tm.Height)
	}
	return m
}

// relayout shares the height out again after the words changed: the
// scroll's own minimum does not change with its content, so nothing else
// would tell the split.
func (s *StatusScreen) relayout() {
	if sz := s.split.Size(); sz.Width > 0 && sz.Height > 0 {
		s.split.Layout.Layout(s.split.Objects, sz)
	}
}

// Object is the tab's content.
func (s *StatusScreen) Object() fyne.CanvasObject { return s.obj }

// Close unsubscribes from the engine and stops the clock. It may be called
// more than once; app.go may call it from its own window-closed handler.
func (s *StatusScreen) Close() {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		close(s.stop)
		s.ctxCancel()
	})
}

func (s *StatusScreen) windowOpen() bool {
	if s.w == nil || fyne.CurrentApp() == nil {
		return true
	}
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w == s.w {
			return true
		}
	}
	return false
}

func (s *StatusScreen) tick() {
	t := time.NewTicker(statusTick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.do(func() {
				if !s.windowOpen() {
					s.Close()
					return
				}
				s.apply(s.last)
			})
		}
	}
}

func (s *StatusScreen) now() time.Time {
	if s.d.Now == nil {
		return time.Now()
	}
	return s.d.Now()
}

// SyncNow asks the engine for a cycle. The policy may refuse it (production
// allows one call an hour before event day): the refusal says until when.
func (s *StatusScreen) SyncNow() {
	if s.d.Engine == nil || s.syncing {
		return
	}
	s.syncing = true
	s.syncBtn.Disable()
	s.syncMsg.Importance = widget.MediumImportance
	s.syncMsg.SetText(T("status.syncing"))
	s.relayout()
	go func() {
		err := s.d.Engine.SyncNow(s.ctx)
		s.do(func() {
			s.syncing = false
			s.syncMsg.Importance = widget.MediumImportance
			var refusal *core.PolicyRefusal
			switch {
			case errors.As(err, &refusal):
				s.syncMsg.Importance = widget.WarningImportance
				s.syncMsg.SetText(statusRefusalWords(refusal, s.now()))
			case err != nil && s.d.Venue != nil && core.ErrorCode(err) == core.EConflict:
				// A station of a venue: the venue's S-360 client syncs.
				s.syncMsg.Importance = widget.WarningImportance
				s.syncMsg.SetText(say().Error(err))
			case err != nil:
				s.syncMsg.Importance = widget.DangerImportance
				s.syncMsg.SetText(T("status.syncFailed", map[string]any{"Why": say().Error(err)}))
			default:
				s.syncMsg.SetText(T("status.syncDone", map[string]any{"At": deskClock(s.now(), s.now())}))
			}
			s.syncMsg.Refresh()
			s.apply(s.last)
		})
	}()
}

// statusRefusalWords: "Not allowed before 14:05 (production: once an hour
// before event day)".
func statusRefusalWords(p *core.PolicyRefusal, now time.Time) string {
	s := T("status.notBefore", map[string]any{"At": deskShortClock(p.Next, now)})
	if p.Env != "" {
		s += " (" + statusPolicyWords(p.Env, p.EventDay) + ")"
	}
	return s
}

// apply shows one status. It runs on the UI goroutine.
func (s *StatusScreen) apply(st core.SyncStatus) {
	s.last = st
	now := s.now()
	setVenueZone(st.TimeZone)
	s.zone.SetText(statusZoneWords(st.TimeZone, now))
	if st.Environment == core.EnvSim {
		s.demo.Show()
	} else {
		s.demo.Hide()
	}
	switch connectionOf(&st, s.venueDown) {
	case connNotKnown:
		s.dot.FillColor = theme.Color(theme.ColorNameDisabled)
		s.online.SetText(T("status.venueUnknown"))
	case connOnline:
		s.dot.FillColor = theme.Color(theme.ColorNameSuccess)
		s.online.SetText(T("status.online"))
	case connNotYet:
		s.dot.FillColor = theme.Color(theme.ColorNameDisabled)
		if st.Running {
			s.online.SetText(T("status.connecting"))
		} else {
			s.online.SetText(T("status.notYet"))
		}
	default:
		s.dot.FillColor = theme.Color(theme.ColorNameError)
		s.online.SetText(T("status.offline"))
	}
	s.dot.Refresh()
	s.env.SetText(statusEnvWords(st.Environment))
	s.lastExport.SetText(deskWhenAgo(st.LastExportOK, now))
	s.lastUpload.SetText(deskWhenAgo(st.LastUploadOK, now))
	s.next.SetText(s.nextWords(st, now))
	s.tickets.SetText(T("status.tickets", map[string]any{"Valid": deskThousands(st.Tickets.Valid), "Invalid": deskThousands(st.Tickets.Invalid)}))
	switch {
	case st.Pending == 0 && rejectedCount(&st) > 0:
		s.pending.SetText(T("status.pendingRefused", map[string]any{"N": deskThousands(rejectedCount(&st))}))
	case st.Pending == 0:
		s.pending.SetText(T("status.pendingNone"))
	default:
		s.pending.SetText(TN("status.pendingN", st.Pending))
	}
	last := st.LastExportOK
	if st.LastUploadOK.After(last) {
		last = st.LastUploadOK
	}
	switch {
	case st.LastError == "":
		s.lastError.Importance = widget.MediumImportance
		s.lastError.SetText(T("status.none"))
	case st.Online && last.After(st.LastErrorAt):
		// Old news: S-360 has answered since.
		s.lastError.Importance = widget.MediumImportance
		s.lastError.SetText(T("status.noneSince", map[string]any{"Since": deskClock(last, now), "At": deskClock(st.LastErrorAt, now), "Error": lastErrorWords(&st)}))
	default:
		s.lastError.Importance = widget.DangerImportance
		s.lastError.SetText(T("status.lastErrorAt", map[string]any{"At": deskClock(st.LastErrorAt, now), "Error": lastErrorWords(&st)}))
	}
	s.lastError.Refresh()

	if st.Running || s.syncing {
		s.syncBtn.Disable()
	} else {
		s.syncBtn.Enable()
	}
	s.applyProgress(st)
	s.rejected = st.Rejected
	if len(st.Rejected) == 0 {
		s.rejTitle.SetText(T("status.rejectedNone"))
		s.rejTable.Hide()
	} else {
		s.rejTitle.SetText(T("status.rejectedN", map[string]any{"N": deskThousands(len(st.Rejected))}))
		s.rejTable.Show()
		fitColumns(s.rejTable, statusRejectedColumns, s.rejected, now)
	}
	s.relayout()
}

func (s *StatusScreen) applyProgress(st core.SyncStatus) {
	if !st.Running {
		s.progress.Stop()
		s.progress.Hide()
		s.progMsg.Hide()
		return
	}
	switch st.Phase {
	case "export":
		s.progMsg.SetText(exportProgressWords(&st, s.now()))
	case "upload":
		s.progMsg.SetText(T("status.sending"))
	default:
		s.progMsg.SetText(T("status.syncing"))
	}
	s.progMsg.Show()
	s.progress.Show()
	if !s.progress.Running() {
		s.progress.Start()
	}
}

// nextWords says when the next call is allowed, and by which rule.
func (s *StatusScreen) nextWords(st core.SyncStatus, now time.Time) string {
	why := statusPolicyWords(st.Environment, s.eventDay(now))
	if st.Running && st.BudgetWait.After(now) {
		// The cycle is allowed, but its next request waits for the
		// client's request budget: "now" would be untrue.
		return T("status.budgetWait", map[string]any{"At": deskClock(st.BudgetWait, now), "In": statusIn(st.BudgetWait.Sub(now)), "N": deskThousands(st.Budget)})
	}
	if st.NextAllowed.IsZero() || !st.NextAllowed.After(now) {
		return T("status.now", map[string]any{"Why": why})
	}
	return T("status.nextAt", map[string]any{"At": deskShortClock(st.NextAllowed, now), "In": deskAgo(st.NextAllowed, now), "Why": why})
}

func (s *StatusScreen) eventDay(now time.Time) bool {
	if s.d.Settings == nil {
		return false
	}
	st := s.d.Settings()
	ev := st.Event()
	return core.IsEventDay(st.EventDay, &ev, now, core.LoadZone(s.last.TimeZone))
}

// statusZoneWords says whose clock the station shows: the institution's
// zone once S-360 named it, otherwise (and said so) the laptop's.
func statusZoneWords(name string, now time.Time) string {
	loc := core.LoadZone(name)
	if loc == nil {
		return T("status.zoneUnknown", map[string]any{"Zone": core.ZoneLabel(nil, now)})
	}
	s := T("status.zoneKnown", map[string]any{"Zone": loc.String() + " (" + core.ZoneLabel(loc, now) + ")"})
	if !core.LaptopShows(loc, now) {
		s += T("status.zoneLaptop", map[string]any{"Zone": core.ZoneLabel(nil, now)})
	}
	return s + "."
}

func statusPolicyWords(env core.Environment, eventDay bool) string {
	data := map[string]any{"Env": string(env)}
	switch {
	case !env.Limited():
		return T("policy.onDemand", data)
	case eventDay:
		return T("policy.minute", data)
	}
	return T("policy.hour", data)
}

func statusEnvWords(env core.Environment) string {
	switch env {
	case core.EnvSim, core.EnvSandbox, core.EnvPreprod, core.EnvProduction:
		return T("env." + string(env))
	}
	return string(env)
}

// syncConnection is what the top bar and the Sync tab both say of the
// connection, decided in one place so that they never disagree.
type syncConnection int

const (
	connNotYet   syncConnection = iota // no call made since the app started
	connOnline                         // the last call reached S-360
	connOffline                        // it did not
	connNotKnown                       // a station cut off from its venue: what S-360 told the venue's syncer is not known here
)

// connectionOf: venueDown says the station cannot reach its venue, whose
// syncer's status st is as last read: never a green "Online" beside the
// VENUE LINK DOWN banner.
func connectionOf(st *core.SyncStatus, venueDown bool) syncConnection {
	switch {
	case venueDown:
		return connNotKnown
	case st.Online:
		return connOnline
	case !st.Called:
		return connNotYet
	}
	return connOffline
}

// lastErrorWords is the status's last error in the GUI's language (in
// English when it came from another process's store).
func lastErrorWords(st *core.SyncStatus) string {
	if len(st.LastErrorSaid) > 0 {
		return say().Said(st.LastErrorSaid...)
	}
	return st.LastError
}

// rejectedCount is how many controls S-360 refused.
func rejectedCount(st *core.SyncStatus) int {
	return max(st.RejectedCount, len(st.Rejected))
}

// exportProgressWords: how far an export is. S-360 does not say how long
// its list is; what sets the pace is the request budget, so the words say
// pages, the budget, and what that allows (or what the last minute did).
func exportProgressWords(st *core.SyncStatus, now time.Time) string {
	w := T("status.receiving", map[string]any{"N": deskThousands(st.Received)})
	if st.Pages > 0 {
		w += TN("status.pages", st.Pages)
	}
	if st.Budget > 0 && st.PageSize > 0 {
		w += T("status.budget", map[string]any{"N": deskThousands(st.Budget), "Max": deskThousands(st.Budget * st.PageSize)})
	}
	if el := now.Sub(st.ExportStart); !st.ExportStart.IsZero() && el >= 10*time.Second && st.Received > 0 {
		w += T("status.rate", map[string]any{"N": deskThousands(int(float64(st.Received) / el.Minutes()))})
	}
	if st.BudgetWait.After(now) {
		w += T("status.waitLimit", map[string]any{"At": deskClock(st.BudgetWait, now)})
	}
	return w
}

// statusIn is "in 25 s" or "in 3 min".
func statusIn(d time.Duration) string {
	if d < time.Minute {
		return T("status.inSeconds", map[string]any{"N": int(d.Round(time.Second) / time.Second)})
	}
	return deskAgo(time.Time{}.Add(d), time.Time{})
}
