package s360sim

import (
	"errors"
)

// This file holds the change log: every mutation after New appends the ref
// it touched to s.log. An export re-emits, at each log position, the full
// *current* item of that ref; the initial sequence before it (seq.go) stays
// a pure function. Memory is O(number of mutations).

// Errors of the admin operations.
var (
	ErrUnknownTicket  = errors.New("s360sim: unknown barcode")
	ErrTicketNotValid = errors.New("s360sim: ticket is not valid")
	ErrUnknownProduct = errors.New("s360sim: unknown product")
)

// initialFinal is the state original i ends the initial sequence in.
func initialFinal(cls, cause uint8) (uint8, uint16) {
	switch cls {
	case clsReprint:
		return stInvalidated, causeNotCancelled
	case clsCancelAdj, clsCancelLater, clsBlacklistLater:
		return stCancelled, uint16(cause)
	}
	return stValid, causeNotCancelled
}

// current returns the current state of an existing ref. Caller holds mu.
func (s *Sim) current(ref uint64) (state uint8, cause uint16) {
	switch refKind(ref) {
	case kindExtra:
		e := &s.extras[refIdx(ref)]
		return e.state, e.cause
	case kindRepl:
		if m := s.muts[ref]; m != nil {
			return m.state, m.cause
		}
		return stValid, causeNotCancelled
	}
	if m := s.muts[ref]; m != nil {
		return m.state, m.cause
	}
	return initialFinal(s.classOf(refIdx(ref)))
}

// lastLog returns the log index of the latest entry of ref, -1 if none.
// Caller holds mu.
func (s *Sim) lastLog(ref uint64) int {
	if refKind(ref) == kindExtra {
		return int(s.extras[refIdx(ref)].lastLog)
	}
	if m := s.muts[ref]; m != nil {
		return int(m.lastLog)
	}
	return -1
}

// attrsOf returns the attributes of an existing ref. Caller holds mu.
func (s *Sim) attrsOf(ref uint64, a *attrs) {
	switch refKind(ref) {
	case kindOrig, kindRepl:
		s.origAttrs(refIdx(ref), a)
	case kindExtra:
		k := refIdx(ref)
		e := &s.extras[k]
		if e.src != 0 {
			s.attrsOf(e.src-1, a) // a reprint keeps seat, holder and container
			return
		}
		*a = attrs{}
		s.genAttrs(soldGenBase+k, int(e.product), nil, a)
	}
}

// setState records a state change of ref and appends it to the log.
// Caller holds mu (write).
func (s *Sim) setState(ref uint64, state uint8, cause uint16) {
	at := s.now().UnixNano()
	idx := uint32(len(s.log))
	s.log = append(s.log, ref)
	if refKind(ref) == kindExtra {
		e := &s.extras[refIdx(ref)]
		e.state, e.cause, e.at, e.lastLog = state, cause, at, idx
		return
	}
	m := s.muts[ref]
	if m == nil {
		m = new(mutation)
		s.muts[ref] = m
	}
	m.state, m.cause, m.at, m.lastLog = state, cause, at, idx
}

// newExtra creates a VALID ticket and logs it. Caller holds mu (write).
func (s *Sim) newExtra(product int, src uint64) uint64 {
	ref := mkRef(kindExtra, uint64(len(s.extras)))
	s.extras = append(s.extras, extra{src: src, product: uint16(product), at: s.now().UnixNano(),
		lastLog: uint32(len(s.log))})
	s.log = append(s.log, ref)
	return ref
}

// Sell creates n new VALID tickets of product ("" = the first product) and
// returns their barcodes. It returns nil for n <= 0 or an unknown product.
func (s *Sim) Sell(n int, product string) []string {
	if n <= 0 {
		return nil
	}
	j := 0
	if product != "" {
		if j = s.productIndex(product); j < 0 {
			return nil
		}
	}
	out := make([]string, 0, n)
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; n > 0; n-- {
		out = append(out, s.barcode(s.newExtra(j, 0)))
	}
	return out
}

// lookupValid resolves a barcode that must currently be VALID. Caller holds mu.
func (s *Sim) lookupValid(barcode string) (uint64, error) {
	ref, ok := s.parseBarcode(barcode)
	if !ok {
		return 0, ErrUnknownTicket
	}
	if st, _ := s.current(ref); st != stValid {
		return 0, ErrTicketNotValid
	}
	return ref, nil
}

// Cancel cancels a VALID ticket with the given cause (default
// "REFUND_REQUESTED"). Cancelling with cause "BLACKLISTED" is a Blacklist.
func (s *Sim) Cancel(barcode, cause string) error {
	if cause == "" {
		cause = "REFUND_REQUESTED"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, err := s.lookupValid(barcode)
	if err != nil {
		return err
	}
	s.setState(ref, stCancelled, s.intern(cause))
	return nil
}

// Blacklist invalidates a ticket for good: it becomes CANCELLED with cause
// "BLACKLISTED" (valid or not before), and importControlledTicket refuses
// it from then on. Blacklisting twice is a no-op.
func (s *Sim) Blacklist(barcode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.parseBarcode(barcode)
	if !ok {
		return ErrUnknownTicket
	}
	if _, cause := s.current(ref); cause == causeBlacklisted {
		return nil
	}
	s.setState(ref, stCancelled, causeBlacklisted)
	return nil
}

// Reprint invalidates a VALID ticket (INVALIDATED) and issues a new VALID
// barcode for the same seat and holder. The log gets the old barcode first,
// then the new one.
func (s *Sim) Reprint(barcode string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, err := s.lookupValid(barcode)
	if err != nil {
		return "", err
	}
	var a attrs
	s.attrsOf(ref, &a)
	s.setState(ref, stInvalidated, causeNotCancelled)
	return s.barcode(s.newExtra(int(a.product), ref+1)), nil
}

// isBlacklisted: the import refuses these. Caller holds mu.
func (s *Sim) isBlacklisted(ref uint64) bool {
	_, cause := s.current(ref)
	return cause == causeBlacklisted
}
