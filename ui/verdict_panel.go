package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// verdictPanel is the big coloured block that says ADMIT or DENY. Its text
// is sized to fill the space it gets (canvas.Text does not scale by itself),
// so that the word is as large as the laptop allows, from any window size.
type verdictPanel struct {
	widget.BaseWidget
	kind      panelKind
	exit      bool // idle colour: purple at an exit station
	word, sub string
}

func newVerdictPanel() *verdictPanel {
	p := &verdictPanel{word: "READY"}
	p.ExtendBaseWidget(p)
	return p
}

// set shows a view; call on the UI goroutine.
func (p *verdictPanel) set(v verdictView, exit bool) {
	p.kind, p.word, p.sub, p.exit = v.Kind, v.Word, v.Sub, exit
	p.Refresh()
}

func (p *verdictPanel) CreateRenderer() fyne.WidgetRenderer {
	r := &verdictRenderer{
		p:     p,
		bg:    canvas.NewRectangle(colIdle),
		word:  canvas.NewText("", colOnDark),
		word2: canvas.NewText("", colOnDark),
		sub:   canvas.NewText("", colOnDark),
		sub2:  canvas.NewText("", colOnDark),
		clock: canvas.NewText("", colOnDark),
		ring:  canvas.NewCircle(color.Transparent),
		oct:   &canvas.Polygon{Sides: 8, Angle: 22.5},
		tri:   &canvas.Polygon{Sides: 3},
		box:   canvas.NewRectangle(color.Transparent),
		l1:    canvas.NewLine(color.Transparent),
		l2:    canvas.NewLine(color.Transparent),
		l3:    canvas.NewLine(color.Transparent),
		dot:   canvas.NewCircle(color.Transparent),
		q:     canvas.NewText("?", color.Transparent),
	}
	r.word.TextStyle = fyne.TextStyle{Bold: true}
	r.word2.TextStyle = fyne.TextStyle{Bold: true}
	r.q.TextStyle = fyne.TextStyle{Bold: true}
	r.bg.CornerRadius = 12
	r.objects = []fyne.CanvasObject{r.bg, r.ring, r.oct, r.tri, r.box, r.l1, r.l2, r.l3, r.dot, r.q, r.word, r.word2, r.sub, r.sub2, r.clock}
	r.Refresh()
	return r
}

type verdictRenderer struct {
	p                   *verdictPanel
	bg                  *canvas.Rectangle
	word, word2, sub, q *canvas.Text
	sub2                *canvas.Text // the sub line's second line, when it needs two
	clock               *canvas.Text // the sub line's time, drawn apart (see placeSub)
	ring, dot           *canvas.Circle
	oct, tri            *canvas.Polygon
	box                 *canvas.Rectangle
	l1, l2, l3          *canvas.Line
	objects             []fyne.CanvasObject
	fgCol, bgCol        color.Color
}

func (r *verdictRenderer) Destroy()                     {}
func (r *verdictRenderer) Objects() []fyne.CanvasObject { return r.objects }

// MinSize is small on purpose: the panel takes what the layout gives it and
// fits its text to that, rather than forcing the window to grow.
func (r *verdictRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 160) }

