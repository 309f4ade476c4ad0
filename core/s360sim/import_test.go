package s360sim

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

type ctl struct {
	ACIdentifier    string `json:"acIdentifier"`
	Barcode         string `json:"barcode"`
	ControlDate     string `json:"controlDate"`
	ControlResult   string `json:"controlResult"`
	FailureReason   string `json:"failureReason,omitempty"`
	AdditionnalInfo string `json:"additionnalInfo,omitempty"`
}

type importBody struct {
	RequestID         int   `json:"requestId"`
	ControlledTickets []ctl `json:"controlledTickets"`
}

func (c *tclient) importControls(cs ...ctl) status {
	c.t.Helper()
	var r status
	if st := c.call("importControlledTicket", importBody{RequestID: 3, ControlledTickets: cs}, &r); st != http.StatusOK {
		c.t.Fatalf("importControlledTicket: HTTP %d", st)
	}
	return r
}

func TestImportTransactional(t *testing.T) {
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	valid := sampleOf(t, sim, "valid").Barcode
	child := sampleOf(t, sim, "child").Barcode
	blInitial := sampleOf(t, sim, "blacklisted").Barcode // blacklisted after reaching the white list
	blNow := sampleOf(t, sim, "senior").Barcode
	cancelled := sampleOf(t, sim, "cancelled").Barcode // cancelled, not blacklisted: importable
	if err := sim.Blacklist(blNow); err != nil {
		t.Fatal(err)
	}
	if err := sim.Blacklist(blNow); err != nil { // idempotent
		t.Fatal(err)
	}
	at := "2026-11-27T18:25:10Z"
	batch := []ctl{
		{ACIdentifier: "GATE_N1_A", Barcode: valid, ControlDate: at, ControlResult: "OK", AdditionnalInfo: "lane 3"},
		{ACIdentifier: "GATE_N1_A", Barcode: blInitial, ControlDate: at, ControlResult: "FAIL", FailureReason: "BLACKLISTED"},
		{ACIdentifier: "GATE_N1_A", Barcode: "999999", ControlDate: at, ControlResult: "FAIL"},
		{ACIdentifier: "GATE_N1_B", Barcode: blNow, ControlDate: at, ControlResult: "OK"},
		{ACIdentifier: "GATE_N1_B", Barcode: blInitial, ControlDate: at, ControlResult: "FAIL"},
		{ACIdentifier: "GATE_N1_B", Barcode: cancelled, ControlDate: at, ControlResult: "FAIL", FailureReason: "CANCELLED"},
	}
	r := c.importControls(batch...)
	if want := fmt.Sprintf("Failed to import controlledTickets:%s,%s", blInitial, blNow); r.StatusCode != "ERROR" || r.StatusDetail != want {
		t.Fatalf("got %q %q, want ERROR %q", r.StatusCode, r.StatusDetail, want)
	}
	if n := len(sim.Controls()); n != 0 {
		t.Fatalf("%d controls imported by a refused call", n)
	}
	// Without the named barcodes the call succeeds; the unknown one is ignored.
	rest := []ctl{batch[0], batch[2], batch[5]}
	if r := c.importControls(rest...); r.StatusCode != "success" || string(r.RequestID) != "3" {
		t.Fatalf("resend: %+v", r)
	}
	got := sim.Controls()
	if len(got) != 2 || got[0].Barcode != valid || got[1].Barcode != cancelled {
		t.Fatalf("controls %+v", got)
	}
	if got[0].AdditionalInfo != "lane 3" || got[0].ACIdentifier != "GATE_N1_A" || got[1].FailureReason != "CANCELLED" ||
		!got[0].ControlDate.Equal(time.Date(2026, 11, 27, 18, 25, 10, 0, time.UTC)) || !got[0].ReceivedAt.Equal(clk.Now()) {
		t.Fatalf("control fields %+v", got[0])
	}
	// Duplicates (same barcode+date+device+result, even with another date
	// spelling) are harmless; a different result is a new control.
	dup := batch[0]
	dup.ControlDate = "2026-11-27T19:25:10+01:00"
	c.importControls(batch[0], dup, rest[2])
	c.importControls(ctl{ACIdentifier: "GATE_N1_A", Barcode: valid, ControlDate: at, ControlResult: "OFFLINE_OK"},
		ctl{ACIdentifier: "GATE_S2", Barcode: child, ControlDate: "2026-11-27T19:01:02.123", ControlResult: "OFFLINE_FAIL"})
	got = sim.Controls()
	if len(got) != 4 || got[2].ControlResult != "OFFLINE_OK" || got[3].Barcode != child {
		t.Fatalf("after duplicates: %+v", got)
	}
	// An empty call is fine.
	if r := c.importControls(); r.StatusCode != "success" {
		t.Fatalf("empty import: %+v", r)
	}
	// Garbage fails the whole call.
	for _, bad := range []ctl{
		{ACIdentifier: "G", Barcode: child, ControlDate: at, ControlResult: "MAYBE"},
		{ACIdentifier: "G", Barcode: child, ControlDate: "yesterday", ControlResult: "OK"},
		{ACIdentifier: "G", Barcode: child, ControlDate: "", ControlResult: "OK"},
		{ACIdentifier: "", Barcode: child, ControlDate: at, ControlResult: "OK"},
		{ACIdentifier: "G", Barcode: "", ControlDate: at, ControlResult: "OK"},
	} {
		good := ctl{ACIdentifier: "G", Barcode: child, ControlDate: "2026-11-27T20:00:00Z", ControlResult: "OK"}
		if r := c.importControls(good, bad); r.StatusCode != "INVALID" {
			t.Fatalf("%+v: %+v", bad, r)
		}
	}
	if n := len(sim.Controls()); n != 4 {
		t.Fatalf("garbage imported something: %d", n)
	}
	if st := sim.Stats(); st.Imported != 4 {
		t.Fatalf("Imported = %d", st.Imported)
	}
}

