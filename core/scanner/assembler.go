package scanner

import (
	"strings"
	"time"
)

// Telling a scanner from a person.
//
// A USB HID scanner is a keyboard: the window cannot know which device a key
// came from, only when it came. A scanner types a whole code in a burst, a
// few milliseconds a key, and ends it with Enter or Tab (or a configured
// suffix); nobody types five keys that fast. So every keystroke the window
// receives, whichever widget has the focus, is held for a moment (Hold) to
// see whether another follows at once:
//
//   - keys that keep coming closer than Hold form a burst. Once its first
//     five characters came at scanner speed (average gap below
//     ScannerGap) the burst is the scanner's: it waits up to TermWait for
//     its terminator (a scanner's Enter may trail its code), and none of
//     its keys will ever reach a field;
//   - a burst of at least MinScanRunes characters at scanner speed that
//     ends in Enter, Tab or the suffix is a scan. Terminators right behind
//     it (the LF of CR LF, an Enter after the suffix) are part of it;
//   - a scanner's burst that cannot be read as a scan (no terminator within
//     TermWait: a wrong terminator setting, a partial read) is Unread,
//     never kept to be glued onto the next scan, never typed into a field;
//   - everything else is a person typing: the held keys are handed on, in
//     order, to where they were typed, as soon as the moment has passed.
//
// A person's key therefore arrives Hold late, which nobody notices; a
// scanner's keys arrive a frame apart at most. When they do not (the first
// few keys of a scan came, then the rest only after Hold: a starved
// system), the first keys were handed on as a person's; when the rest then
// turns out to be the scanner's, within TermWait, those keys are taken back
// (Retract) and the scan is whole.
//
// One more catch: a GUI's event loop
// that is busy drawing delivers nothing, then everything at once. The timer
// that ends the moment runs on that loop too, and when it runs late keys may
// be waiting behind it; so a late timer only looks again a little later
// (Recheck), up to MaxWait after the last key. Keys that come after such a
// stall, within MaxWait, still belong to the burst.
const (
	// Hold is how long a keystroke waits for the next one before it is
	// handed on as a person's.
	Hold = 40 * time.Millisecond
	// TermWait is how long a scanner's burst waits for its terminator.
	TermWait = 300 * time.Millisecond
	// ScannerGap: a burst whose keystrokes come on average closer than
	// this was typed by a scanner (a 24-digit ticket in well under half a
	// second; the fastest hand typist averages over 80 ms a key).
	ScannerGap = 50 * time.Millisecond
	// MaxWait bounds how long keys are held while the event loop stalls,
	// and the longest pause inside one burst.
	MaxWait = 250 * time.Millisecond
	// Recheck is how much later a timer that ran late looks again.
	Recheck = 20 * time.Millisecond
	// Late is how late a timer may run and still be trusted: by then the
	// event loop has had the time to deliver any key that was waiting.
	Late = 15 * time.Millisecond
	// MinScanRunes is the fewest characters a terminated burst needs to be
	// a scan; a person's rollover ("1" and Enter together) is not one.
	MinScanRunes = 3
	// scannerRunes is how many characters at scanner speed make a burst
	// the scanner's.
	scannerRunes = 5
)

// Keystroke is one key as the window received it. To says where it was
// typed (the focused field, or nothing); the Assembler only hands it back.
type Keystroke[T any] struct {
	Rune rune      // the character typed, or 0 for a named key
	Name string    // the named key ("Return", "Tab", "BackSpace", ...) when Rune is 0
	At   time.Time // when the window received it
	To   T
}

// EventKind says what became of held keystrokes.
type EventKind int

const (
	// Typed: a person's keystroke, to be handed to Event.Key.To.
	Typed EventKind = iota
	// Scanned: a complete scan; Event.Raw is its text without terminator.
	Scanned
	// Unread: a scanner's burst that cannot be read as a scan (it never
	// ended); Event.Raw is what came.
	Unread
	// Retract: Event.Keys, handed on as a person's a moment ago, were the
	// start of a scan after all: take them back from where they went.
	Retract
)

// Event is one outcome of the Assembler, in the order things happened.
type Event[T any] struct {
	Kind EventKind
	Key  Keystroke[T]   // Typed
	Raw  string         // Scanned, Unread
	Keys []Keystroke[T] // Retract
}

