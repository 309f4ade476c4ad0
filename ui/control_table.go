package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// controlColumn is one column of a table of controls: its title, width and
// how a control reads in it. The dispute desk's history and the sync
// screen's rejected controls are both such tables.
type controlColumn struct {
	title string // a key of the catalogue
	width float32
	cell  func(c *core.Control, now time.Time) string
}

// controlCell is the text of one cell; the tables and the tests share it.
func controlCell(cols []controlColumn, c *core.Control, col int, now time.Time) string {
	if col < 0 || col >= len(cols) {
		return ""
	}
	return cols[col].cell(c, now)
}

// newControlTable shows rows() in cols. importance, when not nil, colours a
// cell (a DENY red, a rejection in S-360's words red).
func newControlTable(cols []controlColumn, rows func() []core.Control, now func() time.Time,
	importance func(c *core.Control, col int) widget.Importance) *keyTable {
	t := newKeyTable(
		func() (int, int) { return len(rows()), len(cols) },
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
			c := &cs[id.Row]
			l.Importance = widget.MediumImportance
			if importance != nil {
				l.Importance = importance(c, id.Col)
			}
			l.SetText(controlCell(cols, c, id.Col, now()))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(cols) {
			o.(*widget.Label).SetText(T(cols[id.Col].title))
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

// maxColumn bounds a fitted column: longer words are cut with "…" there
// (the table scrolls sideways, but one column must not push the others
// out of a laptop's width).
const maxColumn = 560

// fitColumns sizes each column to its widest text, title or cell, so that
// nothing is cut off that could fit; never narrower than the column's own
// width, never wider than maxColumn. The first rows are measured only: the
// rest are alike.
func fitColumns(t *keyTable, cols []controlColumn, rows []core.Control, now time.Time) {
	size := theme.TextSize()
	pad := 2*theme.InnerPadding() + theme.Padding()
	for i, c := range cols {
		w := fyne.MeasureText(T(c.title), size, fyne.TextStyle{Bold: true}).Width
		for j := range rows[:min(len(rows), 200)] {
			w = max(w, fyne.MeasureText(c.cell(&rows[j], now), size, fyne.TextStyle{}).Width)
		}
		w = min(max(c.width, w+pad), maxColumn)
		t.SetColumnWidth(i, w)
		if t.widths == nil {
			t.widths = map[int]float32{}
		}
		t.widths[i] = w
	}
	t.Refresh()
}
