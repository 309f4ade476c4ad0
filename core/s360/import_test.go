package s360

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

func TestImportControlsBody(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	c, _, _ := newTestClient(t, ts.URL)
	at := time.Date(2026, 11, 27, 19, 25, 10, 0, time.FixedZone("CET", 3600))
	controls := []core.Control{
		{Station: "GATE_A_1", Gate: "A", Barcode: "111", At: at, Outcome: core.Admit, Reason: core.ReasonOK},
		{Station: "GATE_A_1", Barcode: "222", At: at, Outcome: core.Deny, Reason: core.ReasonAlreadyUsed},
		{Station: "GATE_A_1", Scanned: "junk", At: at, Outcome: core.Deny, Reason: core.ReasonUnknown}, // never sent
		{Station: "GATE_A_1", Gate: "A", Barcode: "333", At: at, Outcome: core.Admit, Reason: core.ReasonAlreadyUsed, Override: true, OverrideReason: "re-entry after first aid", Offline: true},
		{Station: "GATE_A_1", Barcode: "444", At: at, Outcome: core.Deny, Reason: core.ReasonCancelled, Offline: true},
	}
	if err := c.ImportControls(context.Background(), controls); err != nil {
		t.Fatal(err)
	}
	reqs := ts.Requests()
	if len(reqs) != 1 || reqs[0].Method != "importControlledTicket" {
		t.Fatalf("requests %+v", reqs)
	}
	raw := string(reqs[0].Raw)
	want := `"controlledTickets":[` +
		`{"acIdentifier":"GATE_A_1","barcode":"111","controlDate":"2026-11-27T18:25:10Z","controlResult":"OK","additionnalInfo":"gate A"},` +
		`{"acIdentifier":"GATE_A_1","barcode":"222","controlDate":"2026-11-27T18:25:10Z","controlResult":"FAIL","failureReason":"ALREADY_USED"},` +
		`{"acIdentifier":"GATE_A_1","barcode":"333","controlDate":"2026-11-27T18:25:10Z","controlResult":"OFFLINE_OK","additionnalInfo":"gate A; override: re-entry after first aid"},` +
		`{"acIdentifier":"GATE_A_1","barcode":"444","controlDate":"2026-11-27T18:25:10Z","controlResult":"OFFLINE_FAIL","failureReason":"CANCELLED"}]`
	if !strings.Contains(raw, want) || !strings.HasPrefix(raw, `{"requestId":1,`) {
		t.Errorf("body\n%s\nwant\n%s", raw, want)
	}
}

func TestImportControlsNothingToSend(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	c, _, _ := newTestClient(t, ts.URL)
	if err := c.ImportControls(context.Background(), []core.Control{{Scanned: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.ImportControls(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.Requests()); n != 0 {
		t.Fatalf("%d requests for nothing", n)
	}
}

func TestImportControlsRejected(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "ERROR", "Failed to import controlledTickets:222, 444.", "")
	})
	c, clk, _ := newTestClient(t, ts.URL)
	err := c.ImportControls(context.Background(), []core.Control{{Barcode: "111", At: clk.Now()}, {Barcode: "222", At: clk.Now()}, {Barcode: "444", At: clk.Now()}})
	var rej *core.RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("want *core.RejectedError, got %v", err)
	}
	if strings.Join(rej.Barcodes, ",") != "222,444" || rej.Detail != "Failed to import controlledTickets:222, 444." {
		t.Errorf("%+v", rej)
	}
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "222, 444") || !strings.Contains(msg, "blacklisted") {
		t.Errorf("message %q", msg)
	}
	if len(ts.Requests()) != 1 {
		t.Errorf("a rejection was retried")
	}
}

// TestImportNot5xxRetried: the sync engine decides when to upload again.
func TestImportNot5xxRetried(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { w.WriteHeader(502) })
	c, clk, _ := newTestClient(t, ts.URL)
	err := c.ImportControls(context.Background(), []core.Control{{Barcode: "1", At: clk.Now()}})
	wantCode(t, err, core.EUnavailable)
	if n := len(ts.Requests()); n != 1 {
		t.Fatalf("%d attempts", n)
	}
}
