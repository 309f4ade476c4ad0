package core

import (
	"fmt"
	"strings"
	"time"
)

// Decision is the input of Decide: one scan and what the store knows of it.
type Decision struct {
	Scanned string
	// Ticket is nil when the scanned code is not a known barcode or container.
	Ticket *Ticket
	// History is the ticket's recorded controls, oldest first.
	History    []Control
	Checkpoint Checkpoint
	// LastSync is the last successful exchange with S-360 (zero: never).
	LastSync time.Time
	Now      time.Time
}

// Decide is the gate's decision. It is pure: the store runs it inside the
// transaction that records its control, so that the same inputs always give
// the same verdict and two scans of one ticket cannot both be admitted.
//
// The order of the checks is the order a steward would explain them in: a
// ticket S-360 refused or cancelled is dead whatever else is true of it; one
// for another event or time is wrong here; only then do gate and prior use
// matter, and "already used" wins over "wrong gate" because it is what the
// person at the desk will need to hear.
func Decide(d Decision) Verdict {
	v := Verdict{Scanned: d.Scanned, Ticket: d.Ticket, LastSync: d.LastSync,
		Stale: Stale(&d.Checkpoint, d.LastSync, d.Now)}
	t := d.Ticket
	cp := &d.Checkpoint
	if t == nil {
		return deny(v, ReasonUnknown, "Unknown ticket — not in this event's list")
	}
	v.Prompts = prompts(t, cp, d.Now)
	if cp.Station.Direction == DirectionOut {
		return decideExit(v, d)
	}
	switch {
	case t.RejectedByS360 != "":
		return deny(v, ReasonRejectedByS360, "Blocked by S-360 — ticket blacklisted after it was exported")
	case t.State == StateCancelled:
		msg := "Cancelled"
		if w := CancellationWords(t.CancellationCause); w != "" {
			msg += " — " + w
		}
		return deny(v, ReasonCancelled, msg)
	case t.State != StateValid:
		return deny(v, ReasonInvalidated, "Invalidated — replaced by a reprint or resale")
	case !cp.Event.Covers(t):
		return deny(v, ReasonNotThisEvent, "Not for this event — ticket is for "+eventLabel(t))
	case !t.ValidFrom.IsZero() && d.Now.Before(t.ValidFrom):
		return deny(v, ReasonNotValidNow, "Not valid yet — valid from "+clock(t.ValidFrom, d.Now, cp.Zone))
	case !t.ValidTo.IsZero() && d.Now.After(t.ValidTo):
		return deny(v, ReasonNotValidNow, "Expired — valid until "+clock(t.ValidTo, d.Now, cp.Zone))
	}
	if used := firstUse(d.History, cp.Rules.AllowReentry); used != nil {
		v.FirstUse = used
		return deny(v, ReasonAlreadyUsed, "Already used at "+usedAt(used, d.Now, cp.Zone))
	}
	if !cp.Rules.GateAllows(cp.Station.Gate, t.EntranceCode) {
		return deny(v, ReasonWrongGate, "Wrong entrance — use gate "+t.EntranceCode)
	}
	v.Outcome, v.Reason, v.Message = Admit, ReasonOK, "Valid ticket"
	return v
}

func deny(v Verdict, r Reason, msg string) Verdict {
	v.Outcome, v.Reason, v.Message = Deny, r, msg
	return v
}

// decideExit records people leaving. Only someone inside can leave; leaving
// never checks the ticket's state, a cancelled ticket's holder may go home.
func decideExit(v Verdict, d Decision) Verdict {
	if last := lastAdmit(d.History); last != nil && last.Direction == DirectionIn {
		v.Outcome, v.Reason, v.Message = Admit, ReasonExit, "Exit recorded"
		return v
	}
	return deny(v, ReasonNotInside, "Not inside — no entry recorded for this ticket")
}

// firstUse is the control that makes a new entry a second one: with single
// entry, the first admission in; with re-entry, the last admission if it was
// in (the person never left).
func firstUse(history []Control, reentry bool) *Control {
	if reentry {
		if last := lastAdmit(history); last != nil && last.Direction == DirectionIn {
			return last
		}
		return nil
	}
	for i := range history {
		if history[i].Admitted() && history[i].Direction == DirectionIn {
			return &history[i]
		}
	}
	return nil
}

func lastAdmit(history []Control) *Control {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Admitted() {
			return &history[i]
		}
	}
	return nil
}

// usedAt is "18:42, gate B, laptop 2" (with the date when not today).
func usedAt(c *Control, now time.Time, zone *time.Location) string {
	s := clock(c.At, now, zone)
	if c.Gate != "" {
		s += ", gate " + c.Gate
	}
	if c.Station != "" {
		s += ", " + c.Station
	}
	return s
}

// clock shows a time as a steward wants it, at the venue (zone; nil: the
// laptop's): just the hour today, the date too otherwise, and the zone
// when the laptop's clock shows another time.
func clock(t, now time.Time, zone *time.Location) string {
	y, m, d := DateIn(t, zone)
	if y2, m2, d2 := DateIn(now, zone); y == y2 && m == m2 && d == d2 {
		return FormatIn(t, zone, "15:04")
	}
	return FormatIn(t, zone, "2006-01-02 15:04")
}

func eventLabel(t *Ticket) string {
	parts := []string{}
	for _, p := range []string{t.ProductCode, t.PerformanceCode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "another season (" + t.SeasonCode + ")"
	}
	return strings.Join(parts, " / ")
}

