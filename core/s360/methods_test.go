package s360

import (
	"context"
	"net/http"
	"testing"
	"time"

	"s360gate/core"
)

func TestControlledTicketShapes(t *testing.T) {
	cases := map[string]string{
		"nested ticket and operations": `"controlledTicket":{"barcode":"7415","ticketState":"VALID","taxNumber":"T1","operations":[{"result":"OK","date":"2026-11-27T18:25:10Z","device":"GATE_A"},{"result":"FAIL","date":"2026-11-27T18:26:00Z","acIdentifier":"GATE_B"}]}`,
		"flat answer, other keys":      `"barcode":"7415","state":"VALID","taxNumber":"T1","controls":[{"controlResult":"OK","controlDate":1795803910000,"deviceId":"GATE_A"},{"controlResult":"FAIL","controlDate":"2026-11-27T18:26:00Z","acIdentifier":"GATE_B"}]`,
		"separate lists":               `"ticket":{"BARCODE":7415,"TICKET_STATE":"VALID","TAX_NUMBER":"T1"},"history":[{"type":"OK","timestamp":"2026-11-27T18:25:10Z","station":"GATE_A"},{"type":"FAIL","timestamp":"2026-11-27T18:26:00Z","device":"GATE_B"}]`,
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", extra) })
			c, _, _ := newTestClient(t, ts.URL)
			rt, err := c.ControlledTicket(context.Background(), " T1 ")
			if err != nil {
				t.Fatal(err)
			}
			if rt.Ticket.Barcode != "7415" || rt.Ticket.State != core.StateValid || rt.Ticket.TaxNumber != "T1" {
				t.Errorf("ticket %+v", rt.Ticket)
			}
			if len(rt.Operations) != 2 || rt.Operations[0].Result != "OK" || rt.Operations[0].Device != "GATE_A" ||
				!rt.Operations[0].At.Equal(time.Date(2026, 11, 27, 18, 25, 10, 0, time.UTC)) || rt.Operations[1].Device != "GATE_B" {
				t.Errorf("operations %+v", rt.Operations)
			}
			if got := ts.Requests()[0].Body["barCodeOrTaxNumber"]; got != "T1" {
				t.Errorf("asked for %v", got)
			}
		})
	}
}

// TestControlledTicketDocumented: the documented controlledTicketData shape
// [doc], and v1_0's spellings (containerId, ticketSupport), every field
// read; times without an offset in the institution's zone once
// getTimeZone named it.
func TestControlledTicketDocumented(t *testing.T) {
	cases := map[string]string{
		"v1_6": `"controlledTicketData":{"barcode":"7415","taxNumber":"T1","state":"CANCELLED","duplicate":true,"ticketKind":"TICKET",
			"ticketMedium":"THERMAL","printingDateTime":"2026-11-20T09:15:00","containerIdentifier":"RFID-1","containerTicket":false,
			"controlOperations":[{"controlOperationType":"OK","operationDateTime":"2026-11-27T18:25:10"},
				{"controlOperationType":"CANCELLED_TICKET","operationDateTime":"2026-11-27T18:40:00"}]}`,
		"v1_0": `"controlledTicketData":{"barcode":"7415","taxNumber":"T1","state":"CANCELLED","duplicate":"true","ticketKind":"TICKET",
			"ticketSupport":"thermal","printingDateTime":"2026-11-20T09:15:00","containerId":"RFID-1","containerTicket":"false",
			"controlOperations":[{"controlOperationType":"OK","operationDateTime":"2026-11-27T18:25:10"},
				{"controlOperationType":"CANCELLED_TICKET","operationDateTime":"2026-11-27T18:40:00"}]}`,
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
				if rec.Method == "getTimeZone" {
					answer(w, rec, "success", "", `"timeZone":"Asia/Tokyo"`)
					return
				}
				answer(w, rec, "success", "", extra)
			})
			c, _, _ := newTestClient(t, ts.URL)
			if _, err := c.TestConnection(context.Background()); err != nil {
				t.Fatal(err)
			}
			rt, err := c.ControlledTicket(context.Background(), "T1")
			if err != nil {
				t.Fatal(err)
			}
			tokyo := core.LoadZone("Asia/Tokyo")
			if tk := rt.Ticket; tk.Barcode != "7415" || tk.TaxNumber != "T1" || tk.State != core.StateCancelled || tk.ContainerID != "RFID-1" {
				t.Errorf("ticket %+v", tk)
			}
			if rt.Duplicate == nil || !*rt.Duplicate || rt.ContainerTicket == nil || *rt.ContainerTicket ||
				rt.TicketKind != "TICKET" || rt.TicketMedium != "THERMAL" || !rt.PrintedAt.Equal(time.Date(2026, 11, 20, 9, 15, 0, 0, tokyo)) {
				t.Errorf("fields %+v", rt)
			}
			ops := rt.Operations
			if len(ops) != 2 || ops[0].Result != "OK" || !ops[0].At.Equal(time.Date(2026, 11, 27, 18, 25, 10, 0, tokyo)) ||
				ops[1].Result != "CANCELLED_TICKET" || ops[1].Controlled() || !ops[0].Controlled() {
				t.Errorf("operations %+v", ops)
			}
			// Our control, sent to the second, is among them.
			ours := core.Control{At: time.Date(2026, 11, 27, 9, 25, 10, 400e6, time.UTC), Outcome: core.Admit, Station: "GATE_A"}
			if !rt.Has(&ours) {
				t.Errorf("our control at %v not found in %+v", ours.At, ops)
			}
			if other := (core.Control{At: ours.At.Add(time.Hour), Outcome: core.Admit}); rt.Has(&other) {
				t.Error("a control an hour later matched")
			}
		})
	}
}

