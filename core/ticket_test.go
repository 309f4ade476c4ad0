package core

import (
	"strings"
	"testing"
)

// TestCancellationOnOneLine: a cause S-360 sent with a line break (or
// tabs, or runs of spaces) stays on one line at the gate.
func TestCancellationOnOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"REFUND_REQUESTED": "refund requested", "Refund\nrequested by\r\n the holder": "refund requested by the holder",
		"  \n ": "", "NOT_CANCELLED\n": "",
	} {
		if got := CancellationWords(in); got != want {
			t.Errorf("CancellationWords(%q) = %q, want %q", in, got, want)
		}
	}
	tk := Ticket{Barcode: "1", State: StateCancelled, CancellationCause: "FRAUD\nsee the desk"}
	v := Decide(Decision{Scanned: "1", Ticket: &tk, Checkpoint: Checkpoint{Station: Station{Direction: DirectionIn}}})
	if m := said(&v, nil); strings.ContainsAny(m, "\r\n") || m != "Cancelled — fraud see the desk" {
		t.Errorf("message %q", m)
	}
}

func TestBlacklisted(t *testing.T) {
	for _, tc := range []struct {
		t    Ticket
		want bool
	}{
		{Ticket{State: StateValid}, false},
		{Ticket{State: StateValid, RejectedByS360: "Failed to import controlledTickets:1"}, true},
		{Ticket{State: StateCancelled, CancellationCause: "blacklisted "}, true},
		{Ticket{State: StateCancelled, CancellationCause: "REFUND_REQUESTED"}, false},
	} {
		if got := tc.t.Blacklisted(); got != tc.want {
			t.Errorf("%+v: %v", tc.t, got)
		}
	}
}
