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
// `venue status`, the Sync tab and the dispute desk all say them this way.

// AlsoAdmitted is what is said beside one control of a double entry about
// the other one: "also admitted at 19:06, gate S2, STATION7, while the
// venue link was down" (the date too when not today, at the venue: zone).
func AlsoAdmitted(other *Control, now time.Time, zone *time.Location) string {
	s := "also admitted at " + usedAt(other, now, zone)
	if other.OffVenue {
		s += ", while the venue link was down"
	}
	return s
}

// Words is a double entry on one line, for a list of them: "admitted twice:
// 19:04, gate N1, STATION1, then 19:06, gate S2, STATION7, while the venue
// link was down".
func (d *DoubleEntry) Words(now time.Time, zone *time.Location) string {
	say := func(c *Control) string {
		s := usedAt(c, now, zone)
		if c.OffVenue {
			s += ", while the venue link was down"
		}
		return s
	}
	return "admitted twice: " + say(&d.First) + "; then " + say(&d.Second)
}
