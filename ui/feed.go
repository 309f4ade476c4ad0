package ui

import (
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// feedCap is how many scans the live feed keeps in memory. A busy gate does
// a few thousand scans an event; older ones are in the store (dispute desk).
const feedCap = 5000

// feedLoad is how many recorded controls the feed starts with.
const feedLoad = 200

// feedEntry is one line of the live feed.
type feedEntry struct {
	At   time.Time
	Kind panelKind
	Word string // ADMIT, DENY, CHECK, OVERRIDE, EXIT, NOT RECORDED, NOT READ
	Text string // the reason
	Tail string // barcode tail
	// Scan: a recorded control (counts in scans per minute); errors and
	// unread scans are shown but are not scans of a ticket.
	Scan bool
}

// ring is a fixed-size buffer of the newest entries. Pushing is O(1) and
// nothing is ever copied, so a feed of thousands stays as fast as one of ten;
// widget.List asks only for the rows on screen.
type ring struct {
	buf   []feedEntry
	start int // index of the oldest entry
	n     int
}

func newRing(capacity int) *ring { return &ring{buf: make([]feedEntry, capacity)} }

func (r *ring) Len() int { return r.n }

func (r *ring) Push(e feedEntry) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
		return
	}
	r.buf[r.start] = e // overwrite the oldest
	r.start = (r.start + 1) % len(r.buf)
}

// Newest returns the i-th newest entry (0 is the latest).
func (r *ring) Newest(i int) feedEntry {
	return r.buf[(r.start+r.n-1-i)%len(r.buf)]
}

// perMinute counts the scans of the last 60 s before now. Entries are in time
// order, so it stops at the first older one.
func (r *ring) perMinute(now time.Time) int {
	n := 0
	for i := 0; i < r.n; i++ {
		e := r.Newest(i)
		if now.Sub(e.At) > time.Minute {
			break
		}
		if e.Scan {
			n++
		}
	}
	return n
}

// entryOfControl is a feed line for a recorded control (loaded at start).
func entryOfControl(c *core.Control) feedEntry {
	e := feedEntry{At: c.At, Text: say().Control(c), Tail: tail(c.Scanned), Scan: true}
	switch {
	case c.Override:
		e.Kind, e.Word = kindAdmit, T("feed.override")
	case c.Direction == core.DirectionOut && c.Outcome == core.Admit:
		e.Kind, e.Word = kindExit, T("verdict.exit")
	case c.Direction == core.DirectionOut:
		e.Kind, e.Word = kindCheck, T("verdict.exit")
	case c.Outcome == core.Admit:
		e.Kind, e.Word = kindAdmit, say().Outcome(core.Admit)
	default:
		e.Kind, e.Word = kindDeny, say().Outcome(core.Deny)
	}
	return e
}

// entryOfView is a feed line for a verdict just shown. scan is false for
// what is not a ticket scanned at the gate (errors, unread, overrides).
func entryOfView(v *verdictView, at time.Time, code string, scan bool) feedEntry {
	word := v.Word
	switch {
	case v.Exit:
	case v.Kind == kindCheck:
		word = T("feed.check")
	case v.Kind == kindUnread:
		word = T("feed.notRead")
	}
	if v.Override {
		word = T("feed.override")
	}
	return feedEntry{At: at, Kind: v.Kind, Word: word, Text: v.Message, Tail: tail(code), Scan: scan}
}

// feed is the live list of recent scans, newest first.
type feed struct {
	ring *ring
	list *keyList
}

func newFeed() *feed {
	f := &feed{ring: newRing(feedCap)}
	f.list = newKeyList(f.ring.Len, newFeedRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < f.ring.Len() {
			fillFeedRow(o, f.ring.Newest(id))
		}
	})
	// The feed is for reading. A selected (focused) list would swallow the
	// scanner's keystrokes, so a tap gives the focus straight back.
	f.list.OnSelected = func(id widget.ListItemID) {
		f.list.Unselect(id)
		if c := fyne.CurrentApp().Driver().CanvasForObject(f.list); c != nil {
			c.Unfocus()
		}
	}
	return f
}

