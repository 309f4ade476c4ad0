package s360sim

// The export order is a sequence of "virtual slots": first the initial
// sequence (a pure function of seed and index), then one slot per change-log
// entry. A cursor is a slot number; most initial slots are empty, which is
// what lets position -> entry be computed without any table.
//
// Initial layout, per block of blockSize originals, 4*blockSize slots:
//
//	[0, 2B):   slot 2j   = original b*B+j as first issued (VALID)
//	           slot 2j+1 = its CANCELLED counterpart if class clsCancelAdj
//	                       (a "valid followed by its invalid counterpart")
//	[2B, 4B):  tail of the PREVIOUS block, 2 slots per original j:
//	           slot 2j   = INVALIDATED (reprint) / CANCELLED (cancel later,
//	                       blacklisted later) state of original (b-1)*B+j
//	           slot 2j+1 = the replacement barcode (VALID) of a reprint
//
// So reprints and late cancellations appear "later in the same order", up
// to two blocks after the ticket; one extra block holds the last tail.
const (
	blockSize     = 64
	slotsPerBlock = 4 * blockSize
)

// entry is one exported item occurrence.
type entry struct {
	ref   uint64
	cause uint16
	state uint8
	last  bool // latest occurrence of ref: WHITE/BLACK lists show only these
}

// end is the first slot past the sequence. Caller holds mu.
func (s *Sim) end() uint64 { return s.v0 + uint64(len(s.log)) }

// mutated reports whether an initial ref has change-log entries.
func (s *Sim) mutated(ref uint64) bool { return len(s.muts) != 0 && s.muts[ref] != nil }

// entryAt returns the entry at slot pos, ok=false for an empty slot.
// Initial slots carry the historical state; log slots the current one.
// Caller holds mu.
func (s *Sim) entryAt(pos uint64) (entry, bool) {
	if pos >= s.v0 {
		k := pos - s.v0
		if k >= uint64(len(s.log)) {
			return entry{}, false
		}
		ref := s.log[k]
		st, cause := s.current(ref)
		return entry{ref: ref, state: st, cause: cause, last: s.lastLog(ref) == int(k)}, true
	}
	b, r := pos/slotsPerBlock, pos%slotsPerBlock
	if r < 2*blockSize {
		i := b*blockSize + r/2
		if i >= s.nOrig {
			return entry{}, false
		}
		ref := mkRef(kindOrig, i)
		cls, cause := s.classOf(i)
		if r%2 == 0 {
			return entry{ref: ref, state: stValid, cause: causeNotCancelled,
				last: cls == clsPlain && !s.mutated(ref)}, true
		}
		if cls != clsCancelAdj {
			return entry{}, false
		}
		return entry{ref: ref, state: stCancelled, cause: uint16(cause), last: !s.mutated(ref)}, true
	}
	if b == 0 {
		return entry{}, false
	}
	t := r - 2*blockSize
	i := (b-1)*blockSize + t/2
	if i >= s.nOrig {
		return entry{}, false
	}
	cls, cause := s.classOf(i)
	if t%2 == 0 {
		ref := mkRef(kindOrig, i)
		switch cls {
		case clsReprint, clsCancelLater, clsBlacklistLater:
			st, c := initialFinal(cls, cause)
			return entry{ref: ref, state: st, cause: c, last: !s.mutated(ref)}, true
		}
		return entry{}, false
	}
	if cls != clsReprint {
		return entry{}, false
	}
	ref := mkRef(kindRepl, i)
	return entry{ref: ref, state: stValid, cause: causeNotCancelled, last: !s.mutated(ref)}, true
}

// creationSlot reports whether the initial entry at pos < v0 is the first
// occurrence of its barcode (AllItems walks barcodes in creation order).
func creationSlot(pos uint64, e entry) bool {
	r := pos % slotsPerBlock
	if r < 2*blockSize {
		return r%2 == 0
	}
	return refKind(e.ref) == kindRepl
}
