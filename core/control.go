package core

import "time"

// Direction of a station: people going in, or leaving.
type Direction string

const (
	DirectionIn  Direction = "in"
	DirectionOut Direction = "out"
)

// ParseDirection accepts "in"/"out" (and "entry"/"exit").
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "in", "entry", "IN", "ENTRY", "":
		return DirectionIn, nil
	case "out", "exit", "OUT", "EXIT":
		return DirectionOut, nil
	}
	return "", Errorf(EInvalid, "direction must be in or out, not %q", s)
}

// UploadState says where a control stands with S-360.
type UploadState string

const (
	UploadPending  UploadState = "pending"  // to be sent
	UploadDone     UploadState = "uploaded" // S-360 acknowledged it
	UploadRejected UploadState = "rejected" // S-360 refused it (blacklisted); never retried
	UploadLocal    UploadState = "local"    // never sent: unknown barcode, exit, helpdesk
)

// Control is one scan at a gate, recorded before its verdict is shown.
type Control struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Station   string    `json:"station"`
	Gate      string    `json:"gate,omitempty"`
	Direction Direction `json:"direction"`
	Scanned   string    `json:"scanned"`           // as the scanner gave it (normalised)
	Barcode   string    `json:"barcode,omitempty"` // the ticket it resolved to; empty when unknown
	Outcome   Outcome   `json:"verdict"`
	Reason    Reason    `json:"reason"`
	// Facts are what its words are made of (Speaker.Control): the store
	// keeps them, never the words of one language.
	Facts Facts `json:"-"`
	// Override is set when a supervisor admitted a denied ticket; the
	// original reason stays in Reason, the supervisor's words here.
	Override       bool   `json:"override,omitempty"`
	OverrideReason string `json:"overrideReason,omitempty"`
	// Offline is true when the station had not synced successfully for
	// longer than the staleness limit at the time of the scan: S-360 is
	// then told OFFLINE_OK / OFFLINE_FAIL.
	Offline bool `json:"offline,omitempty"`
	// OffVenue is true for a control a station of a venue decided from its
	// local copy, on its own, because the venue's database did not answer
	// in time or could not be reached: it was pushed to the venue later.
	OffVenue     bool        `json:"offVenue,omitempty"`
	Upload       UploadState `json:"upload"`
	UploadDetail string      `json:"uploadDetail,omitempty"`
	UploadedAt   time.Time   `json:"uploadedAt,omitzero"`
}

// Admitted reports whether this control let the person through.
func (c *Control) Admitted() bool { return c.Outcome == Admit }

// ControlResult is the value S-360 expects for this control.
func (c *Control) ControlResult() string {
	r := "FAIL"
	if c.Outcome == Admit {
		r = "OK"
	}
	if c.Offline {
		r = "OFFLINE_" + r
	}
	return r
}

// SkipBlacklisted records at once as rejected a control about to be sent
// for a ticket S-360 is known to have blacklisted (Ticket.Blacklisted):
// S-360 would refuse it, never accept it later, and its refusal would cost
// an import call that fails the whole batch (s360-api.md).
func (c *Control) SkipBlacklisted(t *Ticket) {
	if t == nil || c.Upload != UploadPending || !t.Blacklisted() {
		return
	}
	why := t.RejectedByS360
	if why == "" {
		why = exportedCancelled + CancellationWords(t.CancellationCause)
	}
	c.Upload = UploadRejected
	c.UploadDetail = NotSentDetail(why)
}

// Our words around S-360's in UploadDetail. The stores keep S-360's words
// as it wrote them, framed by these (English, as stored);
// Speaker.UploadDetail says the frame in the reader's language.
const (
	notSentPrefix     = "Not sent: S-360 refuses controls of blacklisted tickets ("
	exportedCancelled = "exported cancelled: "
	sentOtherPrefix   = "S-360 had been sent "
	sentOtherMiddle   = " for this scan, decided by the venue but never shown at the gate; the gate showed "
)

// SentOtherDetail is the upload detail of a scan the venue decided and
// S-360 was told of (sent: the result S-360 holds), while its station,
// never getting the venue's answer, showed shown from its local copy:
// both are kept, and the desk says so.
func SentOtherDetail(sent string, shown Outcome) string {
	return sentOtherPrefix + sent + sentOtherMiddle + string(shown)
}

// NotSentDetail is the upload detail of a control never sent because S-360
// refused its ticket (why: S-360's words).
func NotSentDetail(why string) string { return notSentPrefix + why + ")" }

// ShouldUpload says whether S-360 is to hear of a control at all: only scans
// of barcodes S-360 issued, only people going in (S-360 has no notion of
// leaving), never helpdesk look-ups.
func (c *Control) ShouldUpload() bool {
	return c.Barcode != "" && c.Direction == DirectionIn
}
