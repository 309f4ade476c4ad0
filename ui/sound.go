package ui

import (
	"encoding/binary"
	"errors"
	"sync"

	"github.com/sirupsen/logrus"

	"s360gate/assets"
)

// A steward looks at the person, not at the laptop: the sound tells the
// verdict first. Three sounds only, each distinct in pitch and rhythm (see
// assets/gen_test.go), short enough to be over before the next scan.

type soundKind int

const (
	soundNone soundKind = iota
	soundAdmit
	soundDeny
	soundAttention
)

// sounder plays a gate sound without blocking the caller.
type sounder interface{ play(soundKind) }

// pcm is raw audio in the one format the output is opened with.
type pcm struct {
	data     []byte // s16le
	rate     int
	channels int
}

// parseWAV reads a PCM WAV file: the "fmt " and "data" chunks, whatever
// else the file holds. Only 16-bit PCM is accepted: that is what the assets
// are, and converting formats is not the gate's job.
func parseWAV(b []byte) (pcm, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return pcm{}, errors.New("not a WAV file")
	}
	var p pcm
	haveFmt := false
	for b = b[12:]; len(b) >= 8; {
		id, n := string(b[:4]), int(binary.LittleEndian.Uint32(b[4:8]))
		b = b[8:]
		if n > len(b) {
			return pcm{}, errors.New("WAV chunk " + id + " is truncated")
		}
		body := b[:n]
		switch id {
		case "fmt ":
			if n < 16 || binary.LittleEndian.Uint16(body[0:2]) != 1 || binary.LittleEndian.Uint16(body[14:16]) != 16 {
				return pcm{}, errors.New("WAV is not 16-bit PCM")
			}
			p.channels = int(binary.LittleEndian.Uint16(body[2:4]))
			p.rate = int(binary.LittleEndian.Uint32(body[4:8]))
			haveFmt = true
		case "data":
			if !haveFmt {
				return pcm{}, errors.New("WAV data before its format")
			}
			p.data = body
			return p, nil
		}
		b = b[n+n%2:] // chunks are padded to even sizes
	}
	return pcm{}, errors.New("WAV has no data")
}

// audioBackend is the sound output (oto, or nothing in builds without one).
type audioBackend interface {
	// start opens the output for this format; it may block briefly.
	start(rate, channels int) error
	// play starts one sound, cutting off the one still playing: a new
	// verdict makes the previous sound irrelevant.
	play(data []byte)
}

// audio is the process's one sound output (oto allows a single context per
// process), opened on first use. When it cannot start — no sound device on
// a CI runner or under Xvfb, no ALSA — it says so once in the log and the
// gate carries on silently: sound is a help, never a reason to fail a scan.
type audio struct {
	once    sync.Once
	backend audioBackend
	ok      bool
	sounds  map[soundKind][]byte
	queue   chan soundKind
	log     logrus.FieldLogger
}

var (
	sharedAudio     *audio
	sharedAudioOnce sync.Once
)

// appAudio is the shared output; log is used for its one start-up message.
func appAudio(log logrus.FieldLogger) *audio {
	sharedAudioOnce.Do(func() { sharedAudio = newAudio(newOtoBackend(), log) })
	return sharedAudio
}

func newAudio(b audioBackend, log logrus.FieldLogger) *audio {
	return &audio{backend: b, log: log, queue: make(chan soundKind, 1)}
}

// play queues a sound for the audio goroutine. The queue holds one sound:
// if scans come faster than sounds, only the newest is worth hearing.
func (a *audio) play(k soundKind) {
	if k == soundNone {
		return
	}
	a.once.Do(func() { go a.run() })
	for {
		select {
		case a.queue <- k:
			return
		default:
			select {
			case <-a.queue: // drop the stale one
			default:
			}
		}
	}
}

func (a *audio) run() {
	a.ok = a.open()
	for k := range a.queue {
		if a.ok {
			a.backend.play(a.sounds[k])
		}
	}
}

func (a *audio) open() bool {
	files := map[soundKind][]byte{soundAdmit: assets.AdmitWAV, soundDeny: assets.DenyWAV, soundAttention: assets.AttentionWAV}
	a.sounds = map[soundKind][]byte{}
	var rate, channels int
	for k, b := range files {
		p, err := parseWAV(b)
		if err == nil && rate != 0 && (p.rate != rate || p.channels != channels) {
			err = errors.New("sounds differ in format")
		}
		if err != nil {
			a.log.WithError(err).Warn("Gate sounds are damaged; the gate will be silent")
			return false
		}
		rate, channels, a.sounds[k] = p.rate, p.channels, p.data
	}
	if err := a.backend.start(rate, channels); err != nil {
		a.log.WithError(err).Info("No sound output; the gate will be silent")
		return false
	}
	return true
}
