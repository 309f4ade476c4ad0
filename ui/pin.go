package ui

import (
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// Supervisor actions (override a DENY, turn the station round) are behind
// the supervisor PIN, asked in the same dialog as the action's own fields:
// one dialog, one confirm, for someone standing at a gate with cold hands.

// Wrong PINs: after pinMaxFails wrong PINs in a row, PINs are refused for
// pinLockout, then counted afresh. The gate's dialogs and the settings share
// one count (Main.pins), so that switching screens does not buy more tries.
// Five tries leave room for cold fingers; the wait turns guessing at the
// laptop into ten tries a minute.
const (
	pinMaxFails = 5
	pinLockout  = 30 * time.Second
)

// pinGuard counts wrong PINs and refuses PINs during the wait. now is its
// clock, injected so that tests need not wait 30 s.
type pinGuard struct {
	mu    sync.Mutex
	now   func() time.Time
	fails int       // wrong PINs in a row
	until time.Time // PINs are refused before then
}

func newPINGuard(now func() time.Time) *pinGuard {
	if now == nil {
		now = time.Now
	}
	return &pinGuard{now: now}
}

// blocked says, when PINs are refused now, for how long ("" otherwise).
func (g *pinGuard) blocked() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.blockedLocked()
}

func (g *pinGuard) blockedLocked() string {
	wait := g.until.Sub(g.now())
	if wait <= 0 {
		return ""
	}
	return T("pin.tooMany", map[string]any{"S": int(math.Ceil(wait.Seconds()))})
}

// try checks pin against the stored hash. When it is refused, the words
// say why: wrong (the caller's sentence for a wrong PIN), with a warning
// when the wait is near, or that PINs are refused for a while.
func (g *pinGuard) try(hash, pin, wrong string) (bool, string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if msg := g.blockedLocked(); msg != "" {
		return false, msg // not even tried: a guess now proves nothing
	}
	if core.PINMatches(hash, pin) {
		g.fails = 0
		return true, ""
	}
	g.fails++
	switch left := pinMaxFails - g.fails; {
	case left <= 0:
		g.fails, g.until = 0, g.now().Add(pinLockout)
		return false, T("pin.lockedOut", map[string]any{"N": pinMaxFails, "S": int(pinLockout.Seconds())})
	case left == 1:
		return false, wrong + " " + T("pin.oneMore", map[string]any{"S": int(pinLockout.Seconds())})
	case left == 2:
		return false, wrong + " " + T("pin.twoMore", map[string]any{"S": int(pinLockout.Seconds())})
	}
	return false, wrong
}

// supervisorDialog is an open PIN-protected dialog.
type supervisorDialog struct {
	form   *dialog.FormDialog
	items  []*widget.FormItem
	pin    *field        // nil when no PIN is set
	note   *widget.Label // the wrong-PIN message
	guard  *pinGuard
	locked bool // the note counts down the wait (tick)
}

// tick counts the wait down, every second, while PINs are refused.
func (sd *supervisorDialog) tick() {
	if !sd.locked {
		return
	}
	if msg := sd.guard.blocked(); msg != "" {
		sd.note.SetText(msg + " " + T("pin.nothingChanged"))
		return
	}
	sd.locked = false
	sd.note.SetText(T("pin.acceptedAgain"))
}

// askSupervisor shows title with intro, the action's items and the PIN, and
// calls ok once the PIN matches (core.PINMatches on the settings' hash). A
// wrong PIN says so plainly and asks again, keeping what was typed in the
// other fields; guard counts it (see pinGuard). With no PIN set the action
// is open, and the dialog says how to close it.
func askSupervisor(w fyne.Window, guard *pinGuard, hash, title, confirm, intro string, items []*widget.FormItem, ok func(), closed func()) *supervisorDialog {
	sd := &supervisorDialog{note: widget.NewLabel(""), guard: guard}
	sd.note.Importance = widget.DangerImportance
	sd.note.TextStyle = fyne.TextStyle{Bold: true}
	sd.note.Wrapping = fyne.TextWrapWord
	sd.note.Hide()

	introLabel := widget.NewLabel(intro)
	introLabel.Wrapping = fyne.TextWrapWord
	// The key catcher first: a Tab-ended scan moves the focus before the
	// capture sees it, and it must land on one of ours (keys.go).
	all := []*widget.FormItem{{Widget: withCatcher(introLabel)}}
	all = append(all, items...)
	if hash != "" {
		sd.pin = newPasswordField()
		sd.pin.SetPlaceHolder(T("setting.supervisorPin"))
		sd.pin.Validator = func(s string) error {
			if s == "" {
				return errors.New(T("pin.enter"))
			}
			return nil
		}
		all = append(all, widget.NewFormItem(T("setting.supervisorPin"), sd.pin))
	} else {
		hint := widget.NewLabel(T("pin.noneSet"))
		hint.Importance = widget.WarningImportance
		hint.Wrapping = fyne.TextWrapWord
		all = append(all, &widget.FormItem{Widget: hint})
	}
	all = append(all, &widget.FormItem{Widget: sd.note})
	sd.items = all

	sd.form = dialog.NewForm(title, confirm, T("Cancel"), all, func(confirmed bool) {
		if !confirmed {
			closed()
			return
		}
		if sd.pin != nil {
			wrong := T("pin.wrong")
			if match, msg := guard.try(hash, sd.pin.Text, wrong); !match {
				if !strings.HasPrefix(msg, wrong) {
					msg += " " + T("pin.nothingChanged")
				}
				sd.locked = guard.blocked() != ""
				sd.note.SetText(msg)
				sd.note.Show()
				sd.pin.SetText("")
				sd.form.Show()
				w.Canvas().Focus(sd.pin)
				return
			}
		}
		closed()
		ok()
	}, w)
	sd.form.Resize(fyne.NewSize(560, 0))
	if sd.pin != nil {
		sd.pin.OnSubmitted = func(string) { sd.form.Submit() }
	}
	sd.form.Show()
	return sd
}
