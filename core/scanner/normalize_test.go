package scanner

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
)

const ticket = "1234567890123456789012" // a 22-digit ticket barcode

type normCase struct {
	name   string
	opts   Options
	raw    string
	code   string // expected Code when err is nil
	err    error  // expected sentinel
	layout string
	warn   bool // expect at least one warning
}

func runNormCases(t *testing.T, cases []normCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := c.opts.Normalize(c.raw)
			if sc.Raw != c.raw {
				t.Errorf("Raw = %q, want the input %q", sc.Raw, c.raw)
			}
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Normalize(%q) error = %v, want %v", c.raw, err, c.err)
				}
				if sc.Code != "" {
					t.Errorf("Code = %q on error, want empty", sc.Code)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize(%q) error = %v", c.raw, err)
			}
			if sc.Code != c.code {
				t.Errorf("Normalize(%q).Code = %q, want %q", c.raw, sc.Code, c.code)
			}
			if sc.Layout != c.layout {
				t.Errorf("Layout = %q, want %q", sc.Layout, c.layout)
			}
			if got := len(sc.Warnings) > 0; got != c.warn {
				t.Errorf("Warnings = %q, want some: %v", sc.Warnings, c.warn)
			}
		})
	}
}

func TestNormalizeTerminatorsAndWhitespace(t *testing.T) {
	runNormCases(t, []normCase{
		{name: "plain", raw: ticket, code: ticket},
		{name: "CRLF", raw: ticket + "\r\n", code: ticket},
		{name: "LF", raw: ticket + "\n", code: ticket},
		{name: "CR", raw: ticket + "\r", code: ticket},
		{name: "tab terminator", raw: ticket + "\t", code: ticket},
		{name: "tab terminator, tab option", opts: Options{Terminator: "tab"}, raw: ticket + "\t", code: ticket},
		{name: "tab then enter", raw: ticket + "\t\r\n", code: ticket},
		{name: "leading terminators", raw: "\r\n\t" + ticket, code: ticket},
		{name: "spaces", raw: "  " + ticket + "  \r\n", code: ticket},
		{name: "nbsp and ideographic space", raw: "\u00a0" + ticket + "\u3000", code: ticket},
		{name: "inner space kept (Code 39)", raw: "AB 123\r", code: "AB 123"},
		{name: "two scans run together LF", raw: "111111\n222222", err: ErrMultiple},
		{name: "two scans run together tab", raw: "111111\t222222\r\n", err: ErrMultiple},
		{name: "two scans with spaces", raw: "111111 \r\n 222222", err: ErrMultiple},
		{name: "line separator U+2028", raw: "111111\u2028222222", err: ErrMultiple},
		{name: "only terminators", raw: "\r\n\t\r\n", err: ErrEmpty},
	})
}

func TestNormalizeControlCharacters(t *testing.T) {
	runNormCases(t, []normCase{
		{name: "GS1 group separators removed", raw: "0109501101530003\x1d10ABC\x1d21XYZ", code: "010950110153000310ABC21XYZ"},
		{name: "STX ETX framing", raw: "\x02" + ticket + "\x03\r\n", code: ticket},
		{name: "NUL", raw: "12\x0034567", code: "1234567"},
		{name: "DEL", raw: "1234\x7f567", code: "1234567"},
		{name: "ESC", raw: "\x1b" + ticket, code: ticket},
		{name: "C1 control", raw: "123\u009b4567", code: "1234567"},
		{name: "UTF-8 BOM from a piped file", raw: "\ufeff" + ticket, code: ticket},
		{name: "zero-width space", raw: "T26-\u200b0001234", code: "T26-0001234"},
		{name: "soft hyphen", raw: "T26-000\u00ad1234", code: "T26-0001234"},
		{name: "only controls", raw: "\x1d\x1d\x02\x03", err: ErrEmpty},
		{name: "invalid UTF-8", raw: "1234\xff5678", err: ErrGarbage},
		{name: "replacement character", raw: "1234\ufffd5678", err: ErrGarbage},
	})
}

func TestNormalizeAIMAndECI(t *testing.T) {
	runNormCases(t, []normCase{
		{name: "Code 128 ]C0", raw: "]C0" + ticket, code: ticket},
		{name: "GS1-128 ]C1", raw: "]C10109501101530003", code: "0109501101530003"},
		{name: "EAN ]E0", raw: "]E04006381333931", code: "4006381333931"},
		{name: "QR ]Q1", raw: "]Q1" + ticket + "\r\n", code: ticket},
		{name: "Data Matrix ]d2 lowercase", raw: "]d2" + ticket, code: ticket},
		{name: "GS1 DataBar ]e0", raw: "]e00109501101530003", code: "0109501101530003"},
		{name: "Code 39 ]A0", raw: "]A0T26-0001234", code: "T26-0001234"},
		{name: "ITF ]I0", raw: "]I012345678", code: "12345678"},
		{name: "PDF417 ]L2", raw: "]L2" + ticket, code: ticket},
		{name: "Aztec letter modifier ]zC", raw: "]zC" + ticket, code: ticket},
		{name: "AIM after leading spaces and STX", raw: "\x02 ]C0" + ticket, code: ticket},
		{name: "QR with ECI ]Q2\\000026", raw: `]Q2\000026` + ticket, code: ticket},
		{name: "ECI alone", raw: `\000003` + ticket, code: ticket},
		{name: "two ECIs", raw: `]Q2\000026\000003` + ticket, code: ticket},
		{name: "ECI-looking text mid-data kept", raw: `AB\000026CD`, code: `AB\000026CD`},
		{name: "short backslash kept", raw: `\00002AB`, code: `\00002AB`},
		{name: "bracket not AIM: ]1", raw: "]12345", code: "]12345"},
		{name: "bracket inside kept", raw: "AB]C012", code: "AB]C012"},
		{name: "AIM only", raw: "]C0\r\n", err: ErrEmpty},
		{name: "AIM and ECI only", raw: `]Q2\000026`, err: ErrEmpty},
		{name: "AIM then too short", raw: "]C012", err: ErrTooShort},
	})
}

func TestNormalizePrefixSuffix(t *testing.T) {
	ps := Options{Prefix: "S:", Suffix: "#"}
	runNormCases(t, []normCase{
		{name: "both", opts: ps, raw: "S:" + ticket + "#\r\n", code: ticket},
		{name: "prefix only present", opts: ps, raw: "S:" + ticket, code: ticket},
		{name: "suffix only present", opts: ps, raw: ticket + "#", code: ticket},
		{name: "neither present", opts: ps, raw: ticket, code: ticket},
		{name: "case-sensitive", opts: ps, raw: "s:" + ticket, code: "s:" + ticket},
		{name: "prefix then AIM (Honeywell order)", opts: ps, raw: "S:]C0" + ticket + "#", code: ticket},
		{name: "AIM then prefix", opts: ps, raw: "]C0S:" + ticket, code: ticket},
		{name: "prefix separated by tab", opts: Options{Prefix: "@"}, raw: "@\t" + ticket + "\r", code: ticket},
		{name: "prefix set with control chars and spaces", opts: Options{Prefix: " \x02@ "}, raw: "\x02@" + ticket, code: ticket},
		{name: "repeated prefix removed (idempotence)", opts: ps, raw: "S:S:" + ticket, code: ticket},
		{name: "suffix before terminator and spaces", opts: Options{Suffix: "END"}, raw: ticket + "END \r\n", code: ticket},
		{name: "prefix inside kept", opts: ps, raw: "12S:34", code: "12S:34"},
		{name: "prefix and suffix only", opts: ps, raw: "S:#", err: ErrEmpty},
		{name: "default has no prefix", raw: "S:" + ticket, code: "S:" + ticket},
	})
}

func TestNormalizeLengths(t *testing.T) {
	long := strings.Repeat("1", 129)
	runNormCases(t, []normCase{
		{name: "empty", raw: "", err: ErrEmpty},
		{name: "blank", raw: "   ", err: ErrEmpty},
		{name: "min 3 ok", raw: "A12", code: "A12"},
		{name: "2 too short", raw: "12", err: ErrTooShort},
		{name: "1 too short", raw: "7\r\n", err: ErrTooShort},
		{name: "128 ok", raw: strings.Repeat("1", 128), code: strings.Repeat("1", 128)},
		{name: "129 too long", raw: long, err: ErrTooLong},
		{name: "huge refused early", raw: strings.Repeat("9", 100000), err: ErrTooLong},
		{name: "length counts characters not bytes", raw: strings.Repeat("Ä", 100) + "1", code: strings.Repeat("Ä", 100) + "1", warn: true},
		{name: "custom min", opts: Options{MinLen: 20}, raw: "T26-0001234", err: ErrTooShort},
		{name: "custom max", opts: Options{MaxLen: 10}, raw: "T26-0001234", err: ErrTooLong},
		{name: "custom max above cap is capped", opts: Options{MaxLen: 1 << 20}, raw: strings.Repeat("1", 4000), code: strings.Repeat("1", 4000)},
		{name: "min above max is clamped", opts: Options{MinLen: 50, MaxLen: 10}, raw: "1234567890", code: "1234567890"},
		{name: "no letter or digit", raw: "-./+", err: ErrGarbage},
		{name: "only non-ASCII letters: letters, unusual", raw: "ÄÖÜ", code: "ÄÖÜ", warn: true},
		{name: "full-width digits (input method in full-width mode)", raw: "１２３４５６７８９０１２３４５６７８９０１２\r\n", code: ticket},
		{name: "full-width taxNumber", raw: "Ｔ２６－０００１２３４", code: "T26-0001234"},
		{name: "full-width punctuation only", raw: "＋＋＋", err: ErrGarbage},
		{name: "digits of another script are digits", raw: "٣٤٥٦", code: "٣٤٥٦", warn: true},
		{name: "too short wins over garbage", raw: "..", err: ErrTooShort},
	})
}

