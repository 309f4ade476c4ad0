package scanner

import (
	"strings"
	"testing"
	"time"
)

// typist drives an Assembler with a fake clock.
type typist struct {
	t   *testing.T
	a   *Assembler
	now time.Time
	got []string // completed scans
}

func newTypist(t *testing.T, o Options) *typist {
	return &typist{t: t, a: NewAssembler(o), now: time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)}
}

func (ty *typist) wait(d time.Duration) *typist { ty.now = ty.now.Add(d); return ty }

// typeText types s with gap before each rune.
func (ty *typist) typeText(s string, gap time.Duration) *typist {
	for _, r := range s {
		ty.now = ty.now.Add(gap)
		if scan, done := ty.a.Rune(r, ty.now); done {
			ty.got = append(ty.got, scan)
		}
	}
	return ty
}

func (ty *typist) key(name string, gap time.Duration) *typist {
	ty.now = ty.now.Add(gap)
	if scan, done := ty.a.Key(name, ty.now); done {
		ty.got = append(ty.got, scan)
	}
	return ty
}

func (ty *typist) want(scans ...string) {
	ty.t.Helper()
	if strings.Join(ty.got, "|") != strings.Join(scans, "|") || len(ty.got) != len(scans) {
		ty.t.Fatalf("scans = %q, want %q", ty.got, scans)
	}
}

const (
	scanGap = 8 * time.Millisecond   // a USB scanner
	handGap = 180 * time.Millisecond // a supervisor typing
)

func TestAssemblerScannerWithEnter(t *testing.T) {
	for _, k := range []string{"Return", "Enter", "KP_Enter", "return"} {
		ty := newTypist(t, Options{})
		ty.typeText(ticket, scanGap).key(k, scanGap)
		ty.want(ticket)
		if !ty.a.LastWasScanner() {
			t.Errorf("%s: LastWasScanner = false for a scanner-speed scan", k)
		}
		if ty.a.Pending() != "" {
			t.Errorf("%s: Pending = %q after completion", k, ty.a.Pending())
		}
	}
}

func TestAssemblerControlRunesAsKeys(t *testing.T) {
	ty := newTypist(t, Options{})
	// Scanner sends CR LF as runes: one scan, the LF after it is no scan.
	ty.typeText(ticket+"\r\n", scanGap)
	ty.typeText("T26-0001234\n", scanGap)
	ty.typeText("12x\b3\r", handGap)    // '\b' is BackSpace
	ty.typeText("99\x1b777\r", handGap) // ESC clears
	ty.typeText("123\x7f4\r", handGap)  // DEL as BackSpace
	ty.typeText("01\x1d23\r", scanGap)  // GS is buffered; Normalize drops it
	ty.want(ticket, "T26-0001234", "123", "777", "124", "01\x1d23")
}

func TestAssemblerTabTerminator(t *testing.T) {
	ty := newTypist(t, Options{Terminator: "tab"})
	ty.typeText("111222333", scanGap).key("Tab", scanGap)
	ty.typeText("444555666\t", scanGap)
	ty.typeText("777", handGap).key("Return", handGap) // Enter always works
	ty.want("111222333", "444555666", "777")

	// With the enter terminator, Tab neither completes nor is buffered.
	ty = newTypist(t, Options{})
	ty.typeText("111222333", scanGap).key("Tab", scanGap)
	ty.typeText("444\t", scanGap).key("Return", scanGap)
	ty.want("111222333444")
}

func TestAssemblerBackSpaceEscape(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("T26-00O", handGap).key("BackSpace", handGap).typeText("01234", handGap).key("Return", handGap)
	ty.typeText("WRONG", handGap).key("Escape", handGap).typeText("RIGHT1", handGap).key("Return", handGap)
	ty.key("BackSpace", handGap).key("BackSpace", handGap) // on empty: nothing
	ty.typeText("A1B", handGap).key("Backspace", handGap).key("Return", handGap)
	ty.want("T26-0001234", "RIGHT1", "A1")
	if ty.a.LastWasScanner() {
		t.Error("LastWasScanner = true for hand typing")
	}
}

func TestAssemblerEmptyEnterIsNoScan(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.key("Return", handGap).key("KP_Enter", handGap)
	ty.typeText("  ", handGap).key("Return", handGap)
	ty.want()
	if ty.a.LastWasScanner() {
		t.Error("LastWasScanner = true before any scan")
	}
}

func TestAssemblerOtherKeysIgnored(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("123", scanGap).key("LeftShift", scanGap).key("F5", scanGap).typeText("456", scanGap).key("Return", scanGap)
	ty.want("123456")
}