func (r *verdictRenderer) Refresh() {
	r.bgCol, r.fgCol = r.p.kind.colours(r.p.exit)
	r.bg.FillColor = r.bgCol
	r.word.Color, r.word2.Color = r.fgCol, r.fgCol
	r.sub.Color, r.sub2.Color, r.clock.Color = r.fgCol, r.fgCol, r.fgCol
	r.Layout(r.p.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

// fitText returns the largest text size, up to max, at which s fits width.
func fitText(s string, style fyne.TextStyle, width, max float32) float32 {
	if s == "" || width <= 0 {
		return max
	}
	w := fyne.MeasureText(s, 100, style).Width
	if w <= 0 {
		return max
	}
	// Glyphs do not scale exactly with the size (hinting): make sure.
	ts := min(max, 100*width/w)
	for i := 0; i < 10 && fyne.MeasureText(s, ts, style).Width > width; i++ {
		ts *= 0.98
	}
	return ts
}

// subReadable is the smallest size of the sub line ("Do not let in ·
// 19:05:02") beside the icon; below it the line goes under the icon and the
// word, across the whole panel, rather than shrink out of reach, and in two
// lines if one across the panel would still be smaller (French and Italian
// say it in more letters than English).
const subReadable = 20

func (r *verdictRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	const pad = 24
	words, clock := splitClock(r.p.sub)
	// First try the sub line beside the icon, under the word.
	b := r.layoutBlock(size.Width, size.Height, pad)
	ss := fitText(r.p.sub, r.sub.TextStyle, b.textW, b.subMax)
	if ss < subReadable {
		full := size.Width - 2*pad
		lines := []string{words}
		ss = fitText(r.p.sub, r.sub.TextStyle, full, subReadable*1.3)
		if ss < subReadable {
			a, c := splitSub(words, clock, r.sub.TextStyle)
			lines = []string{a, c}
			ss = min(fitText(a, r.sub.TextStyle, full, subReadable*1.3), fitText(c+clock, r.sub.TextStyle, full, subReadable*1.3))
		}
		lh := fyne.MeasureText(r.p.sub, ss, r.sub.TextStyle).Height
		sh := lh * float32(len(lines))
		b = r.layoutBlock(size.Width, size.Height-sh-pad/2, pad)
		blockH := max(b.icon, b.wordsH)
		top := (size.Height - blockH - pad/2 - sh) / 2
		r.placeWords(b, top+(blockH-b.wordsH)/2)
		r.placeSub(fyne.NewPos(pad, top+blockH+pad/2), fyne.NewSize(full, lh), ss, lines, clock)
		r.layoutIcon(fyne.NewPos(pad, top+(blockH-b.icon)/2), b.icon)
		return
	}
	sh := fyne.MeasureText(r.p.sub, ss, r.sub.TextStyle).Height
	top := (size.Height - b.wordsH - sh) / 2
	r.placeWords(b, top)
	r.placeSub(fyne.NewPos(b.textX, top+b.wordsH), fyne.NewSize(b.textW, sh), ss, []string{words}, clock)
	r.layoutIcon(fyne.NewPos(pad, (size.Height-b.icon)/2), b.icon)
}

// placeSub puts the sub line at pos, in one or two lines of the given
// size: its words, then its time right after them. Each text drawn is a
// texture Fyne keeps for a minute after its last use; with the time apart
// only a small one is new at every scan, not the whole line (at a busy gate
// that is most of the app's memory growth).
func (r *verdictRenderer) placeSub(pos fyne.Position, line fyne.Size, ts float32, lines []string, clock string) {
	r.sub.TextSize, r.sub2.TextSize, r.clock.TextSize = ts, ts, ts
	r.sub.Text, r.sub2.Text, r.clock.Text = lines[0], "", clock
	last := r.sub
	if len(lines) == 2 {
		r.sub2.Text, last = lines[1], r.sub2
	}
	for i, t := range []*canvas.Text{r.sub, r.sub2} {
		t.Move(pos.AddXY(0, line.Height*float32(i)))
		t.Resize(line)
	}
	w := fyne.MeasureText(last.Text, ts, last.TextStyle).Width
	r.clock.Move(last.Position().AddXY(w, 0))
	r.clock.Resize(fyne.NewSize(max(0, line.Width-w), line.Height))
}

// splitSub cuts the sub line's words in two at the space that makes the
// longer line (the second ends with the time) shortest; without a space,
// the words make the first line and the time the second.
func splitSub(words, clock string, style fyne.TextStyle) (string, string) {
	const at = 20
	best, a, c := float32(-1), strings.TrimSuffix(words, " · "), ""
	for i, ch := range words {
		if ch != ' ' || i == 0 || i == len(words)-1 || strings.HasPrefix(words[i:], " · ") && i+len(" · ") == len(words) {
			continue
		}
		l1, l2 := words[:i], words[i+1:]
		w := max(fyne.MeasureText(l1, at, style).Width, fyne.MeasureText(l2+clock, at, style).Width)
		if best < 0 || w < best {
			best, a, c = w, l1, l2
		}
	}
	if best < 0 && clock == "" {
		return words, ""
	}
	return a, c
}

// splitClock cuts "Let in · 19:05:02" into "Let in · " and "19:05:02".
func splitClock(sub string) (words, clock string) {
	if i := strings.LastIndex(sub, " · "); i >= 0 {
		return sub[:i+len(" · ")], sub[i+len(" · "):]
	}
	return sub, ""
}

// verdictBlock is the icon and the word fitted to a width and height.
type verdictBlock struct {
	icon, textX, textW float32
	lines              []string
	size, lineH        float32 // the word's text size and line height
	wordsH             float32
	subMax             float32 // the largest sub line that suits the word
}

func (r *verdictRenderer) layoutBlock(width, height, pad float32) verdictBlock {
	b := verdictBlock{}
	if r.p.kind != kindIdle {
		b.icon = min(height*0.62, width*0.26)
	}
	b.textX = pad + b.icon
	if b.icon > 0 {
		b.textX += pad
	}
	b.textW = width - b.textX - pad
	// A two-part word ("ADMIT — CHECK") is split over two lines when that
	// makes it larger: in a narrow window one long line would be small.
	one := r.p.word
	b.lines = []string{one}
	b.size = fitText(one, r.word.TextStyle, b.textW, height*0.36)
	if a, c, ok := strings.Cut(one, " — "); ok {
		two := min(fitText(a, r.word.TextStyle, b.textW, height*0.3), fitText(c, r.word.TextStyle, b.textW, height*0.3))
		if two > b.size*1.15 {
			b.size, b.lines = two, []string{a, c}
		}
	}
	b.subMax = max(18, min(b.size*0.34, 34))
	b.lineH = fyne.MeasureText(b.lines[0], b.size, r.word.TextStyle).Height
	b.wordsH = b.lineH * float32(len(b.lines))
	return b
}

// placeWords puts the word's one or two lines from top.
func (r *verdictRenderer) placeWords(b verdictBlock, top float32) {
	r.word.Text, r.word2.Text = b.lines[0], ""
	if len(b.lines) == 2 {
		r.word2.Text = b.lines[1]
	}
	for i, t := range []*canvas.Text{r.word, r.word2} {
		t.TextSize = b.size
		t.Move(fyne.NewPos(b.textX, top+b.lineH*float32(i)))
		t.Resize(fyne.NewSize(b.textW, b.lineH))
	}
}

// layoutIcon draws the verdict's shape: a circle with a tick (ADMIT), a
// stop-sign octagon with a cross (DENY), a warning triangle with "!" (CHECK),
// a square with "!" (NOT RECORDED), a circle with "?" (NOT READ), a circle
// with an arrow out (EXIT). The shape
// is filled with the text colour and the mark cut out in the panel colour,
// like a road sign: recognisable without colour, and from afar.
func (r *verdictRenderer) layoutIcon(at fyne.Position, s float32) {
	for _, o := range []fyne.CanvasObject{r.ring, r.oct, r.tri, r.box, r.l1, r.l2, r.l3, r.dot, r.q} {
		o.Hide()
	}
	if s <= 0 {
		return
	}
	pt := func(x, y float32) fyne.Position { return fyne.NewPos(at.X+x*s, at.Y+y*s) }
	line := func(l *canvas.Line, x1, y1, x2, y2 float32) {
		l.StrokeColor, l.StrokeWidth = r.bgCol, s*0.1
		l.Position1, l.Position2 = pt(x1, y1), pt(x2, y2)
		l.Show()
	}
	bang := func(top, bottom float32) { // "!" in the panel colour
		line(r.l1, 0.5, top, 0.5, bottom)
		d := s * 0.12
		r.dot.FillColor = r.bgCol
		r.dot.Move(pt(0.5, bottom+0.1).SubtractXY(d/2, 0))
		r.dot.Resize(fyne.NewSquareSize(d))
		r.dot.Show()
	}
	shape := func(o fyne.CanvasObject) {
		o.Move(at)
		o.Resize(fyne.NewSquareSize(s))
		o.Show()
	}
	switch r.p.kind {
	case kindAdmit:
		r.ring.FillColor = r.fgCol
		shape(r.ring)
		line(r.l1, 0.26, 0.52, 0.44, 0.70)
		line(r.l2, 0.40, 0.70, 0.76, 0.32)
	case kindExit:
		r.ring.FillColor = r.fgCol
		shape(r.ring)
		line(r.l1, 0.24, 0.5, 0.74, 0.5)
		line(r.l2, 0.54, 0.3, 0.76, 0.52)
		line(r.l3, 0.54, 0.7, 0.76, 0.48)
	case kindDeny:
		r.oct.FillColor = r.fgCol
		shape(r.oct)
		line(r.l1, 0.3, 0.3, 0.7, 0.7)
		line(r.l2, 0.7, 0.3, 0.3, 0.7)
	case kindCheck:
		r.tri.FillColor, r.tri.CornerRadius = r.fgCol, s*0.06
		shape(r.tri)
		bang(0.34, 0.62)
	case kindError:
		r.box.FillColor, r.box.CornerRadius = r.fgCol, s*0.1
		shape(r.box)
		bang(0.2, 0.58)
	case kindUnread:
		r.ring.FillColor = r.fgCol
		shape(r.ring)
		r.q.Color, r.q.TextSize = r.bgCol, s*0.7
		qs := fyne.MeasureText("?", r.q.TextSize, r.q.TextStyle)
		r.q.Move(pt(0.5, 0.5).SubtractXY(qs.Width/2, qs.Height/2))
		r.q.Resize(qs)
		r.q.Show()
	}
}
