package ui

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/assets"
)

func TestParseWAVAssets(t *testing.T) {
	for name, b := range map[string][]byte{"admit": assets.AdmitWAV, "deny": assets.DenyWAV, "attention": assets.AttentionWAV} {
		p, err := parseWAV(b)
		if err != nil || p.rate != 44100 || p.channels != 1 || len(p.data) == 0 || len(p.data)%2 != 0 {
			t.Errorf("%s: %+v %v", name, p.rate, err)
		}
	}
	for _, bad := range [][]byte{nil, []byte("RIFF0000WAVE"), []byte("not a wav file at all")} {
		if _, err := parseWAV(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeBackend records what it is asked to do.
type fakeBackend struct {
	mu     sync.Mutex
	fail   error
	starts int
	played [][]byte
}

func (f *fakeBackend) start(rate, channels int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	return f.fail
}

func (f *fakeBackend) play(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.played = append(f.played, b)
}

func (f *fakeBackend) count() (starts, played int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.starts, len(f.played)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestAudioPlaysWithoutBlocking(t *testing.T) {
	fb := &fakeBackend{}
	a := newAudio(fb, logrus.New())
	a.play(soundAdmit)
	waitFor(t, "a sound", func() bool { _, n := fb.count(); return n == 1 })
	a.play(soundNone)
	a.play(soundDeny)
	waitFor(t, "the second sound", func() bool { _, n := fb.count(); return n == 2 })
	if s, _ := fb.count(); s != 1 {
		t.Errorf("output opened %d times", s)
	}
}

// No sound device: one line in the log, then silence, never an error.
func TestAudioWithoutDeviceLogsOnce(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := logrus.New()
	log.SetOutput(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) }))
	fb := &fakeBackend{fail: errors.New("ALSA: no card")}
	a := newAudio(fb, log)
	for range 20 {
		a.play(soundDeny) // must not block, whatever the backend does
	}
	waitFor(t, "the log line", func() bool { mu.Lock(); defer mu.Unlock(); return buf.Len() > 0 })
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if strings.Count(out, "No sound output") != 1 || !strings.Contains(out, "level=info") {
		t.Errorf("log:\n%s", out)
	}
	if _, n := fb.count(); n != 0 {
		t.Errorf("%d sounds sent to a backend that failed to start", n)
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }
