package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newDemoPanel lists the simulator's sample tickets, one button each. A
// click goes through exactly the path a scanner's keystrokes take (scan
// normalisation, Store.Scan, the verdict), so a demo shows the real gate.
func newDemoPanel(tickets []DemoTicket, scan func(barcode string)) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Demo tickets", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	help := widget.NewLabel("Click one to scan it, or use a scanner.")
	help.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	for _, t := range tickets {
		b := widget.NewButton("Scan: "+demoTitle(t), func() { scan(t.Barcode) })
		b.Alignment = widget.ButtonAlignLeading
		note := widget.NewLabel(t.Note)
		note.Wrapping = fyne.TextWrapWord
		list.Add(container.NewVBox(b, note))
	}
	return container.NewBorder(container.NewVBox(title, help), nil, nil, nil, container.NewVScroll(list))
}

// demoTitle is the button's text: the kind, readable ("already-used" →
// "Already used").
func demoTitle(t DemoTicket) string {
	k := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(t.Kind))
	if k == "" {
		return t.Barcode
	}
	return strings.ToUpper(k[:1]) + k[1:]
}
