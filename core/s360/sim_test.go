package s360

// Integration tests against the S-360 simulator over real loopback HTTP.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/s360sim"
)

const simPassword = "Sim-Pa55word-7f3c9e"

// simEnv is a running simulator and a client talking to it.
type simEnv struct {
	sim      *s360sim.Sim
	endpoint string
	client   *Client
	log      *logBuffer
	clock    *fakeClock // sleeps only; the tokens use the real time the sim checks
}

func startSim(t testing.TB, cfg s360sim.Config, mod ...func(*Config)) *simEnv {
	t.Helper()
	cfg.Password = simPassword
	sim := s360sim.New(cfg)
	endpoint, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	sc := sim.Config()
	lb := &logBuffer{}
	lg := logrus.New()
	lg.SetOutput(lb)
	lg.SetLevel(logrus.DebugLevel)
	clk := newFakeClock()
	c := Config{Endpoint: endpoint, Institution: sc.Institution, Operator: sc.Operator, Password: sc.Password,
		Log: lg, Sleep: clk.Sleep, Timeout: 10 * time.Second}
	for _, m := range mod {
		m(&c)
	}
	client, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &simEnv{sim: sim, endpoint: endpoint, client: client, log: lb, clock: clk}
}

// drain exports until an empty page, applying the order rule (the later
// item for a barcode wins), and returns the tickets and the last cursor.
func (e *simEnv) drain(t *testing.T, cursor string, into map[string]core.Ticket) (string, int) {
	t.Helper()
	sc := e.sim.Config()
	pages := 0
	for {
		page, err := e.client.ExportList(context.Background(), core.ExportRequest{
			Season: sc.Season, Products: sc.Products, Cursor: cursor, PageSize: 997})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if page.Cursor == "" {
			t.Fatalf("page %d has no cursor", pages)
		}
		cursor = page.Cursor
		if len(page.Tickets) == 0 {
			return cursor, pages
		}
		pages++
		for _, tk := range page.Tickets {
			into[tk.Barcode] = tk
		}
		if pages > 1000 {
			t.Fatal("the export does not end")
		}
	}
}

func sameAsSim(t *testing.T, tk core.Ticket, it s360sim.Item) {
	t.Helper()
	got := []string{string(tk.State), tk.CancellationCause, tk.AudienceSubCategoryCode, tk.TaxNumber, tk.EntranceCode, tk.ContainerID,
		tk.SeasonCode, tk.ProductCode, tk.PerformanceCode, tk.Sector, tk.Block, tk.Row, tk.Seat,
		tk.Holder.FirstName, tk.Holder.LastName, tk.Holder.IDNumber, tk.Holder.BirthDate, tk.Holder.CountryCode}
	want := []string{it.State, it.CancellationCause, it.AudienceSubCategoryCode, it.TaxNumber, it.EntranceCode, it.ContainerIdentifier,
		it.SeasonCode, it.ProductCode, it.PerformanceCode, it.Sector, it.Block, it.Row, it.Seat,
		it.FirstName, it.LastName, it.IDNumber, it.BirthDate, it.CountryCode}
	if !slices.Equal(got, want) || !tk.ValidFrom.Equal(it.ValidFrom) || !tk.ValidTo.Equal(it.ValidTo) {
		t.Fatalf("%s differs from the sim:\n got %q %v %v\nwant %q %v %v", it.Barcode, got, tk.ValidFrom, tk.ValidTo, want, it.ValidFrom, it.ValidTo)
	}
}

