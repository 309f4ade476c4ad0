package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The gate tab. Most of the screen is the verdict, readable from two metres;
// under it the reason and what to check; on the right what happened lately.
// Everything a supervisor does here is one tap, and nothing needs a click
// before the next scan.

// How long a verdict stays before the panel returns to READY. A verdict left
// on screen is a risk: the next person in line could be waved through on the
// previous person's green. An ADMIT is over when the person has passed; a
// DENY or an error is being discussed, so it stays longer. The details go
// with the panel: READY beside "Already used at…" and the last holder would
// be read as the next person's.
const (
	holdAdmit = 5 * time.Second
	holdOther = 10 * time.Second
)

type gateView struct {
	m *Main

	panel   *verdictPanel
	message *widget.RichText
	prompts *fyne.Container
	facts   *fyne.Container
	actions *fyne.Container

	readyDot    *canvas.Circle
	readyText   *canvas.Text
	entry       *field
	overrideBtn *widget.Button
	mute        *widget.Button
	direction   *widget.Button

	header   *fyne.Container
	details  *fyne.Container
	scroll   *container.Scroll // the details: each verdict starts at its top
	center   *fyne.Container   // the verdict over the details
	tools    *fyne.Container
	feed     *feed
	counters *counters
	obj      fyne.CanvasObject

	holdAdmit  time.Duration // see holdAdmit; a field so tests can shorten it
	holdOther  time.Duration
	queue      chan *scanJob
	pending    int       // scans sent to the store, not answered yet
	busySince  time.Time // when the oldest of them was sent
	background bool      // the window is not the active one: scans go elsewhere
	muted      bool
	shown      panelKind
	shownAt    time.Time
	lastDeny   *core.Verdict     // what Override… applies to
	dialog     *supervisorDialog // the last supervisor dialog (tests look at it)
	day        int               // day of year the counters are for
}

func newGateView(m *Main) *gateView {
	g := &gateView{m: m, queue: make(chan *scanJob, scanQueue), holdAdmit: holdAdmit, holdOther: holdOther}
	g.panel = newVerdictPanel()
	g.message = widget.NewRichText()
	g.message.Wrapping = fyne.TextWrapWord
	g.prompts = container.NewVBox()
	g.facts = container.New(layout.NewFormLayout())
	g.overrideBtn = widget.NewButtonWithIcon(T("gate.override"), theme.WarningIcon(), g.askOverride)
	g.overrideBtn.Importance = widget.DangerImportance
	g.overrideBtn.Hide() // until a DENY that can be overridden
	g.actions = container.NewHBox(g.overrideBtn)
	g.actions.Hide()

	g.readyDot = canvas.NewCircle(colOnline)
	g.readyText = canvas.NewText(readyWords(), theme.Color(theme.ColorNameForeground))
	g.readyText.TextSize = theme.Size(sizeStatus)
	g.readyText.TextStyle = fyne.TextStyle{Bold: true}
	g.entry = newField()
	g.entry.SetPlaceHolder(T("gate.entryHint"))
	g.entry.OnSubmitted = g.submitManual
	check := widget.NewButtonWithIcon(T("gate.check"), theme.SearchIcon(), func() { g.submitManual(g.entry.Text) })
	g.mute = widget.NewButton("", g.toggleMute)
	g.direction = widget.NewButton("", g.askDirection)

	g.feed = newFeed()
	g.counters = newCounters()
	g.obj = g.build(check)
	return g
}

