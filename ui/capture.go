package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"

	"s360gate/core"
	"s360gate/core/scanner"
)

// The window's capture: every keystroke, from a focused keySink (keys.go)
// or from the canvas when nothing is focused, goes through one
// scanner.Assembler, which tells the scanner from a person by timing. Scans
// go to the gate (or the desk), a person's keys back to where they were
// typed. It runs on the UI goroutine only.

// scannerOptions are the settings' scanner set-up.
func scannerOptions(s *core.Settings) scanner.Options {
	return scanner.Options{Terminator: s.ScannerTerminator, Prefix: s.ScannerPrefix, Suffix: s.ScannerSuffix}
}

type capture struct {
	opts scanner.Options
	asm  *scanner.Assembler[keySink]
	// clock times keystrokes. It is the real clock, not Deps.Now: telling a
	// scanner from a hand is about how fast keys come, whatever the date.
	clock func() time.Time
	// schedule asks for fire to run on the UI goroutine after d; tests
	// replace it and fire by hand.
	schedule func(d time.Duration)
	due      time.Time // the deadline fire was scheduled for

	onScan    func(raw string)
	onUnread  func(raw string)
	onTyped   func(k scanner.Keystroke[keySink])
	onRetract func(ks []scanner.Keystroke[keySink])
}

func newCapture(o scanner.Options) *capture {
	return &capture{opts: o, asm: scanner.NewAssembler[keySink](o), clock: time.Now}
}

// setOptions follows a settings change (the suffix).
func (c *capture) setOptions(o scanner.Options) {
	if o == c.opts {
		return
	}
	c.take(c.asm.Flush())
	c.opts, c.asm = o, scanner.NewAssembler[keySink](o)
}

func (c *capture) rune(to keySink, r rune) { c.take(c.asm.Rune(r, c.clock(), to)) }

func (c *capture) key(to keySink, name fyne.KeyName) {
	c.keyAt(to, name, c.clock())
}

func (c *capture) keyAt(to keySink, name fyne.KeyName, at time.Time) {
	c.take(c.asm.Key(string(name), at, to))
}

// flush decides the held keys now.
func (c *capture) flush() { c.take(c.asm.Flush()) }

// fire is the timer: the moment a held key waits for the next has passed.
func (c *capture) fire() {
	due := c.due
	c.due = time.Time{}
	if due.IsZero() {
		due = c.asm.Deadline()
	}
	c.take(c.asm.Expire(due, c.clock()))
}

func (c *capture) take(evs []scanner.Event[keySink]) {
	for _, e := range evs {
		switch e.Kind {
		case scanner.Scanned:
			if c.onScan != nil {
				c.onScan(e.Raw)
			}
		case scanner.Unread:
			if c.onUnread != nil {
				c.onUnread(e.Raw)
			}
		case scanner.Typed:
			if c.onTyped != nil {
				c.onTyped(e.Key)
			}
		case scanner.Retract:
			if c.onRetract != nil {
				c.onRetract(e.Keys)
			}
		}
	}
	if d := c.asm.Deadline(); !d.IsZero() && !d.Equal(c.due) && c.schedule != nil {
		c.due = d
		c.schedule(max(d.Sub(c.clock()), 0))
	}
}

// attach makes the canvas feed the capture when nothing has the focus.
func (c *capture) attach(cv fyne.Canvas) {
	registerCapture(cv, c)
	cv.SetOnTypedRune(func(r rune) { c.rune(nil, r) })
	cv.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev = backTab(ev); roleOf(ev.Name) == keyTimed {
			c.key(nil, ev.Name)
		}
	})
	// Tab never reaches OnTypedKey: with nothing focused, the window moves
	// the focus to the first focusable widget first (a key catcher, see
	// keys.go). Key-down events do arrive: Tab is taken there, and once
	// the window has moved the focus (fyne.Do runs after this event) the
	// focus is given back and the Tab goes to the capture like any key.
	if dc, ok := cv.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(ev *fyne.KeyEvent) {
			if ev.Name != fyne.KeyTab {
				return
			}
			ev, at := backTab(ev), c.clock()
			fyne.Do(func() {
				cv.Unfocus()
				c.keyAt(nil, ev.Name, at)
			})
		})
	}
}

// withCatcher puts a key catcher first in content's focus order, at no
// size (so that no click lands on it).
func withCatcher(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(container.NewWithoutLayout(newKeyCatcher()), content)
}
