package ui

import (
	"math"
	"os"
	"strconv"

	"fyne.io/fyne/v2"
)

// The window fits the screen it opens on. Gate laptops are mostly
// 1366×768, some 1024×768, the desk may have 1920×1080: a fixed 1280×800
// put the ID-check prompt below the fold on the first and the counters off
// the second. Fyne 2.7 has no screen-size API, so screen_glfw.go asks GLFW
// (the driver underneath) for the primary monitor's work area (the screen
// less the task bar); the test driver and other builds have none, and the
// window then opens at fallbackSize.

// fallbackSize is the window when the screen is not known.
var fallbackSize = fyne.NewSize(1280, 800)

// Room the window manager takes around the window's content: the title
// bar and the borders, in screen pixels.
const (
	decorWidth  = 16
	decorHeight = 48
)

// windowSizeFor is the window's content size for a work area of w×h screen
// pixels at scale (Fyne units are pixels / scale): the whole area, less
// the window's own decorations.
func windowSizeFor(w, h int, scale float32) fyne.Size {
	if scale <= 0 {
		scale = 1
	}
	return fyne.NewSize(float32(w-decorWidth)/scale, float32(h-decorHeight)/scale)
}

// fitScreen sizes and centres w for the screen it opens on.
func fitScreen(w fyne.Window) {
	ww, wh, scale, ok := screenArea()
	if !ok || ww <= 0 || wh <= 0 {
		w.Resize(fallbackSize)
		return
	}
	w.Resize(windowSizeFor(ww, wh, scale*userScale()))
	w.CenterOnScreen()
}

// fitAtMost sizes w to size, or to the screen it opens on when that is
// smaller (a 1024×768 laptop).
func fitAtMost(w fyne.Window, size fyne.Size) {
	if ww, wh, scale, ok := screenArea(); ok && ww > 0 && wh > 0 {
		s := windowSizeFor(ww, wh, scale*userScale())
		size = fyne.NewSize(min(size.Width, s.Width), min(size.Height, s.Height))
	}
	w.Resize(size)
}

// userScale is Fyne's own: FYNE_SCALE, else the app's scale setting.
func userScale() float32 {
	if v, err := strconv.ParseFloat(os.Getenv("FYNE_SCALE"), 32); err == nil && v > 0 {
		return float32(v)
	}
	if a := fyne.CurrentApp(); a != nil {
		if s := a.Settings().Scale(); s > 0 {
			return s
		}
	}
	return 1
}

// detectedScale is Fyne's scale for a monitor widthPx pixels and widthMm
// millimetres wide (its DPI over 120, at least 1).
func detectedScale(widthMm, widthPx int) float32 {
	dpi := float64(widthPx) / (float64(widthMm) / 25.4)
	if widthMm <= 0 || dpi > 1000 || dpi < 10 {
		return 1
	}
	return float32(math.Max(1, dpi/120))
}
