package ui

import (
	"sync/atomic"
	"time"

	"s360gate/core"
)

// The venue's time zone, as the sync engine last published it
// (core.SyncStatus.TimeZone, which getTimeZone named): every screen shows
// the venue's times, with the zone's abbreviation when the laptop's clock
// shows another (core.FormatIn). Nil, until a zone is known: the laptop's.
// The Sync tab keeps it current (StatusScreen.apply).
var venue atomic.Pointer[time.Location]

// setVenueZone records the zone the engine named ("" or unknown: the
// laptop's).
func setVenueZone(name string) { venue.Store(core.LoadZone(name)) }

// venueZone is the venue's zone, nil for the laptop's.
func venueZone() *time.Location { return venue.Load() }

// venueClock writes t at the venue with layout (and the zone when the
// laptop's clock differs).
// layout is a Go layout ("Mon" and "Jan" in it are the GUI language's) or
// one of the language's own (words.Layout*).
func venueClock(t time.Time, layout string) string { return say().Time(t, layout) }
