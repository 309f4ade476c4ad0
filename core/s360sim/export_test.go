package s360sim

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// counted applies the GREY counting rule to a page.
func counted(items []wItem) int {
	n := 0
	for i, it := range items {
		if i > 0 && it.TicketState != "VALID" && items[i-1].TicketState == "VALID" && items[i-1].Barcode == it.Barcode {
			continue
		}
		n++
	}
	return n
}

func TestGreyDrainMatchesAllItems(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, c := newTestSim(t, Config{Seed: 5, Tickets: 20000, RateLimit: -1, Now: clk.Now})
	const max = 777
	all, pages, _ := c.drain("GREY", nil, max)
	if len(pages) < 20 {
		t.Fatalf("only %d pages", len(pages))
	}
	for i, p := range pages {
		n := counted(p)
		if n > max || i < len(pages)-1 && n != max {
			t.Fatalf("page %d counts %d (of %d items), max %d", i, n, len(p), max)
		}
	}
	truth := allItems(sim)
	final := map[string]wItem{}
	for _, it := range all {
		final[it.Barcode] = it // later wins
	}
	if len(final) != len(truth) {
		t.Fatalf("drained %d barcodes (%d items), AllItems has %d", len(final), len(all), len(truth))
	}
	extra := len(all) - len(truth)
	if extra < 200 || extra > 1000 { // ~1% reprints x2, ~2% cancellations, 0.1% blacklists
		t.Errorf("%d history items beyond one per barcode", extra)
	}
	for _, want := range truth {
		got, ok := final[want.Barcode]
		if !ok {
			t.Fatalf("%s missing from export", want.Barcode)
		}
		if g := got.asItem(t); !sameItem(g, want) {
			t.Fatalf("export and AllItems disagree:\n%+v\n%+v", g, want)
		}
	}
	if st := sim.Stats(); st.Items != int64(len(all)) || st.Pages != int64(len(pages)+1) { // + the final empty page
		t.Errorf("stats %+v, want %d items %d pages", st, len(all), len(pages)+1)
	}
}

func TestGreyOrderReprintAndPairs(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	old, nw := sampleOf(t, sim, "reprinted-old").Barcode, sampleOf(t, sim, "reprinted-new").Barcode
	// Pages of one counted item: the VALID+CANCELLED pair of ticket 14 must
	// travel together, and the page holding it has two items.
	var seq []wItem
	var cur *string
	pairPage := -1
	for p := 0; p < 40; p++ {
		items, next := c.export("GREY", cur, 1)
		if counted(items) != 1 {
			t.Fatalf("page %d counts %d", p, counted(items))
		}
		if len(items) == 2 {
			if items[0].Barcode != items[1].Barcode || items[0].TicketState != "VALID" || items[1].TicketState != "CANCELLED" {
				t.Fatalf("two-item page is not a pair: %+v", items)
			}
			pairPage = p
		}
		seq = append(seq, items...)
		cur = &next
	}
	if pairPage != 14 {
		t.Fatalf("pair on page %d, want 14", pairPage)
	}
	rest, _, _ := c.drain("GREY", cur, 500)
	seq = append(seq, rest...)
	pos := func(bc, state string) int {
		for i, it := range seq {
			if it.Barcode == bc && it.TicketState == state {
				return i
			}
		}
		t.Fatalf("%s %s not exported", bc, state)
		return -1
	}
	a, b, d := pos(old, "VALID"), pos(old, "INVALIDATED"), pos(nw, "VALID")
	if !(a < b && b < d) {
		t.Fatalf("reprint order: old VALID@%d, old INVALIDATED@%d, new VALID@%d", a, b, d)
	}
	if b == a+1 {
		t.Fatalf("reprint invalidation should come later, not right after")
	}
}

func TestWhiteBlackFilters(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	valid, invalid := map[string]bool{}, map[string]bool{}
	sim.AllItems(func(it Item) bool {
		if it.State == "VALID" {
			valid[it.Barcode] = true
		} else {
			invalid[it.Barcode] = true
		}
		return true
	})
	check := func(list string, want map[string]bool, start *string) string {
		t.Helper()
		items, _, end := c.drain(list, start, 1000)
		seen := map[string]bool{}
		for _, it := range items {
			if seen[it.Barcode] {
				t.Fatalf("%s: %s twice", list, it.Barcode)
			}
			seen[it.Barcode] = true
			if (it.TicketState == "VALID") != (list == "WHITE") || !want[it.Barcode] {
				t.Fatalf("%s: unexpected %s %s", list, it.Barcode, it.TicketState)
			}
		}
		if start == nil && len(seen) != len(want) {
			t.Fatalf("%s: %d barcodes, want %d", list, len(seen), len(want))
		}
		return end
	}
	wEnd := check("WHITE", valid, nil)
	bEnd := check("BLACK", invalid, nil)

	// A ticket cancelled now leaves WHITE (no new entry) and enters BLACK.
	v := sampleOf(t, sim, "valid").Barcode
	if err := sim.Cancel(v, "EVENT_CHANGE"); err != nil {
		t.Fatal(err)
	}
	if items, _ := c.export("WHITE", &wEnd, 100); len(items) != 0 {
		t.Fatalf("WHITE after a cancel: %+v", items)
	}
	items, _ := c.export("BLACK", &bEnd, 100)
	if len(items) != 1 || items[0].Barcode != v || str(items[0].CancellationCause) != "EVENT_CHANGE" {
		t.Fatalf("BLACK after a cancel: %+v", items)
	}
	delete(valid, v)
	invalid[v] = true
	check("WHITE", valid, nil)
	check("BLACK", invalid, nil)
}

