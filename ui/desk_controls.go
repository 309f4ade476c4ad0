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
	{"desk.col.time", 130, func(c *core.Control, now time.Time) string { return deskClock(c.At, now) }},
	{"desk.col.gate", 60, func(c *core.Control, _ time.Time) string { return deskOr(c.Gate) }},
	{"desk.col.station", 120, func(c *core.Control, _ time.Time) string { return c.Station }},
	{"desk.col.dir", 45, deskDirCell},
	{"desk.col.verdict", 110, deskVerdictCell},
	{"desk.col.why", 240, func(c *core.Control, _ time.Time) string {
		if m := say().Control(c); m != "" {
			return m
		}
		return string(c.Reason)
	}},
	{"desk.col.overrideReason", 160, func(c *core.Control, _ time.Time) string { return c.OverrideReason }},
	{"desk.col.upload", 120, deskUploadCell},
	{"desk.col.s360words", 260, func(c *core.Control, _ time.Time) string {
		if c.Upload == core.UploadRejected {
			return say().UploadDetail(c.UploadDetail)
		}
		return ""
	}},
}

// deskDirCell is a control's direction in the reader's words ("in",
// "entrée", "ein"…).
func deskDirCell(c *core.Control, _ time.Time) string {
	switch c.Direction {
	case core.DirectionIn, core.DirectionOut:
		return T("desk.dir." + string(c.Direction))
	}
	return string(c.Direction)
}

func deskVerdictCell(c *core.Control, _ time.Time) string {
	v := say().Outcome(c.Outcome)
	if c.Direction == core.DirectionOut {
		// Leaving is not being admitted, and nobody is kept in.
		v = T("verdict.exit")
		if c.Outcome != core.Admit {
			v = T("desk.exitNoEntry")
		}
	}
	if c.Override {
		v += T("desk.overrideMark")
	}
	if c.Offline {
		v += T("desk.offlineMark")
	}
	return v
}

func deskUploadCell(c *core.Control, now time.Time) string {
	switch c.Upload {
	case core.UploadDone:
		if !c.UploadedAt.IsZero() {
			return T("desk.sentAt", map[string]any{"At": deskShortClock(c.UploadedAt, now)})
		}
		return T("desk.sent")
	case core.UploadPending:
		return T("desk.toSend")
	case core.UploadRejected:
		return T("desk.rejected")
	case core.UploadLocal:
		return T("desk.local")
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
