package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"s360gate/core/scanner"
)

// keyboard is one window's scanner-first keyboard: the capture that tells
// the scanner from a person (capture.go), the timer that decides the keys
// it holds, and the hand-over of a person's keys to the window's widgets.
// The main window has one, and so does every other window that takes scans
// (the test session's): a scan typed into any of its fields is a scan.
type keyboard struct {
	w       fyne.Window
	capture *capture
	// target is the field that takes typing with nothing focused (nil:
	// none just now).
	target func() keySink

	mu    sync.Mutex
	timer *time.Timer // Close stops it
}

// newKeyboard attaches a capture to w's canvas. Scans and unread bursts go
// to onScan and onUnread; run runs a func on the UI goroutine (the timer
// fires on its own).
func newKeyboard(w fyne.Window, o scanner.Options, run func(func()), target func() keySink, onScan, onUnread func(string)) *keyboard {
	k := &keyboard{w: w, capture: newCapture(o), target: target}
	c := k.capture
	c.onScan, c.onUnread, c.onTyped, c.onRetract = onScan, onUnread, k.deliver, k.retract
	c.schedule = func(d time.Duration) {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.timer == nil {
			k.timer = time.AfterFunc(d, func() { run(c.fire) })
			return
		}
		k.timer.Reset(d)
	}
	c.attach(w.Canvas())
	return k
}

// close detaches the capture from the window and stops its timer.
func (k *keyboard) close() {
	registerCapture(k.w.Canvas(), nil)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		k.timer.Stop()
	}
}

// deliver hands a person's keystroke to where it was typed. Keys typed
// with nothing focused go to the window's typing target (the gate's manual
// field, the desk's search field). Tab moves the focus, among this app's
// widgets.
func (k *keyboard) deliver(ks scanner.Keystroke[keySink]) {
	to := ks.To
	if _, ok := to.(*keyCatcher); ok {
		to = nil
	}
	name := fyne.KeyName(ks.Name)
	if name == fyne.KeyTab || name == keyBackTab {
		k.focusNext(to, name == keyBackTab)
		return
	}
	c := k.w.Canvas()
	if to == nil {
		t := k.target()
		if t == nil || (ks.Rune == 0 && c.Focused() != t) {
			return
		}
		if c.Focused() != t {
			c.Focus(t)
		}
		to = t
	}
	to.typed(ks.Rune, name)
}

// retract takes back keys handed on as a person's that were the start of a
// scan after all (a starved system delivered them apart from the rest):
// from the end of the field they went to, if they are still there.
func (k *keyboard) retract(keys []scanner.Keystroke[keySink]) {
	where := func(ks scanner.Keystroke[keySink]) keySink {
		if _, ok := ks.To.(*keyCatcher); ok || ks.To == nil {
			return k.target()
		}
		return ks.To
	}
	for i := 0; i < len(keys); {
		to, text := where(keys[i]), ""
		for ; i < len(keys) && where(keys[i]) == to; i++ {
			text += string(keys[i].Rune)
		}
		if f, ok := to.(*field); ok {
			f.takeBack(text)
		}
	}
}

// focusNext moves the focus on from from (nil: from the start), skipping
// Fyne's widgets that would swallow a scan (buttons) and the key catchers.
func (k *keyboard) focusNext(from keySink, back bool) {
	c := k.w.Canvas()
	if from != nil && c.Focused() != from {
		c.Focus(from)
	}
	if from == nil {
		c.Unfocus()
	}
	var first fyne.Focusable
	for range 1000 {
		if back {
			c.FocusPrevious()
		} else {
			c.FocusNext()
		}
		f := c.Focused()
		if f == nil || f == first {
			break
		}
		if first == nil {
			first = f
		}
		if _, ok := f.(*keyCatcher); ok {
			continue
		}
		if _, ok := f.(keySink); ok {
			return
		}
	}
	c.Unfocus()
}