func TestControlledTicketNotFound(t *testing.T) {
	for _, tc := range []struct{ code, detail, extra string }{
		{"success", "", ""},
		{"ERROR", "Ticket not found", ""},
	} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
			answer(w, rec, tc.code, tc.detail, tc.extra)
		})
		c, _, _ := newTestClient(t, ts.URL)
		_, err := c.ControlledTicket(context.Background(), "999")
		wantCode(t, err, core.ENotFound)
	}
	c, _, _ := newTestClient(t, "http://127.0.0.1:1")
	_, err := c.ControlledTicket(context.Background(), "  ")
	wantCode(t, err, core.EInvalid)
}

func TestCatalogShapes(t *testing.T) {
	seasons := map[string]string{
		"seasons list":   `"seasons":[{"seasonCode":"S26","seasonName":"Season 2026"},{"code":"S27","name":{"en":"Season 2027","fr":"Saison 2027"}}]`,
		"nested catalog": `"catalog":{"seasonList":[{"code":"S26","name":"Season 2026"},{"code":"S27","label":[{"lang":"en","value":"Season 2027"}]}]}`,
	}
	for name, extra := range seasons {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", extra) })
			c, _, _ := newTestClient(t, ts.URL)
			got, err := c.Catalog(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Code != "S26" || got[0].Name != "Season 2026" || got[1].Code != "S27" || got[1].Name != "Season 2027" {
				t.Errorf("%+v", got)
			}
			if _, sent := ts.Requests()[0].Body["seasonCode"]; sent {
				t.Errorf("seasonCode sent for the season list")
			}
		})
	}
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "success", "", `"products":[{"productCode":"MATCH01","productName":"Final","performances":[{"performanceCode":"PERF01","performanceDate":"2026-11-27T20:00:00Z","name":"Final"}]},{"productCode":"MATCH02"}]`)
	})
	c, _, _ := newTestClient(t, ts.URL)
	got, err := c.Catalog(context.Background(), "S26")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Code != "MATCH01" || got[0].Name != "Final" || len(got[0].Performances) != 1 ||
		got[0].Performances[0].Code != "PERF01" || !got[0].Performances[0].Date.Equal(time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", got)
	}
	if ts.Requests()[0].Body["seasonCode"] != "S26" {
		t.Errorf("season not sent")
	}
}

func TestTimeZoneShapes(t *testing.T) {
	for extra, want := range map[string]string{
		`"timeZone":"Europe/Zurich"`:  "Europe/Zurich",
		`"timezoneId":"Europe/Paris"`: "Europe/Paris",
		`"result":{"zoneId":"UTC"}`:   "UTC",
		`"value":"Europe/Berlin"`:     "Europe/Berlin",
		``:                            "",
		`"data":{"institutionTimeZone":"Asia/Tokyo"}`: "Asia/Tokyo",
	} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", extra) })
		c, _, _ := newTestClient(t, ts.URL)
		got, err := c.TestConnection(context.Background())
		if err != nil || got != want {
			t.Errorf("%s: %q %v", extra, got, err)
		}
	}
}
