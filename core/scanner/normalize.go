package scanner

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"s360gate/core/words"
)

// Scan is one normalized scan.
type Scan struct {
	// Code is the cleaned barcode / taxNumber / container id, as it should be
	// looked up. Empty when Normalize returns an error.
	Code string
	// Raw is the input exactly as received.
	Raw string
	// Warnings are plain words for the supervisor (e.g. a wrong keyboard
	// layout that was corrected), in English. A scan with warnings is
	// still a good scan. Screens say them from Layout and Odd, in the
	// reader's language (core.ScannerPrompts).
	Warnings []string
	// Layout is "" or the Layout* constant of the wrong-layout mapping that
	// was applied to get Code.
	Layout string
	// Odd holds the unusual characters of a code no layout explains ("").
	Odd string
}

// Sentinels for errors.Is. The errors Normalize and Lines return wrap one of
// them; their own text (err.Error()) is one short line for the supervisor,
// e.g. "Scan too long (312 characters): not a ticket barcode".
var (
	ErrEmpty    = errors.New("scan empty")
	ErrTooLong  = errors.New("scan too long")
	ErrTooShort = errors.New("scan too short")
	ErrGarbage  = errors.New("scan unreadable")
	// ErrMultiple: a line break or Tab inside the scan with text on both
	// sides, i.e. two scans ran together (a scanner without a terminator, or
	// a terminator setting that does not match). Gluing them would look up
	// a code that was never printed, so the scan is refused instead.
	ErrMultiple = errors.New("two codes in one scan")
)

// scanError carries the supervisor's words and the sentinel for errors.Is.
// Its words are a key of the catalogue (core/words) and their data, so
// that a screen says them in its language (Words); Error is the English.
type scanError struct {
	kind error
	key  string
	data map[string]any
}

func (e *scanError) Error() string { return sayScanError(words.EN, e.key, e.data) }
func (e *scanError) Unwrap() error { return e.kind }

// Words are the error's key in the catalogue and its data (.Count, when
// there is one, chooses the plural form).
func (e *scanError) Words() (string, map[string]any) { return e.key, e.data }

func sayScanError(l words.Lang, key string, data map[string]any) string {
	if n, ok := data["Count"].(int); ok {
		return l.N(key, n, data)
	}
	return l.T(key, data)
}

func newError(kind error, key string, count ...int) error {
	e := &scanError{kind: kind, key: key}
	if len(count) > 0 {
		e.data = map[string]any{"Count": count[0]}
	}
	return e
}

const (
	// DefaultMinLen and DefaultMaxLen bound a plausible code, in characters.
	// The shortest real codes are short taxNumbers; tickets are 20-28 digits.
	DefaultMinLen = 3
	DefaultMaxLen = 128

	// MaxLineBytes bounds one raw scan (and one line for Lines). Anything
	// longer is refused before any work is done on it, so a stuck key or a
	// pasted document costs nothing.
	MaxLineBytes = 4096

	// Terminator values (core.Settings.ScannerTerminator uses the same words).
	TerminatorEnter = "enter"
	TerminatorTab   = "tab"
)

// Options describe how the station's scanner is set up. The zero value is the
// default setup: Enter terminator, no prefix or suffix, DefaultMinLen..DefaultMaxLen.
type Options struct {
	// Terminator is "enter" (default) or "tab": the key the scanner sends
	// after each code. It decides where the Assembler and Lines cut scans;
	// Enter always ends a scan too, for hand typing. Normalize itself trims
	// CR, LF and Tab at either end whatever the setting.
	Terminator string
	// Prefix and Suffix are the extra characters the scanner was configured
	// to add around each code. They are compared after the same cleaning as
	// the scan (control characters removed, surrounding spaces trimmed),
	// case-sensitively, and removed repeatedly, so that normalizing a Code
	// again never changes it: choose characters that never start or end a
	// real code.
	Prefix, Suffix string
	// MinLen and MaxLen bound the cleaned code in characters; 0 means the
	// default. MaxLen is capped at MaxLineBytes, MinLen at MaxLen.
	MinLen, MaxLen int
}

