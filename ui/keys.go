package ui

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The scanner always wins. A USB scanner types into whichever widget has
// the focus, and Fyne hands a focused widget its keys before the window
// sees them. So every widget of this app that can take the focus is one of
// the small types below: each passes its keystrokes to the window's capture
// (capture.go) first, which holds them for a moment and either completes a
// scan (the keys never reach the widget) or hands them back, in order, as a
// person's typing. Fyne's own focusable widgets that cannot be wrapped
// (buttons, radio items, selectable labels) are kept from holding the focus:
// buttons only take it by Tab, and Tab is the capture's.

// keySink is a widget of ours that can hold the keyboard focus.
type keySink interface {
	fyne.Focusable
	fyne.CanvasObject
	// typed hands the widget a person's keystroke: a rune, or a named key.
	typed(r rune, name fyne.KeyName)
}

// captures maps each window's canvas to its capture. Widgets find theirs
// through the canvas they are drawn on.
var (
	capturesMu sync.Mutex
	captures   = map[fyne.Canvas]*capture{}
)

func registerCapture(cv fyne.Canvas, c *capture) {
	capturesMu.Lock()
	defer capturesMu.Unlock()
	if c == nil {
		delete(captures, cv)
		return
	}
	captures[cv] = c
}

func captureOf(o fyne.CanvasObject) *capture {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	cv := app.Driver().CanvasForObject(o)
	if cv == nil {
		return nil
	}
	capturesMu.Lock()
	defer capturesMu.Unlock()
	return captures[cv]
}

// keyRole is what a named key means to the capture.
type keyRole int

const (
	keyPass  keyRole = iota // modifiers and the like: to the widget at once
	keyRune                 // a key that also types a rune: the rune counts
	keyTimed                // Enter, Tab, BackSpace, arrows...: in order with the runes
)

func roleOf(n fyne.KeyName) keyRole {
	switch n {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab, keyBackTab, fyne.KeyBackspace, fyne.KeyDelete,
		fyne.KeyEscape, fyne.KeyUp, fyne.KeyDown, fyne.KeyLeft, fyne.KeyRight,
		fyne.KeyHome, fyne.KeyEnd, fyne.KeyPageUp, fyne.KeyPageDown, fyne.KeyInsert:
		return keyTimed
	case fyne.KeySpace:
		return keyRune
	}
	if len([]rune(string(n))) == 1 {
		return keyRune // "1", "A", "-": its rune follows
	}
	return keyPass
}

// keyBackTab is Shift+Tab: a person's (scanners never send it), moving
// the focus back.
const keyBackTab fyne.KeyName = "BackTab"

func backTab(ev *fyne.KeyEvent) *fyne.KeyEvent {
	if ev.Name != fyne.KeyTab {
		return ev
	}
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0 {
		return &fyne.KeyEvent{Name: keyBackTab, Physical: ev.Physical}
	}
	return ev
}

// sinkRune and sinkKey are every keySink's TypedRune and TypedKey.
func sinkRune(s keySink, r rune) {
	if c := captureOf(s); c != nil {
		c.rune(s, r)
		return
	}
	s.typed(r, "")
}

func sinkKey(s keySink, ev *fyne.KeyEvent) {
	ev = backTab(ev)
	switch roleOf(ev.Name) {
	case keyRune:
		return
	case keyPass:
		s.typed(0, ev.Name)
		return
	}
	if c := captureOf(s); c != nil {
		c.key(s, ev.Name)
		return
	}
	s.typed(0, ev.Name)
}

// sinkFlush decides held keys before a person's action that is not a key
// (a shortcut), so that it does not overtake them.
func sinkFlush(s keySink) {
	if c := captureOf(s); c != nil {
		c.flush()
	}
}

// field is the app's text entry (single-line, password or multi-line).
type field struct {
	widget.Entry
}

func newField() *field {
	f := &field{}
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	f.ExtendBaseWidget(f)
	return f
}

