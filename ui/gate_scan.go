package ui

import (
	"context"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

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
//
// When no other scan is waiting, the UI goroutine waits for the answer, up
// to syncWait: Fyne draws a frame right after handling the events of a
// tick, so a verdict shown while the Enter is being handled is drawn in
// that same frame, a tick (up to 17 ms) sooner than one posted through
// fyne.Do. The store usually answers in a few milliseconds; when it does
// not, the UI stops waiting and the verdict comes through Main.ui.

const (
	// scanQueue bounds the scans waiting for the store. Beyond it the store
	// is stuck; a supervisor must hear that, not see scans vanish.
	scanQueue = 64
	// scanTimeout: a scan the store has not recorded by then is NOT
	// RECORDED. A person will not wait longer at a gate anyway.
	scanTimeout = 10 * time.Second
	// syncWait is how long the UI waits for the store (see above).
	syncWait = 30 * time.Millisecond
)

type scanJob struct {
	req      core.ScanRequest
	settings core.Settings
	// answer is set when the UI waits for the answer; state says who
	// shows it: 0 the UI still waits, 1 the UI stopped waiting (the
	// worker posts it), 2 the worker handed it to the UI.
	answer chan scanAnswer
	state  atomic.Int32
}

type scanAnswer struct {
	v   core.Verdict
	err error
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
	j := &scanJob{req: req, settings: s}
	wait := g.pending == 0 // with scans ahead, waiting would show them out of order
	if wait {
		j.answer = make(chan scanAnswer, 1)
	}
	select {
	case g.queue <- j:
		g.startPending()
		if wait {
			g.await(j)
		}
	default:
		err := core.Say(core.EUnavailable, "gate.busyQueue", map[string]any{"N": scanQueue})
		g.m.log.WithError(err).Error("Scan queue full")
		vw := errorView(err, now)
		g.show(&vw, &s, now, sc.Code, false)
	}
}

// busyAfter is how long a scan may take before the ready line says
// "Processing…". Said at once, it cost a whole frame between the Enter and
// the verdict (measured: 30-40 ms under Xvfb, which draws in software),
// and the verdict is usually on screen well before busyAfter.
const busyAfter = 150 * time.Millisecond

// startPending counts a scan sent to the store; the ready line turns to
// "Processing…" if it is still there after busyAfter.
func (g *gateView) startPending() {
	g.pending++
	if g.pending == 1 {
		g.busySince = time.Now()
	}
	time.AfterFunc(busyAfter, func() { g.m.ui(g.renderReady) })
}

// unread shows a scanner's burst that never ended (no terminator): it
// cannot be read as a code, and must not be glued onto the next one.
func (g *gateView) unread(raw string) {
	s := g.m.settings()
	now := g.m.now()
	vw := unreadView(core.Say(core.EInvalid, "app.scanNoTerminator", nil), raw, now)
	g.lastDeny = nil
	g.show(&vw, &s, now, raw, false)
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
			if j.answer != nil && j.state.CompareAndSwap(0, 2) {
				j.answer <- scanAnswer{v, err}
				continue
			}
			g.m.ui(func() { g.scanned(j, &v, err) })
		}
	}
}

// await shows j's verdict if the store answers within syncWait; otherwise
// the worker posts it.
func (g *gateView) await(j *scanJob) {
	t := time.NewTimer(syncWait)
	defer t.Stop()
	select {
	case a := <-j.answer:
		g.scanned(j, &a.v, a.err)
	case <-t.C:
		if j.state.CompareAndSwap(0, 1) {
			return
		}
		a := <-j.answer // handed over just now
		g.scanned(j, &a.v, a.err)
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
	g.counters.add(v.Outcome, v.Reason, vw.Kind == kindExit || vw.Exit)
	if vw.Overridable {
		g.lastDeny = v
	}
	g.show(&vw, &j.settings, j.req.Now, j.req.Code, !vw.Override)
}

// show puts a verdict on screen, in the feed, and through the speaker.
func (g *gateView) show(vw *verdictView, s *core.Settings, at time.Time, code string, scan bool) {
	if !g.muted {
		g.m.sound.play(vw.Kind.sound()) // queued: the audio goroutine plays it
	}
	g.shown, g.shownAt = vw.Kind, time.Now()
	g.panel.set(*vw, s.Direction == core.DirectionOut)
	g.showDetails(vw)
	g.feed.ring.Push(entryOfView(vw, at, code, scan))
	g.renderReady()
	g.m.restoreFocus()
	// The feed and the counters are drawn a frame after the verdict:
	// fyne.Do from the UI goroutine runs after the frame being prepared.
	fyne.Do(func() {
		g.feed.shown()
		g.counters.render(g.feed.ring.perMinute(g.m.now()))
	})
}
