package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/sqlite"
)

// The gate tests run the real main window on Fyne's test driver with a real
// SQLite store. Main.ui serialises worker updates on Main.mu; the tests hold
// the same lock around their own events and reads (f.ui), and wait with a
// bounded poll of the widgets (f.eventually), never a fixed sleep.

// gateNow is the fixed clock of the gate tests: event day, 19:05 local.
var gateNow = time.Date(2026, 11, 27, 19, 5, 0, 0, time.Local)

// The seeded tickets.
const (
	gcValid     = "2026110000000000000001"
	gcChild     = "2026110000000000000002"
	gcCancelled = "2026110000000000000003"
	gcWrongGate = "2026110000000000000004"
	gcUnknown   = "2026119999999999999999"
)

func gateSettings() core.Settings {
	return core.Settings{
		Environment: core.EnvProduction,
		Endpoint:    "https://s360.example.org/api",
		Institution: "INST", Operator: "op",
		Season: "S26", Products: []string{"P1"}, EventDate: "2026-11-27",
		Station: "GATE_A_LAPTOP1", Gate: "A", Direction: core.DirectionIn,
	}.Defaults()
}

// gateConfig is the settings store: in memory, counting saves.
type gateConfig struct {
	mu    sync.Mutex
	s     core.Settings
	saves int
	// restartFor: saving another environment is stored for the next
	// start, as the real app does (EConflict).
	restartFor bool
}

func (c *gateConfig) get() core.Settings {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

func (c *gateConfig) save(s core.Settings) error {
	if errs := s.Validate(); errs != nil {
		return &core.Error{Code: core.EInvalid, Message: "Settings not saved: " + errs.Error(), Err: errs}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.restartFor && s.Environment != c.s.Environment {
		c.saves++
		return core.Errorf(core.EConflict, "Saved. Close and reopen s360gate to switch to %s: each environment keeps its own ticket list.", s.Environment)
	}
	c.s, c.saves = s, c.saves+1
	return nil
}

// gateSyncer is an engine that never syncs.
type gateSyncer struct {
	st  core.SyncStatus
	err error // what SyncNow answers
}

func (g *gateSyncer) SyncNow(context.Context) error          { return g.err }
func (g *gateSyncer) Status() core.SyncStatus                { return g.st }
func (g *gateSyncer) Subscribe(func(core.SyncStatus)) func() { return func() {} }

// soundLog records the sounds asked for.
type soundLog struct {
	mu    sync.Mutex
	kinds []soundKind
}

func (s *soundLog) play(k soundKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kinds = append(s.kinds, k)
}

func (s *soundLog) last() soundKind {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.kinds) == 0 {
		return soundNone
	}
	return s.kinds[len(s.kinds)-1]
}

// failingStore refuses every scan, as a full or read-only disk would.
type failingStore struct{ *sqlite.DB }

func (failingStore) Scan(context.Context, core.ScanRequest) (core.Verdict, error) {
	return core.Verdict{}, core.Wrap(core.EUnavailable, errors.New("disk I/O error"), "The scan could not be saved: the disk is full or failing")
}

type gateFixture struct {
	t       *testing.T
	keyTime time.Time // the capture's clock: keystrokes are timed by the test
	db      *sqlite.DB
	cfg     *gateConfig
	m       *Main
	w       fyne.Window
	sound   *soundLog
}

type gateOption func(*Deps, *gateConfig)

func withDemo(d *Deps, _ *gateConfig) {
	d.Demo = []DemoTicket{
		{Kind: "valid", Barcode: gcValid, Note: "ADMIT"},
		{Kind: "child", Barcode: gcChild, Note: "AGE CHECK prompt"},
		{Kind: "cancelled", Barcode: gcCancelled, Note: "DENY — refund requested"},
	}
}

func withPIN(pin string) gateOption {
	return func(_ *Deps, c *gateConfig) {
		h, err := core.HashPIN(pin)
		if err != nil {
			panic(err)
		}
		c.s.SupervisorPIN = h
	}
}

func withFailingStore(d *Deps, _ *gateConfig) { d.Store = failingStore{d.Store.(*sqlite.DB)} }

func newGateFixture(t *testing.T, opts ...gateOption) *gateFixture {
	t.Helper()
	test.NewTempApp(t)
	f := &gateFixture{t: t, db: seedGateDB(t), cfg: &gateConfig{s: gateSettings()}, sound: &soundLog{}}
	d := Deps{
		DataDir: t.TempDir(), Store: f.db, Engine: &gateSyncer{},
		Settings: f.cfg.get, SaveSettings: f.cfg.save,
		Now: func() time.Time { return gateNow },
	}
	for _, o := range opts {
		o(&d, f.cfg)
	}
	// The desk, status and settings screens apply their results through
	// deskDo: serialise them with the test too.
	prev := deskDo
	deskDo = func(fn func()) {
		f.m.mu.Lock()
		defer f.m.mu.Unlock()
		fn()
	}
	t.Cleanup(func() { deskDo = prev })
	f.w, f.m = NewMainWindow(fyne.CurrentApp(), d)
	f.keyTime = time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	f.ui(func() {
		f.m.sound = f.sound
		f.w.Resize(fyne.NewSize(1280, 800))
		// The capture's time is the test's: a key typed "by hand" comes
		// 150 ms after the last, whatever the machine's speed.
		f.m.capture.clock = func() time.Time { return f.keyTime }
		f.m.capture.schedule = func(time.Duration) {}
	})
	t.Cleanup(func() {
		f.m.Close()
		f.ui(func() {
			// Unless a test closed it: the test driver panics on a
			// second Close.
			for _, w := range fyne.CurrentApp().Driver().AllWindows() {
				if w == f.w {
					f.w.Close()
				}
			}
		})
	})
	return f
}

func seedGateDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	base := core.Ticket{State: core.StateValid, SeasonCode: "S26", ProductCode: "P1", EntranceCode: "A", Sector: "B", Block: "12", Row: "7"}
	valid, child, cancelled, wrong := base, base, base, base
	valid.Barcode, valid.TaxNumber, valid.Seat = gcValid, "T26-00031", "31"
	child.Barcode, child.TaxNumber, child.Seat = gcChild, "T26-00032", "32"
	child.AudienceSubCategoryCode = "CHILD"
	child.Holder = core.Holder{FirstName: "Mia", LastName: "Keller", BirthDate: "2014-05-02"}
	cancelled.Barcode, cancelled.State, cancelled.CancellationCause = gcCancelled, core.StateCancelled, "REFUND_REQUESTED"
	wrong.Barcode, wrong.EntranceCode = gcWrongGate, "N3"
	page := core.ExportPage{Tickets: []core.Ticket{valid, child, cancelled, wrong}, Cursor: "c1"}
	if err := db.ApplyPage(context.Background(), core.CursorKey("S26", []string{"P1"}, nil), page); err != nil {
		t.Fatal(err)
	}
	return db
}