// Assembler sorts a window's keystrokes into scans and a person's typing
// (see the top of this file). Times are passed in, never read here, so the
// rules are tested deterministically. Not safe for concurrent use: feed it
// from the GUI's event goroutine.
type Assembler[T any] struct {
	suffix  string
	held    []Keystroke[T]
	dropped int       // runes beyond MaxLineBytes: counted, not kept
	last    time.Time // the last keystroke of any kind; zero before the first
	due     time.Time // when the held keys are looked at again
	scanEnd bool      // the last keystroke ended a scan
	mine    bool      // the held burst is the scanner's (see scannerLike)
	// recent is the last burst handed on as a person's, runes only: the
	// start of a scan if the scanner's rest comes within TermWait.
	recent []Keystroke[T]
}

// NewAssembler makes an Assembler for the scanner set up as o. Enter and Tab
// end a scanner's burst whatever o.Terminator says (a Tab-ended scan must
// not merge with the next one); o.Suffix, when set, ends one too.
func NewAssembler[T any](o Options) *Assembler[T] {
	return &Assembler[T]{suffix: o.resolved().Suffix}
}

// Rune feeds one typed character. Control runes are understood as their
// keys ('\r', '\n' Enter; '\t' Tab; '\b', DEL BackSpace; ESC Escape), for
// toolkits that deliver them as runes; other control runes (a GS typed as
// Ctrl+]) are part of the burst and later removed by Normalize.
func (a *Assembler[T]) Rune(r rune, at time.Time, to T) []Event[T] {
	switch r {
	case '\r', '\n':
		return a.Key("Return", at, to)
	case '\t':
		return a.Key("Tab", at, to)
	case '\b', 0x7f:
		return a.Key("BackSpace", at, to)
	case 0x1b:
		return a.Key("Escape", at, to)
	}
	out := a.begin(at)
	if len(a.held) >= MaxLineBytes {
		// A stuck key must not grow memory without bound; the scan is
		// refused as too long anyway.
		a.dropped++
	} else {
		a.held = append(a.held, Keystroke[T]{Rune: r, At: at, To: to})
	}
	if !a.mine && a.scannerLike() {
		a.mine = true
		// Taken back only if they came at scanner speed themselves (two
		// keys or more): a person's last key is never glued to a scan.
		if n := len(a.recent); n >= 2 && a.held[0].At.Sub(a.recent[n-1].At) <= TermWait &&
			a.recent[n-1].At.Sub(a.recent[0].At) < ScannerGap*time.Duration(n-1) {
			out = append(out, Event[T]{Kind: Retract, Keys: a.recent})
			a.held = append(a.recent, a.held...)
		}
		a.recent = nil
	}
	if a.suffix != "" && a.endsWithSuffix() && a.isScan(at) {
		out = append(out, a.scan())
	}
	return a.end(at, out)
}

// Key feeds one named key (Fyne's names, compared case-insensitively).
// "Return", "Enter", "KP_Enter" and "Tab" end a burst; any other key a
// scanner never sends (BackSpace, arrows, Escape...) is a person's, and ends
// a burst before it is handed on. Feed only keys that mean something: not
// the names of keys that also type a rune, not modifiers.
func (a *Assembler[T]) Key(name string, at time.Time, to T) []Event[T] {
	k := Keystroke[T]{Name: name, At: at, To: to}
	if isTerminator(name) && a.scanEnd && a.gap(at) <= MaxWait {
		// CR LF, a suffix then Enter: the scanner's, and over.
		a.last = at
		return nil
	}
	out := a.begin(at)
	switch {
	case !isTerminator(name):
		out = append(out, a.resolve()...)
		out = append(out, Event[T]{Kind: Typed, Key: k})
		a.recent = nil
	case len(a.held) > 0 && a.isScan(at):
		out = append(out, a.scan())
	case a.scannerLike():
		// The scanner's, but not a scan (it slowed down): not a person's.
		out = append(out, a.resolve()...)
		a.scanEnd = true
	default:
		out = append(out, a.release()...)
		out = append(out, Event[T]{Kind: Typed, Key: k})
		a.recent = nil
	}
	return a.end(at, out)
}

// Deadline is when Expire should be called; zero when nothing is held.
func (a *Assembler[T]) Deadline() time.Time { return a.due }

// Held is how many keystrokes are waiting.
func (a *Assembler[T]) Held() int { return len(a.held) }

// Expire is called when the timer set for Deadline fires: due is the
// deadline it was set for, now when it actually runs. A timer that runs
// late is not trusted (keys may be waiting behind it in the event loop):
// it sets a new Deadline instead, up to MaxWait after the last key.
func (a *Assembler[T]) Expire(due, now time.Time) []Event[T] {
	if len(a.held) == 0 {
		a.due = time.Time{}
		return nil
	}
	quiet, wait := a.gap(now), a.wait()
	switch {
	case quiet >= wait+MaxWait:
	case quiet < wait:
		a.due = a.last.Add(wait)
		return nil
	case now.Sub(due) > Late:
		a.due = now.Add(Recheck)
		return nil
	}
	return a.Flush()
}