func TestSimFullAndIncrementalExport(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 20000, Seed: 1, RateLimit: -1})
	got := map[string]core.Ticket{}
	cursor, pages := e.drain(t, "", got)
	if pages < 15 {
		t.Errorf("only %d pages", pages)
	}
	n := 0
	var valid []string
	e.sim.AllItems(func(it s360sim.Item) bool {
		n++
		tk, ok := got[it.Barcode]
		if !ok {
			t.Fatalf("%s missing from the export", it.Barcode)
		}
		sameAsSim(t, tk, it)
		if it.State == "VALID" && len(valid) < 10 {
			valid = append(valid, it.Barcode)
		}
		return true
	})
	if n != len(got) || n < 20000 {
		t.Fatalf("export has %d barcodes, the sim %d", len(got), n)
	}

	// Incremental: only what changed since the stored cursor.
	sold := e.sim.Sell(3, "")
	if err := e.sim.Cancel(valid[0], "REFUND_REQUESTED"); err != nil {
		t.Fatal(err)
	}
	reprinted, err := e.sim.Reprint(valid[1])
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]core.Ticket{}
	cursor2, _ := e.drain(t, cursor, changes)
	want := append(append([]string{}, sold...), valid[0], valid[1], reprinted)
	slices.Sort(want)
	var keys []string
	for k := range changes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, want) {
		t.Fatalf("incremental export %v, want %v", keys, want)
	}
	if changes[valid[0]].State != core.StateCancelled || changes[valid[0]].CancellationCause != "REFUND_REQUESTED" ||
		changes[valid[1]].State != core.StateInvalidated || changes[reprinted].State != core.StateValid {
		t.Errorf("states: %v %v %v", changes[valid[0]].State, changes[valid[1]].State, changes[reprinted].State)
	}
	for _, b := range want {
		it, _ := e.sim.Ticket(b)
		sameAsSim(t, changes[b], it)
	}
	// Nothing new: an empty page, and the cursor still works.
	again := map[string]core.Ticket{}
	if _, pages := e.drain(t, cursor2, again); pages != 0 || len(again) != 0 {
		t.Errorf("a drained list gave %d more tickets", len(again))
	}
	noSecrets(t, e.log.String())
}

func TestSimImportAndRejected(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 2000, Seed: 2, RateLimit: -1})
	var valid []string
	e.sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" {
			valid = append(valid, it.Barcode)
		}
		return len(valid) < 3
	})
	for _, b := range valid[1:] {
		if err := e.sim.Blacklist(b); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Truncate(time.Second)
	ctl := func(b string) core.Control {
		return core.Control{Station: "GATE_A_1", Gate: "A", Barcode: b, At: at, Outcome: core.Admit, Reason: core.ReasonOK}
	}
	controls := []core.Control{ctl(valid[0]), ctl(valid[1]), {Station: "GATE_A_1", Scanned: "NOT-S360", At: at}, ctl(valid[2])}
	err := e.client.ImportControls(context.Background(), controls)
	var rej *core.RejectedError
	if !errors.As(err, &rej) || !slices.Equal(rej.Barcodes, valid[1:]) {
		t.Fatalf("want the blacklisted %v rejected, got %v", valid[1:], err)
	}
	msg := core.ErrorMessage(err)
	if !strings.Contains(msg, valid[1]) || !strings.Contains(msg, valid[2]) {
		t.Errorf("the message does not name the barcodes: %q", msg)
	}
	if n := len(e.sim.Controls()); n != 0 {
		t.Fatalf("a refused call imported %d controls", n)
	}
	// The engine removes the rejected and sends the rest again.
	if err := e.client.ImportControls(context.Background(), []core.Control{ctl(valid[0])}); err != nil {
		t.Fatal(err)
	}
	rc := e.sim.Controls()
	if len(rc) != 1 || rc[0].Barcode != valid[0] || rc[0].ControlResult != "OK" || rc[0].ACIdentifier != "GATE_A_1" ||
		!rc[0].ControlDate.Equal(at) || rc[0].AdditionalInfo != "gate A" {
		t.Fatalf("imported %+v", rc)
	}

	// S-360's view of the ticket now shows the control.
	rt, err := e.client.ControlledTicket(context.Background(), valid[0])
	if err != nil {
		t.Fatal(err)
	}
	if rt.Ticket.Barcode != valid[0] || len(rt.Operations) == 0 || rt.Operations[len(rt.Operations)-1].Result != "OK" ||
		!rt.Has(&controls[0]) || rt.TicketMedium == "" || rt.Duplicate == nil || rt.PrintedAt.IsZero() {
		t.Errorf("remote ticket %+v", rt)
	}
	byTax, err := e.client.ControlledTicket(context.Background(), rt.Ticket.TaxNumber)
	if err != nil || byTax.Ticket.Barcode != valid[0] {
		t.Errorf("by tax number: %+v %v", byTax.Ticket.Barcode, err)
	}
	_, err = e.client.ControlledTicket(context.Background(), "0000")
	wantCode(t, err, core.ENotFound)
	noSecrets(t, e.log.String(), fmt.Sprint(err))
}

