//go:build !linux || cgo

package ui

import (
	"bytes"
	"errors"
	"time"

	"github.com/ebitengine/oto/v3"
)

// otoBackend plays through oto: ALSA on Linux (cgo), the system APIs
// elsewhere. Only the audio goroutine calls it.
type otoBackend struct {
	ctx *oto.Context
	cur *oto.Player
}

func newOtoBackend() audioBackend { return &otoBackend{} }

func (o *otoBackend) start(rate, channels int) error {
	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   rate,
		ChannelCount: channels,
		Format:       oto.FormatSignedInt16LE,
		// Small: a verdict's sound must start with the verdict, not later.
		BufferSize: 40 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	select {
	case <-ready:
	case <-time.After(3 * time.Second):
		return errors.New("the sound device did not become ready")
	}
	// A missing device is only known once the context is ready (oto opens
	// it in the background; NewContext itself succeeds).
	if err := ctx.Err(); err != nil {
		return err
	}
	o.ctx = ctx
	return nil
}

func (o *otoBackend) play(data []byte) {
	if o.cur != nil {
		// Keep the player referenced until replaced: oto stops a player
		// that is garbage collected.
		o.cur.Pause()
		_ = o.cur.Close()
	}
	o.cur = o.ctx.NewPlayer(bytes.NewReader(data))
	o.cur.Play()
}
