package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/words"
)

// deskDo is how the desk, status and settings screens apply results that
// come from worker goroutines to their widgets. It is fyne.Do; tests swap
// in a runner that serialises with their own reads, because the test
// driver runs fyne.Do inline on the calling goroutine.
var deskDo = fyne.Do

// Small formatting helpers shared by the desk, status and settings screens.
// They are prefixed "desk" so that they cannot clash with helpers of the
// other screens of the package.

// deskClock is a time as staff read it: "18:25:10" today, "Wed 26 Nov
// 18:25" on another day, "never" for the zero time. Always the venue's
// time (the stadium's clock, not UTC nor the laptop's zone), followed by
// the zone when the laptop's clock shows another (venueClock).
func deskClock(t, now time.Time) string {
	if t.IsZero() {
		return T("time.never")
	}
	z := core.ZoneOr(venueZone())
	switch {
	case deskSameDay(t.In(z), now.In(z)):
		return venueClock(t, "15:04:05")
	case t.In(z).Year() == now.In(z).Year():
		return venueClock(t, words.LayoutDayTime)
	}
	return venueClock(t, words.LayoutFull)
}

// deskShortClock is deskClock without seconds, for "next allowed" times.
func deskShortClock(t, now time.Time) string {
	if t.IsZero() {
		return T("time.never")
	}
	z := core.ZoneOr(venueZone())
	if deskSameDay(t.In(z), now.In(z)) {
		return venueClock(t, "15:04")
	}
	return venueClock(t, words.LayoutDayTime)
}

func deskSameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// deskAgo is "just now", "3 min ago", "in 12 min", "2 h ago", "3 days ago".
func deskAgo(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	switch {
	case d < time.Minute:
		if future {
			return T("time.inLessThanMinute")
		}
		return T("time.justNow")
	case d < time.Hour:
		return T(map[bool]string{true: "time.inMin", false: "time.agoMin"}[future], map[string]any{"N": int(d / time.Minute)})
	case d < 48*time.Hour:
		return T(map[bool]string{true: "time.inH", false: "time.agoH"}[future], map[string]any{"N": int(d / time.Hour)})
	}
	return TN(map[bool]string{true: "time.inDays", false: "time.agoDays"}[future], int(d/(24*time.Hour)))
}

// deskWhenAgo is "14:02:11 (3 min ago)", or "never".
func deskWhenAgo(t, now time.Time) string {
	if t.IsZero() {
		return T("time.never")
	}
	return deskClock(t, now) + " (" + deskAgo(t, now) + ")"
}

// deskThousands writes 124000 as the GUI's language does ("124,000",
// "124 000", "124.000"): counts are read at a glance.
func deskThousands(n int) string { return Lang().Number(n) }

// deskSay sets a message label and hides it when there is nothing to
// say, so that empty messages leave no blank rows in the layout.
func deskSay(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// deskOr returns v, or the dash that says "nothing here" on a form.
func deskOr(v string) string {
	if strings.TrimSpace(v) == "" {
		return "—"
	}
	return v
}
