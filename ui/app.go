package ui

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"s360gate/assets"
	"s360gate/core"
	"s360gate/core/scanner"
	"s360gate/core/words"
)

// AppID identifies the app to the desktop (preferences, notifications).
const AppID = "ch.s360gate.supervisor"

// iconResource is the app and window icon.
var iconResource = fyne.NewStaticResource("s360gate.png", assets.IconPNG)

// Run opens the supervisor's window and returns when it is closed.
func Run(d Deps) error {
	if d.Store == nil || d.Settings == nil {
		return errors.New("ui: Deps needs a Store and Settings")
	}
	// Every change from a worker goroutine goes through fyne.Do (Main.ui,
	// deskDo): the app is migrated, and Fyne's per-refresh check of the
	// calling goroutine (it reads the goroutine's stack, about 6 ms of
	// every verdict's redraw) is not needed. FyneApp.toml says the same
	// for builds made with the fyne tool.
	app.SetMetadata(fyne.AppMetadata{ID: AppID, Name: "s360gate", Icon: iconResource,
		Migrations: map[string]bool{"fyneDo": true}})
	a := app.NewWithID(AppID)
	a.SetIcon(iconResource)
	w, m := NewMainWindow(a, d)
	w.SetMaster()
	w.ShowAndRun()
	m.Close()
	return nil
}

// Main is the main window's state: the tabs and what routes scans to them.
type Main struct {
	w   fyne.Window
	d   Deps
	log logrus.FieldLogger

	// mu serialises the updates that worker goroutines send through ui()
	// with everything else touching widgets. On a real driver both run on
	// the main goroutine and mu is never contended; Fyne's test driver runs
	// fyne.Do inline on the worker, and tests hold mu around their own
	// events and reads, which keeps the race detector meaningful.
	mu sync.Mutex

	top         *topBar
	venueBar    *venueBar       // on a station of a venue
	link        *linkBanner     // the venue link is down
	unsaved     *fyne.Container // "Settings not saved" bar, on the other tabs
	tabs        *container.AppTabs
	settingsItm *container.TabItem
	gateTab     *container.TabItem
	deskTab     *container.TabItem
	gate        *gateView
	desk        *DeskScreen
	status      *StatusScreen
	settingsTab *SettingsScreen
	capture     *capture
	keys        *keyboard
	sound       sounder
	pins        *pinGuard  // wrong PINs, counted across the gate and Settings
	lang        words.Lang // the language the screens were built in
	savedLang   words.Lang // the language the saved settings ask for

	stop       chan struct{}
	closeOnce  sync.Once
	unsub      func()
	venueUnsub func()
}

