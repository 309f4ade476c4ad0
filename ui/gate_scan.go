package ui

import (
	"context"
	"time"

	"s360gate/core"
)

// A scan, from keystrokes to verdict:
//
//  1. on the UI goroutine: normalise (scanner package); a refusal is shown
//     at once as SCAN NOT READ, nothing is recorded;
//  2. on one worker goroutine, in arrival order: Store.Scan, which records
//     the control durably before it answers (a few ms);
//  3. back on the UI goroutine (Main.ui): the verdict, its sound, the feed
//     and the counters.
//
// One worker, not one goroutine per scan: verdicts then appear in the order
// the tickets were scanned, and a slow disk queues scans instead of piling
// up goroutines that all wait on the same database lock.

const (
	// scanQueue bounds the scans waiting for the store. Beyond it the store
	// is stuck; a supervisor must hear that, not see scans vanish.
	scanQueue = 64
	// scanTimeout: a scan the store has not recorded by then is NOT
	// RECORDED. A person will not wait longer at a gate anyway.
	scanTimeout = 10 * time.Second
)

type scanJob struct {
	req      core.ScanRequest
	settings core.Settings
}

// submit takes one raw scan (scanner, manual field or demo button).
func (g *gateView) submit(raw string) {
	s := g.m.settings()
	now := g.m.now()
	sc, err := scannerOptions(&s).Normalize(raw)
	if err != nil {
		vw := unreadView(err, raw, now)
		g.lastDeny = nil
		g.show(&vw, &s, now, raw, false)
		return
	}
	req := core.ScanRequest{Code: sc.Code, Checkpoint: s.Checkpoint(), Now: now}
	req.Prompts = core.ScannerPrompts(sc.Layout, sc.Odd)
	select {
	case g.queue <- scanJob{req: req, settings: s}:
		g.pending++
		g.renderReady()
	default:
		err := core.Errorf(core.EUnavailable, "The station is busy: %d scans are waiting for the ticket database. Wait a moment, then scan again.", scanQueue)
		g.m.log.WithError(err).Error("Scan queue full")
		vw := errorView(err, now)
		g.show(&vw, &s, now, sc.Code, false)
	}
}

// submitManual is the manual field's Enter (and its Check button).
func (g *gateView) submitManual(text string) {
	g.entry.SetText("")
	// Hand the keyboard back to the window: the next scan must not land
	// in the field.
	g.m.w.Canvas().Unfocus()
	if text != "" {
		g.submit(text)
	}
}

// submitDemo scans a demo ticket exactly as if the scanner had typed it.
func (g *gateView) submitDemo(barcode string) {
	g.submit(barcode)
}

// work is the worker goroutine; it ends when stop is closed.
func (g *gateView) work(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case j := <-g.queue:
			ctx, cancel := context.WithTimeout(context.Background(), scanTimeout)
			v, err := g.m.d.Store.Scan(ctx, j.req)
			cancel()
			g.m.ui(func() { g.scanned(&j, &v, err) })
		}
	}
}

// scanned shows the store's answer.
func (g *gateView) scanned(j *scanJob, v *core.Verdict, err error) {
	g.pending--
	g.lastDeny = nil
	if err != nil {
		// Never an ADMIT on an error: the control is not recorded, so the
		// same ticket could be admitted again elsewhere.
		g.m.log.WithError(err).WithField("code", tail(j.req.Code)).Error("Scan not recorded")
		vw := errorView(err, j.req.Now)
		g.show(&vw, &j.settings, j.req.Now, j.req.Code, false)
		return
	}
	vw := viewOf(v, &j.settings, j.req.Now)
	g.counters.add(v.Outcome, v.Reason)
	if vw.Overridable {
		g.lastDeny = v
	}
	g.show(&vw, &j.settings, j.req.Now, j.req.Code, !vw.Override)
}

// show puts a verdict on screen, in the feed, and through the speaker.
func (g *gateView) show(vw *verdictView, s *core.Settings, at time.Time, code string, scan bool) {
	g.shown, g.shownAt = vw.Kind, time.Now()
	g.panel.set(*vw, s.Direction == core.DirectionOut)
	g.showDetails(vw, at)
	g.feed.push(entryOfView(vw, at, code, scan))
	g.counters.render(g.feed.ring.perMinute(g.m.now()))
	g.renderReady()
	if !g.muted {
		g.m.sound.play(vw.Kind.sound())
	}
	g.m.restoreFocus()
}