// controlledTicketResp is getControlledTicket's documented answer.
type controlledTicketResp struct {
	status
	Data *struct {
		Barcode             string  `json:"barcode"`
		TaxNumber           string  `json:"taxNumber"`
		State               string  `json:"state"`
		Duplicate           *bool   `json:"duplicate"`
		TicketKind          string  `json:"ticketKind"`
		TicketMedium        string  `json:"ticketMedium"`
		PrintingDateTime    string  `json:"printingDateTime"`
		ContainerIdentifier *string `json:"containerIdentifier"`
		ContainerTicket     *bool   `json:"containerTicket"`
		Operations          []struct {
			Type string `json:"controlOperationType"`
			At   string `json:"operationDateTime"`
		} `json:"controlOperations"`
	} `json:"controlledTicketData"`
}

// TestGetControlledTicket: the documented controlledTicketData shape, with
// the controls imported for the ticket among its operations.
func TestGetControlledTicket(t *testing.T) {
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	valid := sampleOf(t, sim, "valid")
	c.importControls(ctl{ACIdentifier: "GATE_N1_A", Barcode: valid.Barcode, ControlDate: "2026-11-27T13:55:10Z", ControlResult: "OK"})
	clk.Advance(time.Hour)
	if err := sim.Cancel(valid.Barcode, "FRAUD"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{valid.Barcode, valid.TaxNumber} {
		var r controlledTicketResp
		c.call("getControlledTicket", map[string]any{"requestId": 9, "barCodeOrTaxNumber": key}, &r)
		d := r.Data
		if r.StatusCode != "success" || d == nil || d.Barcode != valid.Barcode || d.TaxNumber != valid.TaxNumber || d.State != "CANCELLED" {
			t.Fatalf("%s: %+v", key, r)
		}
		if d.Duplicate == nil || *d.Duplicate || d.TicketKind == "" || d.ContainerTicket == nil || *d.ContainerTicket ||
			!slices.Contains([]string{"E_TICKET", "MOBILE", "THERMAL"}, d.TicketMedium) || d.ContainerIdentifier != nil {
			t.Fatalf("%s: fields %+v", key, d)
		}
		if p, err := time.Parse(time.RFC3339, d.PrintingDateTime); err != nil || !p.Before(sim.Config().EventDate) {
			t.Fatalf("printingDateTime %q %v", d.PrintingDateTime, err)
		}
		ops := d.Operations
		if len(ops) != 2 || ops[0].Type != "OK" || ops[1].Type != "CANCELLED_TICKET" {
			t.Fatalf("%s: operations %+v", key, ops)
		}
		if at, err := time.Parse(time.RFC3339, ops[0].At); err != nil || !at.Equal(time.Date(2026, 11, 27, 13, 55, 10, 0, time.UTC)) {
			t.Fatalf("operationDateTime %q %v", ops[0].At, err)
		}
	}
	var r controlledTicketResp
	c.call("getControlledTicket", map[string]any{"requestId": 9, "barCodeOrTaxNumber": sampleOf(t, sim, "reprinted-old").Barcode}, &r)
	if r.Data == nil || r.Data.State != "CANCELLED" || len(r.Data.Operations) != 1 || r.Data.Operations[0].Type != "INVALIDATED_TICKET" {
		t.Fatalf("reprinted-old: %+v", r.Data)
	}
	c.call("getControlledTicket", map[string]any{"requestId": 9, "barCodeOrTaxNumber": sampleOf(t, sim, "reprinted-new").Barcode}, &r)
	if r.Data == nil || r.Data.State != "VALID" || r.Data.Duplicate == nil || !*r.Data.Duplicate {
		t.Fatalf("reprinted-new is a duplicate: %+v", r.Data)
	}
	c.call("getControlledTicket", map[string]any{"requestId": 9, "barCodeOrTaxNumber": "7400000000000000000001"}, &r)
	if r.StatusCode != "NOTFOUND" || r.StatusDetail != "Ticket not found" {
		t.Fatalf("unknown: %+v", r.status)
	}
}

// TestLocalTimes: with LocalTimes the sim writes times without an offset,
// in the institution's zone, and reads controlDate without one in it too.
func TestLocalTimes(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.LocalTimes, cfg.TimeZone = true, "Asia/Tokyo"
	sim, c := newTestSim(t, cfg)
	valid := sampleOf(t, sim, "valid")
	c.importControls(ctl{ACIdentifier: "G", Barcode: valid.Barcode, ControlDate: "2026-11-27T22:55:10", ControlResult: "OK"})
	if got := sim.Controls()[0].ControlDate; !got.Equal(time.Date(2026, 11, 27, 13, 55, 10, 0, time.UTC)) {
		t.Fatalf("controlDate read as %v", got)
	}
	var r controlledTicketResp
	c.call("getControlledTicket", map[string]any{"requestId": 9, "barCodeOrTaxNumber": valid.Barcode}, &r)
	if r.Data == nil || len(r.Data.Operations) != 1 || r.Data.Operations[0].At != "2026-11-27T22:55:10" {
		t.Fatalf("operations %+v", r.Data)
	}
	var tz struct {
		status
		TimeZone string `json:"timeZone"`
	}
	if c.call("getTimeZone", `{"requestId":1}`, &tz); tz.TimeZone != "Asia/Tokyo" {
		t.Fatalf("getTimeZone %+v", tz)
	}
	it, _ := sim.Ticket(valid.Barcode)
	items, _ := c.export("GREY", nil, 5)
	want := it.ValidFrom.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04:05")
	if len(items) == 0 || items[0].ValidityStartDate != want {
		t.Fatalf("validity %+v, want %s without an offset", items, want)
	}
}
