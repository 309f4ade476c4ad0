package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core/buildinfo"
)

// About s360gate, on the Sync tab, shows what `s360gate --version` prints
// and where the station's data and log are; a scan while it is open closes
// it and is recorded (no menu bar: an open menu took the scanner's keys).
func TestAboutShowsVersionAndDataFolder(t *testing.T) {
	f := newGateFixture(t)
	f.ui(func() {
		if f.w.MainMenu() != nil {
			t.Error("a menu bar: its open menus swallow scans")
		}
		test.Tap(f.m.status.aboutBtn)
	})
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
	f.scan(gcValid)
	if word, _, _ := f.shown(); word != "ADMIT" {
		t.Errorf("scan with About open: %q", word)
	}
	f.ui(func() {
		if f.w.Canvas().Overlays().Top() != nil {
			t.Error("About stayed over the verdict")
		}
	})
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
