package core

import (
	"encoding/json"
	"strings"
	"time"
)

// Facts are what a verdict's words are made of. Decide gives them with its
// reason, and the control log keeps them instead of words: the message is
// said (Speaker) when it is shown, in the language of whoever reads it, so
// that a control recorded at a French-speaking gate reads in German at the
// desk. Only the facts of the verdict's reason are set.
//
// Both stores keep them as one JSON text (Encode, DecodeFacts): a fact
// added later is a new member, not a new column in each store.
type Facts struct {
	// ALREADY_USED: the control that let the ticket in first.
	UsedAt      time.Time `json:"usedAt,omitzero"`
	UsedGate    string    `json:"usedGate,omitempty"`
	UsedStation string    `json:"usedStation,omitempty"`
	// CANCELLED: S-360's cancellation cause, as sent (REFUND_REQUESTED).
	Cause string `json:"cause,omitempty"`
	// WRONG_GATE: the entrance the ticket is for.
	Entrance string `json:"entrance,omitempty"`
	// NOT_VALID_NOW: the bound the scan fell outside of: ValidFrom when it
	// came too early, ValidTo when too late.
	ValidFrom time.Time `json:"validFrom,omitzero"`
	ValidTo   time.Time `json:"validTo,omitzero"`
	// NOT_THIS_EVENT: the event the ticket is for.
	Season      string `json:"season,omitempty"`
	Product     string `json:"product,omitempty"`
	Performance string `json:"performance,omitempty"`
	// OVERRIDE: the denial a supervisor overrode, and its facts (the
	// supervisor's words are the control's OverrideReason).
	Overridden Reason `json:"overridden,omitempty"`
	Was        *Facts `json:"was,omitempty"`
	// Text is the message an older s360gate stored in words instead of
	// facts, when the store could not read it back into facts: it is
	// shown as it is, in the language it was written in.
	Text string `json:"text,omitempty"`
}

// IsZero reports whether no fact is set.
func (f *Facts) IsZero() bool {
	return f == nil || (f.UsedAt.IsZero() && f.UsedGate == "" && f.UsedStation == "" && f.Cause == "" &&
		f.Entrance == "" && f.ValidFrom.IsZero() && f.ValidTo.IsZero() && f.Season == "" && f.Product == "" &&
		f.Performance == "" && f.Overridden == "" && f.Was == nil && f.Text == "")
}

// Encode is the facts as the stores keep them: compact JSON, "" when there
// are none (most verdicts: valid, unknown, invalidated).
func (f *Facts) Encode() string {
	if f.IsZero() {
		return ""
	}
	b, err := json.Marshal(f)
	if err != nil { // strings and times only: cannot fail
		return ""
	}
	return string(b)
}

// DecodeFacts reads what Encode wrote. legacy is the message column of a
// store that had one: the words an older s360gate stored, kept as Text
// when there are no facts (an upgrade reads what it can into facts).
func DecodeFacts(s, legacy string) Facts {
	var f Facts
	if s = strings.TrimSpace(s); s != "" {
		if err := json.Unmarshal([]byte(s), &f); err != nil {
			f = Facts{}
		}
	}
	if f.IsZero() && legacy != "" {
		f.Text = legacy
	}
	return f
}
