package ui

import (
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

func TestRingKeepsTheNewest(t *testing.T) {
	r := newRing(feedCap)
	t0 := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	const n = 12_345
	for i := range n {
		r.Push(feedEntry{At: t0.Add(time.Duration(i) * time.Second), Tail: itoa(i), Scan: i%2 == 0})
	}
	if r.Len() != feedCap {
		t.Fatalf("len %d", r.Len())
	}
	if r.Newest(0).Tail != itoa(n-1) || r.Newest(feedCap-1).Tail != itoa(n-feedCap) {
		t.Errorf("newest %q, oldest kept %q", r.Newest(0).Tail, r.Newest(feedCap-1).Tail)
	}
	now := t0.Add((n - 1) * time.Second)
	if got := r.perMinute(now); got != 31 { // the even ones among the last 61 s
		t.Errorf("per minute %d", got)
	}
}

func BenchmarkRingPush(b *testing.B) {
	r := newRing(feedCap)
	for i := 0; b.Loop(); i++ {
		r.Push(feedEntry{Tail: "x"})
		_ = r.Newest(0)
	}
}

func TestEntryOfControl(t *testing.T) {
	cases := []struct {
		c    core.Control
		word string
	}{
		{core.Control{Outcome: core.Admit, Direction: core.DirectionIn}, "ADMIT"},
		{core.Control{Outcome: core.Admit, Direction: core.DirectionOut}, "EXIT"},
		{core.Control{Outcome: core.Admit, Override: true}, "OVERRIDE"},
		{core.Control{Outcome: core.Deny}, "DENY"},
	}
	for _, c := range cases {
		if e := entryOfControl(&c.c); e.Word != c.word || !e.Scan {
			t.Errorf("%+v → %+v", c.c, e)
		}
	}
}

// Counts are written as the GUI's language groups digits.
func TestItoa(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := itoa(n); got != want {
			t.Errorf("itoa(%d) = %q, want %q", n, got, want)
		}
	}
	defer SetLanguage(words.EN)
	SetLanguage(words.DE)
	if got := itoa(1234567); got != "1.234.567" {
		t.Errorf("in German: %q", got)
	}
}

// The feed keeps feedCap scans whatever the gate does: a busy event does
// not grow the app.
func TestFeedIsBounded(t *testing.T) {
	r := newRing(feedCap)
	for i := range feedCap + 1000 {
		r.Push(feedEntry{At: gateNow.Add(time.Duration(i) * time.Second), Word: "ADMIT"})
	}
	if r.Len() != feedCap || len(r.buf) != feedCap || cap(r.buf) != feedCap {
		t.Fatalf("ring of %d entries, buffer %d/%d", r.Len(), len(r.buf), cap(r.buf))
	}
	if got := r.Newest(0).At; !got.Equal(gateNow.Add(time.Duration(feedCap+999) * time.Second)) {
		t.Errorf("newest %v", got)
	}
}
