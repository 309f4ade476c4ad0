package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core/words"
)

// buttons are the texts of a dialog's buttons.
func buttons(w fyne.Window) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Button:
			out = append(out, o.Text)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range w.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// A language chosen in Settings is spoken by the screens and by Fyne's
// own dialogs, whatever the system's language, and can be changed again.
func TestSetLanguageOverSystem(t *testing.T) {
	for _, system := range []string{"de_CH.UTF-8", "es_ES.UTF-8", "C"} { // Swiss German, a language Fyne speaks and we do not, none
		t.Run(system, func(t *testing.T) { setLanguageOver(t, system) })
	}
}

func setLanguageOver(t *testing.T, system string) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LANG", system)
	test.NewTempApp(t)
	defer SetLanguage(words.EN)
	for _, c := range []struct {
		l          words.Lang
		admit, yes string
	}{
		{words.FR, "ENTRÉE", "Oui"}, {words.IT, "INGRESSO", "Sì"}, {words.DE, "EINLASS", "Ja"}, {words.EN, "ADMIT", "Yes"},
	} {
		SetLanguage(c.l)
		if got := T("outcome.ADMIT"); got != c.admit {
			t.Errorf("%s: %q", c.l, got)
		}
		if got := lang.L("Yes"); got != c.yes {
			t.Errorf("%s: Fyne's Yes is %q", c.l, got)
		}
		w := test.NewTempWindow(t, widget.NewLabel(""))
		dialog.NewConfirm("?", "?", func(bool) {}, w).Show()
		if b := buttons(w); len(b) != 2 || b[1] != c.yes {
			t.Errorf("%s: the confirm dialog's buttons %q", c.l, b)
		}
		if got := TN("prompt.years", 1); got != words.Lang(c.l).N("prompt.years", 1, nil) {
			t.Errorf("%s: plural %q", c.l, got)
		}
		if got := T("settings.err.typeOnly", map[string]any{"Want": words.Key("settings.type.int")}); got != c.l.T("settings.err.typeOnly", map[string]any{"Want": words.Key("settings.type.int")}) {
			t.Errorf("%s: words of words %q", c.l, got)
		}
	}
}
