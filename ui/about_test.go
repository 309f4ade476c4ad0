package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core/buildinfo"
)

// Help → About s360gate shows what `s360gate --version` prints and where
// the station's data and log are.
func TestAboutShowsVersionAndDataFolder(t *testing.T) {
	f := newGateFixture(t)
	var menu *fyne.MainMenu
	f.ui(func() { menu = f.w.MainMenu() })
	var about *fyne.MenuItem
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.Label == "About s360gate" {
				about = it
			}
		}
	}
	if about == nil {
		t.Fatal("no About s360gate in the menu")
	}
	f.ui(about.Action)
	var texts []string
	f.ui(func() {
		top := f.w.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("About opened nothing")
		}
		texts = labelTexts(top)
	})
	all := strings.Join(texts, "\n")
	for _, want := range []string{buildinfo.Get().String(), "Data folder: " + f.m.d.DataDir, "s360gate.log"} {
		if !strings.Contains(all, want) {
			t.Errorf("About lacks %q:\n%s", want, all)
		}
	}
}

// labelTexts are the texts of every label under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}
