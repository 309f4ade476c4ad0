package scanner

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzNormalize: Normalize never panics; a success has no control character
// and is idempotent; a failure wraps a sentinel and is one line of words. Run
// with both the default Options and a configured prefix/suffix/tab setup,
// because idempotence with affixes is where it could break. The seed corpus
// is in testdata/fuzz/FuzzNormalize.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		ticket, ticket + "\r\n", "]C0" + ticket, `]Q2\000026` + ticket, "T26-0001234",
		`&é"'(-è_çà`, `&é"'(§è!çà`, "!@#$%^&*()", "T26ß0001234", "\x02S:12#\x03",
		"0109501101530003\x1d10ABC", "111\t222", "", "\xff", strings.Repeat("1", 129),
	} {
		f.Add(s)
	}
	configured := Options{Terminator: "tab", Prefix: "S:", Suffix: "#", MinLen: 1, MaxLen: 40}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, o := range []Options{{}, configured} {
			sc, err := o.Normalize(raw)
			if sc.Raw != raw {
				t.Fatalf("Raw = %q, want %q", sc.Raw, raw)
			}
			if err != nil {
				if !isSentinel(err) {
					t.Fatalf("Normalize(%q) error %v wraps no sentinel", raw, err)
				}
				if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
					t.Fatalf("Normalize(%q) error text %q is not one line", raw, msg)
				}
				if sc.Code != "" {
					t.Fatalf("Normalize(%q) = Code %q with error %v", raw, sc.Code, err)
				}
				continue
			}
			checkNormalized(t, o, raw, sc)
			r := o.resolved()
			if n := len([]rune(sc.Code)); n < r.MinLen || n > r.MaxLen {
				t.Fatalf("Normalize(%q).Code %q has %d characters, outside %d..%d", raw, sc.Code, n, r.MinLen, r.MaxLen)
			}
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrEmpty, ErrTooLong, ErrTooShort, ErrGarbage, ErrMultiple} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzLines: Lines never panics, never hands over more than MaxLineBytes of
// Raw, and every Line is either a good scan or carries an error.
func FuzzLines(f *testing.F) {
	f.Add("1111\n2222\r\n", false)
	f.Add("1111\t2222\t", true)
	f.Add(strings.Repeat("9", MaxLineBytes+3)+"\n\r\n1111", false)
	f.Fuzz(func(t *testing.T, in string, tab bool) {
		o := Options{}
		if tab {
			o.Terminator = "tab"
		}
		err := o.Lines(strings.NewReader(in), func(l Line) error {
			if len(l.Raw) > MaxLineBytes {
				t.Fatalf("Raw of %d bytes", len(l.Raw))
			}
			if l.No < 1 {
				t.Fatalf("line number %d", l.No)
			}
			if l.Err == nil && l.Scan.Code == "" {
				t.Fatalf("line %q: no error and no code", l.Raw)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzAssembler: any sequence of runes, keys, pauses (including the clock
// going backwards) and timers, on time or late, never panics; keystrokes
// come out in the order they went in, each at most once; no scan is empty
// or longer than MaxLineBytes runes; nothing stays held once time passes.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte("\x011234567890\x05"), false)
	f.Add([]byte("12\xff\x0312345\x02\x05"), true)
	f.Add([]byte("\xfe\x40ab\xfe\x03\x01"), false)
	keys := []string{"Return", "Tab", "BackSpace", "Escape", "KP_Enter", "Left"}
	f.Fuzz(func(t *testing.T, ops []byte, suffix bool) {
		o := Options{}
		if suffix {
			o.Suffix = "$"
		}
		a := NewAssembler[int](o)
		now := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
		fed, last := 0, -1
		take := func(evs []Event[int]) {
			for _, e := range evs {
				switch e.Kind {
				case Typed:
					if e.Key.To <= last || e.Key.To >= fed {
						t.Fatalf("keystroke %d handed on after %d (fed %d)", e.Key.To, last, fed)
					}
					last = e.Key.To
				case Retract: // only keys handed on, the last ones
					for i, k := range e.Keys {
						if want := last - len(e.Keys) + 1 + i; k.To != want {
							t.Fatalf("took back %d, want %d", k.To, want)
						}
					}
				default:
					if n := utf8.RuneCountInString(e.Raw); n == 0 || n > MaxLineBytes {
						t.Fatalf("scan of %d runes", n)
					}
				}
			}
		}
		for i := 0; i < len(ops); i++ {
			op := ops[i]
			switch {
			case op < 6: // a named key
				fed++
				take(a.Key(keys[op], now, fed-1))
			case op == 0xff && i+1 < len(ops): // a pause, possibly backwards
				i++
				now = now.Add(time.Duration(int8(ops[i])) * 10 * time.Millisecond)
				continue
			case op == 0xfe && i+1 < len(ops): // the timer, late by 0..255 ms
				i++
				if due := a.Deadline(); !due.IsZero() {
					now = due.Add(time.Duration(ops[i]) * time.Millisecond)
					take(a.Expire(due, now))
				}
				continue
			default:
				fed++
				take(a.Rune(rune(op), now, fed-1))
			}
			now = now.Add(3 * time.Millisecond)
		}
		for a.Held() > 0 {
			due := a.Deadline()
			if due.IsZero() {
				t.Fatal("keys held without a deadline")
			}
			take(a.Expire(due, due.Add(MaxWait)))
		}
	})
}
