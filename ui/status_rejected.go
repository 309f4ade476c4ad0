package ui

import (
	"time"

	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The controls S-360 refused (tickets blacklisted after they were
// exported). S-360's words are shown verbatim: they name the barcode, and
// the supervisor may have to quote them to the institution.

var statusRejectedColumns = []controlColumn{
	{"col.barcode", 220, func(c *core.Control, _ time.Time) string {
		if c.Barcode != "" {
			return c.Barcode
		}
		return c.Scanned
	}},
	{"col.scannedAt", 130, func(c *core.Control, now time.Time) string { return deskClock(c.At, now) }},
	{"col.station", 130, func(c *core.Control, _ time.Time) string { return c.Station }},
	{"col.gate", 60, func(c *core.Control, _ time.Time) string { return deskOr(c.Gate) }},
	{"col.s360said", 420, func(c *core.Control, _ time.Time) string { return deskOr(say().UploadDetail(c.UploadDetail)) }},
}

// statusRejectedCell is one cell's text; the table and the tests share it.
func statusRejectedCell(c *core.Control, col int, now time.Time) string {
	return controlCell(statusRejectedColumns, c, col, now)
}

func newStatusRejectedTable(rows func() []core.Control, now func() time.Time) *keyTable {
	t := newControlTable(statusRejectedColumns, rows, now, nil)
	// Selecting a row would only highlight it; the text is what matters.
	t.OnSelected = func(widget.TableCellID) { t.UnselectAll() }
	return t
}
