package core

import "time"

// DoubleEntry is a ticket let in twice: Second would have been denied
// ALREADY_USED had its station seen First. Through the venue's database a
// station always sees it, so a double entry comes from a station deciding
// on its own (Control.OffVenue) while it could not reach the venue — or
// from two of them. Both controls are kept as they happened, and both are
// uploaded to S-360: S-360 is told the truth.
type DoubleEntry struct {
	Barcode string  `json:"barcode"`
	First   Control `json:"first"`
	Second  Control `json:"second"`
}

// Other is the control of d that is not the one with id (ok false when id
// is neither).
func (d *DoubleEntry) Other(id string) (Control, bool) {
	switch id {
	case d.First.ID:
		return d.Second, true
	case d.Second.ID:
		return d.First, true
	}
	return Control{}, false
}

// The words of a double entry are here, and only here: the control log,
// `venue status`, the Sync tab and the dispute desk all say them this way,
// in the reader's language.

// AlsoAdmitted is what is said beside one control of a double entry about
// the other one: "also admitted at 19:06, gate S2, STATION7, while the
// venue link was down" (the date too when not the day of now).
func (s Speaker) AlsoAdmitted(other *Control, now time.Time) string {
	return s.T("double.also", map[string]any{"At": s.admittedAt(other, now)})
}

// DoubleEntry is a double entry on one line, for a list of them: "admitted
// twice: 19:04, gate N1, STATION1; then 19:06, gate S2, STATION7, while
// the venue link was down".
func (s Speaker) DoubleEntry(d *DoubleEntry, now time.Time) string {
	return s.T("double.twice", map[string]any{"First": s.admittedAt(&d.First, now), "Second": s.admittedAt(&d.Second, now)})
}

// admittedAt is a control's time, gate and station, and whether it was
// decided while the venue link was down.
func (s Speaker) admittedAt(c *Control, now time.Time) string {
	at := s.Clock(c.At, now)
	if c.Gate != "" {
		at += ", " + s.T("msg.gate", map[string]any{"Gate": c.Gate})
	}
	if c.Station != "" {
		at += ", " + c.Station
	}
	if c.OffVenue {
		at += ", " + s.T("double.linkDown", nil)
	}
	return at
}
