package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestGateScreenshots renders the gate in each state to PNG files, for a
// designer's eye (the software painter draws what the GL window would):
//
//	S360_SCREENSHOTS=/tmp/shots go test -tags ci -run Screenshots ./ui/
func TestGateScreenshots(t *testing.T) {
	dir := os.Getenv("S360_SCREENSHOTS")
	if dir == "" {
		t.Skip("set S360_SCREENSHOTS to a folder to render the gate")
	}
	f := newGateFixture(t, withDemo)
	shot := func(name string) { // f is reassigned below: shot follows it
		f.ui(func() {
			img := f.w.Canvas().Capture()
			out, err := os.Create(filepath.Join(dir, name+".png"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			if err := png.Encode(out, img); err != nil {
				t.Fatal(err)
			}
		})
	}
	shot("0-ready")
	f.scan(gcValid)
	shot("1-admit")
	f.scan(gcValid)
	shot("2-deny-used")
	f.scan(gcChild)
	shot("3-check-child")
	f.scan("12")
	shot("4-unread")
	f.scan(gcCancelled)
	shot("5-deny-cancelled")
	f.ui(func() { test.Tap(f.m.gate.overrideBtn) })
	shot("6-override-dialog")
	f.waitShown(func() {
		f.typeInto(f.m.gate.dialog.formEntry("Reason"), "refund cancelled by phone")
		test.Tap(findButton(f.w.Canvas(), "Admit"))
	})
	shot("7-override-admit")
	f.ui(func() {
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		f.m.gate.shown = kindIdle
		s := f.m.settings()
		f.m.gate.panel.set(idleView(&s), true)
	})
	shot("8-exit-ready")
	f.scan(gcValid)
	shot("9-exit-ok")

	f = newGateFixture(t, withFailingStore)
	f.scan(gcValid)
	shot("10-not-recorded")
}
