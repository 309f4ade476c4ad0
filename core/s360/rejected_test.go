package s360

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRejected(t *testing.T) {
	cases := []struct {
		detail string
		want   []string
	}{
		{"Failed to import controlledTickets:7415628301550254", []string{"7415628301550254"}},
		{"Failed to import controlledTickets:1,2,3", []string{"1", "2", "3"}},
		{"Failed to import controlledTickets: 1, 2 ;3.", []string{"1", "2", "3"}},
		{"failed to import CONTROLLEDTICKETS : 11 22", []string{"11", "22"}},
		{"Failed to import controlled tickets:[1;2]", []string{"1", "2"}},
		{"Failed to import controlledTickets:1. Failed to import controlledTickets:2,1", []string{"1", "2"}},
		{"Error: Failed to import controlledTickets:74156283015502540001. Ticket is blacklisted", []string{"74156283015502540001"}},
		{"Failed to import controlledTicket:AB12-3", []string{"AB12-3"}},
		{"Failed to import controlledTickets:", nil},
		{"Failed to import controlledTickets: unknown reason", nil},
		{"Invalid season", nil},
		{"", nil},
	}
	for _, tc := range cases {
		got, ok := ParseRejected(tc.detail)
		if !reflect.DeepEqual(got, tc.want) || ok != (tc.want != nil) {
			t.Errorf("ParseRejected(%q) = %q, %v; want %q", tc.detail, got, ok, tc.want)
		}
	}
}

func FuzzParseRejected(f *testing.F) {
	for _, s := range []string{
		"Failed to import controlledTickets:7415628301550254",
		"Failed to import controlledTickets: 1, 2 ;3.",
		"failed to import CONTROLLED_TICKETS=[a1 b2]",
		"x Failed to import controlledTickets:1 Failed to import controlledTickets:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, detail string) {
		got, ok := ParseRejected(detail)
		if ok != (len(got) > 0) {
			t.Fatalf("ok %v with %q", ok, got)
		}
		seen := map[string]bool{}
		for _, b := range got {
			if b == "" || !strings.Contains(detail, b) || !strings.ContainsAny(b, "0123456789") || seen[b] {
				t.Fatalf("bad barcode %q from %q", b, detail)
			}
			seen[b] = true
		}
	})
}