// NewMainWindow builds the main window on a; Run shows it, tests drive it.
func NewMainWindow(a fyne.App, d Deps) (fyne.Window, *Main) {
	m := &Main{d: d, log: d.Log, stop: make(chan struct{})}
	if m.log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		m.log = l
	}
	a.Settings().SetTheme(newAppTheme())
	m.w = a.NewWindow("s360gate")
	m.w.SetIcon(iconResource)
	m.sound = appAudio(m.log)

	s := m.settings()
	// The language first: every screen is built in it. --lang (Deps.Lang)
	// wins for this run, else the station's setting, else the system's.
	m.lang = d.Lang.Or(s.Lang())
	SetLanguage(m.lang)
	m.top = newTopBar()
	m.venueBar, m.link = newVenueBar(), newLinkBanner()
	m.gate = newGateView(m)
	m.desk = NewDeskScreen(m.w, d)
	m.status = NewStatusScreen(m.w, d)
	m.settingsTab = NewSettingsScreen(m.w, d, m.applySettings)
	m.pins = newPINGuard(m.now)
	m.settingsTab.pins = m.pins
	m.gateTab = container.NewTabItem(T("tab.gate"), withCatcher(m.gate.obj))
	// AppTabs make the window at least as large as the largest minimum of
	// all tabs, hidden ones included: every tab keeps its minimum small
	// (long or wrapped text sits in scroll containers), so that none can
	// push the gate's window off a laptop screen.
	m.deskTab = container.NewTabItem(T("tab.desk"), withCatcher(m.desk.Object()))
	m.settingsItm = container.NewTabItem(T("tab.settings"), withCatcher(m.settingsTab.Object()))
	m.tabs = container.NewAppTabs(m.gateTab, m.deskTab,
		container.NewTabItem(T("tab.sync"), withCatcher(m.status.Object())), m.settingsItm)
	m.tabs.OnSelected = func(*container.TabItem) {
		// Whatever had the focus is on the tab just left.
		m.capture.flush()
		m.w.Canvas().Unfocus()
		m.followUnsaved()
	}
	m.unsaved = newUnsavedBar(func() { m.tabs.Select(m.settingsItm) })
	m.settingsTab.onRestart = m.offerRestart
	head := container.NewVBox(m.top.obj)
	if d.Venue != nil {
		head.Add(m.venueBar.obj)
	}
	head.Add(m.link.obj)
	head.Add(m.unsaved)
	m.w.SetContent(container.NewBorder(head, nil, nil, nil, m.tabs))
	m.w.SetCloseIntercept(m.confirmClose)
	fitScreen(m.w)

	m.keys = newKeyboard(m.w, scannerOptions(&s), m.ui, m.typingTarget, m.routeScan, m.routeUnread)
	m.capture = m.keys.capture
	m.applySettings(s)
	m.loadHistory()
	m.followSync()
	m.followVenue()
	m.followForeground(a)
	m.w.SetOnClosed(m.Close)

	go m.gate.work(m.stop)
	go m.clock()
	return m.w, m
}

// Close stops the window's goroutines and subscriptions. It may be called
// more than once.
func (m *Main) Close() {
	m.closeOnce.Do(func() {
		close(m.stop)
		m.keys.close()
		if m.unsub != nil {
			m.unsub()
		}
		if m.venueUnsub != nil {
			m.venueUnsub()
		}
		for _, s := range []any{m.desk, m.status, m.settingsTab} {
			if c, ok := s.(interface{ Close() }); ok {
				c.Close()
			}
		}
	})
}

// ui runs f on the UI goroutine; only for worker goroutines (see mu).
func (m *Main) ui(f func()) {
	fyne.Do(func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		select {
		case <-m.stop: // the window is gone
		default:
			f()
		}
	})
}

func (m *Main) settings() core.Settings { return m.d.Settings() }

func (m *Main) now() time.Time {
	if m.d.Now != nil {
		return m.d.Now()
	}
	return time.Now()
}

// routeScan sends a complete scan to the tab it is meant for. The dispute
// desk looks tickets up without recording anything; every other tab hands
// it to the gate and shows the gate, so that no scan is silently dropped
// because someone left the Settings open. Dialogs and menus are closed
// first: the verdict must be seen, and the scan has moved the gate on.
func (m *Main) routeScan(raw string) {
	m.dismissOverlays()
	if m.tabs.Selected() == m.deskTab {
		s := m.settings()
		sc, err := scannerOptions(&s).Normalize(raw)
		if err != nil {
			if !errors.Is(err, scanner.ErrEmpty) {
				m.desk.say(T("app.scanNotRead", map[string]any{"Why": say().Error(err)}))
			}
			return
		}
		m.desk.HandleScan(sc.Code)
		return
	}
	m.toGate()
	m.gate.submit(raw)
}

// routeUnread shows a scanner's burst that never ended: SCAN NOT READ,
// never typed into a field, never glued onto the next scan.
func (m *Main) routeUnread(raw string) {
	m.dismissOverlays()
	if m.tabs.Selected() == m.deskTab {
		m.desk.say(T("app.scanNotEnded"))
		return
	}
	m.toGate()
	m.gate.unread(raw)
}

func (m *Main) toGate() {
	if m.tabs.Selected() != m.gateTab {
		m.tabs.Select(m.gateTab)
	}
}

// dismissOverlays closes dialogs and menus: a scan while one is open goes
// to the gate, and its verdict must not be hidden. A supervisor dialog so
// closed changed nothing (its action needs its button).
func (m *Main) dismissOverlays() {
	ov := m.w.Canvas().Overlays()
	if ov.Top() == nil {
		return
	}
	for _, o := range ov.List() {
		ov.Remove(o)
	}
	m.gate.dialog = nil
	m.w.Canvas().Unfocus()
}

