package core

import (
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
	v := Verdict{Scanned: d.Scanned, Ticket: d.Ticket, LastSync: d.LastSync, At: d.Now,
		Stale: Stale(&d.Checkpoint, d.LastSync, d.Now)}
	t := d.Ticket
	cp := &d.Checkpoint
	if t == nil {
		return deny(v, ReasonUnknown, Facts{})
	}
	v.Prompts = prompts(t, cp, d.Now)
	if cp.Station.Direction == DirectionOut {
		return decideExit(v, d)
	}
	switch {
	case t.RejectedByS360 != "":
		return deny(v, ReasonRejectedByS360, Facts{})
	case t.State == StateCancelled:
		return deny(v, ReasonCancelled, Facts{Cause: t.CancellationCause})
	case t.State != StateValid:
		return deny(v, ReasonInvalidated, Facts{})
	case !cp.Event.Covers(t):
		return deny(v, ReasonNotThisEvent, Facts{Season: t.SeasonCode, Product: t.ProductCode, Performance: t.PerformanceCode})
	case !t.ValidFrom.IsZero() && d.Now.Before(t.ValidFrom):
		return deny(v, ReasonNotValidNow, Facts{ValidFrom: t.ValidFrom})
	case !t.ValidTo.IsZero() && d.Now.After(t.ValidTo):
		return deny(v, ReasonNotValidNow, Facts{ValidTo: t.ValidTo})
	}
	if used := firstUse(d.History, cp.Rules.AllowReentry); used != nil {
		v.FirstUse = used
		return deny(v, ReasonAlreadyUsed, Facts{UsedAt: used.At, UsedGate: used.Gate, UsedStation: used.Station})
	}
	if !cp.Rules.GateAllows(cp.Station.Gate, t.EntranceCode) {
		return deny(v, ReasonWrongGate, Facts{Entrance: t.EntranceCode})
	}
	v.Outcome, v.Reason = Admit, ReasonOK
	return v
}

func deny(v Verdict, r Reason, f Facts) Verdict {
	v.Outcome, v.Reason, v.Facts = Deny, r, f
	return v
}

// decideExit records people leaving. Only someone inside can leave; leaving
// never checks the ticket's state, a cancelled ticket's holder may go home.
func decideExit(v Verdict, d Decision) Verdict {
	if last := lastAdmit(d.History); last != nil && last.Direction == DirectionIn {
		v.Outcome, v.Reason = Admit, ReasonExit
		return v
	}
	return deny(v, ReasonNotInside, Facts{})
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

// prompts are the tariff and identity checks a steward must do; they travel
// with the verdict and never change it.
func prompts(t *Ticket, cp *Checkpoint, now time.Time) []Prompt {
	var out []Prompt
	if rule := tariffRule(cp.Rules.Tariffs, t.AudienceSubCategoryCode); rule != "" {
		p := Prompt{Kind: PromptTariff, Rule: rule, Tariff: t.AudienceSubCategoryCode}
		if AgeRule(rule) {
			p.Kind = PromptAgeCheck
		}
		day := cp.Event.Day
		if day.IsZero() {
			day = now.In(ZoneOr(cp.Zone)) // today at the venue
		}
		if age, ok := t.Holder.AgeAt(day); ok {
			p.Age, p.Aged = age, true
			// With holder identity hidden at the gate, the age is enough to
			// check; the birth date is identity and stays at the desk.
			if !cp.Rules.HideHolder {
				p.Born = t.Holder.BirthDate[:10]
			}
		}
		out = append(out, p)
	}
	if !t.Holder.IsZero() && !cp.Rules.HideHolder {
		out = append(out, Prompt{Kind: PromptIDCheck, Holder: t.Holder})
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
		return Control{}, Say(EConflict, "override.err.notDenied", nil)
	}
	if len(reason) < OverrideReasonMin {
		return Control{}, Say(EInvalid, "override.err.reason", map[string]any{"Min": OverrideReasonMin})
	}
	c := *denied
	c.ID = ""
	c.At = now
	c.Outcome = Admit
	c.Reason = ReasonOverride
	was := denied.Facts
	c.Facts = Facts{Overridden: denied.Reason, Was: &was}
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
		Facts:     v.Facts,
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
