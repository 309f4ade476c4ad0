package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/scanner"
)

// The scanner is a keyboard. A supervisor must never have to click into a
// field before scanning: keystrokes that no widget has the focus for reach
// the window's canvas, and capture turns them into scans. When the manual
// entry field has the focus, it gets the keystrokes and its Enter submits.

// scannerOptions are the settings' scanner set-up.
func scannerOptions(s *core.Settings) scanner.Options {
	return scanner.Options{Terminator: s.ScannerTerminator, Prefix: s.ScannerPrefix, Suffix: s.ScannerSuffix}
}

// capture assembles window-level keystrokes into raw scans.
type capture struct {
	opts   scanner.Options
	asm    *scanner.Assembler
	onScan func(raw string)
	// clock times keystrokes. It is the real clock, not Deps.Now: telling a
	// scanner from a hand is about how fast keys come, whatever the date.
	clock func() time.Time
}

func newCapture(o scanner.Options, onScan func(string)) *capture {
	return &capture{opts: o, asm: scanner.NewAssembler(o), onScan: onScan, clock: time.Now}
}

// setOptions follows a settings change (terminator, prefix, suffix).
func (c *capture) setOptions(o scanner.Options) {
	if o != c.opts {
		c.opts, c.asm = o, scanner.NewAssembler(o)
	}
}

func (c *capture) rune(r rune) {
	if raw, done := c.asm.Rune(r, c.clock()); done {
		c.onScan(raw)
	}
}

func (c *capture) key(ev *fyne.KeyEvent) {
	if raw, done := c.asm.Key(string(ev.Name), c.clock()); done {
		c.onScan(raw)
	}
}

// attach makes the canvas feed the capture when nothing has the focus.
func (c *capture) attach(cv fyne.Canvas) {
	cv.SetOnTypedRune(c.rune)
	cv.SetOnTypedKey(c.key)
	// Tab never reaches OnTypedKey: with nothing focused, the window uses it
	// to move the focus to the first widget. A scanner set to end with Tab
	// would then type its next scan into that widget. Key-down events do
	// arrive, so Tab is taken there, and the focus it moved is given back
	// once the window has handled it (fyne.Do runs after this event).
	if dc, ok := cv.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(ev *fyne.KeyEvent) {
			if ev.Name != fyne.KeyTab {
				return
			}
			c.key(ev)
			fyne.Do(cv.Unfocus) // nothing had the focus before this Tab

		})
	}
}

// scanEntry is the manual entry field: a supervisor types a number off a
// damaged ticket. Enter submits (Entry.OnSubmitted). When the scanner ends
// its scans with Tab, Tab submits too, so that a scan typed into the field
// while it has the focus is not split or lost to focus traversal.
type scanEntry struct {
	widget.Entry
	tabSubmits bool
}

func newScanEntry() *scanEntry {
	e := &scanEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab keeps Tab in the field when it is the scanner's terminator.
func (e *scanEntry) AcceptsTab() bool { return e.tabSubmits }

func (e *scanEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyTab {
		// Never a tab character in a code: Tab either submits or is ignored.
		if e.tabSubmits && e.OnSubmitted != nil {
			e.OnSubmitted(e.Text)
		}
		return
	}
	e.Entry.TypedKey(ev)
}