// A half-typed leftover must not glue onto the next scan.
func TestAssemblerLeftoverBeforeScan(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("12", handGap).wait(5*time.Second).typeText(ticket, scanGap).key("Return", scanGap)
	ty.want(ticket)
	if !ty.a.LastWasScanner() {
		t.Error("LastWasScanner = false for the scan after a leftover")
	}

	// A leftover that came from the scanner itself (a partial read).
	ty = newTypist(t, Options{})
	ty.typeText("99887", scanGap).wait(3*time.Second).typeText(ticket, scanGap).key("Return", scanGap)
	ty.want(ticket)
}

// A supervisor typing a long number off a damaged ticket pauses to read it:
// the pause must not lose what was typed before it.
func TestAssemblerHandTypingWithPauseKept(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("12345678901", handGap).wait(4*time.Second).typeText("23456789012", handGap).key("Return", handGap)
	ty.want("1234567890123456789012")
	if ty.a.LastWasScanner() {
		t.Error("LastWasScanner = true for hand typing")
	}

	// And a slow Enter after the last digit still completes everything.
	ty = newTypist(t, Options{})
	ty.typeText("T26-0001234", handGap).key("Return", 10*time.Second)
	ty.want("T26-0001234")
}

func TestAssemblerPauseJustAtResetGapDoesNotCut(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("12", scanGap).wait(ResetGap-scanGap).typeText("345", scanGap).key("Return", scanGap)
	ty.want("12345")
}

// Backspace is activity: a pause before it is not counted again at the
// next rune.
func TestAssemblerBackSpaceIsActivity(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("1234", scanGap).wait(3*time.Second).key("BackSpace", 0)
	ty.typeText("5678", scanGap).key("Return", scanGap)
	ty.want("1235678")
}

func TestAssemblerSpeed(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		gap     time.Duration
		scanner bool
	}{
		{"USB scanner", ticket, 5 * time.Millisecond, true},
		{"slow scanner", ticket, 40 * time.Millisecond, true},
		{"fast typist", ticket, 90 * time.Millisecond, false},
		{"at the limit", ticket, ScannerGap, false},
		{"two runes are too few to tell", "1", time.Millisecond, false},
	}
	for _, c := range cases {
		ty := newTypist(t, Options{})
		ty.typeText(c.text, c.gap).key("Return", c.gap)
		if got := ty.a.LastWasScanner(); got != c.scanner {
			t.Errorf("%s: LastWasScanner = %v, want %v", c.name, got, c.scanner)
		}
	}

	// One USB hiccup in a scan does not make it hand typing: the average counts.
	ty := newTypist(t, Options{})
	ty.typeText(ticket[:10], 5*time.Millisecond).wait(250*time.Millisecond).typeText(ticket[10:], 5*time.Millisecond).key("Return", 5*time.Millisecond)
	ty.want(ticket)
	if !ty.a.LastWasScanner() {
		t.Error("a scan with one 250ms hiccup is not recognised as scanner input")
	}
}

func TestAssemblerClockBackwards(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("123", scanGap).wait(-time.Hour).typeText("456", scanGap).key("Return", scanGap)
	ty.want("123456")
}

func TestAssemblerBufferBounded(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText(strings.Repeat("7", MaxLineBytes+500), time.Millisecond)
	if n := len(ty.a.Pending()); n != MaxLineBytes {
		t.Fatalf("Pending has %d runes, want capped at %d", n, MaxLineBytes)
	}
	ty.key("Return", time.Millisecond)
	if len(ty.got) != 1 {
		t.Fatalf("got %d scans", len(ty.got))
	}
	if _, err := Normalize(ty.got[0]); err == nil {
		t.Error("a stuck-key scan was accepted")
	}
	// Backspacing over the dropped part does not eat kept text.
	ty = newTypist(t, Options{})
	ty.typeText(strings.Repeat("7", MaxLineBytes+2), time.Millisecond).key("BackSpace", 0).key("BackSpace", 0)
	if n := len(ty.a.Pending()); n != MaxLineBytes {
		t.Fatalf("Pending has %d runes after backspacing the overflow", n)
	}
}

func TestAssemblerReset(t *testing.T) {
	ty := newTypist(t, Options{})
	ty.typeText("123", handGap)
	if ty.a.Pending() != "123" {
		t.Fatalf("Pending = %q", ty.a.Pending())
	}
	ty.a.Reset()
	ty.typeText("456", handGap).key("Return", handGap)
	ty.want("456")
}
