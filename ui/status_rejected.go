package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The controls S-360 refused (tickets blacklisted after they were
// exported). S-360's words are shown verbatim: they name the barcode, and
// the supervisor may have to quote them to the institution.

type statusColumn struct {
	title string
	width float32
	cell  func(c *core.Control, now time.Time) string
}

var statusRejectedColumns = []statusColumn{
	{"Barcode", 220, func(c *core.Control, _ time.Time) string {
		if c.Barcode != "" {
			return c.Barcode
		}
		return c.Scanned
	}},
	{"Scanned at", 130, func(c *core.Control, now time.Time) string { return deskClock(c.At, now) }},
	{"Station", 130, func(c *core.Control, _ time.Time) string { return c.Station }},
	{"Gate", 60, func(c *core.Control, _ time.Time) string { return deskOr(c.Gate) }},
	{"S-360 said", 420, func(c *core.Control, _ time.Time) string { return deskOr(c.UploadDetail) }},
}

// statusRejectedCell is one cell's text; the table and the tests share it.
func statusRejectedCell(c *core.Control, col int, now time.Time) string {
	if col < 0 || col >= len(statusRejectedColumns) {
		return ""
	}
	return statusRejectedColumns[col].cell(c, now)
}

func newStatusRejectedTable(rows func() []core.Control, now func() time.Time) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(rows()), len(statusRejectedColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			cs := rows()
			if id.Row >= len(cs) {
				l.SetText("")
				return
			}
			l.SetText(statusRejectedCell(&cs[id.Row], id.Col, now()))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(statusRejectedColumns) {
			o.(*widget.Label).SetText(statusRejectedColumns[id.Col].title)
		}
	}
	for i, c := range statusRejectedColumns {
		t.SetColumnWidth(i, c.width)
	}
	// Selecting a row would only highlight it; the text is what matters.
	t.OnSelected = func(widget.TableCellID) { t.UnselectAll() }
	return t
}
