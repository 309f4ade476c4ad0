package s360sim

import "fmt"

// Sample is a ticket worth trying at a gate, with what to expect.
type Sample struct {
	Kind, Barcode, TaxNumber, Note string
}

// Samples returns at least one ticket of each kind: "valid", "child",
// "senior", "vip", "student", "cancelled", "reprinted-old", "reprinted-new",
// "personalised", "wrong-gate", "container", "other-product",
// "blacklisted". They are the showcase tickets 0..15 of the initial data,
// described as generated (a later mutation may have changed them), so the
// sim needs Tickets >= 16 (and 2 products for "other-product") for the full
// set. For "container" the Barcode field holds the RFID identifier.
func (s *Sim) Samples() []Sample {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Sample
	add := func(kind string, ref uint64, note string) {
		if !s.exists(ref) {
			return
		}
		out = append(out, Sample{Kind: kind, Barcode: s.barcode(ref), TaxNumber: string(s.appendTax(nil, ref)), Note: note})
	}
	orig := func(i uint64) uint64 { return mkRef(kindOrig, i) }
	info := func(i uint64) (a attrs) { s.origAttrs(i, &a); return a }
	p0 := s.prods[0].code
	add("valid", orig(0), "valid ADULT ticket for "+p0+", entrance N1")
	if s.exists(orig(1)) {
		a := info(1)
		add("child", orig(1), fmt.Sprintf("CHILD tariff, BIRTHDATE %s: check the age", appendDate(nil, a.birth)))
	}
	add("senior", orig(2), "SENIOR tariff")
	add("vip", orig(3), "VIP tariff, LOUNGE block, no row/seat")
	add("cancelled", orig(4), "valid first, CANCELLED later in the sequence (REFUND_REQUESTED)")
	add("cancelled", orig(14), "VALID immediately followed by CANCELLED (PAYMENT_FAILED): a GREY pair")
	add("reprinted-old", orig(5), "reprinted: this old barcode is INVALIDATED")
	add("reprinted-new", mkRef(kindRepl, 5), "reprinted: the new barcode, VALID")
	add("personalised", orig(6), "holder FIRSTNAME/LASTNAME/ID_NUMBER/BIRTHDATE/COUNTRY_CODE sent")
	add("wrong-gate", orig(7), "valid, entrance S2: refused at N1 unless a local rule allows it")
	if s.exists(orig(8 + showcaseSize - 1)) {
		a := info(8)
		members := ""
		for i := uint64(8); i < 8+showcaseSize; i++ {
			members += " " + s.barcode(orig(i)) + "(" + s.prods[info(i).product].code + ")"
		}
		out = append(out, Sample{Kind: "container", Barcode: string(s.appendBox(nil, a.box)),
			TaxNumber: string(s.appendTax(nil, orig(8))), Note: "RFID container holding:" + members})
	}
	if len(s.prods) > 1 {
		add("other-product", orig(12), "valid for "+s.prods[1%len(s.prods)].code+", not "+p0)
	}
	add("blacklisted", orig(13), "on the white list first, then blacklisted: importControlledTicket refuses it")
	add("student", orig(15), "STUDENT tariff")
	return out
}
