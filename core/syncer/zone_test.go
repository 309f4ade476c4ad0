package syncer

import (
	"context"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

// venueNotLaptop picks a venue zone in which 00:30 on the event's date
// (2026-12-24) is still the day before on this laptop's clock, whatever
// zone the test machine is in: a decision made in the laptop's zone then
// gives another answer.
func venueNotLaptop(t *testing.T) (string, time.Time) {
	t.Helper()
	for _, name := range []string{"Europe/Zurich", "Asia/Tokyo", "Pacific/Auckland", "Europe/Moscow"} {
		start := time.Date(2026, 12, 24, 0, 30, 0, 0, core.LoadZone(name))
		if _, _, d := start.In(time.Local).Date(); d != 24 {
			return name, start
		}
	}
	t.Fatal("no zone differs from the laptop's")
	return "", time.Time{}
}

// TestEventDayInTheVenuesZone: a laptop whose zone puts it on the day
// before the event, while at the venue it is event day (New York at 18:30,
// the Zurich match at 00:30 the next day): the engine asks S-360 for the
// institution's zone before its first export, stores it, and syncs once a
// minute, as on event day, instead of once an hour.
func TestEventDayInTheVenuesZone(t *testing.T) {
	s := prodSettings()               // event on 2026-12-24
	venue, start := venueNotLaptop(t) // just after midnight at the venue
	loc := core.LoadZone(venue)
	r := newRig(t, s, 5)
	r.remote.tz = venue
	r.clock.Set(start)
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := r.store.SyncState(context.Background())
	if st.TimeZone != venue || !st.TimeZoneAt.Equal(start) || r.engine.Status().TimeZone != venue {
		t.Fatalf("zone not stored: %+v, status %q", st, r.engine.Status().TimeZone)
	}
	r.clock.Set(start.Add(time.Minute))
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatalf("a minute later on event day at the venue: %v", err)
	}
	// A restart keeps the zone: no need to ask again before zoneEvery.
	e2 := r.newEngine(s)
	r.clock.Set(start.Add(2 * time.Minute))
	r.remote.fail("getTimeZone", core.Errorf(core.EUnavailable, "must not be asked"))
	if err := e2.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Refused a few seconds later: the message's time is the venue's.
	r.clock.Advance(10 * time.Second)
	err := e2.SyncNow(context.Background())
	refusedUntil(t, err, start.Add(3*time.Minute))
	if want := start.Add(3 * time.Minute).In(loc).Format("2006-01-02 15:04:05"); !strings.Contains(err.Error(), want) {
		t.Errorf("refusal %q does not say %s (the venue's time)", err, want)
	}
}

// TestZoneAskedNowAndThen: getTimeZone once when the zone is not known,
// again only after zoneEvery; a failure neither stops the cycle nor loses
// the stored zone.
func TestZoneAskedNowAndThen(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	calls := func() int { return r.remote.zoneCalls() }
	r.remote.fail("getTimeZone", core.Errorf(core.EUnavailable, "down"))
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := r.store.SyncState(context.Background()); st.TimeZone != "" || calls() != 1 {
		t.Fatalf("after a failed getTimeZone: zone %q, %d calls", st.TimeZone, calls())
	}
	if err := r.engine.SyncNow(context.Background()); err != nil { // asked again: still unknown
		t.Fatal(err)
	}
	if st, _ := r.store.SyncState(context.Background()); st.TimeZone != "Europe/Zurich" || calls() != 2 {
		t.Fatalf("zone %q, %d calls", st.TimeZone, calls())
	}
	for range 3 {
		r.clock.Advance(time.Hour)
		if err := r.engine.SyncNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if calls() != 2 {
		t.Fatalf("%d getTimeZone calls within %v", calls(), zoneEvery)
	}
	r.clock.Advance(zoneEvery)
	r.remote.tz = "Mars/Olympus" // not a zone: the stored one stays
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := r.store.SyncState(context.Background()); st.TimeZone != "Europe/Zurich" || calls() != 3 {
		t.Fatalf("zone %q, %d calls", st.TimeZone, calls())
	}
}

// TestClockCorrectedOnEventDay: the laptop's clock ran two hours fast
// during one sync, then was corrected. The station waits one minute at
// most (event day), not two hours, and the "next allowed" time it is told
// holds at every try instead of moving on with the clock.
func TestClockCorrectedOnEventDay(t *testing.T) {
	s := prodSettings()
	s.EventDay = true
	r := newRig(t, s, 5)
	r.clock.Set(t0.Add(2 * time.Hour)) // fast
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(t0) // corrected
	refusedUntil(t, r.engine.SyncNow(context.Background()), t0.Add(time.Minute))
	for _, d := range []time.Duration{10 * time.Second, 40 * time.Second} {
		r.clock.Set(t0.Add(d))
		refusedUntil(t, r.engine.SyncNow(context.Background()), t0.Add(time.Minute))
		if st := r.engine.Status(); !st.NextAllowed.Equal(t0.Add(time.Minute)) {
			t.Fatalf("status says next %v", st.NextAllowed)
		}
	}
	r.clock.Set(t0.Add(time.Minute))
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatalf("one minute after the correction: %v", err)
	}
	// A restarted station (Run) keeps to the same schedule: one minute.
	r.clock.Set(t0.Add(3 * time.Hour)) // fast again for one cycle
	if err := r.engine.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(t0.Add(2 * time.Minute))
	r.engine = r.newEngine(s)
	exports := len(r.remote.exportCursors())
	starts := runUntil(t, r, t0.Add(3*time.Minute+time.Second), nil)
	if n := len(r.remote.exportCursors()) - exports; n != 1 || !starts[len(starts)-1].Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("%d cycles after the restart, last at %v", n, offsets(starts, t0))
	}
}
