package s360

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"s360gate/core"
)

// S-360 allows 60 requests a minute per institution and endpoint, where an
// endpoint is the whole published service: every method (exportList,
// importControlledTicket, getControlledTicket, getTimeZone,
// getAccessControlCatalog, burnTicket) and every version count together
// [doc, API rate limits page]; beyond it S-360 answers 509 (or 429). The
// limiter keeps the client under Budget requests in any window, all methods
// together, counting every attempt (retries and refused ones included,
// since the server counts them too).
//
// The window is a little longer than a minute: our clock and S-360's are
// not the same clock, and one spare second costs nothing.
const limitWindow = time.Minute + time.Second

// LimitWindow is the window the client's request budget counts in (see
// limitWindow), for whoever reports the budget's use.
const LimitWindow = limitWindow

type limiter struct {
	mu     sync.Mutex
	budget int
	window time.Duration
	calls  []time.Time // every method, oldest first
}

func newLimiter(budget int) *limiter {
	return &limiter{budget: budget, window: limitWindow}
}

// reserve takes a slot if one is free and returns 0; otherwise it takes
// nothing and returns how long until the oldest call leaves the window. The
// clock is read under the lock so that concurrent callers record their
// calls in order.
func (l *limiter) reserve(clock func() time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clock()
	q := l.prune(now)
	if len(q) < l.budget {
		l.calls = append(q, now)
		return 0
	}
	return q[0].Add(l.window).Sub(now)
}

// prune drops calls that left the window; caller holds mu.
//
// A call later than now means the clock was set back since (or a call was
// recorded by a clock that ran fast): it counts as made now. It then stays
// in the window for a whole window from now, never less than it really
// does, and the station waits at most one window: neither S-360's limit
// nor the station is at the mercy of a wrong clock. (Within this process
// time.Now's monotonic reading keeps the order anyway; the stored calls of
// another run have only the wall clock.)
func (l *limiter) prune(now time.Time) []time.Time {
	q := l.calls
	for i := len(q) - 1; i >= 0 && q[i].After(now); i-- {
		q[i] = now
	}
	cut := now.Add(-l.window)
	i := 0
	for i < len(q) && !q[i].After(cut) {
		i++
	}
	if i > 0 {
		q = append(q[:0], q[i:]...)
		l.calls = q
	}
	return q
}

// seed records calls made before (e.g. by a previous run, or by another
// process on the same store).
func (l *limiter) seed(calls []core.Call, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	for _, c := range calls {
		if c.Method == "" || !c.At.After(cut) {
			continue
		}
		at := c.At
		if at.After(now) {
			at = now // recorded by a clock that ran fast: see prune
		}
		l.calls = append(l.calls, at)
	}
	slices.SortFunc(l.calls, func(a, b time.Time) int { return a.Compare(b) })
}

// Seed pre-loads the limiter with the calls of the last minute as the store
// recorded them (calls dated in the future included: they count as made
// now), so that a restart, or another process using the same store, does
// not reset S-360's count.
func (c *Client) Seed(calls []core.Call) { c.lim.seed(calls, c.now()) }

// NextSlot is when a request, of any method, could be sent without waiting.
func (c *Client) NextSlot() time.Time {
	now := c.now()
	c.lim.mu.Lock()
	defer c.lim.mu.Unlock()
	q := c.lim.prune(now)
	if len(q) < c.lim.budget {
		return now
	}
	return q[0].Add(c.lim.window)
}

// Budget is how many requests a minute, all methods together, the client
// allows itself (the sync status shows it while an export waits for it).
func (c *Client) Budget() int {
	if c.cfg.Unlimited {
		return 0
	}
	return c.lim.budget
}

// wait blocks until a slot is free and takes it for a request of method. It
// gives up at once, without sleeping, when ctx would end before the slot
// frees.
func (c *Client) wait(ctx context.Context, method string) error {
	for {
		if err := ctx.Err(); err != nil {
			return cancelledError(err)
		}
		d := c.lim.reserve(c.now)
		if d <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return &core.Error{Code: core.ERefused,
				Message: fmt.Sprintf("The S-360 request limit (%d a minute) is used up; try again in %d seconds", c.lim.budget, int(d.Seconds()+0.999)),
				Err:     fmt.Errorf("%s: limiter needs %v, context ends sooner", method, d)}
		}
		c.log.WithField("method", method).WithField("wait", d.String()).Debug("s360: waiting for the request limit")
		if err := c.sleep(ctx, d); err != nil {
			return cancelledError(err)
		}
	}
}
