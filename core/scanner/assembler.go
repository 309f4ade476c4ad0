package scanner

import (
	"strings"
	"time"
	"unicode"
)

const (
	// ScannerGap: a scan whose keystrokes come on average closer than this
	// was typed by a scanner (they type a 24-digit ticket in well under half
	// a second; the fastest hand typist averages over 80ms a key).
	ScannerGap = 50 * time.Millisecond
	// ResetGap: a pause longer than this between keystrokes starts a new
	// scan, so that a half-typed leftover does not glue onto the next scan.
	ResetGap = 2 * time.Second

	// minScannerGaps: two or more intervals (three keystrokes counting the
	// terminator) before a speed means anything; one fast double press of
	// a key is not a scanner.
	minScannerGaps = 2
)

// keystroke is one buffered rune and the pause before it.
type keystroke struct {
	r   rune
	gap time.Duration
}

// Assembler turns the GUI's stream of typed runes and named keys into
// complete raw scans. Pass each completed scan to [Options.Normalize].
//
// Times are passed in (from the event, or time.Now() in the GUI), never read
// here, so tests are deterministic. An Assembler is not safe for concurrent
// use: feed it from the GUI's event goroutine.
//
// The reset after a long pause is decided when the scan completes, not when
// the pause happens: a long pause (> ResetGap) marks a cut; at the terminator,
// if the part after the last cut came at scanner speed, only that part is the
// scan (the text before it was a leftover). If it came at hand speed, the
// whole buffer is the scan: a supervisor typing a 24-digit number off a
// damaged ticket pauses to read it, and losing the first half silently would
// look up the wrong code.
type Assembler struct {
	tab     bool
	buf     []keystroke
	dropped int       // runes typed beyond MaxLineBytes: counted, not kept
	last    time.Time // last keystroke of any kind; zero before the first
	scanner bool
}

// NewAssembler makes an Assembler for the scanner set up as o. Only
// o.Terminator matters here: with "tab", Tab completes a scan; Enter
// (Return, KP_Enter) always does.
func NewAssembler(o Options) *Assembler {
	return &Assembler{tab: o.resolved().Terminator == TerminatorTab}
}

// Rune feeds one typed character. Control runes are understood as their keys
// ('\r', '\n' Enter; '\t' Tab; '\b', DEL BackSpace; ESC Escape), for toolkits
// that deliver them as runes; other control runes are buffered and later
// removed by Normalize (e.g. a GS typed as Ctrl+]).
func (a *Assembler) Rune(r rune, at time.Time) (scan string, done bool) {
	switch r {
	case '\r', '\n':
		return a.Key("Return", at)
	case '\t':
		return a.Key("Tab", at)
	case '\b', 0x7f:
		return a.Key("BackSpace", at)
	case 0x1b:
		return a.Key("Escape", at)
	}
	gap := a.since(at)
	if len(a.buf) >= MaxLineBytes {
		// A stuck key must not grow memory without bound. The scan is
		// refused as too long anyway.
		a.dropped++
		return "", false
	}
	a.buf = append(a.buf, keystroke{r: r, gap: gap})
	return "", false
}

// Key feeds one named key (Fyne's names, compared case-insensitively):
// "Return", "Enter", "KP_Enter" complete the scan; "Tab" completes it when
// the terminator is tab and is otherwise ignored; "BackSpace" removes the
// last rune; "Escape" clears. Other keys (Shift...) are ignored.
// done is false when there was nothing but blanks to complete.
func (a *Assembler) Key(name string, at time.Time) (scan string, done bool) {
	switch {
	case eq(name, "Return"), eq(name, "Enter"), eq(name, "KP_Enter"):
		return a.complete(at)
	case eq(name, "Tab"):
		if a.tab {
			return a.complete(at)
		}
		a.since(at) // activity: keeps the gap before the next key honest
	case eq(name, "BackSpace"):
		a.since(at)
		if a.dropped > 0 {
			a.dropped--
		} else if len(a.buf) > 0 {
			a.buf = a.buf[:len(a.buf)-1]
		}
	case eq(name, "Escape"):
		a.since(at)
		a.clear()
	}
	return "", false
}

// LastWasScanner says whether the last completed scan arrived at scanner
// speed (average gap between its keystrokes, terminator included, below
// ScannerGap). False before the first scan.
func (a *Assembler) LastWasScanner() bool { return a.scanner }

// Pending is the text buffered so far (for display).
func (a *Assembler) Pending() string { return a.text(0) }

// Reset forgets the buffered text (e.g. when the scan field loses focus).
func (a *Assembler) Reset() { a.clear() }

func eq(a, b string) bool { return strings.EqualFold(a, b) }

// since records a keystroke at at and returns the pause before it. A clock
// going backwards counts as no pause; pauses are capped at a day so that
// summing thousands of them cannot overflow.
func (a *Assembler) since(at time.Time) time.Duration {
	var d time.Duration
	if !a.last.IsZero() {
		d = min(max(at.Sub(a.last), 0), 24*time.Hour)
	}
	a.last = at
	return d
}

func (a *Assembler) clear() {
	a.buf = a.buf[:0]
	a.dropped = 0
}

func (a *Assembler) complete(at time.Time) (string, bool) {
	term := a.since(at)
	defer a.clear()
	if strings.TrimFunc(a.text(0), func(r rune) bool { return unicode.IsSpace(r) || isInvisible(r) }) == "" {
		// A bare Enter (or the LF after a CR) is not a scan.
		return "", false
	}
	from := 0
	for i := len(a.buf) - 1; i > 0; i-- {
		if a.buf[i].gap > ResetGap {
			if a.fast(i, term) {
				from = i
			}
			break
		}
	}
	a.scanner = a.fast(from, term)
	return a.text(from), true
}

// fast: did buf[from:] and the terminator come at scanner speed? The pause
// before buf[from] is not counted: it is the wait before the scan started.
func (a *Assembler) fast(from int, term time.Duration) bool {
	sum, n := term, 1
	for _, k := range a.buf[from+1:] {
		sum += k.gap
		n++
	}
	return n >= minScannerGaps && sum < ScannerGap*time.Duration(n)
}

func (a *Assembler) text(from int) string {
	var b strings.Builder
	for _, k := range a.buf[from:] {
		b.WriteRune(k.r)
	}
	return b.String()
}
