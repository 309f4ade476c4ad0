package scanner

import (
	"strings"
	"testing"
	"time"
)

// keyboard drives an Assembler as a window would: a fake clock, a timer
// that fires at the Assembler's deadline (on time, unless late says
// otherwise), and a record of what came out.
type keyboard struct {
	t     *testing.T
	a     *Assembler[string]
	now   time.Time
	late  time.Duration // how late the timer runs (a busy event loop)
	to    string        // the field keys are typed into ("" = none)
	typed map[string]string
	log   []string // "scan:RAW", "unread:RAW", "typed:FIELD:TEXT" in order
}

func newKeyboard(t *testing.T, o Options) *keyboard {
	return &keyboard{t: t, a: NewAssembler[string](o), now: time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC), typed: map[string]string{}}
}

func (kb *keyboard) take(evs []Event[string]) {
	for _, e := range evs {
		switch e.Kind {
		case Scanned:
			kb.log = append(kb.log, "scan:"+e.Raw)
		case Unread:
			kb.log = append(kb.log, "unread:"+e.Raw)
		case Retract:
			s := ""
			for _, k := range e.Keys {
				s += string(k.Rune)
			}
			kb.log = append(kb.log, "retract:"+e.Keys[0].To+":"+s)
		case Typed:
			s := string(e.Key.Rune)
			if e.Key.Rune == 0 {
				s = "<" + e.Key.Name + ">"
			}
			kb.typed[e.Key.To] += s
			if n := len(kb.log); n > 0 && strings.HasPrefix(kb.log[n-1], "typed:"+e.Key.To+":") {
				kb.log[n-1] += s
			} else {
				kb.log = append(kb.log, "typed:"+e.Key.To+":"+s)
			}
		}
	}
}

// advance lets d pass, firing the timer whenever it is due.
func (kb *keyboard) advance(d time.Duration) *keyboard {
	end := kb.now.Add(d)
	for {
		due := kb.a.Deadline()
		if due.IsZero() || due.Add(kb.late).After(end) {
			break
		}
		kb.now = due.Add(kb.late)
		kb.take(kb.a.Expire(due, kb.now))
	}
	kb.now = end
	return kb
}

func (kb *keyboard) into(field string) *keyboard { kb.to = field; return kb }

// typeText types s with gap before each rune.
func (kb *keyboard) typeText(s string, gap time.Duration) *keyboard {
	for _, r := range s {
		kb.advance(gap)
		kb.take(kb.a.Rune(r, kb.now, kb.to))
	}
	return kb
}

func (kb *keyboard) key(name string, gap time.Duration) *keyboard {
	kb.advance(gap)
	kb.take(kb.a.Key(name, kb.now, kb.to))
	return kb
}

// settle lets a second pass: every held key is decided.
func (kb *keyboard) settle() *keyboard { return kb.advance(time.Second) }

func (kb *keyboard) want(log ...string) {
	kb.t.Helper()
	kb.settle()
	if strings.Join(kb.log, "|") != strings.Join(log, "|") || len(kb.log) != len(log) {
		kb.t.Fatalf("got  %q\nwant %q", kb.log, log)
	}
	if kb.a.Held() != 0 {
		kb.t.Fatalf("%d keys still held", kb.a.Held())
	}
}

const (
	scanGap = 5 * time.Millisecond   // a USB scanner
	handGap = 180 * time.Millisecond // a supervisor typing

)

func TestScannerBurstIsAScanWhateverHasTheFocus(t *testing.T) {
	for _, k := range []string{"Return", "Enter", "KP_Enter", "return", "Tab"} {
		kb := newKeyboard(t, Options{}).into("operator")
		kb.typeText(ticket, scanGap).key(k, scanGap)
		kb.want("scan:" + ticket)
		if kb.typed["operator"] != "" {
			t.Errorf("%s: %q reached the field", k, kb.typed["operator"])
		}
	}
}

// A scanner ending with Tab while the setting says Enter: the Tab ends the
// scan, and the next scan a second later is a scan of its own.
func TestTabEndedScanThenEnterEndedScan(t *testing.T) {
	kb := newKeyboard(t, Options{Terminator: "enter"})
	kb.typeText(ticket, scanGap).key("Tab", scanGap).advance(time.Second)
	kb.typeText("7401756173487679187593", scanGap).key("Return", scanGap)
	kb.want("scan:"+ticket, "scan:7401756173487679187593")

	// Long after a Tab-ended scan, nothing is left to glue on.
	kb = newKeyboard(t, Options{})
	kb.typeText(ticket, scanGap).key("Tab", scanGap).advance(10 * time.Second)
	kb.typeText("7401756173487679187593", scanGap).key("Tab", scanGap)
	kb.want("scan:"+ticket, "scan:7401756173487679187593")
}