func (f *feed) push(e feedEntry) {
	f.ring.Push(e)
	f.shown()
}

// shown brings the list up to date with the ring, newest on top.
func (f *feed) shown() {
	f.list.Refresh()
	if f.list.GetScrollOffset() != 0 {
		f.list.ScrollToTop()
	}
}

// widestFeedWord is the feed word that needs the widest badge in the
// GUI's language.
func widestFeedWord() string {
	w, widest := "", float32(0)
	for _, s := range []string{say().Outcome(core.Admit), say().Outcome(core.Deny), T("verdict.exit"), T("feed.check"),
		T("feed.notRead"), T("feed.override"), T("verdict.notRecorded")} {
		if m := fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{Bold: true}).Width; m > widest {
			w, widest = s, m
		}
	}
	return w
}

// A feed row: a colour chip with the verdict word, the time and the code
// tail on one line, the reason on the next, as wide as the column: the
// reason ("Already used at 19:02, GATE_A_2") is what a supervisor looks
// back for, and beside the chip it would be cut to a few letters.
func newFeedRow() fyne.CanvasObject {
	chip := canvas.NewRectangle(colIdle)
	chip.CornerRadius = 4
	word := canvas.NewText(widestFeedWord(), colOnDark) // sizes the badge
	word.TextStyle = fyne.TextStyle{Bold: true}
	word.Alignment = fyne.TextAlignCenter
	badge := container.NewStack(chip, container.NewPadded(word))
	at := widget.NewLabel("00:00:00")
	at.TextStyle = fyne.TextStyle{Monospace: true}
	reason := widget.NewLabel("")
	reason.Truncation = fyne.TextTruncateEllipsis
	code := widget.NewLabel("…000000") // sized for a tail; replaced per row
	code.TextStyle = fyne.TextStyle{Monospace: true}
	left := container.NewHBox(container.NewGridWrap(badge.MinSize(), badge), at)
	return container.NewVBox(container.NewBorder(nil, nil, left, code), reason)
}

func fillFeedRow(o fyne.CanvasObject, e feedEntry) {
	rows := o.(*fyne.Container).Objects
	line := rows[0].(*fyne.Container)
	reason := rows[1].(*widget.Label)
	left := line.Objects[0].(*fyne.Container)
	code := line.Objects[1].(*widget.Label)
	badge := left.Objects[0].(*fyne.Container).Objects[0].(*fyne.Container)
	chip := badge.Objects[0].(*canvas.Rectangle)
	word := badge.Objects[1].(*fyne.Container).Objects[0].(*canvas.Text)
	at := left.Objects[1].(*widget.Label)

	// Only what changed is refreshed: every scan refills every row.
	bg, fg := e.Kind.colours(false)
	if chip.FillColor != bg {
		chip.FillColor = bg
		chip.Refresh()
	}
	if word.Text != e.Word || word.Color != fg {
		word.Color, word.Text = fg, e.Word
		word.Refresh()
	}
	setLabel(at, venueClock(e.At, "15:04:05"))
	setLabel(reason, e.Text)
	setLabel(code, e.Tail)
}

// setLabel changes a label's text only when it differs.
func setLabel(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}

// counters are the gate's totals since midnight: admitted, denied by reason,
// exits, and the pace of the last minute (to call for help before a queue
// forms). At an exit station the first number is the people who left.
type counters struct {
	admitted int
	denied   map[core.Reason]int
	exited   int
	exit     bool // an exit station

	admittedText, deniedText, rateText *canvas.Text
	admittedLabel                      *widget.Label
	reasons                            *widget.Label
	obj                                fyne.CanvasObject
}