// typingTarget is the field that takes typing with nothing focused.
func (m *Main) typingTarget() keySink {
	if m.w.Canvas().Overlays().Top() != nil {
		return nil
	}
	switch m.tabs.Selected() {
	case m.gateTab:
		return m.gate.entry
	case m.deskTab:
		return m.desk.query
	}
	return nil
}

// restoreFocus gives the keyboard back to the window after a gate action,
// unless a dialog is open (its fields keep what is being typed) or the
// supervisor is typing in the manual field.
func (m *Main) restoreFocus() {
	c := m.w.Canvas()
	if c.Overlays().Top() != nil || m.tabs.Selected() != m.gateTab {
		return
	}
	f := c.Focused()
	typing := f == fyne.Focusable(m.gate.entry) && m.gate.entry.Text != ""
	if f != nil && !typing {
		c.Unfocus()
	}
}

// followUnsaved says, on every tab but Settings, that the Settings form
// holds changes not saved: a scan may have pulled the supervisor away from
// it, and they must not be lost silently.
func (m *Main) followUnsaved() {
	edited := m.settingsTab.Edited()
	title := T("tab.settings")
	if edited {
		title = T("app.settingsEdited")
	}
	if m.settingsItm.Text != title {
		m.settingsItm.Text = title
		m.tabs.Refresh()
	}
	if edited && m.tabs.Selected() != m.settingsItm {
		m.unsaved.Show()
	} else {
		m.unsaved.Hide()
	}
}

func newUnsavedBar(open func()) *fyne.Container {
	text := widget.NewLabel(T("app.unsavedBar"))
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.Wrapping = fyne.TextWrapWord
	btn := widget.NewButton(T("app.openSettings"), open)
	bar := container.NewStack(canvas.NewRectangle(colCheck),
		container.NewBorder(nil, nil, nil, container.NewCenter(btn), text))
	bar.Hide()
	return bar
}

// confirmClose is the window's close button: unsaved settings are not
// thrown away without asking.
func (m *Main) confirmClose() {
	if !m.settingsTab.Edited() {
		m.w.Close()
		return
	}
	d := dialog.NewConfirm(T("app.unsavedTitle"), T("app.unsavedClose"),
		func(lose bool) {
			if lose {
				m.w.Close()
				return
			}
			m.tabs.Select(m.settingsItm)
		}, m.w)
	d.SetConfirmText(T("app.closeLose"))
	d.SetDismissText(T("app.backToSettings"))
	d.Show()
}

// offerRestart follows settings stored for the next start (another
// environment keeps another ticket list): the top bar says so at once, and
// one click restarts.
func (m *Main) offerRestart(st core.Settings, words string) {
	m.top.pendingEnv(st.Environment)
	m.confirmRestart(words)
}

// offerLanguage offers the restart that makes l the screens' language.
func (m *Main) offerLanguage(l words.Lang) {
	m.confirmRestart(T("app.langRestart", map[string]any{"Lang": l.Name()}))
}

// confirmRestart asks, saying why, whether to restart now or later.
func (m *Main) confirmRestart(why string) {
	if m.d.Restart == nil {
		return
	}
	d := dialog.NewConfirm(T("app.restartTitle"), why, func(now bool) {
		if now {
			m.d.Restart()
			m.w.Close()
		}
	}, m.w)
	d.SetConfirmText(T("app.restartNow"))
	d.SetDismissText(T("app.later"))
	d.Show()
}

// applySettings follows saved settings everywhere they show.
func (m *Main) applySettings(s core.Settings) {
	if l := s.Lang(); m.savedLang != "" && l != m.savedLang && l != m.lang {
		// Every screen, dialog and word already on them (the feed, the
		// desk's answer) would have to be said again: the app starts
		// again in the new language, in one click, its state on disk.
		m.offerLanguage(l)
	}
	m.savedLang = s.Lang()
	m.w.SetTitle("s360gate — " + s.Station)
	m.top.apply(&s, m.d.Demo != nil)
	if c := m.w.Content(); c != nil {
		c.Refresh() // the bar may have grown (DEMO banner): lay the window out again
	}
	m.top.renderSync(&s, m.now())
	m.gate.apply(&s)
	m.capture.setOptions(scannerOptions(&s))
	m.followUnsaved()
}