func TestNormalizeLayouts(t *testing.T) {
	runNormCases(t, []normCase{
		// French AZERTY PC, US scanner: unshifted digit row.
		{name: "AZERTY full row", raw: `&é"'(-è_çà`, code: "1234567890", layout: LayoutAZERTY, warn: true},
		{name: "AZERTY ticket", raw: `&é"'(-è_çà&é"'(-è_çà&é` + "\r\n", code: ticket, layout: LayoutAZERTY, warn: true},
		{name: "AZERTY with AIM", raw: `]C0àààé"'`, code: "000234", layout: LayoutAZERTY, warn: true},
		{name: "AZERTY mixed with digits", raw: "12é4567è9à", code: "1224567790", layout: LayoutAZERTY, warn: true},
		{name: "AZERTY Caps Lock capitals", raw: `&É"'(-È_ÇÀ`, code: "1234567890", layout: LayoutAZERTY, warn: true},
		{name: "AZERTY only ASCII row chars, no digits", raw: `&"'(-_`, code: "134568", layout: LayoutAZERTY, warn: true},
		// Belgian AZERTY: § for 6, ! for 8.
		{name: "Belgian row", raw: `&é"'(§è!çà`, code: "1234567890", layout: LayoutAZERTYBE, warn: true},
		{name: "Belgian mixed", raw: "1é§!90", code: "126890", layout: LayoutAZERTYBE, warn: true},
		// Scanner set to AZERTY on a QWERTY PC: Shift+digit row.
		{name: "shifted row", raw: "!@#$%^&*()", code: "1234567890", layout: LayoutShifted, warn: true},
		{name: "shifted ticket", raw: "@)@^)(!@$%", code: "2026091245", layout: LayoutShifted, warn: true},
		// German QWERTZ PC, US scanner.
		{name: "QWERTZ taxNumber", raw: "T26ß0001234", code: "T26-0001234", layout: LayoutQWERTZ, warn: true},
		{name: "QWERTZ y/z swapped back", raw: "Zß12yz", code: "Y-12zy", layout: LayoutQWERTZ, warn: true},
		{name: "QWERTZ existing dash kept", raw: "12ß34-56", code: "12-34-56", layout: LayoutQWERTZ, warn: true},

		// Legitimate codes are never touched.
		{name: "digits and dash", raw: "123-456", code: "123-456"},
		{name: "taxNumber", raw: "T26-0001234", code: "T26-0001234"},
		{name: "container id with y and z", raw: "CNTyz0042", code: "CNTyz0042"},
		{name: "lowercase kept", raw: "abc123", code: "abc123"},
		{name: "digits and ampersand", raw: "12&34", code: "12&34"},
		{name: "digits with dollar (Code 39)", raw: "$12.50", code: "$12.50"},
		{name: "letters with é: warned, not mapped", raw: "Aé123", code: "Aé123", warn: true},
		{name: "ß with other non-ASCII: warned, not mapped", raw: "12ßö34", code: "12ßö34", warn: true},
		{name: "ß with punctuation: warned, not mapped", raw: "12ß34.5", code: "12ß34.5", warn: true},

		// Not enough evidence.
		{name: "ambiguous & ( ! only", raw: "&(!&(", err: ErrGarbage},
		{name: "one key repeated (AZERTY row)", raw: "-----", err: ErrGarbage},
		{name: "one key repeated (shifted row)", raw: "$$$$", err: ErrGarbage},
		{name: "mapped but too short", raw: "éè", err: ErrTooShort},
	})
}

