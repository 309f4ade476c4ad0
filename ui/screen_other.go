//go:build ci || !cgo || wasm || js || android || ios

package ui

// screenArea is unknown without the GLFW driver (the test driver, mobile).
func screenArea() (w, h int, scale float32, ok bool) { return 0, 0, 0, false }