// save stores settings changed on the gate tab; what says what failed.
func (m *Main) save(s core.Settings, what string) {
	if m.d.SaveSettings == nil {
		dialog.ShowError(errors.New(T("app.cannotSave", map[string]any{"What": what})), m.w)
		return
	}
	if err := m.d.SaveSettings(s); err != nil {
		dialog.ShowError(errors.New(T("app.failed", map[string]any{"What": what, "Why": say().Error(err)})), m.w)
		return
	}
	m.applySettings(m.settings())
	// The Settings form must follow, or its next Save would quietly turn
	// an EXIT station back into an entry (Reload keeps unsaved edits).
	m.settingsTab.Reload(m.settings())
}

// loadHistory fills the feed with the last recorded scans and the counters
// with today's totals, so that a restarted laptop shows what happened.
func (m *Main) loadHistory() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A station of a venue reads the venue's history: the feed and the
	// counters are this station's scans in it.
	station, venue := m.settings().Station, m.d.Venue != nil
	mine := func(c *core.Control) bool { return !venue || c.Station == station }
	limit := feedLoad
	if venue {
		limit = feedLoad * 20
	}
	var recent []core.Control
	err := m.d.Store.Controls(ctx, core.ControlFilter{Newest: true, Limit: limit}, func(c core.Control) error {
		if mine(&c) && len(recent) < feedLoad {
			recent = append(recent, c)
		}
		return nil
	})
	if err != nil {
		m.log.WithError(err).Warn("Recent scans not loaded")
	}
	for i := len(recent) - 1; i >= 0; i-- { // oldest first: the newest ends on top
		m.gate.feed.ring.Push(entryOfControl(&recent[i]))
	}
	m.gate.feed.list.Refresh()
	now := m.now()
	y, mo, d := now.Date()
	midnight := time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
	if venue {
		m.gate.counters.load(core.ControlCounts{})
		err = m.d.Store.Controls(ctx, core.ControlFilter{Since: midnight}, func(c core.Control) error {
			if mine(&c) {
				m.gate.counters.add(c.Outcome, c.Reason, c.Direction == core.DirectionOut || c.Reason == core.ReasonExit)
			}
			return nil
		})
	} else {
		var cc core.ControlCounts
		cc, err = m.d.Store.ControlCounts(ctx, midnight)
		m.gate.counters.load(cc)
	}
	if err != nil {
		m.log.WithError(err).Warn("Today's counters not loaded")
	}
	m.gate.counters.render(m.gate.feed.ring.perMinute(now))
}

// followSync keeps the top bar's sync summary current.
func (m *Main) followSync() {
	if m.d.Engine == nil {
		return
	}
	s := m.settings()
	m.top.applySync(m.d.Engine.Status(), &s, m.now())
	m.unsub = m.d.Engine.Subscribe(func(st core.SyncStatus) {
		m.ui(func() {
			s := m.settings()
			m.top.applySync(st, &s, m.now())
		})
	})
}

// followForeground: a scanner types into whichever window is active. When
// the gate's window is not, the gate says so instead of "Scanner ready".
func (m *Main) followForeground(a fyne.App) {
	a.Lifecycle().SetOnEnteredForeground(func() {
		m.gate.background = false
		m.gate.renderReady()
	})
	a.Lifecycle().SetOnExitedForeground(func() {
		m.gate.background = true
		m.gate.renderReady()
	})
}

// clock refreshes what depends on time passing: the verdict's hold, the
// scans per minute, the "min ago" of the last sync.
func (m *Main) clock() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.ui(func() {
				s, now := m.settings(), m.now()
				m.gate.tick(now)
				m.top.renderSync(&s, now)
				if d := m.gate.dialog; d != nil {
					d.tick()
				}
				m.settingsTab.tick()
			})
		}
	}
}
