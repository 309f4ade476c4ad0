package words

import (
	"strings"
	"time"

	"golang.org/x/text/message"
)

// Number writes n as the language groups digits: 12,345 in English,
// 12 345 in French, 12.345 in German and Italian.
func (l Lang) Number(n int) string {
	return message.NewPrinter(l.Or(EN).Tag()).Sprintf("%d", n)
}

// Layouts of times, by what they show. Each language writes its own in its
// file (Go reference-time layouts, e.g. "02.01.2006" in German); weekday
// and month names ("Mon", "Jan" in a layout) are the language's.
const (
	LayoutDate     = "time.date"     // a calendar date: 2026-11-27, 27/11/2026, 27.11.2026
	LayoutDateTime = "time.dateTime" // a date and its hour
	LayoutDayTime  = "time.dayTime"  // this year: weekday, day, month, hour
	LayoutFull     = "time.full"     // another year: day, month, year, hour
)

// Format writes t (already in the zone it is to be read in) with the
// language's layout for what (LayoutDate…), or with a Go layout of one's
// own: "Mon" and "Jan" in it are the language's weekday and month.
func (l Lang) Format(t time.Time, what string) string {
	layout := what
	if strings.HasPrefix(what, "time.") {
		layout = l.T(what, nil)
	}
	var b strings.Builder
	for layout != "" {
		i, tok := nextName(layout)
		if i < 0 {
			b.WriteString(t.Format(layout))
			break
		}
		if i > 0 {
			b.WriteString(t.Format(layout[:i]))
		}
		switch tok {
		case "Mon":
			b.WriteString(l.name("time.days", int(t.Weekday())))
		case "Jan":
			b.WriteString(l.name("time.months", int(t.Month())-1))
		}
		layout = layout[i+len(tok):]
	}
	return b.String()
}

// nextName finds the first weekday or month name token of a layout.
func nextName(layout string) (int, string) {
	i, tok := -1, ""
	for _, t := range []string{"Mon", "Jan"} {
		if j := strings.Index(layout, t); j >= 0 && (i < 0 || j < i) {
			i, tok = j, t
		}
	}
	return i, tok
}

// name is the n-th of the space-separated names of key ("time.days":
// Sunday first; "time.months": January first).
func (l Lang) name(key string, n int) string {
	names := strings.Fields(l.T(key, nil))
	if n < 0 || n >= len(names) {
		return "?"
	}
	return names[n]
}

// Date reads "YYYY-MM-DD" (a birth date as S-360 sends it, a time part
// after it allowed) and writes it as the language does; anything else is
// given back as it is.
func (l Lang) Date(ymd string) string {
	s := strings.TrimSpace(ymd)
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return l.Format(t, LayoutDate)
		}
	}
	return ymd
}
