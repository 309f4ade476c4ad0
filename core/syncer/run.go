package syncer

import (
	"context"
	"errors"
	"time"

	"s360gate/core"
)

// Run keeps the station in sync until ctx ends, and then returns ctx's
// error. It starts a cycle at once if the policy allows, then:
//   - in preprod and production, each cycle as soon as the policy allows it
//     (every hour before event day, every minute on event day);
//   - in sim and sandbox, every Options.Every, and sooner (but at most
//     every Options.Poll) when new controls are waiting, so that the
//     gates' scans reach S-360 promptly. After a failed upload, uploads wait
//     for the next scheduled cycle rather than hammer a failing S-360.
//
// Errors of a cycle are in the status and the log; Run carries on.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Refresh(ctx); err != nil && ctx.Err() == nil {
		e.log.WithError(err).Warn("cannot load the sync status")
	}
	first := true
	pendingAfter := 0     // controls the last cycle left pending
	uploadFailed := false // the last cycle's upload failed
	for ctx.Err() == nil {
		now := e.now()
		s := e.Settings()
		e.mu.Lock()
		last, pending := e.state.LastCycle, e.status.Pending
		e.mu.Unlock()

		due := e.due(s, last, now)
		prompt := !s.Environment.Limited() && pending > pendingAfter && !uploadFailed &&
			!now.Before(last.Add(e.poll))
		wait := e.poll
		if first || prompt || !now.Before(due) {
			first = false
			rep, err := e.RunCycle(ctx)
			var ref *core.PolicyRefusal
			switch {
			case !rep.Started.IsZero():
				pendingAfter, uploadFailed = rep.Pending, rep.UploadErr != nil
				continue
			case errors.As(err, &ref):
				continue // the state now says when; due will be in the future
			}
			// Busy (a SyncNow under way) or the disk failed: try again later.
		} else if d := due.Sub(now); d < wait {
			wait = d
		}
		if err := e.sleep(ctx, wait); err != nil {
			break
		}
		if err := e.refreshControls(ctx); err != nil && ctx.Err() == nil {
			e.log.WithError(err).Warn("cannot count the pending controls")
		}
	}
	return ctx.Err()
}

// due is when Run's next scheduled cycle is.
func (e *Engine) due(s core.Settings, last, now time.Time) time.Time {
	if s.Environment.Limited() {
		e.mu.Lock()
		zone := e.state.Zone()
		e.mu.Unlock()
		return nextAllowed(s, last, now, zone)
	}
	if last.IsZero() {
		return now
	}
	return last.Add(e.every)
}
