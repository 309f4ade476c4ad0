package core

import "time"

// Outcome is what the gate does: let the person in or not.
type Outcome string

const (
	Admit Outcome = "ADMIT"
	Deny  Outcome = "DENY"
)

// Reason is the machine-readable cause of a verdict. Turnstile scripts and
// reports key on it; people read its words, said with the verdict's Facts
// in their language (Speaker).
type Reason string

const (
	ReasonOK             Reason = "OK"
	ReasonExit           Reason = "EXIT"
	ReasonOverride       Reason = "OVERRIDE"
	ReasonUnknown        Reason = "UNKNOWN_BARCODE"
	ReasonCancelled      Reason = "CANCELLED"
	ReasonInvalidated    Reason = "INVALIDATED"
	ReasonAlreadyUsed    Reason = "ALREADY_USED"
	ReasonWrongGate      Reason = "WRONG_GATE"
	ReasonNotThisEvent   Reason = "NOT_THIS_EVENT"
	ReasonNotValidNow    Reason = "NOT_VALID_NOW"
	ReasonRejectedByS360 Reason = "REJECTED_BY_S360"
	ReasonNotInside      Reason = "NOT_INSIDE"
)

// DenyReasons lists every reason a gate can deny for, in the order the
// counters show them.
var DenyReasons = []Reason{
	ReasonUnknown, ReasonCancelled, ReasonInvalidated, ReasonAlreadyUsed,
	ReasonWrongGate, ReasonNotThisEvent, ReasonNotValidNow,
	ReasonRejectedByS360, ReasonNotInside,
}

// PromptKind says what a steward must do besides letting someone in.
type PromptKind string

const (
	PromptAgeCheck PromptKind = "AGE_CHECK"
	PromptIDCheck  PromptKind = "ID_CHECK"
	PromptTariff   PromptKind = "TARIFF"
	PromptScanner  PromptKind = "SCANNER" // e.g. wrong keyboard layout
)

// Prompt travels with a verdict; it never changes it. Like the verdict, it
// holds facts, not words: Speaker.Prompt says it in the reader's language.
type Prompt struct {
	Kind PromptKind
	// TARIFF and AGE_CHECK: the venue's words for the tariff (a value of
	// Rules.Tariffs, as typed in Settings), the tariff code, and the
	// holder's age on the event day when known (Aged); Born is the birth
	// date (YYYY-MM-DD) unless holder identity is hidden at the gate.
	Rule   string
	Tariff string
	Age    int
	Aged   bool
	Born   string
	// ID_CHECK: the identity to check. Personal data: never logged.
	Holder Holder
	// SCANNER: the wrong keyboard layout the scan was mapped back from
	// (scanner.Layout*), or the unusual characters it holds.
	Layout string
	Odd    string
}

// Verdict is the answer a gate gives to one scan.
type Verdict struct {
	Outcome Outcome `json:"verdict"`
	Reason  Reason  `json:"reason"`
	// Facts are what the reason's words are made of (Speaker.Verdict).
	Facts   Facts    `json:"-"`
	Prompts []Prompt `json:"-"`
	Scanned string   `json:"barcode"`
	// At is when it was decided: a time in its words is told against it
	// ("18:42" that day, with the date on another).
	At     time.Time `json:"-"`
	Ticket *Ticket   `json:"-"`
	// Control is the recorded scan; nil for a helpdesk check.
	Control *Control `json:"-"`
	// FirstUse is the control that let this ticket in first, for ALREADY_USED.
	FirstUse *Control `json:"-"`
	Helpdesk bool     `json:"helpdesk,omitempty"`
	// Local: a station of a venue decided it from its local copy, without
	// the venue (a recorded scan's Control.OffVenue says it too; a
	// helpdesk check has no control).
	Local bool `json:"-"`
	// Stale: the station had not synced successfully for longer than the
	// staleness limit when it decided (its list may miss cancellations);
	// LastSync is its last contact with S-360 (zero: never).
	Stale    bool      `json:"-"`
	LastSync time.Time `json:"-"`
}

// Attention is an ADMIT that needs the steward to look (amber at the gate).
func (v *Verdict) Attention() bool { return v.Outcome == Admit && len(v.Prompts) > 0 }

// Denied reports a DENY.
func (v *Verdict) Denied() bool { return v.Outcome == Deny }
