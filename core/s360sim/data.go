package s360sim

import (
	"strconv"
	"time"
)

// This file generates the initial stadium. Every attribute of original
// ticket i is a pure function of (seed, i): nothing is stored per ticket, so
// a 1,000,000-ticket sim costs no more memory than a 10-ticket one. Sold and
// reprinted tickets (mutations) reuse the same generator with their own
// generation index.

// A ref names one barcode compactly: the kind in the top 2 bits, an index in
// the rest. Barcodes and tax numbers are reversible encodings of refs, so a
// lookup by barcode needs no map either.
const (
	kindOrig  = 0 // initial ticket i
	kindRepl  = 1 // replacement barcode of initial ticket i (initial reprints)
	kindExtra = 2 // extras[k]: sold by Sell or created by Reprint
	kindBox   = 3 // RFID container ids (not a ticket)
	kindShift = 62
	idxMask   = 1<<kindShift - 1
)

func mkRef(kind, idx uint64) uint64 { return kind<<kindShift | idx&idxMask }
func refKind(r uint64) uint64       { return r >> kindShift }
func refIdx(r uint64) uint64        { return r & idxMask }

// Ticket states, in the order of stateNames.
const (
	stValid uint8 = iota
	stCancelled
	stInvalidated
)

var stateNames = [...]string{"VALID", "CANCELLED", "INVALIDATED"}

// Initial history classes of an original ticket. The class decides which
// extra entries the initial export sequence holds for it (see seq.go).
const (
	clsPlain          uint8 = iota // VALID, stays valid
	clsReprint                     // VALID, later INVALIDATED + replacement VALID
	clsCancelAdj                   // VALID immediately followed by CANCELLED (a GREY pair)
	clsCancelLater                 // VALID, CANCELLED later in the sequence
	clsBlacklistLater              // VALID, later CANCELLED with cause BLACKLISTED
)

// Cancellation causes are interned (Sim.causes); these are the fixed ones.
const (
	causeNotCancelled = 0
	causeBlacklisted  = 1
	causeFirstCancel  = 2 // first of the generator's cancellation causes
	nCancelCauses     = 4
)

var fixedCauses = []string{"NOT_CANCELLED", "BLACKLISTED", "REFUND_REQUESTED", "EVENT_CHANGE", "FRAUD", "PAYMENT_FAILED"}

// Tariffs (audienceSubCategoryCode).
const (
	tAdult uint8 = iota
	tChild
	tSenior
	tStudent
	tVIP
)

var tariffNames = [...]string{"ADULT", "CHILD", "SENIOR", "STUDENT", "VIP"}

// Age ranges per tariff for holders with a BIRTHDATE.
var ageRange = [...][2]int{tAdult: {18, 64}, tChild: {6, 15}, tSenior: {65, 90}, tStudent: {18, 27}, tVIP: {25, 70}}

const maxAge = 100

var entrances = [...]string{"N1", "N2", "N3", "N4", "S1", "S2", "S3", "S4", "E1", "W1"}

const entranceS2 = 5

func sectorOf(entrance uint8) string {
	switch entrances[entrance][0] {
	case 'N':
		return "NORTH"
	case 'S':
		return "SOUTH"
	case 'E':
		return "EAST"
	}
	return "WEST"
}

// Holder data pools; a few non-ASCII names keep clients honest about UTF-8.
var (
	firstNames = [...]string{"Ada", "Léa", "Zoë", "José", "Jürgen", "Noah", "Mia", "Luca", "Emma", "Liam", "Sofía", "Matteo",
		"Chloé", "Elias", "Anja", "Björn", "Nora", "Malik", "Aiko", "Inès", "Tomás", "Olga", "Yusuf", "Greta"}
	lastNames = [...]string{"Müller", "Dubois", "O'Brien", "García", "Rossi", "Nguyen", "Schmid", "Keller", "Martin", "Bianchi",
		"Novák", "Łukasiewicz", "Meier", "Fischer", "Weber", "Favre", "Gerber", "Brunner", "Rey", "Baumann", "Da Silva",
		"Costa", "Andersson", "Kovač"}
	countries = [...]string{"CH", "FR", "DE", "IT", "AT", "GB", "ES", "PT", "NL", "BE", "US", "BR", "JP", "SE"}
)

