package s360

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/s360sim"
)

// A refusal naming a barcode whose digits contain "401" (or "403") is a
// refusal, not a credentials error: read as EAuth it was never retried
// without the blacklisted control, and that one control blocked every
// later upload of the station for good.
func TestImportRejectedBarcodeWith401(t *testing.T) {
	const detail = "Failed to import controlledTickets:7408854635744015573188"
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "ERROR", detail, "")
	})
	c, clk, _ := newTestClient(t, ts.URL)
	err := c.ImportControls(context.Background(), []core.Control{{Barcode: "7408854635744015573188", At: clk.Now()}})
	var rej *core.RejectedError
	if !errors.As(err, &rej) || core.ErrorCode(err) == core.EAuth || strings.Join(rej.Barcodes, ",") != "7408854635744015573188" {
		t.Fatalf("want a *core.RejectedError, not an auth error: %v", err)
	}
}

// The status numbers still mean authentication when they stand alone.
func TestLooksLikeAuthNumbers(t *testing.T) {
	cases := map[string]bool{
		"HTTP 401":                         true,
		"error 403: not allowed":           true,
		"401":                              true,
		"Unknown productCode: P4013":       false,
		"Invalid paginationStart 74015":    false,
		"controlDate 2026-04-01T10:40:13Z": false,
	}
	for detail, want := range cases {
		if got := looksLikeAuth("ERROR", detail); got != want {
			t.Errorf("looksLikeAuth(%q) = %v, want %v", detail, got, want)
		}
	}
}

// End to end with the simulator: a ticket whose barcode holds "401",
// blacklisted after export, is refused as such.
func TestSimRejectsBlacklistedBarcodeWith401(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 3000, Seed: 1, RateLimit: -1})
	var target string
	for _, code := range []string{"401", "403"} {
		e.sim.AllItems(func(it s360sim.Item) bool {
			if it.State == "VALID" && strings.Contains(it.Barcode[2:], code) {
				target = it.Barcode
			}
			return target == ""
		})
		if target != "" {
			break
		}
	}
	if target == "" {
		t.Skip("no barcode with 401/403 in this stadium")
	}
	if err := e.sim.Blacklist(target); err != nil {
		t.Fatal(err)
	}
	err := e.client.ImportControls(context.Background(), []core.Control{{Barcode: target, Station: "G1", At: time.Now()}})
	var rej *core.RejectedError
	if !errors.As(err, &rej) || core.ErrorCode(err) == core.EAuth {
		t.Fatalf("barcode %s: want a *core.RejectedError, got %v", target, err)
	}
}