func TestNormalizeWarningWords(t *testing.T) {
	sc, err := Normalize(`&é"'(-è_çà`)
	if err != nil {
		t.Fatal(err)
	}
	want := "Scanner keyboard layout looks like AZERTY: digits mapped. Set the scanner to the right layout."
	if !slices.Equal(sc.Warnings, []string{want}) {
		t.Errorf("Warnings = %q, want %q", sc.Warnings, want)
	}
	sc, _ = Normalize("ABé12")
	if len(sc.Warnings) != 1 || !strings.Contains(sc.Warnings[0], "é") {
		t.Errorf("unusual characters warning = %q, want one naming é", sc.Warnings)
	}
}

// The supervisor reads err.Error() on the gate screen: one short line, and
// errors.Is finds the sentinel.
func TestNormalizeErrorWords(t *testing.T) {
	cases := []struct {
		opts     Options
		raw      string
		sentinel error
		text     string
	}{
		{raw: strings.Repeat("1", 312), sentinel: ErrTooLong, text: "Scan too long (312 characters): not a ticket barcode"},
		{raw: "12", sentinel: ErrTooShort, text: "Scan too short (2 characters): not a ticket barcode"},
		{raw: "1", sentinel: ErrTooShort, text: "Scan too short (1 character): not a ticket barcode"},
		{raw: "\r\n", sentinel: ErrEmpty, text: "Scan empty: nothing readable was received"},
		{raw: "+++", sentinel: ErrGarbage, text: "Scan unreadable (no letters or digits): scan again"},
		{raw: "\xff\xfe", sentinel: ErrGarbage, text: "Scan unreadable (invalid characters): scan again"},
		{raw: "123\n456", sentinel: ErrMultiple, text: "Two codes in one scan: scan one ticket at a time"},
	}
	for _, c := range cases {
		_, err := c.opts.Normalize(c.raw)
		if !errors.Is(err, c.sentinel) {
			t.Errorf("Normalize(%q) = %v, want %v", c.raw, err, c.sentinel)
			continue
		}
		if err.Error() != c.text {
			t.Errorf("Normalize(%q) text = %q, want %q", c.raw, err.Error(), c.text)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	good := []Options{{}, {Terminator: "enter"}, {Terminator: "Tab"}, {MinLen: 5, MaxLen: 30}, {MaxLen: MaxLineBytes}}
	for _, o := range good {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", o, err)
		}
	}
	bad := []Options{{Terminator: "space"}, {MinLen: -1}, {MaxLen: -1}, {MaxLen: MaxLineBytes + 1}, {MinLen: 10, MaxLen: 5}, {MinLen: 200}}
	for _, o := range bad {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v.Validate() = nil, want an error", o)
		}
	}
}

// checkNormalized asserts the properties every successful result has; shared
// with the fuzz target.
func checkNormalized(t *testing.T, o Options, raw string, sc Scan) {
	t.Helper()
	if sc.Code == "" {
		t.Fatalf("Normalize(%q): empty Code without error", raw)
	}
	for _, r := range sc.Code {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("Normalize(%q).Code = %q contains control/format character %U", raw, sc.Code, r)
		}
	}
	if strings.TrimSpace(sc.Code) != sc.Code {
		t.Fatalf("Normalize(%q).Code = %q has surrounding space", raw, sc.Code)
	}
	again, err := o.Normalize(sc.Code)
	if err != nil {
		t.Fatalf("Normalize(%q) = %q, but normalizing that fails: %v", raw, sc.Code, err)
	}
	if again.Code != sc.Code {
		t.Fatalf("not idempotent: %q -> %q -> %q", raw, sc.Code, again.Code)
	}
	if again.Layout != "" {
		t.Fatalf("layout mapped twice: %q -> %q (%s) -> %q (%s)", raw, sc.Code, sc.Layout, again.Code, again.Layout)
	}
}

func TestNormalizeIdempotentOnTable(t *testing.T) {
	raws := []string{ticket, "]C0" + ticket + "\r\n", `&é"'(-è_çà`, "T26ß0001234", "!@#$%^&*()", "Aé123", "AB 123", "\x02S:S:12#\x03"}
	for _, o := range []Options{{}, {Prefix: "S:", Suffix: "#"}, {Prefix: "12"}} {
		for _, raw := range raws {
			if sc, err := o.Normalize(raw); err == nil {
				checkNormalized(t, o, raw, sc)
			}
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	inputs := map[string]string{
		"plain":  ticket,
		"aim":    "]C0" + ticket + "\r\n",
		"azerty": `&é"'(-è_çà&é"'(-è_çà&é` + "\r\n",
	}
	for name, raw := range inputs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Normalize(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
