//go:build !ci && cgo && !wasm && !js && !android && !ios

package ui

import (
	"runtime"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenArea is the primary monitor's work area in screen pixels and the
// scale Fyne's GLFW driver will use there. It runs on the main goroutine
// after the app's first window was made: GLFW is initialised by then.
func screenArea() (w, h int, scale float32, ok bool) {
	defer func() {
		if recover() != nil { // GLFW not ready: keep the fallback
			ok = false
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, 0, false
	}
	_, _, w, h = m.GetWorkarea()
	switch runtime.GOOS {
	case "darwin":
		scale = 1 // macOS scales at the texture level
	case "windows":
		scale, _ = m.GetContentScale()
	default:
		mm, _ := m.GetPhysicalSize()
		scale = detectedScale(mm, m.GetVideoMode().Width)
	}
	return w, h, scale, true
}