// newPasswordField hides what is typed, with a button to show it.
func newPasswordField() *field {
	f := newField()
	f.Password = true
	var eye *widget.Button
	eye = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
		f.Password = !f.Password
		if f.Password {
			eye.SetIcon(theme.VisibilityOffIcon())
		} else {
			eye.SetIcon(theme.VisibilityIcon())
		}
		f.Refresh()
	})
	eye.Importance = widget.LowImportance
	f.ActionItem = eye
	return f
}

func newMultiLineField() *field {
	f := newField()
	f.MultiLine = true
	return f
}

func (f *field) TypedRune(r rune)              { sinkRune(f, r) }
func (f *field) TypedKey(ev *fyne.KeyEvent)    { sinkKey(f, ev) }
func (f *field) AcceptsTab() bool              { return true } // Tab is the capture's
func (f *field) TypedShortcut(s fyne.Shortcut) { sinkFlush(f); f.Entry.TypedShortcut(s) }

func (f *field) typed(r rune, name fyne.KeyName) {
	if name == "" {
		f.Entry.TypedRune(r)
		return
	}
	f.Entry.TypedKey(&fyne.KeyEvent{Name: name})
}

// takeBack removes text from the end of the field, if it is there.
func (f *field) takeBack(text string) {
	if text == "" || !strings.HasSuffix(f.Text, text) {
		return
	}
	f.SetText(strings.TrimSuffix(f.Text, text))
	f.CursorRow = strings.Count(f.Text, "\n")
	f.CursorColumn = len([]rune(f.Text[strings.LastIndex(f.Text, "\n")+1:]))
	f.Refresh()
}

// checkBox is the app's check box.
type checkBox struct {
	widget.Check
}

func newCheckBox(label string, changed func(bool)) *checkBox {
	c := &checkBox{}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *checkBox) TypedRune(r rune)           { sinkRune(c, r) }
func (c *checkBox) TypedKey(ev *fyne.KeyEvent) { sinkKey(c, ev) }
func (c *checkBox) AcceptsTab() bool           { return true }

func (c *checkBox) typed(r rune, name fyne.KeyName) {
	if name == "" {
		c.Check.TypedRune(r)
		return
	}
	c.Check.TypedKey(&fyne.KeyEvent{Name: name})
}

// choice is the app's drop-down. Fyne's own opens a menu that takes the
// focus (and its Enter picks an item); this one opens the same menu
// without the focus, so that keys still reach the capture while it is open.
type choice struct {
	widget.Select
	menu *widget.PopUpMenu
}

func newChoice(options []string, changed func(string)) *choice {
	c := &choice{}
	c.Options, c.OnChanged, c.PlaceHolder = options, changed, T("select.placeholder")
	c.ExtendBaseWidget(c)
	return c
}

// MinSize fits the longest option, not only the placeholder: a choice
// shows its words whole in every language.
func (c *choice) MinSize() fyne.Size {
	m := c.Select.MinSize()
	extra := 4*theme.InnerPadding() + theme.IconInlineSize()
	for _, o := range c.Options {
		m.Width = max(m.Width, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width+extra)
	}
	return m
}

func (c *choice) TypedRune(r rune)           { sinkRune(c, r) }
func (c *choice) TypedKey(ev *fyne.KeyEvent) { sinkKey(c, ev) }
func (c *choice) AcceptsTab() bool           { return true }

// Tapped opens the options.
func (c *choice) Tapped(*fyne.PointEvent) {
	if !c.Disabled() {
		c.open()
	}
}

func (c *choice) open() {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c)
	if cv == nil {
		return
	}
	items := make([]*fyne.MenuItem, len(c.Options))
	for i, o := range c.Options {
		items[i] = fyne.NewMenuItem(o, func() { c.SetSelected(o) })
		items[i].Checked = o == c.Selected
	}
	m := widget.NewPopUpMenu(fyne.NewMenu("", items...), cv)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
	m.ShowAtPosition(pos.AddXY(0, c.Size().Height))
	m.Resize(fyne.NewSize(c.Size().Width, m.MinSize().Height))
	cv.Unfocus() // the menu took it
	c.menu = m
}