// Flush decides the held keys now, as if the moment had passed: for a
// person's action that is not a keystroke (a shortcut, a click).
func (a *Assembler[T]) Flush() []Event[T] {
	out := a.resolve()
	a.due = time.Time{}
	return out
}

// Reset forgets the held keys (e.g. when the window closes).
func (a *Assembler[T]) Reset() {
	a.clear()
	a.recent = nil
	a.due = time.Time{}
}

func isTerminator(name string) bool {
	for _, t := range []string{"Return", "Enter", "KP_Enter", "Tab"} {
		if strings.EqualFold(name, t) {
			return true
		}
	}
	return false
}

// gap is the pause since the last keystroke. A clock going backwards counts
// as no pause.
func (a *Assembler[T]) gap(at time.Time) time.Duration {
	if a.last.IsZero() {
		return MaxWait + 1
	}
	return max(at.Sub(a.last), 0)
}

// begin starts a keystroke: a burst that ended long before it is decided
// first (its timer was kept from running).
func (a *Assembler[T]) begin(at time.Time) []Event[T] {
	a.scanEnd = false
	if len(a.held) > 0 && a.gap(at) > a.wait()+MaxWait {
		return a.resolve()
	}
	return nil
}

// wait is how long the held keys wait for the next: a person's a moment,
// a scanner's burst its terminator.
func (a *Assembler[T]) wait() time.Duration {
	if a.scannerLike() {
		return TermWait
	}
	return Hold
}

// scannerLike: the burst's first scannerRunes characters, not one key
// repeated, came at scanner speed. From then on it is the scanner's.
func (a *Assembler[T]) scannerLike() bool {
	if a.mine {
		return true
	}
	if len(a.held) < scannerRunes {
		return false
	}
	first := a.held[:scannerRunes]
	same := true
	for _, k := range first[1:] {
		same = same && k.Rune == first[0].Rune
	}
	return !same && first[scannerRunes-1].At.Sub(first[0].At) < ScannerGap*(scannerRunes-1)
}

func (a *Assembler[T]) end(at time.Time, out []Event[T]) []Event[T] {
	a.last = at
	if len(a.held) > 0 {
		a.due = at.Add(a.wait())
	} else {
		a.due = time.Time{}
	}
	return out
}

// isScan: the held burst, ended at term, is a scanner's code.
func (a *Assembler[T]) isScan(term time.Time) bool {
	n := len(a.held) + a.dropped
	if n < MinScanRunes {
		return false
	}
	return a.fast(term)
}

// fast: the burst up to at came at scanner speed on average. The pause
// before its first key is the wait before the scan, not counted.
func (a *Assembler[T]) fast(at time.Time) bool {
	span := max(at.Sub(a.held[0].At), 0)
	return span < ScannerGap*time.Duration(len(a.held))
}

// resolve decides a burst that ended without a terminator.
func (a *Assembler[T]) resolve() []Event[T] {
	if len(a.held) == 0 {
		return nil
	}
	if a.scannerLike() {
		e := Event[T]{Kind: Unread, Raw: a.text()}
		a.clear()
		return []Event[T]{e}
	}
	return a.release()
}

// release hands the held keys on as a person's.
func (a *Assembler[T]) release() []Event[T] {
	out := make([]Event[T], 0, len(a.held))
	for _, k := range a.held {
		out = append(out, Event[T]{Kind: Typed, Key: k})
	}
	a.recent = append(a.recent[:0:0], a.held...)
	a.clear()
	return out
}

func (a *Assembler[T]) scan() Event[T] {
	e := Event[T]{Kind: Scanned, Raw: a.text()}
	a.clear()
	a.scanEnd = true
	a.recent = nil
	return e
}

func (a *Assembler[T]) endsWithSuffix() bool {
	suf := []rune(a.suffix)
	if len(a.held) < len(suf)+MinScanRunes {
		return false
	}
	for i, r := range suf {
		if a.held[len(a.held)-len(suf)+i].Rune != r {
			return false
		}
	}
	return true
}

func (a *Assembler[T]) clear() {
	clear(a.held) // drop the targets: they may be widgets
	a.held = a.held[:0]
	a.dropped = 0
	a.mine = false
}

func (a *Assembler[T]) text() string {
	var b strings.Builder
	for _, k := range a.held {
		b.WriteRune(k.Rune)
	}
	return b.String()
}
