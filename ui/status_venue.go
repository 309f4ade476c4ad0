package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The Sync tab of a station of a venue also lists the venue's stations
// (which is its S-360 client, which are online, what each has scanned and
// not pushed yet) and the venue's double entries: tickets let in twice
// while stations could not see each other.

// statusVenueColumns are the stations' columns; their titles are
// "status.venue.col.KEY".
var statusVenueColumns = []string{"name", "gate", "role", "online", "heard", "scans", "pending"}

// statusVenue is the Sync tab's venue section.
type statusVenue struct {
	title, doubleTitle *widget.Label
	grid               *fyne.Container
	doubles            *fyne.Container
	obj                fyne.CanvasObject
	last               core.VenueStatus
}

func newStatusVenue() *statusVenue {
	v := &statusVenue{
		title:       widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		doubleTitle: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		grid:        container.New(layout.NewGridLayoutWithColumns(len(statusVenueColumns))),
		doubles:     container.NewVBox(),
	}
	v.title.Wrapping = fyne.TextWrapWord
	v.doubleTitle.Wrapping = fyne.TextWrapWord
	v.obj = container.NewVBox(widget.NewSeparator(), v.title, v.grid, v.doubleTitle, v.doubles)
	return v
}

func statusCell(text string, bold bool) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: bold})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// apply shows the venue's stations and double entries. UI goroutine.
func (v *statusVenue) apply(st core.VenueStatus, now time.Time) {
	v.last = st
	title := T("status.venue.title", map[string]any{"N": itoa(st.Online), "Of": itoa(len(st.Stations))})
	if st.Error != "" {
		title += " — " + T("status.venue.stale", map[string]any{"At": deskClock(st.ReadAt, now)})
	}
	v.title.SetText(title)
	cells := make([]fyne.CanvasObject, 0, len(statusVenueColumns)*(len(st.Stations)+1))
	for _, c := range statusVenueColumns {
		cells = append(cells, statusCell(T("status.venue.col."+c), true))
	}
	for _, s := range st.Stations {
		role := T("status.venue.gateOnly")
		switch {
		case s.Syncer:
			role = T("status.venue.syncer")
		case s.Candidate:
			role = T("status.venue.candidate")
		}
		online := T("status.venue.offline")
		if s.Online {
			online = T("status.venue.isOnline")
		}
		gate := deskOr(s.Gate)
		if s.Direction == core.DirectionOut {
			gate += " (" + T("bar.exit") + ")"
		}
		name := statusCell(s.Name, s.Name == st.Station)
		pending := statusCell(itoa(s.Pending), false)
		if s.Pending > 0 {
			pending.Importance = widget.WarningImportance
		}
		off := statusCell(online, false)
		if !s.Online {
			off.Importance = widget.DangerImportance
		}
		cells = append(cells, name, statusCell(gate, false), statusCell(role, false), off,
			statusCell(deskClock(s.LastHeard, now), false), statusCell(itoa(s.ScansToday), false), pending)
	}
	v.grid.Objects = cells
	v.grid.Refresh()

	var lines []fyne.CanvasObject
	for i := range st.DoubleEntries {
		d := &st.DoubleEntries[i]
		l := widget.NewLabel(d.Barcode + " — " + say().DoubleEntry(d, now))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.DangerImportance
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		v.doubleTitle.SetText(T("status.venue.noDoubles"))
	} else {
		v.doubleTitle.SetText(TN("status.venue.doubles", len(lines)))
	}
	v.doubles.Objects = lines
	v.doubles.Refresh()
}