// ui runs f as the UI goroutine would, serialised with Main.ui.
func (f *gateFixture) ui(fn func()) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	fn()
}

// eventually polls cond under the UI lock until it holds, for at most 10 s.
func (f *gateFixture) eventually(what string, cond func() bool) {
	f.t.Helper()
	pollUntil(f.t, 10*time.Second, what, f.ui, cond)
}

// Typing speeds: a USB scanner, and a supervisor.
const (
	scanKeyGap = 5 * time.Millisecond
	handKeyGap = 150 * time.Millisecond
)

// scan types code and Enter into the window as a USB scanner does, into
// whatever has the focus, and waits for the verdict to be on screen.
func (f *gateFixture) scan(code string) {
	f.t.Helper()
	f.waitShown(func() { f.scanKeys(code, fyne.KeyReturn) })
}

// scanKeys types code then the terminator at scanner speed; call under f.ui.
func (f *gateFixture) scanKeys(code string, term fyne.KeyName) {
	f.settleKeys() // a scanner's burst starts after a pause
	f.typeKeys(code, scanKeyGap)
	f.pressKey(term, scanKeyGap)
}

// handType types text like a person into whatever has the focus and lets
// the capture hand it on; call under f.ui.
func (f *gateFixture) handType(text string) {
	f.typeKeys(text, handKeyGap)
	f.settleKeys()
}

