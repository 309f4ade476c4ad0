package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"s360gate/core"
	"s360gate/core/scanner"
)

func TestCaptureAssemblesWindowKeys(t *testing.T) {
	var got []string
	c := newCapture(scanner.Options{}, func(raw string) { got = append(got, raw) })
	cv := test.NewCanvas()
	c.attach(cv)
	test.TypeOnCanvas(cv, "12X")
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	test.TypeOnCanvas(cv, "3")
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn}) // a bare Enter is no scan
	test.TypeOnCanvas(cv, "456")
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyTab}) // not the terminator here
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEnter})
	if len(got) != 2 || got[0] != "123" || got[1] != "456" {
		t.Fatalf("scans %q", got)
	}

	// The settings change the terminator: Tab now ends a scan.
	s := core.Settings{ScannerTerminator: "tab"}
	c.setOptions(scannerOptions(&s))
	test.TypeOnCanvas(cv, "789")
	cv.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyTab})
	if len(got) != 3 || got[2] != "789" {
		t.Errorf("tab-terminated scan: %q", got)
	}
}

func TestScanEntryTabSubmitsOnlyWhenTerminator(t *testing.T) {
	var submitted []string
	e := newScanEntry()
	e.OnSubmitted = func(s string) { submitted = append(submitted, s) }
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	test.Type(e, "111")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if len(submitted) != 0 || e.AcceptsTab() {
		t.Fatalf("Tab submitted with an Enter scanner: %q", submitted)
	}
	e.tabSubmits = true
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if len(submitted) != 1 || submitted[0] != "111" || !e.AcceptsTab() {
		t.Errorf("Tab with a Tab scanner: %q", submitted)
	}
}
