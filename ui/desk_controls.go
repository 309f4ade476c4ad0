package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The table of a ticket's controls at the dispute desk: every scan, with
// what the gate said and where S-360 stands with it. It is what settles
// "I have never been in!" — time, gate, verdict, side by side.

var deskColumns = []controlColumn{
	{"Time", 130, func(c *core.Control, now time.Time) string { return deskClock(c.At, now) }},
	{"Gate", 60, func(c *core.Control, _ time.Time) string { return deskOr(c.Gate) }},
	{"Station", 120, func(c *core.Control, _ time.Time) string { return c.Station }},
	{"Dir.", 45, func(c *core.Control, _ time.Time) string { return string(c.Direction) }},
	{"Verdict", 110, deskVerdictCell},
	{"Why", 240, func(c *core.Control, _ time.Time) string {
		if m := say().Control(c); m != "" {
			return m
		}
		return string(c.Reason)
	}},
	{"Override reason", 160, func(c *core.Control, _ time.Time) string { return c.OverrideReason }},
	{"S-360", 120, deskUploadCell},
	{"S-360's words", 260, func(c *core.Control, _ time.Time) string {
		if c.Upload == core.UploadRejected {
			return c.UploadDetail
		}
		return ""
	}},
}

func deskVerdictCell(c *core.Control, _ time.Time) string {
	v := string(c.Outcome)
	if c.Direction == core.DirectionOut {
		// Leaving is not being admitted, and nobody is kept in.
		v = "EXIT"
		if c.Outcome != core.Admit {
			v = "EXIT (no entry)"
		}
	}
	if c.Override {
		v += " (override)"
	}
	if c.Offline {
		v += " offline"
	}
	return v
}

func deskUploadCell(c *core.Control, now time.Time) string {
	switch c.Upload {
	case core.UploadDone:
		if !c.UploadedAt.IsZero() {
			return "sent " + deskShortClock(c.UploadedAt, now)
		}
		return "sent"
	case core.UploadPending:
		return "to send"
	case core.UploadRejected:
		return "REJECTED"
	case core.UploadLocal:
		return "not sent (local)"
	}
	return string(c.Upload)
}

// deskControlCell is the text of one cell; the table and the tests share it.
func deskControlCell(c *core.Control, col int, now time.Time) string {
	return controlCell(deskColumns, c, col, now)
}

func newDeskControlTable(rows func() []core.Control, now func() time.Time) *keyTable {
	return newControlTable(deskColumns, rows, now, func(c *core.Control, col int) widget.Importance {
		switch {
		case c.Upload == core.UploadRejected && col >= 7:
			return widget.DangerImportance
		case col == 4 && c.Direction == core.DirectionOut:
			return widget.MediumImportance
		case col == 4 && c.Outcome == core.Deny:
			return widget.DangerImportance
		case col == 4 && c.Outcome == core.Admit:
			return widget.SuccessImportance
		}
		return widget.MediumImportance
	})
}