// TestSimLocalTimes: a simulator that sends times without an offset, in
// the institution's zone (Tokyo here): the client reads them in that zone
// once getTimeZone named it, whatever zone this machine is in, and exports
// the same instants as with offsets.
func TestSimLocalTimes(t *testing.T) {
	cfg := s360sim.Config{Tickets: 50, Seed: 2, RateLimit: -1, TimeZone: "Asia/Tokyo", LocalTimes: true}
	e := startSim(t, cfg)
	if tz, err := e.client.TestConnection(context.Background()); err != nil || tz != "Asia/Tokyo" || e.client.Zone() == nil {
		t.Fatalf("getTimeZone %q %v", tz, err)
	}
	page, err := e.client.ExportList(context.Background(), core.ExportRequest{Season: "SEASON26", Products: []string{"MATCH01", "MATCH02"}, PageSize: 10})
	if err != nil || len(page.Tickets) == 0 {
		t.Fatalf("export %v", err)
	}
	for _, tk := range page.Tickets {
		it, _ := e.sim.Ticket(tk.Barcode)
		if !tk.ValidFrom.Equal(it.ValidFrom) || !tk.ValidTo.Equal(it.ValidTo) {
			t.Fatalf("%s: valid %v–%v, S-360's %v–%v", tk.Barcode, tk.ValidFrom, tk.ValidTo, it.ValidFrom, it.ValidTo)
		}
	}
	// A client that never asked reads them in this laptop's zone (off by
	// the difference, unless this machine is in Tokyo): the stored zone
	// given to a new client (Config.Zone) is what makes them right.
	e2 := startSim(t, cfg, func(c *Config) { c.Zone = core.LoadZone("Asia/Tokyo") })
	page2, err := e2.client.ExportList(context.Background(), core.ExportRequest{Season: "SEASON26", Products: []string{"MATCH01", "MATCH02"}, PageSize: 10})
	if err != nil || !page2.Tickets[0].ValidFrom.Equal(page.Tickets[0].ValidFrom) {
		t.Fatalf("with Config.Zone: %v %v", page2.Tickets[0].ValidFrom, err)
	}
}

func TestSimOtherMethods(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 100, Seed: 3, RateLimit: -1})
	tz, err := e.client.TestConnection(context.Background())
	if err != nil || tz != s360sim.TimeZone {
		t.Fatalf("TestConnection %q %v", tz, err)
	}
	sc := e.sim.Config()
	seasons, err := e.client.Catalog(context.Background(), "")
	if err != nil || len(seasons) != 1 || seasons[0].Code != sc.Season {
		t.Fatalf("seasons %+v %v", seasons, err)
	}
	products, err := e.client.Catalog(context.Background(), sc.Season)
	if err != nil || len(products) != len(sc.Products) || products[0].Code != sc.Products[0] ||
		len(products[0].Performances) != 1 || products[0].Performances[0].Date.IsZero() {
		t.Fatalf("products %+v %v", products, err)
	}
	_, err = e.client.Catalog(context.Background(), "NOPE")
	wantCode(t, err, core.EInvalid)
}

func TestSimSlowDown(t *testing.T) {
	for _, status := range []int{509, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := startSim(t, s360sim.Config{Tickets: 100, Seed: 4, RateLimit: 3, RateLimitStatus: status})
			// Our budget is S-360's: a client allowed more (as a second
			// process on the same institution would be) meets the refusal.
			e.client.lim.budget = 10
			for i := 0; i < 3; i++ {
				if _, err := e.client.TestConnection(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			// Another method shares the same budget at the sim: refused,
			// once, with the sim's Retry-After for the engine.
			_, err := e.client.Catalog(context.Background(), "")
			wantCode(t, err, core.ERefused)
			var slow *core.SlowDown
			if !errors.As(err, &slow) || slow.RetryAfter < 50*time.Second {
				t.Errorf("Retry-After not handed on: %v", err)
			}
			if slept := e.clock.Slept(); len(slept) != 0 {
				t.Fatalf("slept %v", slept)
			}
			if st := e.sim.Stats(); st.RateLimited != 1 {
				t.Errorf("%d refusals, want 1", st.RateLimited)
			}
			noSecrets(t, e.log.String(), err.Error())
		})
	}
}

