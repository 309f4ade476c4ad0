package core

import (
	"context"
	"time"
)

// Sleep waits d, or less when ctx ends first (then it returns ctx's
// error). Backoffs and schedules use it so that a shutdown never waits out
// a pause.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