func newCounters() *counters {
	c := &counters{denied: map[core.Reason]int{}}
	big := func(col color.Color) *canvas.Text {
		t := canvas.NewText("0", col)
		t.TextSize, t.TextStyle, t.Alignment = 40, fyne.TextStyle{Bold: true}, fyne.TextAlignCenter
		return t
	}
	c.admittedText, c.deniedText = big(colCountAdmit), big(colCountDeny)
	c.rateText = big(theme.Color(theme.ColorNameForeground))
	cell := func(t *canvas.Text, label string) (fyne.CanvasObject, *widget.Label) {
		l := widget.NewLabel(label)
		l.Alignment = fyne.TextAlignCenter
		l.Wrapping = fyne.TextWrapWord // "entrées aujourd'hui" on two lines rather than a wider column
		return container.NewVBox(t, l), l
	}
	c.reasons = widget.NewLabel("")
	c.reasons.Wrapping = fyne.TextWrapWord
	admitted, label := cell(c.admittedText, T("feed.admittedToday"))
	c.admittedLabel = label
	denied, _ := cell(c.deniedText, T("feed.deniedToday"))
	rate, _ := cell(c.rateText, T("feed.rate"))
	c.obj = container.NewVBox(container.NewGridWithColumns(3, admitted, denied, rate), c.reasons)
	c.render(0)
	return c
}

func (c *counters) load(cc core.ControlCounts) {
	c.admitted, c.exited = cc.Admitted, cc.Exited
	c.denied = map[core.Reason]int{}
	for r, n := range cc.Denied {
		c.denied[r] = n
	}
}

// add counts one scan; exit: it was scanned at an exit.
func (c *counters) add(outcome core.Outcome, r core.Reason, exit bool) {
	switch {
	case exit:
		c.exited++
	case outcome == core.Admit:
		c.admitted++
	default:
		c.denied[r]++
	}
}

// setExit says which way the station faces: an exit station's first
// number is the people who left.
func (c *counters) setExit(exit bool) {
	c.exit = exit
	if exit {
		c.admittedLabel.SetText(T("feed.leftToday"))
	} else {
		c.admittedLabel.SetText(T("feed.admittedToday"))
	}
}

// render shows the totals; the reasons in core.DenyReasons order, zeros left
// out so that the list says at a glance what is going wrong at this gate.
func (c *counters) render(perMinute int) {
	denied := 0
	reasons := ""
	for _, r := range core.DenyReasons {
		if n := c.denied[r]; n > 0 {
			denied += n
			if reasons != "" {
				reasons += " · "
			}
			reasons += reasonWord(r) + " " + itoa(n)
		}
	}
	for r, n := range c.denied { // reasons this build does not know
		if !slices.Contains(core.DenyReasons, r) && n > 0 {
			denied += n
		}
	}
	if reasons == "" {
		reasons = T("feed.noDenials")
	}
	first := c.admitted
	if c.exit {
		first = c.exited
		if c.admitted > 0 {
			reasons = T("feed.admittedHere", map[string]any{"N": itoa(c.admitted)}) + " · " + reasons
		}
	} else if c.exited > 0 {
		reasons = T("feed.exitsToday", map[string]any{"N": itoa(c.exited)}) + " · " + reasons
	}
	setText(c.admittedText, itoa(first))
	setText(c.deniedText, itoa(denied))
	setText(c.rateText, itoa(perMinute))
	if c.reasons.Text != reasons {
		c.reasons.SetText(reasons)
	}
}

// setText changes a canvas.Text and reports whether it changed: its
// container must then lay out again (canvas.Text does not ask for it).
func setText(t *canvas.Text, s string) bool {
	if t.Text == s {
		return false
	}
	t.Text = s
	t.Refresh()
	return true
}

// itoa writes thousands apart, as the GUI's language does: "12,345",
// "12 345", "12.345" read faster than 12345.
func itoa(n int) string { return Lang().Number(n) }