func TestIncrementalChanges(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	_, _, end := c.drain("GREY", nil, 5000)
	if items, again := c.export("GREY", &end, 10); len(items) != 0 || again != end {
		t.Fatalf("drained list not empty: %d items, cursor changed %v", len(items), again != end)
	}
	sold := sim.Sell(3, "MATCH02")
	valid := sampleOf(t, sim, "valid").Barcode
	wrongGate := sampleOf(t, sim, "wrong-gate").Barcode
	child := sampleOf(t, sim, "child").Barcode
	if err := sim.Cancel(valid, "FRAUD"); err != nil {
		t.Fatal(err)
	}
	if err := sim.Blacklist(wrongGate); err != nil {
		t.Fatal(err)
	}
	reprinted, err := sim.Reprint(child)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Cancel(valid, ""); err != ErrTicketNotValid {
		t.Fatalf("second cancel: %v", err)
	}
	if _, err := sim.Reprint(child); err != ErrTicketNotValid {
		t.Fatalf("reprint of an invalidated ticket: %v", err)
	}
	if err := sim.Cancel("740000", ""); err != ErrUnknownTicket {
		t.Fatalf("cancel unknown: %v", err)
	}
	type want struct{ bc, state, cause string }
	wants := []want{
		{sold[0], "VALID", "NOT_CANCELLED"}, {sold[1], "VALID", "NOT_CANCELLED"}, {sold[2], "VALID", "NOT_CANCELLED"},
		{valid, "CANCELLED", "FRAUD"}, {wrongGate, "CANCELLED", "BLACKLISTED"},
		{child, "INVALIDATED", "NOT_CANCELLED"}, {reprinted, "VALID", "NOT_CANCELLED"},
	}
	items, _, end2 := c.drain("GREY", &end, 2)
	if len(items) != len(wants) {
		t.Fatalf("got %d changes, want %d: %+v", len(items), len(wants), items)
	}
	for i, w := range wants {
		if it := items[i]; it.Barcode != w.bc || it.TicketState != w.state || str(it.CancellationCause) != w.cause {
			t.Fatalf("change %d: %s %s %s, want %+v", i, it.Barcode, it.TicketState, str(it.CancellationCause), w)
		}
	}
	if items[0].ProductCode != "MATCH02" || items[6].TaxNumber == "" || items[6].Seat == nil ||
		*items[6].Seat != *items[5].Seat || items[6].holder("BIRTHDATE") != items[5].holder("BIRTHDATE") {
		t.Fatalf("sold/reprinted attributes: %+v %+v", items[0], items[6])
	}
	// A product filter skips the sold MATCH02 tickets.
	only1, _, _ := c.drain("GREY", &end, 100, "MATCH01")
	if len(only1) != 4 || only1[0].Barcode != valid {
		t.Fatalf("MATCH01 changes: %+v", only1)
	}
	// Sold-then-cancelled: the log re-emits the current item everywhere.
	if err := sim.Cancel(sold[1], "REFUND_REQUESTED"); err != nil {
		t.Fatal(err)
	}
	again, _, _ := c.drain("GREY", &end, 100)
	if len(again) != len(wants)+1 || again[1].TicketState != "CANCELLED" || again[7].Barcode != sold[1] {
		t.Fatalf("after cancelling a sold ticket: %+v", again)
	}
	if items, _ := c.export("GREY", &end2, 10); len(items) != 1 || items[0].Barcode != sold[1] {
		t.Fatalf("from the previous end: %+v", items)
	}
	if got, _ := sim.Ticket(reprinted); got.State != "VALID" || got.AudienceSubCategoryCode != "CHILD" {
		t.Fatalf("Ticket(reprinted) = %+v", got)
	}
	n := 0
	sim.AllItems(func(Item) bool { n++; return true })
	if last := allItems(sim); last[len(last)-1].Barcode != reprinted || len(last) != n {
		t.Fatal("AllItems must end with the newest barcode")
	}
}

