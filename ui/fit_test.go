package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Nothing is cut off: every text on a screen has the room its words need,
// in every language (German's are the longest), and lies inside the window
// — a scroll container lets its content run on only in the direction it
// scrolls. cutOffs lists what is not so, as a person would point at it.

// region is the part of the window a child may be seen in: x0..x1, y0..y1
// (a bound of -1 is open: a scroll goes on that way).
type region struct{ x0, y0, x1, y1 float32 }

const slack = 1 // rounding of Fyne's layouts

func (r region) outside(p fyne.Position, s fyne.Size) bool {
	return p.X < r.x0-slack || p.Y < r.y0-slack ||
		(r.x1 >= 0 && p.X+s.Width > r.x1+slack) || (r.y1 >= 0 && p.Y+s.Height > r.y1+slack)
}

// cutOffs walks c's content and overlays, laid out afresh (the test
// driver, unlike a real window, lays out again only when asked).
func cutOffs(c fyne.Canvas) []string {
	content := c.Content().Size()
	c.Content().Resize(content.AddWidthHeight(1, 1))
	c.Content().Resize(content)
	for _, o := range c.Overlays().List() {
		o.Resize(o.Size().AddWidthHeight(1, 1))
		o.Resize(o.Size().SubtractWidthHeight(1, 1))
	}
	var out []string
	full := region{0, 0, c.Size().Width, c.Size().Height}
	walkFit(c.Content(), fyne.NewPos(0, 0), full, &out)
	for _, o := range c.Overlays().List() {
		walkFit(o, fyne.NewPos(0, 0), full, &out)
	}
	return out
}

func textWidth(text string, size float32, style fyne.TextStyle) float32 {
	w := float32(0)
	for _, line := range strings.Split(text, "\n") {
		w = max(w, fyne.MeasureText(line, size, style).Width)
	}
	return w
}

func walkFit(o fyne.CanvasObject, parent fyne.Position, r region, out *[]string) {
	if o == nil || !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	size := o.Size()
	bad := func(format string, args ...any) { *out = append(*out, fmt.Sprintf(format, args...)) }
	pad := theme.InnerPadding()
	textual := ""
	need := fyne.NewSize(0, 0)
	switch w := o.(type) {
	case *widget.Label:
		textual = w.Text
		if w.Truncation != fyne.TextTruncateOff {
			// Cut on purpose, with "…": table cells and the feed's
			// reasons, read whole where they come from.
			break
		}
		if w.Wrapping == fyne.TextWrapOff && w.Text != "" {
			sz := theme.TextSize()
			if w.SizeName != "" {
				sz = theme.Size(w.SizeName)
			}
			need.Width = textWidth(w.Text, sz, w.TextStyle) + 2*pad
		}
		need.Height = w.MinSize().Height
	case *widget.Select:
		textual = w.Selected
		need.Width = fyne.MeasureText(w.Selected, theme.TextSize(), fyne.TextStyle{}).Width + 4*pad + theme.IconInlineSize()
		need.Height = w.MinSize().Height
	case *choice:
		textual = w.Selected
		need.Width = fyne.MeasureText(w.Selected, theme.TextSize(), fyne.TextStyle{}).Width + 4*pad + theme.IconInlineSize()
		need.Height = w.MinSize().Height
	case *widget.Button:
		textual, need = w.Text, o.MinSize()
	case *widget.Check:
		textual, need = w.Text, o.MinSize()
	case *checkBox:
		textual, need = w.Text, o.MinSize()
	case *widget.RadioGroup, *widget.Hyperlink:
		need = o.MinSize()
	case *canvas.Text:
		if w.Text == "" {
			break
		}
		// A text is drawn whole from where its alignment puts it, whatever
		// its box: it is cut off when that reaches past the window, and
		// its box too small means it runs over its neighbours.
		m := fyne.MeasureText(w.Text, w.TextSize, w.TextStyle).Width
		x := pos.X
		switch w.Alignment {
		case fyne.TextAlignCenter:
			x += (size.Width - m) / 2
		case fyne.TextAlignTrailing:
			x += size.Width - m
		}
		if size.Width > 0 && m > size.Width+slack {
			bad("%T %q has %v, needs %v", o, short(w.Text), size, m)
		}
		if r.outside(fyne.NewPos(x, pos.Y), fyne.NewSize(m, size.Height)) {
			bad("%T %q at %v (%v wide) reaches past the window's edge %+v", o, short(w.Text), pos, m, r)
		}
		return
	case *widget.Entry, *field:
		return // its text scrolls inside it
	}
	if size.IsZero() {
		// Never laid out: Fyne draws it from its place all the same (a
		// dialog's title is such); its text is checked below.
		need = fyne.NewSize(0, 0)
	}
	if need.Width > 0 || need.Height > 0 {
		if size.Width+slack < need.Width || size.Height+slack < need.Height {
			bad("%T %q has %v, needs %v", o, short(textual), size, need)
		}
		if r.outside(pos, size) {
			bad("%T %q at %v (%v) reaches past the window's edge %+v", o, short(textual), pos, size, r)
		}
	}
	switch w := o.(type) {
	case *widget.Table, *keyTable, *widget.List, *keyList:
		// They scroll both ways inside: their cells may lie beyond the
		// window's edge, to be scrolled to.
		for _, c := range test.WidgetRenderer(o.(fyne.Widget)).Objects() {
			walkFit(c, pos, region{-1e9, -1e9, -1, -1}, out)
		}
		return
	case *container.Scroll:
		inner := region{pos.X, pos.Y, pos.X + size.Width, pos.Y + size.Height}
		if w.Direction == container.ScrollVerticalOnly || w.Direction == container.ScrollBoth {
			inner.y0, inner.y1 = -1e9, -1
		}
		if w.Direction == container.ScrollHorizontalOnly || w.Direction == container.ScrollBoth {
			inner.x0, inner.x1 = -1e9, -1
		}
		walkFit(w.Content, pos, intersect(r, inner), out) // Content.Position is -Offset
		return
	case *fyne.Container:
		for _, c := range w.Objects {
			walkFit(c, pos, r, out)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walkFit(c, pos, r, out)
		}
	}
}