// showcase fixes the first 16 original tickets so that Samples() finds one
// of every interesting kind whatever the seed, at stable indices.
type showcase struct {
	tariff, cls, cause, entrance, product uint8
	personal                              bool
}

const nShowcase = 16

var showcaseTable = [nShowcase]showcase{
	0:  {tariff: tAdult},                                                  // valid at N1
	1:  {tariff: tChild},                                                  // child with BIRTHDATE
	2:  {tariff: tSenior},                                                 // senior
	3:  {tariff: tVIP},                                                    // vip
	4:  {tariff: tAdult, cls: clsCancelLater, cause: 2},                   // cancelled REFUND_REQUESTED
	5:  {tariff: tAdult, cls: clsReprint},                                 // reprinted
	6:  {tariff: tAdult, personal: true},                                  // personalised
	7:  {tariff: tAdult, entrance: entranceS2},                            // wrong gate when scanned at N1
	8:  {tariff: tAdult},                                                  // 8..11: one RFID container
	9:  {tariff: tStudent},                                                //
	10: {tariff: tAdult},                                                  //
	11: {tariff: tChild},                                                  //
	12: {tariff: tAdult, product: 1},                                      // other product
	13: {tariff: tAdult, cls: clsBlacklistLater, cause: causeBlacklisted}, // blacklisted after reaching the white list
	14: {tariff: tAdult, cls: clsCancelAdj, cause: 5},                     // VALID+CANCELLED pair, PAYMENT_FAILED
	15: {tariff: tStudent, cls: clsPlain, entrance: 0, product: 0},        // student
}

// Container layout: originals are grouped by 8; a group holding a container
// puts its first 3..6 members in it (each shares with 2-5 others). With
// 53/1000 of the groups and 4.5 members on average, ~3% of tickets.
const (
	boxGroup     = 8
	boxPerMille  = 53
	showcaseBox  = 1 // group 1 = tickets 8..11
	showcaseSize = 4
)

// Hash streams: independent pseudo-random values per (index, stream).
const (
	streamClass = iota + 1
	streamA
	streamB
	streamC
	streamBox
	streamOps
)

// mix is the splitmix64 finalizer: a fast bijective 64-bit mixer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (s *Sim) rnd(i, stream uint64) uint64 {
	return mix(s.key ^ mix(i*0x9E3779B97F4A7C15+stream*0xD1B54A32D192ED03))
}

// field maps `bits` bits of h starting at shift uniformly onto [0,n).
func field(h uint64, shift, bits uint, n uint64) uint64 {
	return ((h >> shift) & (1<<bits - 1)) * n >> bits
}

// classOf returns the initial history class of original i and, for
// cancellations, the cause index.
func (s *Sim) classOf(i uint64) (cls, cause uint8) {
	if i < nShowcase {
		sc := &showcaseTable[i]
		return sc.cls, sc.cause
	}
	h := s.rnd(i, streamClass)
	u := field(h, 0, 32, 10000)
	cause = causeFirstCancel + uint8(field(h, 32, 16, nCancelCauses))
	switch {
	case u < 100: // 1% reprinted
		return clsReprint, causeNotCancelled
	case u < 200: // 1% cancelled, pair
		return clsCancelAdj, cause
	case u < 300: // 1% cancelled later
		return clsCancelLater, cause
	case u < 310: // 0.1% blacklisted later
		return clsBlacklistLater, causeBlacklisted
	}
	return clsPlain, causeNotCancelled
}

// boxOf reports the container group of original i (group+1; 0 = none).
func (s *Sim) boxOf(i uint64) uint64 {
	g := i / boxGroup
	var size uint64
	switch {
	case g == showcaseBox:
		size = showcaseSize
	case g < 3: // keep the rest of the showcase out of containers
		return 0
	default:
		h := s.rnd(g, streamBox)
		if field(h, 0, 32, 1000) >= boxPerMille {
			return 0
		}
		size = 3 + field(h, 32, 8, 4)
	}
	if i%boxGroup >= size || g*boxGroup+size > s.nOrig {
		return 0
	}
	return g + 1
}

