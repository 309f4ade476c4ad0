package s360sim

import (
	"sync"
	"time"
)

// The reference: 60 requests per minute per institution per endpoint, where
// an endpoint is the whole service: every method counts against the same
// budget [doc]. Excess is refused with HTTP 509, "will be migrated to 429"
// (Config.RateLimitStatus chooses). The sim serves one institution, so it
// keeps one sliding 60-second window of accepted requests, all methods
// together, measured with Config.Now so tests move time instead of
// sleeping. Refused requests do not count against the window (otherwise a
// client retrying fast would lock itself out forever).
const rateWindow = time.Minute

type limiter struct {
	mu    sync.Mutex
	limit int // <0: unlimited
	hits  []time.Time
}

func (l *limiter) init(limit int) { l.limit = limit }

// allow admits one request (of any method) at now, or says how long to
// wait.
func (l *limiter) allow(now time.Time) (ok bool, retryAfter time.Duration) {
	if l.limit < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.hits
	cut := now.Add(-rateWindow)
	k := 0
	for k < len(q) && !q[k].After(cut) {
		k++
	}
	q = q[k:]
	if len(q) < l.limit {
		l.hits = append(q, now)
		return true, 0
	}
	l.hits = q
	return false, q[0].Add(rateWindow).Sub(now)
}

// retryAfterSeconds renders a Retry-After value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	sec := int((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return sec
}
