// Package testsession proves the two-way interface with the institution's
// own test tickets (the Q&A's project steps 5 and 6; S-360's pre-event
// checklist: wrong entrance, invalid card, already scanned, cancelled,
// reprinted). The IT person scans each test ticket at the station; the
// station decides and records as usual; a sync cycle uploads the controls
// (within the call policy); then S-360 is asked (getControlledTicket) what
// it recorded of each ticket. The report says, per ticket, the station's
// verdict and reason, S-360's state and control operations, whether our
// control is among them, and PASS or FAIL against the outcome the
// institution expects. It is saved as CSV and as a printable HTML page.
//
// The package holds no screen and no command: the desktop app and
// `s360gate testsession` both drive a Session.
package testsession

import (
	"fmt"
	"slices"
	"strings"

	"s360gate/core"
)

// Line is one test ticket to scan: the code as typed or scanned, and the
// outcome the institution expects ("" when none is given).
//
// A line is written "CODE [EXPECTED]": the two separated by spaces, a tab,
// ';' or ',' (a column pasted from a spreadsheet). EXPECTED is ADMIT, DENY
// or a reason code (CANCELLED, ALREADY_USED, WRONG_GATE, INVALIDATED, …),
// in any case. Blank lines and lines starting with '#' are skipped.
type Line struct {
	No       int
	Code     string
	Expected string
}

// Expectations are the words EXPECTED may be: an outcome, or a reason.
func Expectations() []string {
	out := []string{string(core.Admit), string(core.Deny), string(core.ReasonOK), string(core.ReasonExit)}
	for _, r := range core.DenyReasons {
		out = append(out, string(r))
	}
	return out
}

// ParseLine reads one line of a session's input (no is its number, from 1).
// skip is true for a blank line or a comment.
func ParseLine(no int, text string) (l Line, skip bool, err error) {
	text = strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	if text == "" || strings.HasPrefix(text, "#") {
		return Line{}, true, nil
	}
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ';' || r == ',' || r == '\r'
	})
	l = Line{No: no, Code: fields[0]}
	switch len(fields) {
	case 1:
	case 2:
		l.Expected = strings.ToUpper(fields[1])
		if !slices.Contains(Expectations(), l.Expected) {
			return l, false, fmt.Errorf("line %d: %q is not an expected outcome: write ADMIT, DENY or a reason (%s)",
				no, fields[1], strings.Join(Expectations()[2:], ", "))
		}
	default:
		return l, false, fmt.Errorf("line %d: write one ticket per line, then optionally the expected outcome (CODE [EXPECTED])", no)
	}
	return l, false, nil
}

// Met reports whether a verdict is what expected says: the outcome (ADMIT,
// DENY) or the reason. An empty expectation is met by anything.
func Met(expected string, v core.Outcome, r core.Reason) bool {
	switch expected {
	case "":
		return true
	case string(core.Admit), string(core.Deny):
		return string(v) == expected
	}
	return string(r) == expected
}