func TestCursorIsOpaqueAndChecked(t *testing.T) {
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	_, end1 := c.export("GREY", nil, 10)
	_, end2 := c.export("GREY", nil, 10)
	if end1 == end2 {
		t.Fatal("two cursors for the same position should differ (nonce)")
	}
	if strings.Trim(end1, "0123456789") == "" {
		t.Fatalf("cursor %q looks like an offset", end1)
	}
	// Both cursors lead to the same next page.
	a, _ := c.export("GREY", &end1, 5)
	b, _ := c.export("GREY", &end2, 5)
	if a[0].Barcode != b[0].Barcode {
		t.Fatal("equivalent cursors disagree")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(end1)
	raw[3] ^= 1
	flipped := base64.RawURLEncoding.EncodeToString(raw)
	other := New(Config{Seed: 43, RateLimit: -1, Now: clk.Now}).encodeCursor(0)
	for _, bad := range []string{"10", "0", "abc", "null", end1[:len(end1)-1], end1 + "A", flipped, other,
		base64.RawURLEncoding.EncodeToString(make([]byte, 16))} {
		var r exportResp
		req := exportReq{RequestID: 1, ListType: "GREY", TicketType: "ALL", SeasonCode: "SEASON26", PaginationStart: &bad, NbMaxResults: 10}
		if st := c.call("exportList", req, &r); st != http.StatusOK || r.StatusCode == "success" || r.StatusDetail != "Invalid paginationStart" {
			t.Fatalf("cursor %q: HTTP %d %q %q", bad, st, r.StatusCode, r.StatusDetail)
		}
	}
	_ = sim
}

func TestExportValidation(t *testing.T) {
	t.Parallel()
	clk := newClock()
	cfg := testConfig(clk)
	cfg.Tickets = 20000 // more than one capped page
	_, c := newTestSim(t, cfg)
	cases := []struct {
		body   string
		detail string
	}{
		{`{"requestId":1,"ticketType":"ALL","seasonCode":"SEASON26","nbMaxResults":5}`, "listType is mandatory"},
		{`{"requestId":1,"listType":"PINK","ticketType":"ALL","seasonCode":"SEASON26","nbMaxResults":5}`, "Invalid listType: PINK"},
		{`{"requestId":1,"listType":"GREY","seasonCode":"SEASON26","nbMaxResults":5}`, "ticketType is mandatory"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","nbMaxResults":5}`, "seasonCode is mandatory"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"S25","nbMaxResults":5}`, "Unknown seasonCode: S25"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","productCodes":["X"],"nbMaxResults":5}`, "Unknown productCode: X"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","performanceCodes":["X"],"nbMaxResults":5}`, "Unknown performanceCode: X"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26"}`, "nbMaxResults is mandatory and must be positive"},
		{`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","nbMaxResults":0}`, "nbMaxResults is mandatory and must be positive"},
	}
	for _, tc := range cases {
		var r exportResp
		if st := c.call("exportList", tc.body, &r); st != 200 || r.StatusCode != "INVALID" || r.StatusDetail != tc.detail || string(r.RequestID) != "1" {
			t.Errorf("%s: HTTP %d %q %q id=%s", tc.body, st, r.StatusCode, r.StatusDetail, r.RequestID)
		}
	}
	// Numeric strings are coerced, like a Jackson server would; the page cap holds.
	var r exportResp
	c.call("exportList", `{"requestId":"12","listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","paginationStart":null,"nbMaxResults":"100000"}`, &r)
	if r.StatusCode != "success" || string(r.RequestID) != "12" || counted(r.Data.Items) != maxPageSize {
		t.Fatalf("coercion/cap: %q id=%s counted=%d", r.StatusCode, r.RequestID, counted(r.Data.Items))
	}
	// performanceCodes and THIRD_PARTY filter.
	c.call("exportList", `{"requestId":2,"listType":"WHITE","ticketType":"THIRD_PARTY","seasonCode":"SEASON26","performanceCodes":["PERF02"],"nbMaxResults":10000}`, &r)
	if len(r.Data.Items) < 100 || len(r.Data.Items) > 2000 {
		t.Fatalf("THIRD_PARTY PERF02: %d items", len(r.Data.Items))
	}
	for _, it := range r.Data.Items {
		if it.PerformanceCode != "PERF02" || it.ProductCode != "MATCH02" {
			t.Fatalf("filter leak: %+v", it)
		}
	}
}

func TestHolderStyles(t *testing.T) {
	t.Parallel()
	clk := newClock()
	for _, style := range []string{HolderFlat, HolderList, HolderMixed} {
		_, c := newTestSim(t, Config{Seed: 2, Tickets: 2000, RateLimit: -1, Now: clk.Now, HolderStyle: style})
		resp, body, err := c.raw(t.Context(), "exportList", exportReq{ListType: "GREY", TicketType: "ALL", SeasonCode: "SEASON26", NbMaxResults: 3000})
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(err)
		}
		s := string(body)
		flat, list := strings.Contains(s, `"FIRSTNAME":"`), strings.Contains(s, `{"key":"FIRSTNAME","value":"`)
		if flat != (style != HolderList) || list != (style != HolderFlat) {
			t.Fatalf("%s: flat=%v list=%v", style, flat, list)
		}
		if !strings.Contains(s, "Müller") && !strings.Contains(s, "Zoë") && !strings.Contains(s, "Łukasiewicz") {
			t.Errorf("%s: expected some UTF-8 names", style)
		}
	}
}