// A person's typing stays in the field it was typed into; the scan that
// follows is a scan, not glued onto it.
func TestHandTypingThenScan(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("manual")
	kb.typeText("T26-00", handGap).advance(2*time.Second).typeText(ticket, scanGap).key("Return", scanGap)
	kb.want("typed:manual:T26-00", "scan:"+ticket)

	// Hand typing and its Enter are the person's, in order.
	kb = newKeyboard(t, Options{}).into("manual")
	kb.typeText("T26-0001234", handGap).key("Return", handGap)
	kb.want("typed:manual:T26-0001234<Return>")

	// Enter pressed together with the last digit (rollover) is still typing.
	kb = newKeyboard(t, Options{}).into("manual")
	kb.typeText("T26-0001234", handGap).key("Return", 10*time.Millisecond)
	kb.want("typed:manual:T26-0001234<Return>")
}

func TestPersonKeysAreHandedOnInOrder(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText("ab", handGap).key("BackSpace", handGap).typeText("c", handGap).key("Left", 20*time.Millisecond).key("Tab", handGap)
	kb.want("typed:f:ab<BackSpace>c<Left><Tab>")

	// A BackSpace typed right behind a fast key does not overtake it.
	kb = newKeyboard(t, Options{}).into("f")
	kb.typeText("xy", 10*time.Millisecond).key("BackSpace", 10*time.Millisecond)
	kb.want("typed:f:xy<BackSpace>")
}

func TestKeysGoBackWhereTheyWereTyped(t *testing.T) {
	kb := newKeyboard(t, Options{})
	kb.into("a").typeText("12", handGap).into("b").typeText("3", 10*time.Millisecond)
	kb.want("typed:a:12", "typed:b:3")
}

// A person's key is held no longer than Hold when the event loop is free.
func TestTypingIsHeldOnlyBriefly(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText("a", handGap)
	if kb.typed["f"] != "" {
		t.Fatal("handed on at once: a scan's first key would land in the field")
	}
	kb.advance(Hold - time.Millisecond)
	if kb.typed["f"] != "" {
		t.Fatal("handed on before Hold")
	}
	kb.advance(time.Millisecond)
	if kb.typed["f"] != "a" {
		t.Fatalf("after Hold the field has %q", kb.typed["f"])
	}
}

func TestControlRunesAsKeys(t *testing.T) {
	kb := newKeyboard(t, Options{})
	// CR LF as runes: one scan, the LF after it is part of it.
	kb.typeText(ticket+"\r\n", scanGap).advance(time.Second)
	kb.typeText("T26-0001234\n", scanGap).advance(time.Second)
	kb.typeText("01\x1d23\r", scanGap).advance(time.Second) // GS stays; Normalize drops it
	kb.typeText("12x\b3", handGap)                          // '\b' is BackSpace
	kb.want("scan:"+ticket, "scan:T26-0001234", "scan:01\x1d23", "typed::12x<BackSpace>3")
}

// A scanner set to send a suffix ends its scans with it; an Enter it sends
// after the suffix belongs to the scan.
func TestSuffixEndsAScan(t *testing.T) {
	kb := newKeyboard(t, Options{Suffix: "$"}).into("f")
	kb.typeText(ticket+"$", scanGap).advance(time.Second)
	kb.typeText("7401756173487679187593$", scanGap).key("Return", scanGap).advance(time.Second)
	kb.typeText("US$", handGap) // typed by hand: the field's
	kb.want("scan:"+ticket+"$", "scan:7401756173487679187593$", "typed:f:US$")
}

// A scanner burst that never ends is SCAN NOT READ, not glued onto the next
// scan and not typed into a field.
func TestUnterminatedBurstIsUnread(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText("99887", scanGap).advance(time.Second).typeText(ticket, scanGap).key("Return", scanGap)
	kb.want("unread:99887", "scan:"+ticket)

	// A person's quick two or three keys, or a key held down, are typing.
	kb = newKeyboard(t, Options{}).into("f")
	kb.typeText("the", 15*time.Millisecond).advance(time.Second).typeText("aaaaaaa", 30*time.Millisecond)
	kb.want("typed:f:theaaaaaaa")
}

// Too few characters before Enter is no scan: "1" and Enter rolled over.
func TestShortBurstWithEnterIsTyping(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText("12", scanGap).key("Return", scanGap)
	kb.want("typed:f:12<Return>")
	kb = newKeyboard(t, Options{}).into("f")
	kb.key("Return", handGap).key("Tab", handGap)
	kb.want("typed:f:<Return><Tab>")
}

// The event loop stalls mid-scan (drawing the previous verdict): the timer
// runs late, keys arrive after the stall, and the scan stays whole.
func TestStallInsideAScanKeepsItWhole(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.late = 60 * time.Millisecond
	kb.typeText(ticket[:10], scanGap).typeText(ticket[10:11], 120*time.Millisecond).typeText(ticket[11:], scanGap).key("Return", scanGap)
	kb.want("scan:" + ticket)
	if kb.typed["f"] != "" {
		t.Errorf("%q reached the field", kb.typed["f"])
	}

	// A loop that is always late still hands a person's key on, by
	// Hold+MaxWait.
	kb = newKeyboard(t, Options{}).into("f")
	kb.late = 2 * Late
	kb.typeText("a", handGap).advance(Hold + MaxWait - time.Millisecond)
	if kb.typed["f"] != "" {
		t.Fatal("handed on before MaxWait although the timer was late")
	}
	kb.advance(kb.late + Recheck)
	if kb.typed["f"] != "a" {
		t.Fatalf("field %q after MaxWait", kb.typed["f"])
	}
}

