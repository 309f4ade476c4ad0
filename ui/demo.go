package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core/words"
)

// newDemoPanel lists the simulator's sample tickets, one card each. A
// click anywhere on a card goes through exactly the path a scanner's
// keystrokes take (scan normalisation, Store.Scan, the verdict), so a demo
// shows the real gate.
func newDemoPanel(tickets []DemoTicket, scan func(barcode string)) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(T("demo.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	help := widget.NewLabel(T("demo.help"))
	help.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	for _, t := range tickets {
		list.Add(newDemoCard(T("demo.scan", map[string]any{"Title": demoTitle(t)}), demoNote(t), func() { scan(t.Barcode) }))
	}
	return container.NewBorder(container.NewVBox(title, help), nil, nil, nil, container.NewVScroll(list))
}

// demoTitle is the card's title: the kind, readable ("already-used" →
// "Already used").
func demoTitle(t DemoTicket) string {
	if key := "demo.kind." + t.Kind; words.Has(key) {
		return T(key)
	}
	k := strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(t.Kind))
	if k == "" {
		return t.Barcode
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// demoNote says what a sample shows: the simulator's own words (with its
// codes) in English, the kind's words in another language.
func demoNote(t DemoTicket) string {
	if key := "demo.note." + t.Kind; Lang() != words.EN && words.Has(key) {
		return T(key)
	}
	return t.Note
}

// demoCard is one sample ticket: its title and what it shows, clickable as
// a whole (a button with a label under it left the label dead).
type demoCard struct {
	widget.BaseWidget
	title, note string
	tapped      func()
	bg          *canvas.Rectangle
}

func newDemoCard(title, note string, tapped func()) *demoCard {
	c := &demoCard{title: title, note: note, tapped: tapped}
	c.ExtendBaseWidget(c)
	return c
}

func (c *demoCard) CreateRenderer() fyne.WidgetRenderer {
	c.bg = canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	c.bg.CornerRadius = theme.InputRadiusSize()
	t := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	n := widget.NewLabel(c.note)
	n.Wrapping = fyne.TextWrapWord
	return widget.NewSimpleRenderer(container.NewStack(c.bg, container.NewVBox(t, n)))
}

func (c *demoCard) Tapped(*fyne.PointEvent) {
	if c.tapped != nil {
		c.tapped()
	}
}

func (c *demoCard) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (c *demoCard) MouseIn(*desktop.MouseEvent)    { c.hover(theme.ColorNameHover) }
func (c *demoCard) MouseMoved(*desktop.MouseEvent) {}
func (c *demoCard) MouseOut()                      { c.hover(theme.ColorNameButton) }

func (c *demoCard) hover(n fyne.ThemeColorName) {
	if c.bg != nil {
		c.bg.FillColor = theme.Color(n)
		c.bg.Refresh()
	}
}