func TestSimWrongPassword(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 100, Seed: 5, RateLimit: -1})
	e.sim.SetPassword("another-password")
	_, err := e.client.TestConnection(context.Background())
	wantCode(t, err, core.EAuth)
	if core.ErrorMessage(err) != "S-360 rejected the credentials (institution, operator or password)" {
		t.Errorf("message %q", core.ErrorMessage(err))
	}
	_, err2 := e.client.ExportList(context.Background(), core.ExportRequest{Season: "SEASON26"})
	wantCode(t, err2, core.EAuth)
	noSecrets(t, e.log.String(), err.Error(), err2.Error())
}

func TestSimFaults(t *testing.T) {
	cases := []struct {
		name   string
		faults s360sim.Faults
		words  string
	}{
		{"malformed", s360sim.Faults{MalformRate: 1}, msgDamaged},
		{"truncated", s360sim.Faults{TruncateRate: 1}, ""},
		{"server errors", s360sim.Faults{ErrorRate: 1}, "not working properly"},
		{"hang", s360sim.Faults{HangRate: 1}, msgTimeout},
	}
	e := startSim(t, s360sim.Config{Tickets: 3000, Seed: 6, RateLimit: -1})
	// A short timeout for the hangs only: a loaded CI machine may need
	// more than that for a normal page.
	cfg := e.client.cfg
	cfg.Timeout = 300 * time.Millisecond
	impatient, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc := e.sim.Config()
	var errs []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client
			if tc.faults.HangRate > 0 {
				c = impatient
			}
			e.sim.SetFaults(tc.faults)
			defer e.sim.SetFaults(s360sim.Faults{})
			_, err := c.ExportList(context.Background(), core.ExportRequest{Season: sc.Season, Products: sc.Products, PageSize: 2000})
			wantCode(t, err, core.EUnavailable)
			if !strings.Contains(core.ErrorMessage(err), tc.words) {
				t.Errorf("message %q", core.ErrorMessage(err))
			}
			err = c.ImportControls(context.Background(), []core.Control{{Station: "S", Barcode: "1", At: time.Now()}})
			wantCode(t, err, core.EUnavailable)
			_, err = c.TestConnection(context.Background())
			wantCode(t, err, core.EUnavailable)
			errs = append(errs, err.Error())
		})
	}
	// And it recovers.
	if _, err := e.client.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	noSecrets(t, append(errs, e.log.String())...)
}

// TestSimConcurrent: the client is shared by the engine and the screens.
func TestSimConcurrent(t *testing.T) {
	e := startSim(t, s360sim.Config{Tickets: 5000, Seed: 7, RateLimit: -1})
	sc := e.sim.Config()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := e.client.ExportList(context.Background(), core.ExportRequest{Season: sc.Season, Products: sc.Products, PageSize: 500}); err != nil {
					t.Error(err)
				}
				if _, err := e.client.TestConnection(context.Background()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, simPassword) || strings.Contains(s, "eyJ") {
			t.Errorf("a secret leaked: %s", s)
		}
	}
}

// BenchmarkSimExport: a 200,000-ticket export from the simulator over
// loopback, pages of 5,000, streamed (the sim's own encoding included).
func BenchmarkSimExport(b *testing.B) {
	e := startSim(b, s360sim.Config{Tickets: 200000, Seed: 1, RateLimit: -1})
	e.client.lim.budget = 1 << 30
	sc := e.sim.Config()
	total := 0
	for b.Loop() {
		cursor := ""
		for {
			next, n, err := e.client.ExportListFunc(context.Background(), core.ExportRequest{Season: sc.Season, Products: sc.Products, Cursor: cursor, PageSize: 5000},
				func(*core.Ticket) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			cursor = next
			total += n
			if n == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "tickets/s")
}