func (g *gateView) build(check *widget.Button) fyne.CanvasObject {
	dot := container.NewGridWrap(fyne.NewSquareSize(18), g.readyDot)
	// As wide as its longest words, so that the field beside it does not
	// jump at every scan when "Scanner ready" turns to "Processing…".
	w := float32(0)
	for _, s := range []string{readyWords(), busyWords(), awayWords()} {
		w = max(w, fyne.MeasureText(s, g.readyText.TextSize, g.readyText.TextStyle).Width)
	}
	ready := container.NewHBox(container.NewCenter(dot),
		container.New(&fixedWidth{w + theme.Padding()}, container.NewVBox(layout.NewSpacer(), g.readyText, layout.NewSpacer())))
	g.header = container.NewBorder(nil, nil, ready, check, g.entry)

	// No "Scan at" line: the panel's sub line has the time, and the
	// details leave with the panel.
	g.details = container.NewVBox(g.message, g.actions, g.prompts, g.facts)
	g.scroll = container.NewVScroll(g.details)
	g.center = container.New(&splitV{ratio: 0.56, least: 0.5, need: g.mustSee}, g.panel, g.scroll)
	main := container.NewBorder(container.NewPadded(g.header), nil, nil, nil, g.center)

	title := widget.NewLabelWithStyle(T("gate.recent"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Station controls sit with the station's numbers, away from the scan
	// field: they are used a few times an event, the field many times.
	// Side by side, each as wide as its words (a grid made both as wide as
	// "Auf AUSGANG umstellen…").
	g.tools = container.NewHBox(g.mute, g.direction)
	right := container.NewBorder(container.NewVBox(g.tools, g.counters.obj, widget.NewSeparator(), title), nil, nil, nil, g.feed.list)
	cols := []fyne.CanvasObject{main, right}
	if len(g.m.d.Demo) > 0 {
		cols = append(cols, newDemoPanel(g.m.d.Demo, g.submitDemo))
	}
	return container.New(gateColumns{}, cols...)
}

// gateColumns shares the gate's width out: the station's numbers on the
// right and the demo tickets on the left (when shown) get a share of it
// within bounds, the verdict in the middle the rest. On a 1024 px laptop
// the verdict keeps half the width instead of a third.
// Objects: the verdict column, the right column, then the demo panel.
type gateColumns struct{}

func (gateColumns) sides(objs []fyne.CanvasObject, width float32) (left, right float32) {
	clamp := func(v, lo, hi float32) float32 { return max(lo, min(v, hi)) }
	right = max(clamp(width*0.33, 300, 420), objs[1].MinSize().Width)
	if len(objs) > 2 {
		left = max(clamp(width*0.2, 200, 260), objs[2].MinSize().Width)
	}
	return left, right
}

func (c gateColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	left, right := c.sides(objs, size.Width)
	x := float32(0)
	if len(objs) > 2 {
		objs[2].Move(fyne.NewPos(0, 0))
		objs[2].Resize(fyne.NewSize(left, size.Height))
		x = left + pad
	}
	objs[0].Move(fyne.NewPos(x, 0))
	objs[0].Resize(fyne.NewSize(max(0, size.Width-x-right-pad), size.Height))
	objs[1].Move(fyne.NewPos(size.Width-right, 0))
	objs[1].Resize(fyne.NewSize(right, size.Height))
}

func (c gateColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	left, right := c.sides(objs, 0) // the narrowest shares
	w := objs[0].MinSize().Width + pad + right
	h := max(objs[0].MinSize().Height, objs[1].MinSize().Height)
	if len(objs) > 2 {
		w += left + pad
		h = max(h, objs[2].MinSize().Height)
	}
	return fyne.NewSize(w, h)
}

// apply follows the settings: direction, mute, and the idle panel.
func (g *gateView) apply(s *core.Settings) {
	g.muted = s.Mute
	g.renderMute()
	g.counters.setExit(s.Direction == core.DirectionOut)
	g.counters.render(g.feed.ring.perMinute(g.m.now()))
	if s.Direction == core.DirectionOut {
		g.direction.SetText(T("gate.toEntry"))
	} else {
		g.direction.SetText(T("gate.toExit"))
	}
	g.tools.Refresh() // the buttons' words changed width
	if g.shown == kindIdle {
		g.panel.set(idleView(s), s.Direction == core.DirectionOut)
	}
}

func (g *gateView) renderMute() {
	if g.muted {
		g.mute.SetText(T("gate.soundOff"))
		g.mute.SetIcon(theme.VolumeMuteIcon())
	} else {
		g.mute.SetText(T("gate.soundOn"))
		g.mute.SetIcon(theme.VolumeUpIcon())
	}
}

// The ready line's words. awayWords: a scanner types into whichever window
// is active; when it is not the gate's, the next scan would go elsewhere.
func readyWords() string { return T("gate.ready") }
func busyWords() string  { return T("gate.busy") }
func awayWords() string  { return T("gate.away") }

// renderReady says whether the next scan will be taken.
func (g *gateView) renderReady() {
	col, text := colOnline, readyWords()
	switch {
	case g.pending > 0 && time.Since(g.busySince) >= busyAfter:
		col, text = colStale, busyWords()
	case g.background:
		col, text = colOffline, awayWords()
	}
	if g.readyDot.FillColor != col {
		g.readyDot.FillColor = col
		g.readyDot.Refresh()
	}
	if setText(g.readyText, text) {
		g.header.Refresh()
	}
}

// showDetails fills the part under the panel.
func (g *gateView) showDetails(v *verdictView) {
	g.message.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  v.Message,
		Style: widget.RichTextStyle{SizeName: sizeReason, TextStyle: fyne.TextStyle{Bold: true}},
	}}
	g.message.Refresh()

	g.setPrompts(v.Prompts)
	g.setFacts(v.Facts)
	if v.Overridable {
		g.overrideBtn.Show()
		g.actions.Show()
	} else {
		g.overrideBtn.Hide()
		g.actions.Hide()
	}
	g.details.Refresh() // rows were added and removed: lay out again
	g.center.Refresh()  // the split follows what must be seen
	// The reason and the prompts come first: a new verdict is read from
	// the top, not where the last one was scrolled to.
	g.scroll.ScrollToTop()
}

// setPrompts shows the prompt boxes, reusing those made for earlier
// verdicts: a new widget costs a verdict's redraw (its renderer, its
// texts' shaping) and the gate shows a few every second.
func (g *gateView) setPrompts(texts []string) {
	for len(g.prompts.Objects) < len(texts) {
		g.prompts.Objects = append(g.prompts.Objects, promptBox(""))
	}
	for i, o := range g.prompts.Objects {
		if i >= len(texts) {
			o.Hide()
			continue
		}
		rt := promptBoxText(o)
		if seg := rt.Segments[0].(*widget.TextSegment); seg.Text != texts[i] {
			seg.Text = texts[i]
			rt.Refresh()
		}
		o.Show()
	}
}

