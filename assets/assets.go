// Package assets holds the files the app ships inside its binary: the gate
// sounds and the app icon.
//
// The files are synthesised by code, not recorded or drawn by hand, so that
// they can be reviewed and changed in a diff: gen_test.go makes them, and
// fails when the committed files differ from what it would make. To change a
// sound or the icon, edit gen_test.go and run
//
//	S360_UPDATE_ASSETS=1 go test ./assets/
package assets

import _ "embed"

// The sounds are PCM WAV, 44100 Hz, mono, 16-bit little-endian: what the
// gate's audio output plays without any decoding library.
var (
	// AdmitWAV is a short high double beep: "go on".
	//go:embed admit.wav
	AdmitWAV []byte
	// DenyWAV is a low buzz: "stop". It is also played when a scan could
	// not be recorded, since the person must not pass either way.
	//go:embed deny.wav
	DenyWAV []byte
	// AttentionWAV is a falling two-tone: admitted, but look first (age or
	// ID check), or a scan that could not be read.
	//go:embed attention.wav
	AttentionWAV []byte
)

// IconPNG is the 256×256 app icon: a tripod turnstile on a dark blue tile.
//
//go:embed icon.png
var IconPNG []byte
