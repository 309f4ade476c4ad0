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
	ev := Event{Day: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	if !IsEventDay(false, &ev, time.Date(2026, 11, 27, 23, 0, 0, 0, time.Local), nil) {
		t.Error("the event's date is event day")
	}
	if IsEventDay(false, &ev, time.Date(2026, 11, 26, 23, 0, 0, 0, time.Local), nil) {
		t.Error("the eve is not event day")
	}
	if !IsEventDay(true, &Event{}, time.Now(), nil) {
		t.Error("forced event-day mode")
	}
}

// TestIsEventDayAtTheVenue: the event date is a date at the venue. At
// 00:30 in Zurich on the event's date, a laptop set to New York (18:30 the
// day before) is on event day all the same; 23:30 in Zurich the day before
// is not event day, though it is in Asia.
func TestIsEventDayAtTheVenue(t *testing.T) {
	zurich, ny, tokyo := mustZone(t, "Europe/Zurich"), mustZone(t, "America/New_York"), mustZone(t, "Asia/Tokyo")
	ev := Settings{EventDate: "2026-11-27"}.Event()
	justAfterMidnight := time.Date(2026, 11, 27, 0, 30, 0, 0, zurich)
	if !IsEventDay(false, &ev, justAfterMidnight, zurich) {
		t.Error("00:30 at the venue on the event's date is event day")
	}
	if IsEventDay(false, &ev, justAfterMidnight, ny) {
		t.Error("with New York as the venue, it is still the day before")
	}
	eve := time.Date(2026, 11, 26, 23, 30, 0, 0, zurich)
	if IsEventDay(false, &ev, eve, zurich) || !IsEventDay(false, &ev, eve, tokyo) {
		t.Error("23:30 the day before at the venue")
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc := LoadZone(name)
	if loc == nil {
		t.Fatalf("no zone %s", name)
	}
	return loc
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]TicketState{"VALID": StateValid, "valid": StateValid, "Cancelled": StateCancelled,
		"CANCELED": StateCancelled, "INVALIDATED": StateInvalidated, "": StateInvalidated, "WHATEVER": StateInvalidated} {
		if got := ParseState(in); got != want {
			t.Errorf("ParseState(%q) = %s, want %s", in, got, want)
		}
	}
}