// intersect narrows r by in (open bounds of in keep r's).
func intersect(r, in region) region {
	if in.x1 >= 0 {
		r.x0, r.x1 = max(r.x0, in.x0), minBound(r.x1, in.x1)
	} else {
		r.x0, r.x1 = -1e9, -1
	}
	if in.y1 >= 0 {
		r.y0, r.y1 = max(r.y0, in.y0), minBound(r.y1, in.y1)
	} else {
		r.y0, r.y1 = -1e9, -1
	}
	return r
}

func minBound(a, b float32) float32 {
	if a < 0 {
		return b
	}
	return min(a, b)
}

func short(s string) string {
	if len([]rune(s)) > 60 {
		return string([]rune(s)[:60]) + "…"
	}
	return s
}

// The check finds what it looks for: a label squeezed, a button past the
// edge, a text beside a scroll's side; and nothing in a tidy window.
func TestCutOffsFindsCutText(t *testing.T) {
	test.NewTempApp(t)
	long := "Falscher Eingang — Tor S2 benutzen, bitte sofort"
	squeezed := container.NewGridWithColumns(4, widget.NewLabel(long), widget.NewLabel("b"), widget.NewLabel("c"), widget.NewLabel("d"))
	w := test.NewTempWindow(t, container.NewVBox(squeezed))
	w.Resize(fyne.NewSize(300, 200))
	if got := cutOffs(w.Canvas()); len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), "Falscher") {
		t.Errorf("a squeezed label not found: %q", got)
	}
	tidy := test.NewTempWindow(t, container.NewVBox(widget.NewLabel("Gültig"), widget.NewButton("OK", nil)))
	tidy.Resize(fyne.NewSize(300, 200))
	if got := cutOffs(tidy.Canvas()); len(got) != 0 {
		t.Errorf("a tidy window: %q", got)
	}
	wide := test.NewTempWindow(t, container.NewVScroll(container.NewHBox(widget.NewButton(long, nil), widget.NewButton(long, nil))))
	wide.Resize(fyne.NewSize(300, 200))
	if got := cutOffs(wide.Canvas()); len(got) == 0 {
		t.Error("buttons beside a vertical scroll's side not found")
	}
	tall := test.NewTempWindow(t, container.NewVScroll(container.NewVBox(widget.NewLabel("1"), widget.NewLabel("2"), widget.NewLabel("3"), widget.NewLabel("4"), widget.NewLabel("5"))))
	tall.Resize(fyne.NewSize(300, 60))
	if got := cutOffs(tall.Canvas()); len(got) != 0 {
		t.Errorf("a vertical scroll's content goes on down: %q", got)
	}
	sel := widget.NewSelect([]string{"Ausgang — Besucher gehen hinaus"}, nil)
	sel.SetSelected("Ausgang — Besucher gehen hinaus")
	narrow := test.NewTempWindow(t, container.NewGridWithColumns(3, sel, widget.NewLabel("x"), widget.NewLabel("y")))
	narrow.Resize(fyne.NewSize(300, 100))
	if got := cutOffs(narrow.Canvas()); len(got) == 0 {
		t.Error("a select whose choice is cut not found")
	}
}