// A scanner's burst waits up to TermWait for its terminator: a scanner (or
// xdotool) whose Enter trails the code, or that pauses once, is one scan.
func TestScannerPauseWithinTermWaitIsOneScan(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText(ticket, scanGap).key("Return", 90*time.Millisecond)
	kb.typeText(ticket[:10], scanGap).advance(time.Second)
	kb.typeText(ticket[:10], scanGap).typeText(ticket[10:11], 150*time.Millisecond).typeText(ticket[11:], scanGap).key("Tab", scanGap)
	kb.want("scan:"+ticket, "unread:"+ticket[:10], "scan:"+ticket)
}

// Past TermWait the scanner's burst is SCAN NOT READ, and what follows is
// its own; a scanner's burst that slows to a person's pace is not read
// either, and none of it reaches the field.
func TestScannerBurstCutAfterTermWait(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("f")
	kb.typeText(ticket[:10], scanGap).typeText(ticket[10:], TermWait+time.Millisecond)
	if len(kb.log) == 0 || kb.log[0] != "unread:"+ticket[:10] {
		t.Fatalf("log %q", kb.log)
	}
	kb = newKeyboard(t, Options{}).into("f")
	kb.typeText(ticket[:10], scanGap).typeText(ticket[10:], 120*time.Millisecond).key("Return", 120*time.Millisecond)
	kb.want("unread:" + ticket)
	if kb.typed["f"] != "" {
		t.Errorf("%q reached the field", kb.typed["f"])
	}
}

func TestSpeed(t *testing.T) {
	cases := []struct {
		name string
		gap  time.Duration
		scan bool
	}{
		{"USB scanner", 2 * time.Millisecond, true},
		{"a scanner seen through a 60 Hz event loop", 17 * time.Millisecond, true},
		{"slow scanner", 35 * time.Millisecond, true},
		{"fast typist", 90 * time.Millisecond, false},
	}
	for _, c := range cases {
		kb := newKeyboard(t, Options{})
		kb.typeText(ticket, c.gap).key("Return", c.gap).settle()
		if got := len(kb.log) == 1 && kb.log[0] == "scan:"+ticket; got != c.scan {
			t.Errorf("%s: %q", c.name, kb.log)
		}
	}
}

func TestClockBackwards(t *testing.T) {
	kb := newKeyboard(t, Options{})
	kb.typeText("123", scanGap)
	kb.now = kb.now.Add(-time.Hour)
	kb.typeText("456", scanGap).key("Return", scanGap)
	kb.want("scan:123456")
}

func TestBufferBounded(t *testing.T) {
	kb := newKeyboard(t, Options{})
	kb.typeText(strings.Repeat("7", MaxLineBytes+500), 0)
	if kb.a.Held() != MaxLineBytes {
		t.Fatalf("%d keys held, want capped at %d", kb.a.Held(), MaxLineBytes)
	}
	kb.key("Return", time.Millisecond)
	if len(kb.log) != 1 || !strings.HasPrefix(kb.log[0], "scan:") {
		t.Fatalf("got %d events", len(kb.log))
	}
	if _, err := Normalize(strings.TrimPrefix(kb.log[0], "scan:")); err == nil {
		t.Error("a stuck-key scan was accepted")
	}
}

func TestResetForgetsHeldKeys(t *testing.T) {
	kb := newKeyboard(t, Options{})
	kb.typeText("123", scanGap)
	kb.a.Reset()
	if kb.a.Held() != 0 || !kb.a.Deadline().IsZero() {
		t.Fatal("keys held after Reset")
	}
	kb.typeText("456", handGap).key("Return", handGap)
	kb.want("typed::456<Return>")
}

// A starved system delivers a scan's first keys, then the rest only after
// Hold: the first keys went to the field as a person's, and are taken back
// when the rest turns out to be the scanner's. The scan is whole.
func TestScanStartHandedOnIsTakenBack(t *testing.T) {
	kb := newKeyboard(t, Options{}).into("manual")
	kb.typeText(ticket[:3], scanGap).typeText(ticket[3:4], 90*time.Millisecond).typeText(ticket[4:], scanGap)
	kb.key("Return", scanGap)
	kb.settle()
	want := []string{"typed:manual:" + ticket[:3], "retract:manual:" + ticket[:3], "scan:" + ticket}
	if strings.Join(kb.log, "|") != strings.Join(want, "|") {
		t.Fatalf("got  %q\nwant %q", kb.log, want)
	}

	// A person's last key before a scan is never taken back, nor glued.
	kb = newKeyboard(t, Options{}).into("manual")
	kb.typeText("T26-00", handGap).advance(80*time.Millisecond).typeText(ticket, scanGap).key("Return", scanGap)
	kb.want("typed:manual:T26-00", "scan:"+ticket)
}
