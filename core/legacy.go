package core

import (
	"regexp"
	"strings"
	"time"
)

// s360gate before schema 4 stored a control's message in English words
// instead of its facts. ReadOldMessage reads those words back into facts,
// so that an upgraded store's old controls are said in every language like
// new ones; the stores keep the words as they are (Facts.Text) when it
// cannot. The patterns are the words those versions wrote, which no longer
// change: do not derive them from the catalogue.

var (
	oldCancelled = regexp.MustCompile(`^Cancelled(?: — (.+))?$`)
	oldEvent     = regexp.MustCompile(`^Not for this event — ticket is for (.+)$`)
	oldSeason    = regexp.MustCompile(`^another season \((.*)\)$`)
	oldEarly     = regexp.MustCompile(`^Not valid yet — valid from (.+)$`)
	oldLate      = regexp.MustCompile(`^Expired — valid until (.+)$`)
	oldUsed      = regexp.MustCompile(`^Already used at (\d{4}-\d{2}-\d{2} )?(\d{2}:\d{2})( [^,]+)?((?:, .*)?)$`)
	oldWrongGate = regexp.MustCompile(`^Wrong entrance — use gate (.*)$`)
	oldTime      = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} )?(\d{2}:\d{2})( \S+)?$`)
)

var oldFixed = map[string]Reason{
	"Valid ticket":  ReasonOK,
	"Exit recorded": ReasonExit,
	"Unknown ticket — not in this event's list":                   ReasonUnknown,
	"Blocked by S-360 — ticket blacklisted after it was exported": ReasonRejectedByS360,
	"Invalidated — replaced by a reprint or resale":               ReasonInvalidated,
	"Not inside — no entry recorded for this ticket":              ReasonNotInside,
}

// ReadOldMessage reads the message an older s360gate stored for a control
// of reason r, recorded at, overridden with the supervisor's words why,
// at a venue in zone (nil: the laptop's). ok is false when the words are
// not what it wrote for r, or a time in them is not certain.
func ReadOldMessage(r Reason, msg, why string, at time.Time, zone *time.Location) (Facts, bool) {
	if r == ReasonOverride {
		inner, found := strings.CutPrefix(msg, "Admitted by supervisor: "+why+" (was: ")
		if !found || !strings.HasSuffix(inner, ")") {
			return Facts{}, false
		}
		wasReason, was, ok := readOldDenial(strings.TrimSuffix(inner, ")"), at, zone)
		if !ok {
			return Facts{}, false
		}
		return Facts{Overridden: wasReason, Was: &was}, true
	}
	got, f, ok := readOldDenial(msg, at, zone)
	return f, ok && got == r
}

// readOldDenial finds which verdict words msg are, and their facts.
func readOldDenial(msg string, at time.Time, zone *time.Location) (Reason, Facts, bool) {
	if r, ok := oldFixed[msg]; ok {
		return r, Facts{}, true
	}
	if m := oldCancelled.FindStringSubmatch(msg); m != nil {
		// The cause was written in lower-case words: its code again.
		return ReasonCancelled, Facts{Cause: strings.ToUpper(strings.ReplaceAll(m[1], " ", "_"))}, true
	}
	if m := oldEvent.FindStringSubmatch(msg); m != nil {
		if s := oldSeason.FindStringSubmatch(m[1]); s != nil {
			return ReasonNotThisEvent, Facts{Season: s[1]}, true
		}
		prod, perf, _ := strings.Cut(m[1], " / ")
		return ReasonNotThisEvent, Facts{Product: prod, Performance: perf}, true
	}
	if m := oldEarly.FindStringSubmatch(msg); m != nil {
		t, ok := readOldTime(m[1], at, zone)
		return ReasonNotValidNow, Facts{ValidFrom: t}, ok
	}
	if m := oldLate.FindStringSubmatch(msg); m != nil {
		t, ok := readOldTime(m[1], at, zone)
		return ReasonNotValidNow, Facts{ValidTo: t}, ok
	}
	if m := oldUsed.FindStringSubmatch(msg); m != nil {
		t, ok := readOldTime(m[1]+m[2]+m[3], at, zone)
		f := Facts{UsedAt: t}
		// ", gate G, STATION", either part absent; gates and station names
		// hold no commas (Settings.Validate).
		for _, part := range strings.Split(strings.TrimPrefix(m[4], ", "), ", ") {
			if g, isGate := strings.CutPrefix(part, "gate "); isGate && f.UsedGate == "" && f.UsedStation == "" {
				f.UsedGate = g
			} else if part != "" {
				f.UsedStation = part
			}
		}
		return ReasonAlreadyUsed, f, ok
	}
	if m := oldWrongGate.FindStringSubmatch(msg); m != nil {
		return ReasonWrongGate, Facts{Entrance: m[1]}, true
	}
	return "", Facts{}, false
}

// readOldTime reads "15:04" (on the day of at) or "2006-01-02 15:04", at
// the venue, with the zone's abbreviation when the laptop showed another
// time. It is certain only when the abbreviation, or its absence, is what
// the zone gives at that time.
func readOldTime(s string, at time.Time, zone *time.Location) (time.Time, bool) {
	m := oldTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	z := ZoneOr(zone)
	day := strings.TrimSpace(m[1])
	if day == "" {
		day = at.In(z).Format(time.DateOnly)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+m[2], z)
	if err != nil {
		return time.Time{}, false
	}
	label := strings.TrimSpace(m[3])
	if label == "" {
		return t, LaptopShows(zone, t)
	}
	return t, !LaptopShows(zone, t) && label == ZoneLabel(zone, t)
}