// attrs is everything about a ticket except its identity and state.
type attrs struct {
	product          uint16
	tariff           uint8
	entrance         uint8
	block, row, seat uint8 // 0 => null; block 255 => "LOUNGE"
	third            bool  // sold through a third party (ticketType THIRD_PARTY)
	personal         bool
	hasBirth         bool
	first, last, cc  uint8
	idnum            uint32
	birth            int32  // days since 1970-01-01, if hasBirth
	box              uint64 // container group+1; 0 => none
}

const blockLounge = 255

// genAttrs derives attributes from generation index gi. sc (may be nil)
// forces showcase values; product < 0 lets the hash pick one.
func (s *Sim) genAttrs(gi uint64, product int, sc *showcase, a *attrs) {
	h := s.rnd(gi, streamA)
	tu := field(h, 0, 16, 10000)
	switch {
	case tu < 7000:
		a.tariff = tAdult
	case tu < 8000:
		a.tariff = tChild
	case tu < 8800:
		a.tariff = tSenior
	case tu < 9500:
		a.tariff = tStudent
	default:
		a.tariff = tVIP
	}
	a.entrance = uint8(field(h, 16, 8, uint64(len(entrances))))
	a.block = 1 + uint8(field(h, 24, 8, 12))
	a.row = 1 + uint8(field(h, 32, 8, 35))
	a.seat = 1 + uint8(field(h, 40, 8, 40))
	a.third = field(h, 48, 8, 10) == 0
	a.personal = field(h, 56, 8, 100) < 5
	h3 := s.rnd(gi, streamC)
	if product < 0 {
		product = int(field(h3, 0, 16, uint64(len(s.prods))))
	}
	if sc != nil {
		a.tariff, a.entrance, a.personal, a.third = sc.tariff, sc.entrance, sc.personal, false
	}
	a.product = uint16(product)
	if a.tariff == tVIP {
		a.block, a.row, a.seat = blockLounge, 0, 0
	}
	a.hasBirth = a.personal || a.tariff == tChild
	if a.personal || a.hasBirth {
		h2 := s.rnd(gi, streamB)
		a.first = uint8(field(h2, 0, 8, uint64(len(firstNames))))
		a.last = uint8(field(h2, 8, 8, uint64(len(lastNames))))
		a.cc = uint8(field(h2, 16, 8, uint64(len(countries))))
		a.idnum = uint32(field(h2, 24, 32, 100000000))
		ar := ageRange[a.tariff]
		age := ar[0] + int(field(h3, 16, 16, uint64(ar[1]-ar[0]+1)))
		// Born 1..363 days before the age-th birthday anniversary preceding
		// the performance: exactly `age` years old on the day, leap years
		// included.
		a.birth = s.prods[product].anniv[age] - 1 - int32(field(h3, 32, 16, 363))
	}
}

// origAttrs: attributes of original ticket i.
func (s *Sim) origAttrs(i uint64, a *attrs) {
	*a = attrs{}
	a.box = s.boxOf(i)
	product := -1
	var sc *showcase
	if i < nShowcase {
		sc = &showcaseTable[i]
		product = int(sc.product) % len(s.prods)
	}
	if a.box != 0 {
		// Containers hold tickets of several products.
		product = int(i%boxGroup) % len(s.prods)
	}
	s.genAttrs(i, product, sc, a)
}

// Generation indices of sold tickets live far above any original index so
// their hash streams never coincide.
const soldGenBase = 1 << 40

// ---- identities: barcodes, tax numbers, container ids ----------------------

// permute is a keyed 4-round Feistel bijection on 64 bits: barcodes look
// random, are unique by construction, and decode back to their ref.
func (s *Sim) permute(x uint64) uint64 {
	l, r := uint32(x>>32), uint32(x)
	for k := 0; k < 4; k++ {
		l, r = r, l^uint32(mix(uint64(r)^s.fkeys[k]))
	}
	return uint64(l)<<32 | uint64(r)
}

