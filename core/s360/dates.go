package s360

import (
	"strconv"
	"strings"
	"time"

	"s360gate/core"
)

// Date shapes are [assumed]: RFC 3339 with or without a zone (Java's
// "+0100" too), a plain date, or epoch milliseconds (number or digits).
// A time without a zone is the institution's local time: S-360 institutions
// speak their own. It is read in loc, the zone getTimeZone named (the
// client's Zone, from the station's stored sync state); nil, when none is
// known, means the laptop's zone. This is where the zone must be known at
// decoding: the store keeps instants, so a validity time read in the wrong
// zone would be wrong for every decision after.

// Epoch values below this are seconds, above it milliseconds (1e11 s is
// the year 5138; 1e11 ms is March 1973).
const epochMillisFrom = 100_000_000_000

func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f > 1e17 || f < -1e17 {
			return time.Time{}, false
		}
		if f > -epochMillisFrom && f < epochMillisFrom {
			return time.UnixMilli(int64(f * 1000)).UTC(), true
		}
		return time.UnixMilli(int64(f)).UTC(), true
	}
	if hasZone(s) {
		for _, layout := range zonedLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, core.ZoneOr(loc)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var (
	zonedLayouts = []string{
		time.RFC3339, // fractional seconds are accepted when parsing
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05Z07",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05Z0700",
		"2006-01-02T15:04Z07:00",
	}
	localLayouts = []string{
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
		"2006-01-02",
	}
)

// isEpoch: a JSON number's shape (sign, digits, fraction, exponent).
func isEpoch(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'e', c == 'E':
		case (c == '-' || c == '+') && (s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return false
		}
	}
	return true
}

// hasZone: ends in Z or carries an offset after the date.
func hasZone(s string) bool {
	if c := s[len(s)-1]; c == 'Z' || c == 'z' {
		return true
	}
	if len(s) <= 10 {
		return false
	}
	return strings.ContainsAny(s[10:], "+-")
}

// birthDate keeps YYYY-MM-DD: a time part is cut, epoch millis are turned
// into the UTC date, anything else is kept as sent.
func birthDate(s string) string {
	if isEpoch(s) {
		if t, ok := parseTime(s, time.UTC); ok {
			return t.UTC().Format("2006-01-02")
		}
		return s
	}
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return s[:10]
		}
	}
	return s
}
