package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The gate is read from two metres away, standing, sometimes in sunlight,
// by people who may not tell red from green. Every verdict therefore has
// its own colour AND its own shape AND its own word, and the colours are
// chosen for contrast with their text, not for looks:
//
//   - green and red are dark (white text on them is 5:1 and 6:1), amber is
//     light with near-black text (about 9:1). For the most common colour
//     blindness red and green look alike, but light amber never looks like
//     either, and the words and shapes still differ;
//   - an exit station is purple everywhere it shows its direction, a colour
//     no verdict uses, so it cannot be mistaken for an entry.
var (
	colAdmit     = color.NRGBA{0x15, 0x80, 0x3D, 0xFF} // green-700
	colDeny      = color.NRGBA{0xB9, 0x1C, 0x1C, 0xFF} // red-700
	colCheck     = color.NRGBA{0xF5, 0x9E, 0x0B, 0xFF} // amber-500
	colError     = color.NRGBA{0x7F, 0x1D, 0x1D, 0xFF} // red-900: darker than DENY
	colIdle      = color.NRGBA{0x33, 0x41, 0x55, 0xFF} // slate-700
	colEntry     = color.NRGBA{0x1D, 0x4E, 0xD8, 0xFF} // blue-700
	colExit      = color.NRGBA{0x6B, 0x21, 0xA8, 0xFF} // purple-800
	colBar       = color.NRGBA{0x1E, 0x29, 0x3B, 0xFF} // slate-800: the top bar
	colDemo      = color.NRGBA{0xFA, 0xCC, 0x15, 0xFF} // yellow-400
	colOnDark    = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colOnLight   = color.NRGBA{0x11, 0x11, 0x11, 0xFF}
	colMutedText = color.NRGBA{0xCB, 0xD5, 0xE1, 0xFF} // slate-300 on the dark bar
	colOnline    = color.NRGBA{0x22, 0xC5, 0x5E, 0xFF}
	// The counters are coloured text on the window's background, dark or
	// light: green-600 and red-500 read at 3:1 or better on both (the
	// panel's green-700 and red-700 fall under 3:1 on the dark theme).
	colCountAdmit = color.NRGBA{0x16, 0xA3, 0x4A, 0xFF}
	colCountDeny  = color.NRGBA{0xEF, 0x44, 0x44, 0xFF}
	colOffline    = color.NRGBA{0xEF, 0x44, 0x44, 0xFF}
	colStale      = color.NRGBA{0xFB, 0xBF, 0x24, 0xFF}
)

// Sizes and colours the gate view asks the theme for by name, so that
// widgets that wrap text (labels, rich text) can be as large as the gate
// needs while the other tabs keep Fyne's defaults.
const (
	sizeReason fyne.ThemeSizeName = "s360.reason" // the verdict's reason
	sizePrompt fyne.ThemeSizeName = "s360.prompt" // AGE CHECK and the like
	sizeFact   fyne.ThemeSizeName = "s360.fact"   // seat, holder, taxNumber
	sizeStatus fyne.ThemeSizeName = "s360.status" // "Scanner ready"

	colorOnCheck fyne.ThemeColorName = "s360.onCheck" // text on amber
)

// appTheme is Fyne's default theme plus the gate's named sizes and colours.
type appTheme struct{ fyne.Theme }

func newAppTheme() fyne.Theme { return appTheme{theme.DefaultTheme()} }

func (t appTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case sizeReason:
		return 32
	case sizePrompt:
		return 26
	case sizeFact:
		return 20
	case sizeStatus:
		return 20
	}
	return t.Theme.Size(n)
}

func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == colorOnCheck {
		return colOnLight
	}
	return t.Theme.Color(n, v)
}
