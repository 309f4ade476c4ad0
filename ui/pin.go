package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// Supervisor actions (override a DENY, turn the station round) are behind
// the supervisor PIN, asked in the same dialog as the action's own fields:
// one dialog, one confirm, for someone standing at a gate with cold hands.

// supervisorDialog is an open PIN-protected dialog.
type supervisorDialog struct {
	form  *dialog.FormDialog
	items []*widget.FormItem
	pin   *widget.Entry // nil when no PIN is set
	note  *widget.Label // the wrong-PIN message
}

// askSupervisor shows title with intro, the action's items and the PIN, and
// calls ok once the PIN matches (core.PINMatches on the settings' hash). A
// wrong PIN says so plainly and asks again, keeping what was typed in the
// other fields. With no PIN set the action is open, and the dialog says how
// to close it.
func askSupervisor(w fyne.Window, hash, title, confirm, intro string, items []*widget.FormItem, ok func(), closed func()) *supervisorDialog {
	sd := &supervisorDialog{note: widget.NewLabel("")}
	sd.note.Importance = widget.DangerImportance
	sd.note.TextStyle = fyne.TextStyle{Bold: true}
	sd.note.Wrapping = fyne.TextWrapWord
	sd.note.Hide()

	introLabel := widget.NewLabel(intro)
	introLabel.Wrapping = fyne.TextWrapWord
	all := []*widget.FormItem{{Widget: introLabel}}
	all = append(all, items...)
	if hash != "" {
		sd.pin = widget.NewPasswordEntry()
		sd.pin.SetPlaceHolder("Supervisor PIN")
		sd.pin.Validator = func(s string) error {
			if s == "" {
				return errors.New("enter the supervisor PIN")
			}
			return nil
		}
		all = append(all, widget.NewFormItem("Supervisor PIN", sd.pin))
	} else {
		hint := widget.NewLabel("No supervisor PIN is set: anyone at this laptop can do this. Set a PIN in Settings.")
		hint.Importance = widget.WarningImportance
		hint.Wrapping = fyne.TextWrapWord
		all = append(all, &widget.FormItem{Widget: hint})
	}
	all = append(all, &widget.FormItem{Widget: sd.note})
	sd.items = all

	sd.form = dialog.NewForm(title, confirm, "Cancel", all, func(confirmed bool) {
		if !confirmed {
			closed()
			return
		}
		if sd.pin != nil && !core.PINMatches(hash, sd.pin.Text) {
			sd.note.SetText("Wrong PIN — nothing was changed. Try again.")
			sd.note.Show()
			sd.pin.SetText("")
			sd.form.Show()
			w.Canvas().Focus(sd.pin)
			return
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
