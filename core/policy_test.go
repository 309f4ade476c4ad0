package core

import (
	"testing"
	"time"
)

func TestNextCycle(t *testing.T) {
	last := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		env      Environment
		eventDay bool
		want     time.Time
	}{
		{EnvProduction, false, last.Add(time.Hour)},
		{EnvPreprod, false, last.Add(time.Hour)},
		{EnvProduction, true, last.Add(time.Minute)},
		{EnvSandbox, false, time.Time{}},
		{EnvSim, true, time.Time{}},
	}
	for _, c := range cases {
		if got := NextCycle(c.env, c.eventDay, last); !got.Equal(c.want) {
			t.Errorf("%s eventDay=%v: next %v, want %v", c.env, c.eventDay, got, c.want)
		}
	}
	if !NextCycle(EnvProduction, false, time.Time{}).IsZero() {
		t.Error("the first cycle is always allowed")
	}
}

func TestIsEventDay(t *testing.T) {
	ev := Event{Day: time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local)}
	if !IsEventDay(false, &ev, time.Date(2026, 11, 27, 23, 0, 0, 0, time.Local)) {
		t.Error("the event's date is event day")
	}
	if IsEventDay(false, &ev, time.Date(2026, 11, 26, 23, 0, 0, 0, time.Local)) {
		t.Error("the eve is not event day")
	}
	if !IsEventDay(true, &Event{}, time.Now()) {
		t.Error("forced event-day mode")
	}
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]TicketState{"VALID": StateValid, "valid": StateValid, "Cancelled": StateCancelled,
		"CANCELED": StateCancelled, "INVALIDATED": StateInvalidated, "": StateInvalidated, "WHATEVER": StateInvalidated} {
		if got := ParseState(in); got != want {
			t.Errorf("ParseState(%q) = %s, want %s", in, got, want)
		}
	}
}
