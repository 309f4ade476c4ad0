package core

import (
	"strings"
	"time"

	"s360gate/core/words"
)

// TicketState is what S-360 says of an entry right. Only VALID admits.
type TicketState string

const (
	StateValid       TicketState = "VALID"
	StateCancelled   TicketState = "CANCELLED"
	StateInvalidated TicketState = "INVALIDATED" // reprinted, resold, blacklisted
)

// ParseState maps the spellings S-360 may use onto our states. Anything that
// is not recognisably valid is treated as invalidated: a gate must never
// admit on a state it does not understand.
func ParseState(s string) TicketState {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "VALID", "ACTIVE", "OK", "WHITE":
		return StateValid
	case "CANCELLED", "CANCELED":
		return StateCancelled
	default:
		return StateInvalidated
	}
}

// Holder is the ticket holder's identity, sent only when the institution
// chooses to. It is personal data: never log it (see Redact).
type Holder struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	IDNumber    string `json:"idNumber,omitempty"`
	BirthDate   string `json:"birthDate,omitempty"` // YYYY-MM-DD as sent
	CountryCode string `json:"countryCode,omitempty"`
}

// IsZero reports whether no identity field was sent.
func (h Holder) IsZero() bool { return h == Holder{} }

// Name is "First Last" with whatever parts are present.
func (h Holder) Name() string {
	return strings.TrimSpace(h.FirstName + " " + h.LastName)
}

// Born parses BirthDate, tolerating a time part after the date.
func (h Holder) Born() (time.Time, bool) {
	s := strings.TrimSpace(h.BirthDate)
	if len(s) < 10 {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s[:10])
	return t, err == nil
}

// AgeAt is the holder's age in whole years on the given day.
func (h Holder) AgeAt(day time.Time) (int, bool) {
	born, ok := h.Born()
	if !ok || day.IsZero() {
		return 0, false
	}
	y, m, d := day.Date()
	age := y - born.Year()
	if m < born.Month() || (m == born.Month() && d < born.Day()) {
		age--
	}
	return age, age >= 0
}

// Ticket is one entry right as exported by S-360, keyed by barcode.
type Ticket struct {
	Barcode                 string      `json:"barcode"`
	State                   TicketState `json:"state"`
	CancellationCause       string      `json:"cancellationCause,omitempty"`
	AudienceSubCategoryCode string      `json:"audienceSubCategoryCode,omitempty"`
	TaxNumber               string      `json:"taxNumber,omitempty"`
	EntranceCode            string      `json:"entranceCode,omitempty"`
	ContainerID             string      `json:"containerIdentifier,omitempty"`
	SeasonCode              string      `json:"seasonCode,omitempty"`
	ProductCode             string      `json:"productCode,omitempty"`
	PerformanceCode         string      `json:"performanceCode,omitempty"`
	Sector                  string      `json:"sector,omitempty"`
	Block                   string      `json:"block,omitempty"`
	Row                     string      `json:"row,omitempty"`
	Seat                    string      `json:"seat,omitempty"`
	ValidFrom               time.Time   `json:"validFrom,omitzero"`
	ValidTo                 time.Time   `json:"validTo,omitzero"`
	Holder                  Holder      `json:"holder,omitzero"`
	// RejectedByS360 holds S-360's words when it refused a control of this
	// ticket (blacklisted after export). It is local knowledge that the
	// export may never repeat, so the store keeps it across re-exports.
	RejectedByS360 string `json:"rejectedByS360,omitempty"`
	// Raw is what the decoder did not understand of the item, so that
	// fields we do not know yet are not lost, while the ones we do are not
	// stored twice (a copy of the whole item doubled the store). It is nil
	// when every member was understood; otherwise a JSON object (always
	// valid JSON) of the item's top-level members that were not, in their
	// order and byte for byte as sent: key, colon, value, joined by ','.
	// Understood, and so left out: a null value; an alias of a field with
	// a string, number or bool value, even if another alias of that field
	// won; an object or array whose every leaf was understood (nulls,
	// aliases allowed nested, key/value pairs naming an alias with nothing
	// else beside them; no bare scalars in arrays). A member holding
	// anything else is kept whole. s360.DecodeItem has the details.
	Raw []byte `json:"-"`
}

// causeBlacklisted is the cancellation cause of a ticket S-360 blacklisted
// [assumed: the code the simulator and sibling APIs use].
const causeBlacklisted = "BLACKLISTED"

// Blacklisted reports whether S-360 is known to have blacklisted the
// ticket: it refused a control of it, or exported it cancelled as
// blacklisted. S-360 refuses to import any control of such a ticket
// ("Failed to import controlledTickets:…"), and the refusal fails the whole
// batch it came in.
func (t *Ticket) Blacklisted() bool {
	return t.RejectedByS360 != "" || t.State == StateCancelled && strings.EqualFold(strings.TrimSpace(t.CancellationCause), causeBlacklisted)
}

// SeatLabel is the seat as a steward reads it out, in English, e.g.
// "Sector B · Block 12 · Row 7 · Seat 31" (Speaker.Seat in any language).
func (t *Ticket) SeatLabel() string { return Speak(words.EN, nil).Seat(t) }

// CancellationWords turns S-360's cancellation cause code into words for the
// public at the gate ("REFUND_REQUESTED" → "refund requested"), on one line
// whatever S-360 sent (a cause with a line break would push the verdict's
// other lines off the gate's screen).
func CancellationWords(cause string) string {
	c := strings.Join(strings.Fields(cause), " ")
	if c == "" || strings.EqualFold(c, "NOT_CANCELLED") {
		return ""
	}
	return strings.ToLower(strings.ReplaceAll(c, "_", " "))
}