// Validate reports settings that cannot be meant. Normalize, NewAssembler and
// Lines do not require it: they fall back to defaults for such values.
func (o Options) Validate() error {
	switch strings.ToLower(strings.TrimSpace(o.Terminator)) {
	case "", TerminatorEnter, TerminatorTab:
	default:
		return fmt.Errorf("scanner terminator %q: use enter or tab", o.Terminator)
	}
	if o.MinLen < 0 || o.MaxLen < 0 {
		return errors.New("scanner code length limits cannot be negative")
	}
	if o.MaxLen > MaxLineBytes {
		return fmt.Errorf("scanner maximum code length is at most %d", MaxLineBytes)
	}
	r := o.resolved()
	if o.MinLen > r.MaxLen {
		return fmt.Errorf("scanner minimum code length %d is above the maximum %d", o.MinLen, r.MaxLen)
	}
	return nil
}

// resolved fills defaults and cleans the affixes the way scans are cleaned,
// so a prefix typed into settings with a stray space or an STX still matches.
func (o Options) resolved() Options {
	if strings.EqualFold(strings.TrimSpace(o.Terminator), TerminatorTab) {
		o.Terminator = TerminatorTab
	} else {
		o.Terminator = TerminatorEnter
	}
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.MaxLen > MaxLineBytes {
		o.MaxLen = MaxLineBytes
	}
	if o.MinLen <= 0 {
		o.MinLen = DefaultMinLen
	}
	if o.MinLen > o.MaxLen {
		o.MinLen = o.MaxLen
	}
	o.Prefix = cleanAffix(o.Prefix)
	o.Suffix = cleanAffix(o.Suffix)
	return o
}

