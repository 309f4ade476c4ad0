package s360

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"s360gate/core"
)

// S-360 refuses with HTTP 509 beyond 60 requests a minute per endpoint
// [doc]. The limiter keeps the client under Budget requests in any window,
// per method, counting every attempt (retries and refused ones included,
// since the server counts them too).
//
// The window is a little longer than a minute: our clock and S-360's are
// not the same clock, and one spare second costs nothing.
const limitWindow = time.Minute + time.Second

type limiter struct {
	mu     sync.Mutex
	budget int
	window time.Duration
	calls  map[string][]time.Time // per method, oldest first
}

func newLimiter(budget int) *limiter {
	return &limiter{budget: budget, window: limitWindow, calls: map[string][]time.Time{}}
}

// reserve takes a slot if one is free and returns 0; otherwise it takes
// nothing and returns how long until the oldest call leaves the window. The
// clock is read under the lock so that concurrent callers record their
// calls in order.
func (l *limiter) reserve(method string, clock func() time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := clock()
	if q := l.calls[method]; len(q) > 0 && now.Before(q[len(q)-1]) {
		now = q[len(q)-1] // a clock stepping back must not open the window
	}
	q := l.prune(method, now)
	if len(q) < l.budget {
		l.calls[method] = append(q, now)
		return 0
	}
	return q[0].Add(l.window).Sub(now)
}

// prune drops calls that left the window; caller holds mu.
func (l *limiter) prune(method string, now time.Time) []time.Time {
	q := l.calls[method]
	cut := now.Add(-l.window)
	i := 0
	for i < len(q) && !q[i].After(cut) {
		i++
	}
	if i > 0 {
		q = append(q[:0], q[i:]...)
		l.calls[method] = q
	}
	return q
}

// seed records calls made before (e.g. by a previous run).
func (l *limiter) seed(calls []core.Call, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	touched := map[string]bool{}
	for _, c := range calls {
		if c.Method == "" || !c.At.After(cut) {
			continue
		}
		l.calls[c.Method] = append(l.calls[c.Method], c.At)
		touched[c.Method] = true
	}
	for m := range touched {
		slices.SortFunc(l.calls[m], func(a, b time.Time) int { return a.Compare(b) })
	}
}

// Seed pre-loads the limiter with calls made in the last minute, as the
// store recorded them, so that a restart does not reset S-360's count.
func (c *Client) Seed(calls []core.Call) { c.lim.seed(calls, c.now()) }

// NextSlot is when a request of method could be sent without waiting.
func (c *Client) NextSlot(method string) time.Time {
	now := c.now()
	c.lim.mu.Lock()
	defer c.lim.mu.Unlock()
	q := c.lim.prune(method, now)
	if len(q) < c.lim.budget {
		return now
	}
	return q[0].Add(c.lim.window)
}

// Budget is how many requests a minute, per method, the client allows
// itself (the sync status shows it while an export waits for it).
func (c *Client) Budget() int {
	if c.cfg.Unlimited {
		return 0
	}
	return c.lim.budget
}

// wait blocks until a slot of method is free and takes it. It gives up at
// once, without sleeping, when ctx would end before the slot frees.
func (c *Client) wait(ctx context.Context, method string) error {
	for {
		if err := ctx.Err(); err != nil {
			return cancelledError(err)
		}
		d := c.lim.reserve(method, c.now)
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
