package core

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // a Windows laptop has no zone database of its own
)

// The venue's time. S-360 institutions speak their own local time, and the
// laptop at the gate may be set to any zone (a supervisor's own laptop, a
// kiosk on UTC). getTimeZone names the institution's zone; the sync engine
// stores it in SyncState.TimeZone, and from there it decides what "event
// day" is, how S-360's times without an offset are read, and how times are
// shown at the gate, at the desk, in messages and reports. Without a stored
// zone, the laptop's is used (and the Sync tab says so).

var zones sync.Map // name → *time.Location (nil for a name that is not one)

// LoadZone is the location that name, as getTimeZone answered it, names:
// an IANA name ("Europe/Zurich", "CET", "UTC") or a fixed offset ("+01:00",
// "GMT+1", "UTC-05:00") [assumed: the answer's format is not published].
// It is nil when name is empty or names no zone this program knows.
// Results are cached: a scan may ask for every decision.
func LoadZone(name string) *time.Location {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc := loadZone(name)
	zones.Store(name, loc)
	return loc
}

var offsetRe = regexp.MustCompile(`^(?i:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$`)

func loadZone(name string) *time.Location {
	if strings.EqualFold(name, "Local") {
		return nil // the laptop's is what "no zone" means already
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	if m := offsetRe.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins, _ := strconv.Atoi(m[3])
		if h > 14 || mins > 59 {
			return nil
		}
		off := h*3600 + mins*60
		if m[1] == "-" {
			off = -off
		}
		return time.FixedZone(name, off)
	}
	return nil
}

// ZoneOr is loc, or the laptop's zone when loc is nil.
func ZoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.Local
	}
	return loc
}

// LaptopShows reports whether the laptop's clock shows at t what loc's
// does (the same offset): then a time needs no zone beside it. Only the
// offset counts: the same zone may be named differently by the laptop's
// system (Windows names its zones its own way; Wine's "UTC" is not Go's).
func LaptopShows(loc *time.Location, t time.Time) bool {
	if loc == nil || loc == time.Local {
		return true
	}
	_, o1 := t.In(loc).Zone()
	_, o2 := t.In(time.Local).Zone()
	return o1 == o2
}

// FormatIn writes t in the venue's zone loc (nil: the laptop's) with
// layout, followed by the zone's abbreviation ("18:42 CET") when the
// laptop's clock shows another time: a supervisor whose laptop is set to
// New York reads the venue's hour, and sees that it is the venue's.
func FormatIn(t time.Time, loc *time.Location, layout string) string {
	s := t.In(ZoneOr(loc)).Format(layout)
	if !LaptopShows(loc, t) {
		s += " " + ZoneLabel(loc, t)
	}
	return s
}

// ZoneLabel is how the zone is named beside a time: its abbreviation at t
// ("CET", "CEST"), or the zone's name when the abbreviation is only an
// offset ("+03" says little).
func ZoneLabel(loc *time.Location, t time.Time) string {
	loc = ZoneOr(loc)
	abbr, _ := t.In(loc).Zone()
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
		if n := loc.String(); n != "" && n != "Local" {
			return n
		}
	}
	return abbr
}

// DateIn is the calendar date of t in loc (nil: the laptop's zone).
func DateIn(t time.Time, loc *time.Location) (year int, month time.Month, day int) {
	return t.In(ZoneOr(loc)).Date()
}

// MidnightIn is the start of the calendar day y-m-d in loc (nil: the
// laptop's zone): a date typed on a command line (--since, --before) means
// that day at the venue.
func MidnightIn(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, ZoneOr(loc))
}

// ParseDateIn reads YYYY-MM-DD as the start of that day in loc.
func ParseDateIn(s string, loc *time.Location) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), ZoneOr(loc))
}