func cleanAffix(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if isSeparator(r) || isInvisible(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Normalize cleans one raw scan with the default Options.
func Normalize(raw string) (Scan, error) { return Options{}.Normalize(raw) }

// Normalize cleans one raw scan into the code to look up. In order:
//
//  1. more than MaxLineBytes bytes: ErrTooLong; invalid UTF-8 or U+FFFD:
//     ErrGarbage (a keyboard wedge types valid text; anything else is line
//     noise, and dropping bytes could forge a different valid-looking code);
//  2. CR, LF, Tab (and VT, FF, NEL, U+2028/9) are terminators: trimmed at the
//     ends, ErrMultiple when they separate two non-empty parts;
//  3. every other control or invisible format character is removed, and
//     compatibility characters are folded (NFKC: full-width digits and
//     letters of an input method in full-width mode are the ASCII ones). That
//     includes GS (0x1D), the GS1 group separator: keyboard wedges disagree on
//     it (some drop it, some type Ctrl+], some a replacement), so keeping it
//     would make one ticket read differently from scanner to scanner, and our
//     lookups key on the concatenated data. Also STX/ETX framing, NUL, a UTF-8
//     BOM from a piped file, zero-width spaces;
//  4. at the start, repeatedly: surrounding whitespace, the configured Prefix,
//     an AIM symbology identifier ("]" + letter + letter-or-digit, e.g. ]C0,
//     ]E0, ]Q1, ]d2, ]L2, ]z0..]zC), and ECI designators ("\" + 6 digits, e.g.
//     ]Q2\000026). Only leading ECIs: our codes never switch character set
//     mid-data, and a backslash-digits run inside data is left as data;
//     at the end, repeatedly: whitespace and the configured Suffix;
//  5. a wrong keyboard layout, if the text looks like a mis-layouted numeric
//     code (see layout.go), is mapped back and a warning added: the
//     supervisor gets the right verdict now and is told to fix the scanner;
//  6. length and content: empty → ErrEmpty; > MaxLen characters → ErrTooLong;
//     < MinLen → ErrTooShort; no letter or digit → ErrGarbage.
//
// Case is kept as given (a container id may be lowercase); only a layout
// mapping changes letters (QWERTZ y/z swap, case kept). Spaces inside the code
// are kept: Code 39 allows them. Non-ASCII characters that remain are kept but
// draw a warning, since they almost always mean a layout problem.
//
// Normalize is idempotent: normalizing a returned Code gives the same Code.
func (o Options) Normalize(raw string) (Scan, error) {
	o = o.resolved()
	sc := Scan{Raw: raw}

	if len(raw) > MaxLineBytes {
		return sc, tooLong(utf8.RuneCountInString(raw))
	}
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, utf8.RuneError) {
		return sc, newError(ErrGarbage, "scan.err.invalid")
	}

	s := o.strip(compat(clean(raw)))
	if s == "" {
		return sc, newError(ErrEmpty, "scan.err.empty")
	}
	if strings.ContainsRune(s, '\n') {
		return sc, newError(ErrMultiple, "scan.err.two")
	}

	if m, ok := mapLayout(s); ok {
		sc.Layout, sc.Warnings = m.layout, append(sc.Warnings, m.warning)
		// Strip again: otherwise a mapped code that starts with a (digit)
		// prefix would lose it only on the next Normalize — not idempotent.
		s = o.strip(m.code)
		if s == "" {
			return sc, newError(ErrEmpty, "scan.err.empty")
		}
	}

	n := utf8.RuneCountInString(s)
	switch {
	case n > o.MaxLen:
		return sc, tooLong(n)
	case n < o.MinLen:
		return sc, newError(ErrTooShort, "scan.err.short", n)
	case !hasAlnum(s):
		return sc, newError(ErrGarbage, "scan.err.noText")
	}
	if sc.Layout == "" {
		if odd := unusual(s); odd != "" {
			sc.Odd = odd
			sc.Warnings = append(sc.Warnings, "Scan contains unusual characters ("+odd+"): check the scanner keyboard layout.")
		}
	}
	sc.Code = s
	return sc, nil
}

func tooLong(n int) error {
	return newError(ErrTooLong, "scan.err.long", n)
}

// isSeparator: the characters that end a scan or a line. They all become
// '\n' in clean, so one check finds two scans run together.
func isSeparator(r rune) bool {
	switch r {
	case '\r', '\n', '\t', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// isInvisible: control characters and invisible format characters (Cf: BOM,
// zero-width space, bidi marks, soft hyphen). None is ever part of a code and
// none can be seen on the supervisor's screen.
func isInvisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// clean maps separators to '\n' and drops other invisible characters.
func clean(raw string) string {
	if printableASCII(raw) {
		return raw // the usual scan: nothing to do, no allocation
	}
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case isSeparator(r):
			b.WriteByte('\n')
		case isInvisible(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// compat folds compatibility characters into the ones they stand for
// (Unicode NFKC): an input method left in full-width mode types "１２３"
// for 123, and a scanner on such a keyboard sends full-width digits and
// letters; those are the ticket's digits, not unreadable garbage.
func compat(s string) string {
	if printableASCII(s) {
		return s
	}
	return norm.NFKC.String(s)
}

// strip removes what the scanner adds around the data, looping until nothing
// more comes off so that the result is a fixed point (idempotence). Head
// first, then tail: removing a tail cannot expose a new head match, because a
// head pattern matching the shorter string matched the longer one already.
func (o Options) strip(s string) string {
	for {
		t := strings.TrimLeftFunc(s, unicode.IsSpace)
		if o.Prefix != "" {
			t = strings.TrimPrefix(t, o.Prefix)
		}
		t = trimAIM(t)
		t = trimECI(t)
		if t == s {
			break
		}
		s = t
	}
	for {
		t := strings.TrimRightFunc(s, unicode.IsSpace)
		if o.Suffix != "" {
			t = strings.TrimSuffix(t, o.Suffix)
		}
		if t == s {
			break
		}
		s = t
	}
	return s
}

// trimAIM removes a leading AIM symbology identifier (ISO/IEC 15424):
// "]", a symbology letter (upper or lower case: ]C Code 128, ]d Data Matrix,
// ]e GS1 DataBar) and a modifier, usually a digit but a letter for some (Aztec
// ]zA..]zC). No real ticket, taxNumber or container id starts with "]".
func trimAIM(s string) string {
	if len(s) >= 3 && s[0] == ']' && isASCIILetter(s[1]) && (isASCIILetter(s[2]) || isASCIIDigit(s[2])) {
		return s[3:]
	}
	return s
}

// trimECI removes one leading ECI designator: a backslash and six digits, as
// sent after an AIM identifier whose modifier announces ECI (]Q2\000026 is
// QR code, UTF-8).
func trimECI(s string) string {
	if len(s) < 7 || s[0] != '\\' {
		return s
	}
	for i := 1; i < 7; i++ {
		if !isASCIIDigit(s[i]) {
			return s
		}
	}
	return s[7:]
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// hasAlnum: s has a letter or a digit (any script, after compat): only
// input without one is unreadable.
func hasAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if isASCIILetter(s[i]) || isASCIIDigit(s[i]) {
			return true
		}
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// unusual lists (up to 5, distinct) the non-ASCII characters of s, or "".
func unusual(s string) string {
	var seen []rune
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		if !containsRune(seen, r) {
			seen = append(seen, r)
			if len(seen) == 5 {
				break
			}
		}
	}
	if len(seen) == 0 {
		return ""
	}
	parts := make([]string, len(seen))
	for i, r := range seen {
		parts[i] = string(r)
	}
	return strings.Join(parts, " ")
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
