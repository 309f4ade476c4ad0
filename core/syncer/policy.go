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

// eventDay reports whether the settings put now on event day at the venue
// (zone: the institution's; nil: the laptop's).
func eventDay(s core.Settings, now time.Time, zone *time.Location) bool {
	ev := s.Event()
	return core.IsEventDay(s.EventDay, &ev, now, zone)
}

// nextAllowed is when the next cycle may start after one started at last;
// zero means at once. A last cycle later than now (recorded while the clock
// ran fast, since corrected) counts as started now: the station waits one
// interval at most, never until the clock catches up.
func nextAllowed(s core.Settings, last, now time.Time, zone *time.Location) time.Time {
	if last.After(now) {
		last = now
	}
	return core.NextCycle(s.Environment, eventDay(s, now, zone), last)
}

// refusal is nil when a cycle may start at now, else the refusal naming
// when it may.
func refusal(s core.Settings, last, now time.Time, zone *time.Location) *core.PolicyRefusal {
	next := nextAllowed(s, last, now, zone)
	if next.IsZero() || !now.Before(next) {
		return nil
	}
	return &core.PolicyRefusal{Next: next, Env: s.Environment, EventDay: eventDay(s, now, zone), Zone: zone}
}

// NextAllowed is when the institution's policy lets the next cycle start
// after one started at last (zero: at once), for whoever reports it (the
// venue's status) without running an engine.
func NextAllowed(s core.Settings, last, now time.Time, zone *time.Location) time.Time {
	return nextAllowed(s, last, now, zone)
}