// typeKeys types text gap apart into the focused widget, or the canvas
// when nothing is focused, firing the capture's timer when it is due.
func (f *gateFixture) typeKeys(text string, gap time.Duration) {
	c := f.w.Canvas()
	for _, r := range text {
		f.advanceKeys(gap)
		if fo := c.Focused(); fo != nil {
			fo.TypedRune(r)
		} else {
			c.OnTypedRune()(r)
		}
	}
}

// pressKey presses a named key gap after the last one.
func (f *gateFixture) pressKey(name fyne.KeyName, gap time.Duration) {
	f.advanceKeys(gap)
	c := f.w.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if fo := c.Focused(); fo != nil {
		fo.TypedKey(ev)
	} else {
		c.OnTypedKey()(ev)
	}
}

// advanceKeys lets d pass on the capture's clock, firing its timer on time.
func (f *gateFixture) advanceKeys(d time.Duration) {
	end := f.keyTime.Add(d)
	for {
		due := f.m.capture.asm.Deadline()
		if due.IsZero() || due.After(end) {
			break
		}
		f.keyTime = due
		f.m.capture.fire()
	}
	f.keyTime = end
}

// settleKeys lets a second pass: every held key is decided.
func (f *gateFixture) settleKeys() { f.advanceKeys(time.Second) }

// typeInto types text by hand into e (focusing it first); call under f.ui.
func (f *gateFixture) typeInto(e *field, text string) {
	f.w.Canvas().Focus(e)
	f.handType(text)
}

// waitShown does act and waits until the feed has one more line (every
// verdict, error or unread scan adds one) and nothing is pending.
func (f *gateFixture) waitShown(act func()) {
	f.t.Helper()
	var before int
	f.ui(func() {
		before = f.m.gate.feed.ring.Len()
		act()
	})
	f.eventually("the verdict", func() bool {
		return f.m.gate.feed.ring.Len() > before && f.m.gate.pending == 0
	})
}

// shown is the panel's word and sub line, and the reason under it.
func (f *gateFixture) shown() (word, sub, message string) {
	f.ui(func() {
		p := f.m.gate.panel
		word, sub, message = p.word, p.sub, f.m.gate.message.String()
	})
	return
}

func (f *gateFixture) kind() panelKind {
	var k panelKind
	f.ui(func() { k = f.m.gate.panel.kind })
	return k
}

// promptTexts are the amber instruction boxes under the verdict.
func (f *gateFixture) promptTexts() []string {
	var out []string
	f.ui(func() {
		for _, o := range visible(f.m.gate.prompts.Objects) {
			out = append(out, promptBoxText(o).String())
		}
	})
	return out
}

// factText is the value shown for a labelled fact ("" when absent).
func (f *gateFixture) factText(label string) string {
	var v string
	f.ui(func() {
		objs := visible(f.m.gate.facts.Objects)
		for i := 0; i+1 < len(objs); i += 2 {
			if objs[i].(*widget.Label).Text == label {
				v = objs[i+1].(*widget.Label).Text
			}
		}
	})
	return v
}

// visible are the objects shown (the gate reuses hidden ones).
func visible(objs []fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, o := range objs {
		if o.Visible() {
			out = append(out, o)
		}
	}
	return out
}

// findButton finds a visible button by its text, in the dialogs first.
func findButton(c fyne.Canvas, text string) *widget.Button {
	var roots []fyne.CanvasObject
	if top := c.Overlays().Top(); top != nil {
		roots = append(roots, top)
	}
	roots = append(roots, c.Content())
	for _, r := range roots {
		for _, o := range test.LaidOutObjects(r) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
				return b
			}
		}
	}
	return nil
}

// formEntry is the dialog's entry labelled label.
func (sd *supervisorDialog) formEntry(label string) *field {
	for _, it := range sd.items {
		if e, ok := it.Widget.(*field); ok && it.Text == label {
			return e
		}
	}
	return nil
}

// hasText reports whether a label of the dialog contains s.
func (sd *supervisorDialog) hasText(s string) bool {
	for _, it := range sd.items {
		if l, ok := it.Widget.(*widget.Label); ok && strings.Contains(l.Text, s) {
			return true
		}
	}
	return false
}

// findDemoCard finds a demo card by its title.
func findDemoCard(c fyne.Canvas, title string) *demoCard {
	for _, o := range test.LaidOutObjects(c.Content()) {
		if d, ok := o.(*demoCard); ok && d.title == title {
			return d
		}
	}
	return nil
}
