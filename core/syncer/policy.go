package syncer

import (
	"time"

	"s360gate/core"
)

// The institution's call policy (Q&A "At what frequency should calls be
// made?"), applied to whole cycles: in preprod and production one cycle an
// hour before event day, one a minute on event day. In sim and sandbox
// cycles are on demand; the client's own limiter keeps them within S-360's
// 60 requests a minute.
//
// Event-day mode asks "only for the tickets relevant to the ongoing event":
// the export always asks for exactly the configured season, products and
// performances, which are the event's, so event-day mode changes how often
// the engine calls, not what it asks for.

// eventDay reports whether the settings put now on event day.
func eventDay(s core.Settings, now time.Time) bool {
	ev := s.Event()
	return core.IsEventDay(s.EventDay, &ev, now)
}

// nextAllowed is when the next cycle may start after one started at last;
// zero means at once.
func nextAllowed(s core.Settings, last, now time.Time) time.Time {
	return core.NextCycle(s.Environment, eventDay(s, now), last)
}

// refusal is nil when a cycle may start at now, else the refusal naming
// when it may.
func refusal(s core.Settings, last, now time.Time) *core.PolicyRefusal {
	next := nextAllowed(s, last, now)
	if next.IsZero() || !now.Before(next) {
		return nil
	}
	why := string(s.Environment) + ": at most one sync an hour before event day"
	if eventDay(s, now) {
		why = string(s.Environment) + ": at most one sync a minute on event day"
	}
	return &core.PolicyRefusal{Next: next, Why: why}
}
