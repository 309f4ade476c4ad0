package scanner

import (
	"strings"
	"unicode/utf8"
)

// Wrong keyboard layouts.
//
// A keyboard-wedge scanner sends key *positions*; the PC turns them into
// characters with its own layout. When the two disagree, digits — most of
// what a ticket is — come out as whatever sits on the digit keys of the PC's
// layout. Denying such a scan at the gate helps nobody: the ticket is fine.
// So the text is mapped back and the supervisor is told to fix the scanner.
//
// The danger is the reverse: "correcting" a code that was right. Hence each
// mapping applies only when the whole text can only be a mis-layouted code:
//
//   - AZERTY (PC French/Belgian, scanner US): digit row &é"'(-è_çà (Belgian
//     &é"'(§è!çà). Mapped when every character is from that row or a digit
//     AND at least one of é è ç à § (or a capital, from Caps Lock) is
//     present — those never occur in our codes — or, failing that, when
//     there is no digit at all and at least two different characters (such a
//     text has no letter or digit and would be refused as garbage anyway; one
//     key repeated, "----", is a stuck key, not a code). The ASCII ones
//     (& " ' ( - _ !) prove nothing next to digits: "123-456" is a
//     legitimate code and is left untouched.
//   - Shifted digits (scanner set to AZERTY, which types digits with Shift,
//     PC US/QWERTY): !@#$%^&*() for 1234567890. Mapped only when there is no
//     digit at all and at least two different characters: all those
//     characters are plain ASCII, so next to digits they prove nothing.
//     A text of only & ( ! fits both rows with different digits: ambiguous,
//     left alone (and then refused as garbage: scan again after fixing).
//   - QWERTZ (PC German, scanner US): the key typing "-" gives "ß" and y/z are
//     swapped. Mapped when "ß" is present (it is never in our codes) and
//     every other character is an ASCII letter, digit or "-": ß becomes "-",
//     y and z swap back (case kept). A "-" already there is left as is: it
//     would be the scanner's "/", rare in codes, and guessing is worse.
//
// Each mapping is one character to one character, so lengths are unchanged,
// and its output never satisfies any rule again, so Normalize stays
// idempotent.
const (
	LayoutAZERTY   = "azerty"       // French AZERTY PC, digits mapped
	LayoutAZERTYBE = "azerty-be"    // Belgian AZERTY PC (§ or ! seen), digits mapped
	LayoutShifted  = "qwerty-shift" // scanner typing Shift+digits on a QWERTY PC
	LayoutQWERTZ   = "qwertz"       // German QWERTZ PC, ß→- and y/z swapped
)

var azertyDigits = map[rune]rune{
	'&': '1', 'é': '2', '"': '3', '\'': '4', '(': '5',
	'-': '6', '§': '6', // French, Belgian
	'è': '7',
	'_': '8', '!': '8', // French, Belgian
	'ç': '9', 'à': '0',
	// Caps Lock on some systems gives capitals on the digit row.
	'É': '2', 'È': '7', 'Ç': '9', 'À': '0',
}

var shiftedDigits = map[rune]rune{
	'!': '1', '@': '2', '#': '3', '$': '4', '%': '5',
	'^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
}

type layoutMatch struct {
	code, layout, warning string
}

// mapLayout returns s mapped back from a wrong layout, if s can only be a
// mis-layouted code. s has been cleaned (no control characters).
func mapLayout(s string) (layoutMatch, bool) {
	az, azOK, belgian := matchAZERTY(s)
	sh, shOK := matchShifted(s)
	switch {
	case azOK && shOK:
		return layoutMatch{}, false // only & ( ! : ambiguous
	case azOK:
		if belgian {
			return layoutMatch{az, LayoutAZERTYBE, "Scanner keyboard layout looks like Belgian AZERTY: digits mapped. Set the scanner to the right layout."}, true
		}
		return layoutMatch{az, LayoutAZERTY, "Scanner keyboard layout looks like AZERTY: digits mapped. Set the scanner to the right layout."}, true
	case shOK:
		return layoutMatch{sh, LayoutShifted, "Scanner types digits with Shift (set to AZERTY on a QWERTY PC?): digits mapped. Set the scanner to the right layout."}, true
	}
	if q, ok := matchQWERTZ(s); ok {
		return layoutMatch{q, LayoutQWERTZ, "Scanner keyboard layout looks like German QWERTZ: ß read as - and y/z swapped. Set the scanner to the right layout."}, true
	}
	return layoutMatch{}, false
}

func matchAZERTY(s string) (mapped string, ok, belgian bool) {
	digits, marker := false, false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits = true
			continue
		}
		if _, in := azertyDigits[r]; !in {
			return "", false, false
		}
		if r >= utf8.RuneSelf {
			marker = true
		}
		if r == '§' || r == '!' {
			belgian = true
		}
	}
	if !marker && (digits || !varied(s)) {
		return "", false, false
	}
	return strings.Map(func(r rune) rune {
		if d, in := azertyDigits[r]; in {
			return d
		}
		return r
	}, s), true, belgian
}

func matchShifted(s string) (string, bool) {
	for _, r := range s {
		if _, in := shiftedDigits[r]; !in {
			return "", false
		}
	}
	if !varied(s) {
		return "", false
	}
	return strings.Map(func(r rune) rune { return shiftedDigits[r] }, s), true
}

func matchQWERTZ(s string) (string, bool) {
	sharp := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == 'ß':
			sharp = true
		case r < utf8.RuneSelf && (isASCIILetter(byte(r)) || isASCIIDigit(byte(r)) || r == '-'):
		default:
			return "", false
		}
	}
	if !sharp {
		return "", false
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ß':
			return '-'
		case 'y':
			return 'z'
		case 'z':
			return 'y'
		case 'Y':
			return 'Z'
		case 'Z':
			return 'Y'
		}
		return r
	}, s), true
}

// varied: s has at least two different characters.
func varied(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return true
		}
	}
	return false
}