func (c *choice) typed(r rune, name fyne.KeyName) {
	switch {
	case r == ' ', name == fyne.KeyUp, name == fyne.KeyDown:
		c.open()
	case name != "":
		c.Select.TypedKey(&fyne.KeyEvent{Name: name})
	}
}

// keyList is the app's list (the feed, the desk's results).
type keyList struct {
	widget.List
}

func newKeyList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *keyList) TypedRune(r rune)           { sinkRune(l, r) }
func (l *keyList) TypedKey(ev *fyne.KeyEvent) { sinkKey(l, ev) }
func (l *keyList) AcceptsTab() bool           { return true }

func (l *keyList) typed(r rune, name fyne.KeyName) {
	if r == ' ' {
		name = fyne.KeySpace
	}
	if name != "" {
		l.List.TypedKey(&fyne.KeyEvent{Name: name})
	}
}

// keyTable is the app's table (control histories).
type keyTable struct {
	widget.Table
	widths map[int]float32 // as fitted (fitColumns)
}

// columnWidth is a column's width as last fitted (0: never).
func (t *keyTable) columnWidth(col int) float32 { return t.widths[col] }

func newKeyTable(length func() (int, int), create func() fyne.CanvasObject, update func(widget.TableCellID, fyne.CanvasObject)) *keyTable {
	t := &keyTable{}
	t.Length, t.CreateCell, t.UpdateCell = length, create, update
	t.ExtendBaseWidget(t)
	return t
}

func (t *keyTable) TypedRune(r rune)           { sinkRune(t, r) }
func (t *keyTable) TypedKey(ev *fyne.KeyEvent) { sinkKey(t, ev) }
func (t *keyTable) AcceptsTab() bool           { return true }

func (t *keyTable) typed(r rune, name fyne.KeyName) {
	if r == ' ' {
		name = fyne.KeySpace
	}
	if name != "" {
		t.Table.TypedKey(&fyne.KeyEvent{Name: name})
	}
}

// keyCatcher is an invisible keySink placed first in each tab and dialog.
// A Tab pressed with nothing focused makes Fyne focus the first focusable
// widget before the capture can undo it; keys that follow in the same
// burst then reach a catcher, never a button.
type keyCatcher struct {
	widget.BaseWidget
}

func newKeyCatcher() *keyCatcher {
	k := &keyCatcher{}
	k.ExtendBaseWidget(k)
	return k
}

func (k *keyCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}
func (k *keyCatcher) MinSize() fyne.Size         { return fyne.Size{} }
func (k *keyCatcher) FocusGained()               {}
func (k *keyCatcher) FocusLost()                 {}
func (k *keyCatcher) TypedRune(r rune)           { sinkRune(k, r) }
func (k *keyCatcher) TypedKey(ev *fyne.KeyEvent) { sinkKey(k, ev) }
func (k *keyCatcher) AcceptsTab() bool           { return true }
func (k *keyCatcher) typed(rune, fyne.KeyName)   {}

// wheelRelay lies over a scrolled form and hands every mouse-wheel event
// to the form's scroll, whatever is under the pointer. It only takes the
// wheel: clicks, drags and hovering find the widgets under it.
type wheelRelay struct {
	widget.BaseWidget
	to *container.Scroll
}

func newWheelRelay() *wheelRelay {
	w := &wheelRelay{}
	w.ExtendBaseWidget(w)
	return w
}

func (w *wheelRelay) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(&fyne.Container{})
}

func (w *wheelRelay) MinSize() fyne.Size { return fyne.Size{} }

func (w *wheelRelay) Scrolled(ev *fyne.ScrollEvent) {
	if w.to != nil {
		w.to.Scrolled(ev)
	}
}
