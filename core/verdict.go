package core

import "time"

// Outcome is what the gate does: let the person in or not.
type Outcome string

const (
	Admit Outcome = "ADMIT"
	Deny  Outcome = "DENY"
)

// Reason is the machine-readable cause of a verdict. Turnstile scripts and
// reports key on it; people read Verdict.Message.
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

// Prompt travels with a verdict; it never changes it.
type Prompt struct {
	Kind PromptKind `json:"kind"`
	Text string     `json:"text"`
}

// Verdict is the answer a gate gives to one scan.
type Verdict struct {
	Outcome Outcome  `json:"verdict"`
	Reason  Reason   `json:"reason"`
	Message string   `json:"message"`
	Prompts []Prompt `json:"prompts"`
	Scanned string   `json:"barcode"`
	Ticket  *Ticket  `json:"-"`
	// Control is the recorded scan; nil for a helpdesk check.
	Control *Control `json:"-"`
	// FirstUse is the control that let this ticket in first, for ALREADY_USED.
	FirstUse *Control `json:"-"`
	Helpdesk bool     `json:"helpdesk,omitempty"`
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
