package s360

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"s360gate/core"
)

// controlledTicket is one control as importControlledTicket takes it
// [doc + seen]. "additionnalInfo" is spelt with two n's by S-360.
type controlledTicket struct {
	ACIdentifier    string `json:"acIdentifier"`
	Barcode         string `json:"barcode"`
	ControlDate     string `json:"controlDate"`
	ControlResult   string `json:"controlResult"`
	FailureReason   string `json:"failureReason,omitempty"`
	AdditionnalInfo string `json:"additionnalInfo,omitempty"`
}

type importBody struct {
	RequestID         int64              `json:"requestId"`
	ControlledTickets []controlledTicket `json:"controlledTickets"`
}

// defaultACIdentifier names the device when a control has no station.
const defaultACIdentifier = "S360GATE"

// maxInfo keeps additionnalInfo short; its limit is not published.
const maxInfo = 250

// ImportControls reports controls to S-360. Controls without a barcode
// (scans of codes S-360 did not issue) are never sent. When S-360 refuses
// some barcodes (blacklisted after export) the error wraps a
// *core.RejectedError naming them, and nothing of the batch was imported:
// the caller marks those rejected and sends the rest again.
//
// A 5xx is not retried here: the sync engine decides when to send again.
func (c *Client) ImportControls(ctx context.Context, controls []core.Control) error {
	items := make([]controlledTicket, 0, len(controls))
	for i := range controls {
		ct := &controls[i]
		if ct.Barcode == "" {
			continue
		}
		ac := ct.Station
		if ac == "" {
			ac = defaultACIdentifier // S-360 requires one [assumed]
		}
		item := controlledTicket{
			ACIdentifier:  ac,
			Barcode:       ct.Barcode,
			ControlDate:   ct.At.UTC().Format(time.RFC3339),
			ControlResult: ct.ControlResult(),
		}
		if !ct.Admitted() {
			item.FailureReason = string(ct.Reason)
		}
		item.AdditionnalInfo = additionalInfo(ct)
		items = append(items, item)
	}
	if len(items) == 0 {
		return nil
	}
	return c.do(ctx, mImport,
		func(id int64) ([]byte, error) {
			return json.Marshal(importBody{RequestID: id, ControlledTickets: items})
		},
		func(r io.Reader) error {
			_, err := readAnswer(mImport, r)
			return err
		})
}

// additionalInfo tells S-360 what it cannot know from the result alone:
// which gate, and a supervisor's override.
func additionalInfo(c *core.Control) string {
	var parts []string
	if c.Gate != "" {
		parts = append(parts, "gate "+c.Gate)
	}
	if c.Override {
		o := "override"
		if r := strings.TrimSpace(c.OverrideReason); r != "" {
			o += ": " + r
		}
		parts = append(parts, o)
	}
	s := strings.Join(parts, "; ")
	if len(s) > maxInfo {
		s = strings.ToValidUTF8(s[:maxInfo], "")
	}
	return s
}