// prompts are the tariff and identity checks a steward must do; they travel
// with the verdict and never change it.
func prompts(t *Ticket, cp *Checkpoint, now time.Time) []Prompt {
	var out []Prompt
	if text := tariffRule(cp.Rules.Tariffs, t.AudienceSubCategoryCode); text != "" {
		kind := PromptTariff
		if strings.Contains(strings.ToUpper(text), "AGE") {
			kind = PromptAgeCheck
		}
		s := text + " — " + t.AudienceSubCategoryCode + " tariff"
		day := cp.Event.Day
		if day.IsZero() {
			day = now.In(ZoneOr(cp.Zone)) // today at the venue
		}
		if age, ok := t.Holder.AgeAt(day); ok {
			// With holder identity hidden at the gate, the age is enough to
			// check; the birth date is identity and stays at the desk.
			if cp.Rules.HideHolder {
				s += fmt.Sprintf(" — %d years", age)
			} else {
				s += fmt.Sprintf(" — born %s, %d years", t.Holder.BirthDate[:10], age)
			}
		}
		out = append(out, Prompt{Kind: kind, Text: s})
	}
	if !t.Holder.IsZero() && !cp.Rules.HideHolder {
		out = append(out, Prompt{Kind: PromptIDCheck, Text: "ID CHECK — " + identityLine(t.Holder)})
	}
	return out
}

func tariffRule(rules map[string]string, code string) string {
	if code == "" {
		return ""
	}
	for k, v := range rules {
		if strings.EqualFold(k, code) {
			return v
		}
	}
	return ""
}

func identityLine(h Holder) string {
	var parts []string
	if n := h.Name(); n != "" {
		parts = append(parts, n)
	}
	if h.IDNumber != "" {
		parts = append(parts, "ID "+h.IDNumber)
	}
	if h.CountryCode != "" {
		parts = append(parts, h.CountryCode)
	}
	if len(parts) == 0 && h.BirthDate != "" {
		parts = append(parts, "born "+h.BirthDate)
	}
	return strings.Join(parts, " · ")
}

// PickFromContainer chooses, among the tickets an RFID container holds, the
// one to decide on: the valid ticket of this event if there is one, else one
// of this event (so the denial names its real problem), else the first.
func PickFromContainer(ts []Ticket, ev *Event) *Ticket {
	var ofEvent *Ticket
	for i := range ts {
		if !ev.Covers(&ts[i]) {
			continue
		}
		if ts[i].State == StateValid && ts[i].RejectedByS360 == "" {
			return &ts[i]
		}
		if ofEvent == nil {
			ofEvent = &ts[i]
		}
	}
	if ofEvent != nil {
		return ofEvent
	}
	if len(ts) > 0 {
		return &ts[0]
	}
	return nil
}

// OverrideReasonMin is the shortest reason a supervisor may give.
const OverrideReasonMin = 3

// Override turns a denied scan into an admission on a supervisor's word. The
// original denial stays recorded; this is a new control that says why.
// ticket (may be nil) is the denied control's ticket: an override of a
// blacklisted ticket is not sent to S-360 (Control.SkipBlacklisted).
func Override(denied *Control, ticket *Ticket, reason string, now time.Time) (Control, error) {
	reason = strings.TrimSpace(reason)
	if denied.Outcome != Deny {
		return Control{}, Errorf(EConflict, "Only a denied scan can be overridden")
	}
	if len(reason) < OverrideReasonMin {
		return Control{}, Errorf(EInvalid, "Give a reason for the override (at least %d characters)", OverrideReasonMin)
	}
	c := *denied
	c.ID = ""
	c.At = now
	c.Outcome = Admit
	c.Reason = ReasonOverride
	c.Message = "Admitted by supervisor: " + reason + " (was: " + denied.Message + ")"
	c.Override = true
	c.OverrideReason = reason
	c.Upload = UploadPending
	if !c.ShouldUpload() {
		c.Upload = UploadLocal
	}
	c.UploadDetail, c.UploadedAt = "", time.Time{}
	c.SkipBlacklisted(ticket)
	return c, nil
}

// Stale reports whether a station whose last contact with S-360 was at
// lastSync (zero: never) decides on a stale list at now: longer than the
// staleness limit ago. Its controls are then OFFLINE_* for S-360.
func Stale(cp *Checkpoint, lastSync, now time.Time) bool {
	return cp.Staleness > 0 && (lastSync.IsZero() || now.Sub(lastSync) > cp.Staleness)
}

// NewControl is the control recorded for a verdict.
func NewControl(v *Verdict, cp *Checkpoint, lastSync, now time.Time) Control {
	c := Control{
		At:        now,
		Station:   cp.Station.Name,
		Gate:      cp.Station.Gate,
		Direction: cp.Station.Direction,
		Scanned:   v.Scanned,
		Outcome:   v.Outcome,
		Reason:    v.Reason,
		Message:   v.Message,
		Offline:   Stale(cp, lastSync, now),
	}
	if c.Direction == "" {
		c.Direction = DirectionIn
	}
	if v.Ticket != nil {
		c.Barcode = v.Ticket.Barcode
	}
	c.Upload = UploadPending
	if !c.ShouldUpload() {
		c.Upload = UploadLocal
	}
	c.SkipBlacklisted(v.Ticket)
	return c
}