func (s *Sim) unpermute(y uint64) uint64 {
	l, r := uint32(y>>32), uint32(y)
	for k := 3; k >= 0; k-- {
		l, r = r^uint32(mix(uint64(l)^s.fkeys[k])), l
	}
	return uint64(l)<<32 | uint64(r)
}

// Barcodes: "74" + 20 digits = 22 digits.
const (
	barcodePrefix = "74"
	barcodeLen    = 22
)

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	n := len(tmp)
	for v > 0 || n == len(tmp) {
		n--
		tmp[n] = byte('0' + v%10)
		v /= 10
	}
	for pad := width - (len(tmp) - n); pad > 0; pad-- {
		b = append(b, '0')
	}
	return append(b, tmp[n:]...)
}

func (s *Sim) appendBarcode(b []byte, ref uint64) []byte {
	b = append(b, barcodePrefix...)
	return appendPadded(b, s.permute(ref), 20)
}

func (s *Sim) barcode(ref uint64) string {
	var tmp [barcodeLen]byte
	return string(s.appendBarcode(tmp[:0], ref))
}

// Tax numbers: "T26-0001234" (original), "R26-..." (replacement of an
// initial reprint), "S26-..." (sold or reprinted through the admin API).
// Short, human-readable, unique per barcode.
var taxLetter = [...]byte{kindOrig: 'T', kindRepl: 'R', kindExtra: 'S'}

func (s *Sim) appendTax(b []byte, ref uint64) []byte {
	b = append(b, taxLetter[refKind(ref)])
	b = append(b, s.season2...)
	b = append(b, '-')
	return appendPadded(b, refIdx(ref)+1, 7)
}

func (s *Sim) appendBox(b []byte, box uint64) []byte {
	const hex = "0123456789ABCDEF"
	v := s.permute(mkRef(kindBox, box-1))
	b = append(b, "RFID-"...)
	for sh := 60; sh >= 0; sh -= 4 {
		b = append(b, hex[v>>uint(sh)&15])
	}
	return b
}

// appendContainer appends the JSON value of a's container id: quoted, or
// null when the ticket is on no card.
func (s *Sim) appendContainer(b []byte, a *attrs) []byte {
	if a.box == 0 {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = s.appendBox(b, a.box)
	return append(b, '"')
}

// exists reports whether ref names a barcode of this sim. Caller holds mu.
func (s *Sim) exists(ref uint64) bool {
	i := refIdx(ref)
	switch refKind(ref) {
	case kindOrig:
		return i < s.nOrig
	case kindRepl:
		if i >= s.nOrig {
			return false
		}
		cls, _ := s.classOf(i)
		return cls == clsReprint
	case kindExtra:
		return i < uint64(len(s.extras))
	}
	return false
}

// parseBarcode decodes a barcode to its ref. Caller holds mu.
func (s *Sim) parseBarcode(code string) (uint64, bool) {
	if len(code) != barcodeLen || code[:2] != barcodePrefix {
		return 0, false
	}
	v, err := strconv.ParseUint(code[2:], 10, 64)
	if err != nil {
		return 0, false
	}
	ref := s.unpermute(v)
	return ref, s.exists(ref)
}

// parseTax decodes a tax number to its ref. Caller holds mu.
func (s *Sim) parseTax(code string) (uint64, bool) {
	if len(code) < 4+7 || code[1:3] != s.season2 || code[3] != '-' {
		return 0, false
	}
	var kind uint64
	switch code[0] {
	case 'T':
		kind = kindOrig
	case 'R':
		kind = kindRepl
	case 'S':
		kind = kindExtra
	default:
		return 0, false
	}
	n, err := strconv.ParseUint(code[4:], 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	ref := mkRef(kind, n-1)
	if string(s.appendTax(nil, ref)) != code { // reject non-canonical forms
		return 0, false
	}
	return ref, s.exists(ref)
}

// ---- dates ------------------------------------------------------------------

// daysOf is the civil day number (days since 1970-01-01) of a calendar date.
func daysOf(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

// appendDate formats a civil day number as YYYY-MM-DD without the time
// package (Howard Hinnant's civil_from_days), because it runs per item.
func appendDate(b []byte, days int32) []byte {
	z := int64(days) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	b = appendPadded(b, uint64(y), 4)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return b
}