// promptBoxText is a prompt box's text.
func promptBoxText(box fyne.CanvasObject) *widget.RichText {
	return box.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*widget.RichText)
}

// setFacts shows the labelled lines, reusing their labels (see setPrompts).
func (g *gateView) setFacts(facts []fact) {
	for len(g.facts.Objects) < 2*len(facts) {
		l := widget.NewLabel("")
		l.SizeName, l.Alignment = sizeFact, fyne.TextAlignTrailing
		val := widget.NewLabel("")
		val.SizeName, val.TextStyle, val.Wrapping = sizeFact, fyne.TextStyle{Bold: true}, fyne.TextWrapWord
		g.facts.Objects = append(g.facts.Objects, l, val)
	}
	for i := 0; i < len(g.facts.Objects); i += 2 {
		l, val := g.facts.Objects[i].(*widget.Label), g.facts.Objects[i+1].(*widget.Label)
		if i/2 >= len(facts) {
			l.Hide()
			val.Hide()
			continue
		}
		f := facts[i/2]
		if l.Text != f.Label {
			l.SetText(f.Label)
		}
		if val.Text != f.Value {
			val.SetText(f.Value)
		}
		l.Show()
		val.Show()
	}
}

// clearDetails empties the part under the panel when it returns to READY.
func (g *gateView) clearDetails() {
	g.message.Segments = nil
	g.message.Refresh()
	g.setPrompts(nil)
	g.setFacts(nil)
	g.overrideBtn.Hide()
	g.actions.Hide()
	g.lastDeny = nil
	g.details.Refresh()
	g.center.Refresh()
	g.scroll.ScrollToTop()
}

// promptBox is one instruction on amber, dark text: unmissable, and the
// same colour as the ADMIT — CHECK panel it belongs to.
func promptBox(text string) fyne.CanvasObject {
	// (setPrompts and promptText know its shape.)
	bg := canvas.NewRectangle(colCheck)
	bg.CornerRadius = 8
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{
		SizeName: sizePrompt, ColorName: colorOnCheck, TextStyle: fyne.TextStyle{Bold: true},
	}})
	t.Wrapping = fyne.TextWrapWord
	return container.NewStack(bg, container.NewPadded(t))
}

// tick runs every second: the verdict's hold, the pace, the day's counters.
func (g *gateView) tick(now time.Time) {
	if g.shown != kindIdle && g.m.w.Canvas().Overlays().Top() != nil {
		// A supervisor is acting on this verdict (override): it stays.
		g.shownAt = time.Now()
	}
	if g.shown != kindIdle {
		hold := g.holdOther
		if g.shown == kindAdmit {
			hold = g.holdAdmit
		}
		if time.Since(g.shownAt) > hold {
			s := g.m.settings()
			g.shown = kindIdle
			g.panel.set(idleView(&s), s.Direction == core.DirectionOut)
			g.clearDetails()
		}
	}
	if d := now.YearDay(); d != g.day && g.day != 0 {
		g.counters.load(core.ControlCounts{}) // midnight: a new day's totals
	}
	g.day = now.YearDay()
	g.counters.render(g.feed.ring.perMinute(now))
}

// mustSee is the height, at width w, of what must be read without
// scrolling under the verdict: the time, the reason, the override button
// and every prompt (the seat and the like may be scrolled to).
func (g *gateView) mustSee(w float32) float32 {
	h := float32(0)
	n := 0
	for _, o := range []fyne.CanvasObject{g.message, g.actions, g.prompts} {
		if !o.Visible() {
			continue
		}
		if o == g.message {
			// Wrapped text measures its height at the width it has.
			g.message.Resize(fyne.NewSize(w, g.message.Size().Height))
		}
		h += o.MinSize().Height
		n++
	}
	return h + float32(n)*theme.Padding()
}

// splitV gives the first object ratio of the height (at least its minimum)
// and the rest to the second: the verdict gets the lion's share. When what
// must be seen under it (need) does not fit in the rest, the verdict gives
// way, down to least of the height: at 1366×768 an ID-check prompt must not
// fall below the fold.
type splitV struct {
	ratio, least float32
	need         func(width float32) float32
}

func (l *splitV) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	top := size.Height * l.ratio
	if l.need != nil {
		if rest := size.Height - top - theme.Padding(); rest < l.need(size.Width) {
			top = max(size.Height-theme.Padding()-l.need(size.Width), size.Height*l.least)
		}
	}
	top = max(top, objs[0].MinSize().Height)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, top))
	gap := theme.Padding()
	objs[1].Move(fyne.NewPos(0, top+gap))
	objs[1].Resize(fyne.NewSize(size.Width, max(0, size.Height-top-gap)))
}

func (l *splitV) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(a.Width, b.Width), a.Height+theme.Padding()+b.Height)
}

// fixedWidth makes a side column exactly w wide.
type fixedWidth struct{ w float32 }

func (l *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.w, h)
}
