package ui

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"github.com/sirupsen/logrus"

	"s360gate/assets"
	"s360gate/core"
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
	tabs        *container.AppTabs
	gateTab     *container.TabItem
	deskTab     *container.TabItem
	gate        *gateView
	desk        *DeskScreen
	status      *StatusScreen
	settingsTab *SettingsScreen
	capture     *capture
	sound       sounder
	pins        *pinGuard // wrong PINs, counted across the gate and Settings

	stop      chan struct{}
	closeOnce sync.Once
	unsub     func()
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
	m.top = newTopBar()
	m.gate = newGateView(m)
	m.desk = NewDeskScreen(m.w, d)
	m.status = NewStatusScreen(m.w, d)
	m.settingsTab = NewSettingsScreen(m.w, d, m.applySettings)
	m.pins = newPINGuard(m.now)
	m.settingsTab.pins = m.pins
	m.gateTab = container.NewTabItem("Gate", m.gate.obj)
	// AppTabs make the window at least as large as the largest minimum of
	// all tabs, hidden ones included: every tab keeps its minimum small
	// (long or wrapped text sits in scroll containers), so that none can
	// push the gate's window off a laptop screen.
	m.deskTab = container.NewTabItem("Dispute desk", m.desk.Object())
	m.tabs = container.NewAppTabs(m.gateTab, m.deskTab,
		container.NewTabItem("Sync", m.status.Object()),
		container.NewTabItem("Settings", m.settingsTab.Object()))
	m.tabs.OnSelected = func(*container.TabItem) { m.restoreFocus() }
	m.w.SetContent(container.NewBorder(m.top.obj, nil, nil, nil, m.tabs))
	m.w.SetMainMenu(mainMenu(m.w, d.DataDir))
	m.w.Resize(fyne.NewSize(1280, 800))

	m.capture = newCapture(scannerOptions(&s), m.routeScan)
	m.capture.attach(m.w.Canvas())
	m.applySettings(s)
	m.loadHistory()
	m.followSync()
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
		if m.unsub != nil {
			m.unsub()
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
// because someone left the Settings open.
func (m *Main) routeScan(raw string) {
	if m.tabs.Selected() == m.deskTab {
		s := m.settings()
		sc, err := scannerOptions(&s).Normalize(raw)
		if err != nil {
			dialog.ShowInformation("Scan not read", err.Error(), m.w)
			return
		}
		m.desk.HandleScan(sc.Code)
		return
	}
	if m.tabs.Selected() != m.gateTab {
		m.tabs.Select(m.gateTab)
	}
	m.gate.submit(raw)
}

// restoreFocus gives the keyboard back to the window-level capture, unless
// a dialog is open (its fields must keep what is being typed).
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

// applySettings follows saved settings everywhere they show.
func (m *Main) applySettings(s core.Settings) {
	m.w.SetTitle("s360gate — " + s.Station)
	m.top.apply(&s, m.d.Demo != nil)
	if c := m.w.Content(); c != nil {
		c.Refresh() // the bar may have grown (DEMO banner): lay the window out again
	}
	m.top.renderSync(&s, m.now())
	m.gate.apply(&s)
	m.capture.setOptions(scannerOptions(&s))
}

// save stores settings changed on the gate tab; what says what failed.
func (m *Main) save(s core.Settings, what string) {
	if m.d.SaveSettings == nil {
		dialog.ShowError(errors.New(what+": settings cannot be saved here"), m.w)
		return
	}
	if err := m.d.SaveSettings(s); err != nil {
		dialog.ShowError(errors.New(what+": "+core.ErrorMessage(err)), m.w)
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
	var recent []core.Control
	err := m.d.Store.Controls(ctx, core.ControlFilter{Newest: true, Limit: feedLoad}, func(c core.Control) error {
		recent = append(recent, c)
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
	cc, err := m.d.Store.ControlCounts(ctx, time.Date(y, mo, d, 0, 0, 0, 0, now.Location()))
	if err != nil {
		m.log.WithError(err).Warn("Today's counters not loaded")
	}
	m.gate.counters.load(cc)
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
			})
		}
	}
}
