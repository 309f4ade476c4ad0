package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"s360gate/core"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestPINGuardRefusesForAWhileAfterFiveWrong(t *testing.T) {
	hash, err := core.HashPIN("4711")
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: testNow}
	g := newPINGuard(clock.now)
	const wrong = "Wrong PIN."
	for i := 1; i <= 4; i++ {
		ok, msg := g.try(hash, "0000", wrong)
		if ok || !strings.HasPrefix(msg, wrong) {
			t.Fatalf("wrong PIN %d: %v %q", i, ok, msg)
		}
		if i <= 2 && msg != wrong {
			t.Errorf("wrong PIN %d warns too early: %q", i, msg)
		}
		if i == 4 && !strings.Contains(msg, "One more wrong PIN") {
			t.Errorf("wrong PIN 4 does not warn: %q", msg)
		}
	}
	if g.blocked() != "" {
		t.Fatal("blocked after 4 wrong PINs")
	}
	if ok, msg := g.try(hash, "0000", wrong); ok || msg != "Wrong PIN 5 times in a row: try again in 30 s." {
		t.Fatalf("fifth wrong PIN: %v %q", ok, msg)
	}
	// During the wait even the right PIN is refused, and says how long.
	clock.add(12 * time.Second)
	if ok, msg := g.try(hash, "4711", wrong); ok || msg != "Too many wrong PINs: try again in 18 s." {
		t.Fatalf("right PIN during the wait: %v %q", ok, msg)
	}
	clock.add(18 * time.Second)
	if ok, msg := g.try(hash, "4711", wrong); !ok || msg != "" {
		t.Fatalf("right PIN after the wait: %v %q", ok, msg)
	}
	// A right PIN starts the count afresh.
	for range 4 {
		g.try(hash, "0000", wrong)
	}
	g.try(hash, "4711", wrong)
	if _, msg := g.try(hash, "0000", wrong); msg != wrong {
		t.Errorf("count not reset by a right PIN: %q", msg)
	}
}

// The gate's dialogs and the Settings share one count: three wrong PINs
// in the override dialog and two in Settings block both.
func TestPINLockoutSharedByGateAndSettings(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	clock := &fakeClock{t: gateNow}
	f.ui(func() { f.m.pins.now = clock.now })

	f.ui(func() {
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		for range 3 {
			f.typeInto(f.m.gate.dialog.pin, "0000")
			test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		}
		if n := f.m.gate.dialog.note.Text; !strings.Contains(n, "Two more wrong PINs") {
			t.Errorf("third wrong PIN: %q", n)
		}
		test.Tap(findButton(f.w.Canvas(), "Cancel"))
	})
	st := f.m.settingsTab
	saveWith := func(pin string) string {
		f.ui(func() {
			st.gate.SetText("B")
			st.pinAuth.SetText(pin)
			st.Save()
		})
		var msg string
		f.ui(func() { msg = st.errs["pin"].Text })
		return msg
	}
	saveWith("1111")
	// (The app's clock may have counted the wait down once already: the
	// line then says it in its countdown's words.)
	if msg := saveWith("2222"); msg != "Wrong PIN 5 times in a row: try again in 30 s." && msg != "Too many wrong PINs: try again in 30 s." {
		t.Fatalf("fifth wrong PIN, in Settings: %q", msg)
	}
	if msg := saveWith("4711"); msg != "Too many wrong PINs: try again in 30 s." {
		t.Errorf("right PIN during the wait, in Settings: %q", msg)
	}
	// The gate's dialog refuses too, and says nothing was changed.
	clock.add(5 * time.Second)
	f.ui(func() {
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		f.typeInto(f.m.gate.dialog.pin, "4711")
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		if n := f.m.gate.dialog.note.Text; n != "Too many wrong PINs: try again in 25 s. Nothing was changed." {
			t.Errorf("right PIN during the wait, at the gate: %q", n)
		}
	})
	if f.cfg.get().Direction != core.DirectionIn || f.cfg.get().Gate != "A" || f.cfg.saves != 0 {
		t.Fatal("something was saved during the wait")
	}
	// After the wait the right PIN works.
	clock.add(25 * time.Second)
	f.ui(func() {
		f.typeInto(f.m.gate.dialog.pin, "4711")
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
	})
	if f.cfg.get().Direction != core.DirectionOut {
		t.Fatal("the right PIN after the wait did not switch the station")
	}
}

// The lock-out's "try again in 30 s" counts down while it is shown.
func TestPINLockoutCountsDown(t *testing.T) {
	f := newGateFixture(t, withPIN("4711"))
	clock := &fakeClock{t: gateNow}
	f.ui(func() {
		f.m.pins.now = clock.now
		test.Tap(findButton(f.w.Canvas(), "Switch to EXIT…"))
		for range pinMaxFails {
			f.typeInto(f.m.gate.dialog.pin, "0000")
			test.Tap(findButton(f.w.Canvas(), "Switch to EXIT"))
		}
	})
	note := func() string {
		var s string
		f.ui(func() { s = f.m.gate.dialog.note.Text })
		return s
	}
	if n := note(); !strings.Contains(n, "try again in 30 s") {
		t.Fatalf("after five wrong PINs: %q", n)
	}
	clock.add(7 * time.Second)
	f.ui(func() { f.m.gate.dialog.tick() })
	if n := note(); n != "Too many wrong PINs: try again in 23 s. Nothing was changed." {
		t.Errorf("7 s later: %q", n)
	}
	clock.add(23 * time.Second)
	f.ui(func() { f.m.gate.dialog.tick() })
	if n := note(); !strings.HasPrefix(n, "PINs are accepted again") {
		t.Errorf("after the wait: %q", n)
	}

	// The Settings' PIN line counts down too.
	st := f.m.settingsTab
	f.ui(func() {
		test.Tap(findButton(f.w.Canvas(), "Cancel"))
		st.gate.SetText("B")
		for range pinMaxFails {
			st.pinAuth.SetText("1111")
			st.Save()
		}
	})
	clock.add(10 * time.Second)
	f.ui(func() {
		st.tick()
		if got := st.errs["pin"].Text; got != "Too many wrong PINs: try again in 20 s." {
			t.Errorf("Settings, 10 s later: %q", got)
		}
	})
}
