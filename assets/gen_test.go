package assets

// This file is the source of the committed sounds and icon. It synthesises
// them and checks that the committed files are what it makes; with
// S360_UPDATE_ASSETS=1 it writes them instead. Keeping the generator in a
// test means it is compiled and run by `go test ./...` (so it cannot rot)
// yet never linked into the app.

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

const sampleRate = 44100

// tone is one segment of a sound: a frequency with odd harmonics (0 for a
// pure sine), or silence when hz is 0.
type tone struct {
	hz        float64
	ms        int
	harmonics int // number of odd harmonics above the fundamental
}

// The three gate sounds. They differ in pitch, rhythm and timbre at once, so
// that a steward tells them apart without looking, in a noisy crowd, on a
// laptop's small speakers.
var sounds = map[string][]tone{
	// Two short high beeps: quick and "light", over before the next scan.
	"admit.wav": {{hz: 1800, ms: 80}, {ms: 60}, {hz: 1800, ms: 80}},
	// A low buzz. Laptop speakers barely reproduce 160 Hz, so the odd
	// harmonics (480, 800, 1120 Hz…) carry it: it reads as a harsh buzz
	// rather than vanishing.
	"deny.wav": {{hz: 160, ms: 500, harmonics: 6}},
	// A falling two-tone (B5 → F#5), the classic "attention" call.
	"attention.wav": {{hz: 988, ms: 170}, {ms: 30}, {hz: 740, ms: 240}},
}

// synth renders tones as 16-bit mono PCM with 5 ms ramps at each edge, so
// that no segment starts or stops with a click.
func synth(tones []tone) []int16 {
	var out []int16
	for _, t := range tones {
		n := sampleRate * t.ms / 1000
		ramp := sampleRate * 5 / 1000
		for i := range n {
			if t.hz == 0 {
				out = append(out, 0)
				continue
			}
			x := 2 * math.Pi * t.hz * float64(i) / sampleRate
			v, norm := 0.0, 0.0
			for k := 0; k <= t.harmonics; k++ {
				h := float64(2*k + 1)
				if t.hz*h > sampleRate/2 {
					break
				}
				v += math.Sin(h*x) / h
				norm += 1 / h
			}
			v /= norm
			env := 1.0
			if i < ramp {
				env = float64(i) / float64(ramp)
			} else if n-1-i < ramp {
				env = float64(n-1-i) / float64(ramp)
			}
			out = append(out, int16(math.Round(v*env*0.6*math.MaxInt16)))
		}
	}
	return out
}

// wav wraps PCM in the canonical 44-byte RIFF header.
func wav(pcm []int16) []byte {
	var b bytes.Buffer
	data := len(pcm) * 2
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + data))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1)) // PCM
	w(uint16(1)) // mono
	w(uint32(sampleRate))
	w(uint32(sampleRate * 2)) // byte rate
	w(uint16(2))              // block align
	w(uint16(16))             // bits per sample
	b.WriteString("data")
	w(uint32(data))
	w(pcm)
	return b.Bytes()
}

// The icon, in 256×256 coordinates.
var (
	iconTile  = color.NRGBA{0x0F, 0x3D, 0x5E, 0xFF}
	iconGlyph = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	iconLED   = color.NRGBA{0x22, 0xC5, 0x5E, 0xFF}
)

type capsule struct{ ax, ay, bx, by, r float64 }

func (c capsule) has(x, y float64) bool {
	dx, dy := c.bx-c.ax, c.by-c.ay
	t := ((x-c.ax)*dx + (y-c.ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	px, py := c.ax+t*dx-x, c.ay+t*dy-y
	return px*px+py*py <= c.r*c.r
}

// rrect is a rectangle with rounded corners.
type rrect struct{ x0, y0, x1, y1, r float64 }

func (q rrect) has(x, y float64) bool {
	cx := math.Max(q.x0+q.r, math.Min(q.x1-q.r, x))
	cy := math.Max(q.y0+q.r, math.Min(q.y1-q.r, y))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= q.r*q.r
}

// iconAt is the colour of the icon at one point: a tripod turnstile (a
// cabinet with a hub on top; one arm barring the way, the other two
// foreshortened) and a green "go" light, on a rounded dark tile.
func iconAt(x, y float64) color.NRGBA {
	if !(rrect{8, 8, 248, 248, 44}).has(x, y) {
		return color.NRGBA{}
	}
	hubX, hubY := 104.0, 112.0
	if (x-hubX)*(x-hubX)+(y-hubY)*(y-hubY) <= 7*7 {
		return iconTile // the hub's axle
	}
	arms := []capsule{
		{hubX, hubY, 222, hubY, 12},  // the arm across the passage
		{hubX, hubY, 150, 196, 11},   // lower arm, coming towards us
		{hubX, hubY, 138, 62, 9},     // upper arm, going away
		{hubX, hubY, hubX, hubY, 24}, // hub
		{44, 222, 212, 222, 6},       // floor
	}
	for _, c := range arms {
		if c.has(x, y) {
			return iconGlyph
		}
	}
	if (rrect{50, 100, 104, 222, 10}).has(x, y) { // cabinet
		return iconGlyph
	}
	if (x-200)*(x-200)+(y-56)*(y-56) <= 20*20 {
		return iconLED
	}
	return iconTile
}

// icon renders iconAt with 4×4 supersampling, for smooth edges.
func icon() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	const ss = 4
	for py := range 256 {
		for px := range 256 {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					c := iconAt(float64(px)+(float64(sx)+0.5)/ss, float64(py)+(float64(sy)+0.5)/ss)
					al := float64(c.A) / 255
					r, g, b, a = r+float64(c.R)*al, g+float64(c.G)*al, b+float64(c.B)*al, a+al
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				uint8(math.Round(r / a)), uint8(math.Round(g / a)), uint8(math.Round(b / a)),
				uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	return img
}

func TestAssetsUpToDate(t *testing.T) {
	update := os.Getenv("S360_UPDATE_ASSETS") == "1"
	for name, tones := range sounds {
		want := wav(synth(tones))
		if update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what gen_test.go makes (err %v): run S360_UPDATE_ASSETS=1 go test ./assets/", name, err)
		}
	}
	img := icon()
	if update {
		var b bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("icon.png", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	// Compare pixels, not bytes: PNG compression may differ between Go
	// versions for the same image.
	got, err := png.Decode(bytes.NewReader(IconPNG))
	if err != nil {
		t.Fatalf("icon.png: %v", err)
	}
	if got.Bounds() != img.Bounds() {
		t.Fatalf("icon.png is %v, want %v", got.Bounds(), img.Bounds())
	}
	for y := range 256 {
		for x := range 256 {
			if color.NRGBAModel.Convert(got.At(x, y)) != img.At(x, y) {
				t.Fatalf("icon.png differs at %d,%d: run S360_UPDATE_ASSETS=1 go test ./assets/", x, y)
			}
		}
	}
}

// The embedded files must be what the ui's WAV reader expects.
func TestEmbeddedSounds(t *testing.T) {
	for name, b := range map[string][]byte{"admit": AdmitWAV, "deny": DenyWAV, "attention": AttentionWAV} {
		if len(b) < 44 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
			t.Errorf("%s: not a WAV file", name)
			continue
		}
		ms := (len(b) - 44) / 2 * 1000 / sampleRate
		if ms < 150 || ms > 700 {
			t.Errorf("%s lasts %d ms: a gate sound must be short but audible", name, ms)
		}
	}
}
