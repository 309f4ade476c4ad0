package s360sim

import (
	"regexp"
	"testing"
	"time"
)

func TestDeterministicBySeed(t *testing.T) {
	clk := newClock()
	cfg := Config{Seed: 7, Tickets: 3000, Now: clk.Now}
	a, b := allItems(New(cfg)), allItems(New(cfg))
	if len(a) != len(b) || len(a) < 3000 {
		t.Fatalf("lengths %d %d", len(a), len(b))
	}
	for i := range a {
		if !sameItem(a[i], b[i]) {
			t.Fatalf("item %d differs:\n%+v\n%+v", i, a[i], b[i])
		}
	}
	if sa, sb := New(cfg).Samples(), New(cfg).Samples(); len(sa) != len(sb) || sa[0] != sb[0] {
		t.Fatal("samples differ for the same seed")
	}
	cfg.Seed = 8
	c := allItems(New(cfg))
	same := 0
	for i := range min(len(a), len(c)) {
		if a[i].Barcode == c[i].Barcode {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d barcodes shared by seeds 7 and 8", same)
	}
}

func TestGeneratedData(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim := New(Config{Seed: 3, Tickets: 20000, Now: clk.Now})
	event := sim.Config().EventDate
	if want := clk.Now().Truncate(time.Hour).Add(3 * time.Hour); !event.Equal(want) {
		t.Fatalf("EventDate %v, want %v", event, want)
	}
	barcodeRE := regexp.MustCompile(`^[0-9]{20,24}$`)
	taxRE := regexp.MustCompile(`^[TRS]26-[0-9]{7}$`)
	seenBC, seenTax := map[string]bool{}, map[string]bool{}
	tariffs := map[string]int{}
	boxes := map[string][]Item{}
	var cancelled, invalidated, personal, n int
	causes := map[string]bool{}
	sim.AllItems(func(it Item) bool {
		n++
		if !barcodeRE.MatchString(it.Barcode) || !taxRE.MatchString(it.TaxNumber) {
			t.Fatalf("bad identity %q %q", it.Barcode, it.TaxNumber)
		}
		if seenBC[it.Barcode] || seenTax[it.TaxNumber] {
			t.Fatalf("duplicate %q %q", it.Barcode, it.TaxNumber)
		}
		seenBC[it.Barcode], seenTax[it.TaxNumber] = true, true
		if got, ok := sim.Ticket(it.Barcode); !ok || !sameItem(got, it) {
			t.Fatalf("Ticket(%s) disagrees with AllItems", it.Barcode)
		}
		tariffs[it.AudienceSubCategoryCode]++
		switch it.State {
		case "CANCELLED":
			cancelled++
			causes[it.CancellationCause] = true
		case "INVALIDATED":
			invalidated++
		case "VALID":
			if it.CancellationCause != "NOT_CANCELLED" {
				t.Fatalf("valid ticket with cause %q", it.CancellationCause)
			}
		}
		if it.FirstName != "" {
			personal++
			if it.LastName == "" || it.IDNumber == "" || it.BirthDate == "" || it.CountryCode == "" {
				t.Fatalf("partly personalised: %+v", it)
			}
		}
		if it.AudienceSubCategoryCode == "CHILD" {
			bd, err := time.Parse("2006-01-02", it.BirthDate)
			if err != nil {
				t.Fatalf("child without BIRTHDATE: %+v", it)
			}
			perf := it.ValidFrom.Add(validBefore)
			age := perf.Year() - bd.Year()
			if perf.Month() < bd.Month() || perf.Month() == bd.Month() && perf.Day() < bd.Day() {
				age--
			}
			if age < 6 || age > 15 {
				t.Fatalf("child aged %d on %v: %+v", age, perf, it)
			}
		}
		if it.ContainerIdentifier != "" {
			boxes[it.ContainerIdentifier] = append(boxes[it.ContainerIdentifier], it)
		}
		if !it.ValidFrom.Before(it.ValidTo) {
			t.Fatalf("validity window %v..%v", it.ValidFrom, it.ValidTo)
		}
		return true
	})
	share := func(k int) float64 { return float64(k) / 20000 }
	if s := share(tariffs["ADULT"]); s < 0.65 || s > 0.75 {
		t.Errorf("ADULT share %.3f", s)
	}
	if s := share(tariffs["CHILD"]); s < 0.08 || s > 0.12 {
		t.Errorf("CHILD share %.3f", s)
	}
	for _, k := range []string{"SENIOR", "STUDENT", "VIP"} {
		if tariffs[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	if s := share(cancelled); s < 0.015 || s > 0.04 {
		t.Errorf("cancelled share %.3f", s)
	}
	if s := share(invalidated); s < 0.005 || s > 0.015 {
		t.Errorf("reprinted share %.3f", s)
	}
	if s := share(personal); s < 0.035 || s > 0.065 {
		t.Errorf("personalised share %.3f", s)
	}
	for _, c := range []string{"REFUND_REQUESTED", "EVENT_CHANGE", "FRAUD", "PAYMENT_FAILED", "BLACKLISTED"} {
		if !causes[c] {
			t.Errorf("no cancellation cause %s", c)
		}
	}
	inBoxes := 0
	for id, members := range boxes {
		inBoxes += len(members)
		products := map[string]bool{}
		for _, m := range members {
			products[m.ProductCode] = true
		}
		// reprints add a barcode to the container, hence up to 7
		if len(members) < 3 || len(members) > 7 || len(products) < 2 {
			t.Errorf("container %s: %d members, %d products", id, len(members), len(products))
		}
	}
	if s := share(inBoxes); s < 0.02 || s > 0.045 {
		t.Errorf("container share %.3f", s)
	}
	if n < 20000 {
		t.Fatalf("AllItems gave %d", n)
	}
}

func TestSamples(t *testing.T) {
	clk := newClock()
	sim := New(Config{Seed: 11, Tickets: 100, Now: clk.Now})
	kinds := map[string]Sample{}
	for _, s := range sim.Samples() {
		kinds[s.Kind] = s
	}
	for _, k := range []string{"valid", "child", "senior", "vip", "cancelled", "reprinted-old", "reprinted-new",
		"personalised", "wrong-gate", "container", "other-product", "blacklisted"} {
		if _, ok := kinds[k]; !ok {
			t.Fatalf("missing sample kind %q", k)
		}
	}
	check := func(kind string, ok func(Item) bool) {
		t.Helper()
		it, found := sim.Ticket(kinds[kind].Barcode)
		if !found || !ok(it) {
			t.Errorf("sample %s: %+v", kind, it)
		}
	}
	check("valid", func(it Item) bool {
		return it.State == "VALID" && it.EntranceCode == "N1" && it.ProductCode == "MATCH01"
	})
	check("child", func(it Item) bool { return it.AudienceSubCategoryCode == "CHILD" && it.BirthDate != "" })
	check("senior", func(it Item) bool { return it.AudienceSubCategoryCode == "SENIOR" })
	check("vip", func(it Item) bool { return it.AudienceSubCategoryCode == "VIP" && it.Row == "" })
	check("cancelled", func(it Item) bool { return it.State == "CANCELLED" })
	check("reprinted-old", func(it Item) bool { return it.State == "INVALIDATED" })
	check("reprinted-new", func(it Item) bool { return it.State == "VALID" })
	check("personalised", func(it Item) bool { return it.FirstName != "" && it.CountryCode != "" })
	check("wrong-gate", func(it Item) bool { return it.State == "VALID" && it.EntranceCode != "N1" })
	check("other-product", func(it Item) bool { return it.State == "VALID" && it.ProductCode == "MATCH02" })
	check("blacklisted", func(it Item) bool { return it.State == "CANCELLED" && it.CancellationCause == "BLACKLISTED" })
	if c := kinds["container"]; !regexp.MustCompile(`^RFID-[0-9A-F]{16}$`).MatchString(c.Barcode) {
		t.Errorf("container id %q", c.Barcode)
	}
	old, _ := sim.Ticket(kinds["reprinted-old"].Barcode)
	nw, _ := sim.Ticket(kinds["reprinted-new"].Barcode)
	if old.Seat != nw.Seat || old.Block != nw.Block || old.Barcode == nw.Barcode {
		t.Errorf("reprint should keep the seat: %+v %+v", old, nw)
	}
}

func TestLookupRejectsForeignCodes(t *testing.T) {
	sim := New(Config{Seed: 1, Tickets: 50, Now: newClock().Now})
	for _, code := range []string{"", "74", "7415628301550254", "7400000000000000000000", "74999999999999999999999",
		"abc", sim.barcode(mkRef(kindOrig, 50)), sim.barcode(mkRef(kindRepl, 0)), sim.barcode(mkRef(kindExtra, 0))} {
		if _, ok := sim.Ticket(code); ok {
			t.Errorf("Ticket(%q) found", code)
		}
	}
	sim.mu.RLock()
	defer sim.mu.RUnlock()
	for _, code := range []string{"T26-0000051", "T26-000001", "T26-00000001", "X26-0000001", "T25-0000001", "R26-0000001"} {
		if _, ok := sim.parseTax(code); ok {
			t.Errorf("tax %q found", code)
		}
	}
	if ref, ok := sim.parseTax("T26-0000050"); !ok || ref != mkRef(kindOrig, 49) {
		t.Error("tax T26-0000050 not found")
	}
}

func TestFeistelRoundTrip(t *testing.T) {
	sim := New(Config{Seed: 99, Tickets: 1, Now: newClock().Now})
	for _, x := range []uint64{0, 1, 2, 1 << 40, mkRef(kindExtra, 12345), ^uint64(0)} {
		if got := sim.unpermute(sim.permute(x)); got != x {
			t.Fatalf("unpermute(permute(%d)) = %d", x, got)
		}
	}
	for _, d := range []int32{-1, 0, 59, 60, 365, 11016, 20000, -25567} {
		want := time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
		if got := string(appendDate(nil, d)); got != want {
			t.Fatalf("appendDate(%d) = %s, want %s", d, got, want)
		}
	}
}
