package core

import (
	"slices"
	"strings"
	"time"
)

// Station is one scanning place: a laptop at a gate, facing one way.
type Station struct {
	// Name identifies the device to S-360 (acIdentifier), e.g. "GATE_A_LAPTOP1".
	Name string
	// Gate is where the station stands; empty means no gate check.
	Gate      string
	Direction Direction
}

// Event is what the gate admits to: the institution's season and products,
// optionally narrowed to performances.
type Event struct {
	Season       string
	Products     []string
	Performances []string
	// Day is the event's date, for ages shown at the gate and for
	// event-day mode: a calendar date at the venue (only its year, month
	// and day mean something; IsEventDay reads the venue's zone). Zero
	// means "today".
	Day time.Time
}

// Covers reports whether a ticket is for this event.
func (e *Event) Covers(t *Ticket) bool {
	if e.Season != "" && t.SeasonCode != "" && !strings.EqualFold(e.Season, t.SeasonCode) {
		return false
	}
	if len(e.Products) > 0 && !containsFold(e.Products, t.ProductCode) {
		return false
	}
	if len(e.Performances) > 0 && t.PerformanceCode != "" && !containsFold(e.Performances, t.PerformanceCode) {
		return false
	}
	return true
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}

// Rules are configured locally at the venue; S-360 does not send them.
type Rules struct {
	// AllowReentry lets a ticket in again after an exit was recorded.
	AllowReentry bool
	// ExtraGates maps a ticket's entranceCode to other gates that may admit
	// it: S-360 sends one entrance per seat, the venue knows the others.
	ExtraGates map[string][]string
	// Tariffs maps an audienceSubCategoryCode to a prompt for the steward,
	// e.g. "CHILD" → "AGE CHECK: under 16".
	Tariffs map[string]string
	// HideHolder keeps holder identity off the gate (dispute desk only).
	HideHolder bool
}

// GateAllows reports whether a ticket for entrance may pass at gate.
func (r *Rules) GateAllows(gate, entrance string) bool {
	if gate == "" || entrance == "" || strings.EqualFold(gate, entrance) {
		return true
	}
	for code, gates := range r.ExtraGates {
		if strings.EqualFold(code, entrance) && containsFold(gates, gate) {
			return true
		}
	}
	return false
}

// Checkpoint is everything a decision needs besides the ticket and its history.
type Checkpoint struct {
	Station Station
	Event   Event
	Rules   Rules
	// Staleness: a station that has not synced for longer reports its
	// controls to S-360 as OFFLINE_*. Zero means never offline.
	Staleness time.Duration
	// Zone is the venue's time zone (the institution's, as getTimeZone
	// named it): times in verdict messages are the venue's, and "today" is
	// the venue's today. Nil: the laptop's zone. The store fills it from
	// the stored sync state when the caller leaves it nil.
	Zone *time.Location
}
