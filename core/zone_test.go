package core

import (
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for name, offset := range map[string]int{
		"Europe/Zurich": 3600, "UTC": 0, "CET": 3600, "+01:00": 3600, "GMT+1": 3600, "UTC-05:00": -5 * 3600, " Europe/Zurich ": 3600,
	} {
		loc := LoadZone(name)
		if loc == nil {
			t.Errorf("LoadZone(%q) = nil", name)
			continue
		}
		// In winter: Zurich and CET are at +1 then.
		if _, off := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).In(loc).Zone(); off != offset {
			t.Errorf("LoadZone(%q): offset %d, want %d", name, off, offset)
		}
	}
	for _, name := range []string{"", "Local", "Mars/Olympus", "+25:00", "GMT+1:99"} {
		if loc := LoadZone(name); loc != nil {
			t.Errorf("LoadZone(%q) = %v, want nil", name, loc)
		}
	}
}

// TestFormatIn: times are the venue's, with the zone beside them only when
// the laptop's clock would show another time.
func TestFormatIn(t *testing.T) {
	zurich := mustZone(t, "Europe/Zurich")
	at := time.Date(2026, 11, 27, 17, 42, 0, 0, time.UTC) // 18:42 in Zurich
	got := FormatIn(at, zurich, "15:04")
	if LaptopShows(zurich, at) {
		if got != "18:42" {
			t.Errorf("laptop in the venue's zone: %q", got)
		}
	} else if got != "18:42 CET" {
		t.Errorf("laptop elsewhere: %q, want 18:42 CET", got)
	}
	if got := FormatIn(at, nil, "15:04"); got != at.Local().Format("15:04") {
		t.Errorf("no venue zone: %q, want the laptop's time", got)
	}
	// A zone whose abbreviation is a bare offset is named.
	if l := ZoneLabel(mustZone(t, "America/Sao_Paulo"), at); l != "America/Sao_Paulo" {
		t.Errorf("label %q", l)
	}
}

// TestDecideShowsVenueTime: "already used at" is the venue's hour, with
// the zone when the laptop is elsewhere, whatever zone the control's time
// was read in.
func TestDecideShowsVenueTime(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	first := time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC) // 18:05 in Tokyo
	tk := Ticket{Barcode: "1", State: StateValid}
	v := Decide(Decision{Scanned: "1", Ticket: &tk, Now: first.Add(time.Hour),
		History:    []Control{{At: first.In(time.FixedZone("X", -7*3600)), Outcome: Admit, Direction: DirectionIn, Gate: "N1"}},
		Checkpoint: Checkpoint{Station: Station{Direction: DirectionIn}, Zone: tokyo}})
	want := "Already used at 18:05"
	if !LaptopShows(tokyo, first) {
		want += " JST"
	}
	if got := said(&v, tokyo); !strings.HasPrefix(got, want+", gate N1") {
		t.Errorf("message %q, want %q…", got, want)
	}
	// The policy's refusal names the venue's time too.
	ref := &PolicyRefusal{Next: first, Env: EnvProduction, Zone: tokyo}
	if !strings.Contains(ref.Error(), "2026-11-27 18:05:00") {
		t.Errorf("refusal %q", ref.Error())
	}
}
