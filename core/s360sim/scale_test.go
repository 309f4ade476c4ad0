package s360sim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestMemoryMillionTickets: the initial stadium is generated on demand, so a
// million tickets must cost next to nothing, even after serving pages.
func TestMemoryMillionTickets(t *testing.T) {
	clk := newClock()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	sim := New(Config{Seed: 1, Tickets: 1_000_000, RateLimit: -1, Now: clk.Now})
	c := newClient(t, sim, "")
	cur := ""
	for p := 0; p < 3; p++ { // serve a few big pages through the handler
		body := fmt.Sprintf(`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","paginationStart":%q,"nbMaxResults":10000}`, cur)
		req := httptest.NewRequest(http.MethodPost, ServicePath+"/v1_6/exportList", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token())
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("HTTP %d", rec.Code)
		}
		i := strings.LastIndex(rec.Body.String(), `"paginationEnd":"`)
		cur = rec.Body.String()[i+17 : len(rec.Body.String())-3]
	}
	last := sim.barcode(mkRef(kindOrig, 999_999))
	if it, ok := sim.Ticket(last); !ok || it.TaxNumber != "T26-1000000" {
		t.Fatalf("ticket 999999: %+v", it)
	}
	if _, ok := sim.Ticket(sim.barcode(mkRef(kindOrig, 1_000_000))); ok {
		t.Fatal("ticket 1000000 should not exist")
	}
	sim.Sell(1000, "")

	runtime.GC()
	runtime.ReadMemStats(&after)
	delta := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap delta for a 1,000,000-ticket sim after 3 pages of 10000: %.2f MB", float64(delta)/(1<<20))
	if delta > 50<<20 {
		t.Fatalf("heap grew by %d MB", delta>>20)
	}
	runtime.KeepAlive(sim)
}

// TestConcurrentHammer runs exports, imports and mutations at once (for the
// race detector) and then checks that a full drain still equals the truth.
func TestConcurrentHammer(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, c0 := newTestSim(t, Config{Seed: 9, Tickets: 3000, RateLimit: -1, Now: clk.Now})
	valid := []string{}
	sim.AllItems(func(it Item) bool {
		if it.State == "VALID" && len(valid) < 200 {
			valid = append(valid, it.Barcode)
		}
		return true
	})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() { // exporters
			defer wg.Done()
			c := newClient(t, sim, c0.endpoint)
			c.gzip = g%2 == 0
			c.drain("GREY", nil, 97+g)
		}()
	}
	wg.Add(1)
	go func() { // mutator
		defer wg.Done()
		for i, bc := range valid {
			switch i % 4 {
			case 0:
				sim.Sell(3, "MATCH02")
			case 1:
				_ = sim.Cancel(bc, "EVENT_CHANGE")
			case 2:
				_ = sim.Blacklist(bc)
			case 3:
				_, _ = sim.Reprint(bc)
			}
		}
	}()
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() { // importers and readers
			defer wg.Done()
			c := newClient(t, sim, c0.endpoint)
			for i := g; i < len(valid); i += 2 {
				_, _, _ = c.raw(context.Background(), "importControlledTicket", importBody{ControlledTickets: []ctl{
					{ACIdentifier: "G", Barcode: valid[i], ControlDate: "2026-11-27T18:00:00Z", ControlResult: "OK"}}})
				_ = c.call("getControlledTicket", map[string]any{"barCodeOrTaxNumber": valid[i]}, nil)
				_ = sim.Controls()
				_ = sim.Stats()
			}
		}()
	}
	wg.Wait()
	all, _, _ := c0.drain("GREY", nil, 1000)
	final := map[string]wItem{}
	for _, it := range all {
		final[it.Barcode] = it
	}
	truth := allItems(sim)
	if len(final) != len(truth) {
		t.Fatalf("%d drained vs %d true", len(final), len(truth))
	}
	for _, want := range truth {
		if got := final[want.Barcode]; got.TicketState != want.State || str(got.CancellationCause) != want.CancellationCause {
			t.Fatalf("%s: exported %s/%s, truth %s/%s", want.Barcode, got.TicketState, str(got.CancellationCause), want.State, want.CancellationCause)
		}
	}
}
