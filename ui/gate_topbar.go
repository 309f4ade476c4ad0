package ui

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"s360gate/core"
)

// topBar is always on screen, on every tab: which laptop this is, where it
// stands, which way it faces, which S-360 it talks to, and whether it is in
// step with S-360. The direction is a coloured badge in capitals: EXIT is
// purple, a colour nothing else uses.
type topBar struct {
	station, gate *canvas.Text
	dirBg         *canvas.Rectangle
	dir           *canvas.Text
	env           *canvas.Text
	running, next core.Environment // in use; saved for the next start
	demo          fyne.CanvasObject

	syncDot                 *canvas.Circle
	online, pending, synced *canvas.Text
	last                    core.SyncStatus
	haveSync                bool
	// venueDown: the station cannot reach its venue (see connectionOf).
	venueDown bool
	obj       fyne.CanvasObject
}

func barText(s string, size float32, bold bool, col color.Color) *canvas.Text {
	t := canvas.NewText(s, col)
	t.TextSize, t.TextStyle = size, fyne.TextStyle{Bold: bold}
	return t
}

func newTopBar() *topBar {
	b := &topBar{
		station: barText("", 24, true, colOnDark),
		gate:    barText("", 20, false, colMutedText),
		dir:     barText("", 22, true, colOnDark),
		dirBg:   canvas.NewRectangle(colEntry),
		env:     barText("", 16, false, colMutedText),
		syncDot: canvas.NewCircle(colMutedText),
		online:  barText("", 16, true, colOnDark),
		pending: barText("", 14, false, colMutedText),
		synced:  barText("", 14, false, colMutedText),
	}
	b.dirBg.CornerRadius = 6
	badge := container.NewStack(b.dirBg, container.New(layout.NewCustomPaddedLayout(4, 4, 14, 14), b.dir))
	dot := container.NewGridWrap(fyne.NewSquareSize(14), b.syncDot)
	gap := func() fyne.CanvasObject {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(10, 1))
		return r
	}
	left := container.NewHBox(b.station, gap(), container.NewCenter(b.gate), gap(),
		container.NewCenter(badge), gap(), container.NewCenter(b.env))
	// What is waiting and when it last synced, one above the other: side
	// by side, with the station's words, they were wider than a 1024 px
	// screen in French, German and Italian.
	right := container.NewHBox(container.NewCenter(dot), container.NewCenter(b.online), gap(),
		container.NewCenter(container.New(layout.NewCustomPaddedVBoxLayout(0), b.pending, b.synced)))
	row := container.NewBorder(nil, nil, left, right)
	bg := canvas.NewRectangle(colBar)
	bar := container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(6, 6, 12, 12), row))

	demoText := barText(T("bar.demo"), 18, true, colOnLight)
	demoText.Alignment = fyne.TextAlignCenter
	b.demo = container.NewStack(canvas.NewRectangle(colDemo), container.NewPadded(demoText))
	b.demo.Hide()
	b.obj = container.NewVBox(bar, b.demo)
	return b
}

// apply shows the station's settings.
func (b *topBar) apply(s *core.Settings, demo bool) {
	setText(b.station, s.Station)
	gate := T("bar.noGate")
	if s.Gate != "" {
		gate = T("bar.gate", map[string]any{"Gate": s.Gate})
	}
	setText(b.gate, gate)
	if s.Direction == core.DirectionOut {
		setText(b.dir, T("bar.exit"))
		b.dirBg.FillColor = colExit
	} else {
		setText(b.dir, T("bar.entry"))
		b.dirBg.FillColor = colEntry
	}
	b.dirBg.Refresh()
	b.running = s.Environment
	setText(b.env, b.envWords())
	if demo || s.Environment == core.EnvSim {
		b.demo.Show()
	} else {
		b.demo.Hide()
	}
	b.obj.Refresh() // texts changed size: lay the bar out again
}

// pendingEnv says the settings saved are for another environment, used
// after a restart: the bar must not go on showing the old one alone.
func (b *topBar) pendingEnv(env core.Environment) {
	b.next = env
	if setText(b.env, b.envWords()) {
		b.obj.Refresh()
	}
}

func (b *topBar) envWords() string {
	w := strings.ToUpper(string(b.running))
	if b.next != "" && b.next != b.running {
		w = T("bar.afterRestart", map[string]any{"Env": w, "Next": strings.ToUpper(string(b.next))})
	}
	return w
}

// applySync shows the engine's status.
func (b *topBar) applySync(st core.SyncStatus, s *core.Settings, now time.Time) {
	b.last, b.haveSync = st, true
	b.renderSync(s, now)
}

// renderSync also runs every second, for the "min ago".
func (b *topBar) renderSync(s *core.Settings, now time.Time) {
	if !b.haveSync {
		if setText(b.online, T("bar.noEngine")) {
			b.obj.Refresh()
		}
		return
	}
	st := b.last
	last := st.LastExportOK
	if st.LastUploadOK.After(last) {
		last = st.LastUploadOK
	}
	staleAfter := time.Duration(s.StalenessMinutes) * time.Minute
	stale := last.IsZero() || (staleAfter > 0 && now.Sub(last) > staleAfter)
	// The words and colour follow the Sync tab's (connectionOf): never a
	// green "Syncing…" over a tab that says Offline.
	dot, word := colOnline, T("bar.online")
	switch connectionOf(&st, b.venueDown) {
	case connNotKnown:
		dot, word = colMutedText, T("bar.venueUnknown")
	case connNotYet:
		dot, word = colMutedText, T("bar.notYet")
		if st.Running {
			word = T("bar.connecting")
		}
	case connOffline:
		dot, word = colOffline, T("bar.offline")
	default:
		if st.Running {
			word = T("bar.syncing")
		}
		if stale {
			dot = colStale
		}
	}
	if b.syncDot.FillColor != dot {
		b.syncDot.FillColor = dot
		b.syncDot.Refresh()
	}
	changed := setText(b.online, word)
	pending, pendingCol := T("bar.allUploaded"), colMutedText
	switch n := rejectedCount(&st); {
	case st.Pending > 0:
		pending = T("bar.toUpload", map[string]any{"N": itoa(st.Pending)})
	case n > 0:
		// Not "all uploaded": S-360 refused some (blacklisted tickets).
		pending, pendingCol = T("bar.refused", map[string]any{"N": itoa(n)}), colOffline
	}
	changed = setText(b.pending, pending) || changed
	if b.pending.Color != pendingCol {
		b.pending.Color = pendingCol
		b.pending.Refresh()
	}
	synced := T("bar.neverSynced")
	if !last.IsZero() {
		synced = T("bar.lastSync", map[string]any{"At": venueClock(last, "15:04"), "Ago": ago(now.Sub(last))})
	}
	changed = setText(b.synced, synced) || changed
	if changed {
		b.obj.Refresh()
	}
	col := colMutedText
	if stale {
		col = colStale
	}
	if b.synced.Color != col {
		b.synced.Color = col
		b.synced.Refresh()
	}
}

// ago is a duration as people say it.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return T("ago.now")
	case d < time.Hour:
		return T("ago.min", map[string]any{"N": int(d.Minutes())})
	case d < 48*time.Hour:
		return T("ago.hours", map[string]any{"N": int(d.Hours())})
	}
	return TN("ago.days", int(d.Hours()/24))
}
