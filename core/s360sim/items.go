package s360sim

import (
	"strconv"
	"time"
)

// Item is the current truth about one barcode, in Go form. Empty strings
// stand for the fields the export sends as null.
type Item struct {
	Barcode, State, CancellationCause, AudienceSubCategoryCode, TaxNumber, EntranceCode, ContainerIdentifier,
	SeasonCode, ProductCode, PerformanceCode, Sector, Block, Row, Seat string
	ValidFrom, ValidTo                                    time.Time
	FirstName, LastName, IDNumber, BirthDate, CountryCode string
}

// item builds the Item of ref. Caller holds mu.
func (s *Sim) item(ref uint64) Item {
	var a attrs
	s.attrsOf(ref, &a)
	st, cause := s.current(ref)
	p := &s.prods[a.product]
	it := Item{
		Barcode:                 s.barcode(ref),
		State:                   stateNames[st],
		CancellationCause:       s.causes[cause],
		AudienceSubCategoryCode: tariffNames[a.tariff],
		TaxNumber:               string(s.appendTax(nil, ref)),
		EntranceCode:            entrances[a.entrance],
		SeasonCode:              s.cfg.Season,
		ProductCode:             p.code,
		PerformanceCode:         p.perf,
		Sector:                  sectorOf(a.entrance),
		ValidFrom:               p.validFrom,
		ValidTo:                 p.validTo,
	}
	if a.box != 0 {
		it.ContainerIdentifier = string(s.appendBox(nil, a.box))
	}
	if a.block == blockLounge {
		it.Block = "LOUNGE"
	} else {
		it.Block = "B" + twoDigits(a.block)
	}
	if a.row != 0 {
		it.Row = strconv.Itoa(int(a.row))
	}
	if a.seat != 0 {
		it.Seat = strconv.Itoa(int(a.seat))
	}
	if a.hasBirth {
		it.BirthDate = string(appendDate(nil, a.birth))
	}
	if a.personal {
		it.FirstName, it.LastName = firstNames[a.first], lastNames[a.last]
		it.IDNumber = "C" + string(appendPadded(nil, uint64(a.idnum), 8))
		it.CountryCode = countries[a.cc]
	}
	return it
}

func twoDigits(v uint8) string { return string([]byte{'0' + v/10, '0' + v%10}) }

// Ticket returns the current truth about a barcode.
func (s *Sim) Ticket(barcode string) (Item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ref, ok := s.parseBarcode(barcode)
	if !ok {
		return Item{}, false
	}
	return s.item(ref), true
}

// AllItems calls fn with the current truth of every barcode of the season,
// in creation order (initial tickets and their reprint replacements as they
// appear in the initial sequence, then sold/reprinted ones), until fn
// returns false. It works in chunks without holding the lock while fn runs,
// so fn may call the sim (including mutations).
func (s *Sim) AllItems(fn func(Item) bool) {
	const chunk = 1024
	items := make([]Item, 0, chunk)
	flush := func() bool {
		for _, it := range items {
			if !fn(it) {
				return false
			}
		}
		items = items[:0]
		return true
	}
	for pos := uint64(0); pos < s.v0; {
		s.mu.RLock()
		for ; pos < s.v0 && len(items) < chunk; pos++ {
			if e, ok := s.entryAt(pos); ok && creationSlot(pos, e) {
				items = append(items, s.item(e.ref))
			}
		}
		s.mu.RUnlock()
		if !flush() {
			return
		}
	}
	for k := 0; ; {
		s.mu.RLock()
		n := len(s.extras)
		for ; k < n && len(items) < chunk; k++ {
			items = append(items, s.item(mkRef(kindExtra, uint64(k))))
		}
		s.mu.RUnlock()
		if len(items) == 0 || !flush() {
			return
		}
	}
}
