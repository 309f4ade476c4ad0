package s360sim

import (
	"strconv"
	"sync"
	"unicode/utf8"
)

// Pages are encoded by hand: append-only writes of pre-quoted constants into
// a pooled buffer, no reflection and no per-item allocation. encoding/json on
// a tree of a million items would dominate a benchmark that is supposed to
// measure the client.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func itoa(n int) string { return strconv.Itoa(n) }

// quoted tables, built once.
var (
	firstJS, lastJS, countryJS [][]byte
)

func init() {
	q := func(in []string) [][]byte {
		out := make([][]byte, len(in))
		for i, v := range in {
			out[i] = appendJSONString(nil, v)
		}
		return out
	}
	firstJS, lastJS, countryJS = q(firstNames[:]), q(lastNames[:]), q(countries[:])
}

// Buffer pools: one for response bodies, one for their gzipped copies, so
// a small gzip buffer is never handed out for a multi-megabyte page (which
// would regrow it every time). A page of 10,000 items is ~5 MB; sync.Pool
// alone loses such buffers at every GC, and a client decoding pages in the
// same process triggers GCs all the time, so a couple of buffers are kept
// in a small free list that GC does not empty. Huge buffers are dropped.
type bytePool struct {
	free chan *[]byte
	p    sync.Pool
}

const (
	maxPooledBuf = 12 << 20
	keptBuffers  = 2
)

func newBytePool() *bytePool { return &bytePool{free: make(chan *[]byte, keptBuffers)} }

func (bp *bytePool) get() *[]byte {
	select {
	case b := <-bp.free:
		return b
	default:
	}
	if b, ok := bp.p.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

func (bp *bytePool) put(b *[]byte) {
	if cap(*b) > maxPooledBuf {
		return
	}
	*b = (*b)[:0]
	select {
	case bp.free <- b:
	default:
		bp.p.Put(b)
	}
}

var bodyPool, gzipPool = newBytePool(), newBytePool()

func getBuf() *[]byte  { return bodyPool.get() }
func putBuf(b *[]byte) { bodyPool.put(b) }

// appendStatus starts a result object: requestId, statusCode, statusDetail.
// The caller appends further fields and the closing brace.
func appendStatus(b []byte, reqID []byte, code, detail string) []byte {
	b = append(b, `{"requestId":`...)
	if len(reqID) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, reqID...)
	}
	b = append(b, `,"statusCode":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"statusDetail":`...)
	return appendJSONString(b, detail)
}

func appendSmall(b []byte, prefix byte, v uint8) []byte {
	b = append(b, '"')
	if prefix != 0 {
		b = append(b, prefix)
	}
	if v < 10 && prefix != 0 {
		b = append(b, '0')
	}
	b = strconv.AppendUint(b, uint64(v), 10)
	return append(b, '"')
}

// holderFlat reports whether ref carries its holder fields flat (else as a
// key/value list).
func (s *Sim) holderFlat(ref uint64) bool {
	switch s.cfg.HolderStyle {
	case HolderFlat:
		return true
	case HolderList:
		return false
	}
	return (refIdx(ref)+refKind(ref))%2 == 0
}

// appendItem encodes one AccessControlListItem [assumed shape, see the
// reference]. Fields the institution does not fill are null.
func (s *Sim) appendItem(b []byte, ref uint64, st uint8, cause uint16, a *attrs) []byte {
	b = append(b, `{"barcode":"`...)
	b = s.appendBarcode(b, ref)
	b = append(b, `","ticketState":"`...)
	b = append(b, stateNames[st]...)
	b = append(b, `","cancellationCause":`...)
	b = appendJSONString(b, s.causes[cause])
	b = append(b, `,"audienceSubCategoryCode":"`...)
	b = append(b, tariffNames[a.tariff]...)
	b = append(b, `","taxNumber":"`...)
	b = s.appendTax(b, ref)
	b = append(b, `","entranceCode":"`...)
	b = append(b, entrances[a.entrance]...)
	b = append(b, `","containerIdentifier":`...)
	b = s.appendContainer(b, a)
	p := &s.prods[a.product]
	b = append(b, `,"seasonCode":`...)
	b = append(b, s.seasonJSON...)
	b = append(b, `,"productCode":`...)
	b = append(b, p.codeJSON...)
	b = append(b, `,"performanceCode":`...)
	b = append(b, p.perfJSON...)
	b = append(b, `,"sector":"`...)
	b = append(b, sectorOf(a.entrance)...)
	b = append(b, `","block":`...)
	if a.block == blockLounge {
		b = append(b, `"LOUNGE"`...)
	} else {
		b = appendSmall(b, 'B', a.block)
	}
	b = append(b, `,"row":`...)
	if a.row == 0 {
		b = append(b, "null"...)
	} else {
		b = appendSmall(b, 0, a.row)
	}
	b = append(b, `,"seat":`...)
	if a.seat == 0 {
		b = append(b, "null"...)
	} else {
		b = appendSmall(b, 0, a.seat)
	}
	b = append(b, `,"validityStartDate":`...)
	b = append(b, p.validFromJS...)
	b = append(b, `,"validityEndDate":`...)
	b = append(b, p.validToJS...)
	if s.holderFlat(ref) {
		b = s.appendHolderFlat(b, a)
	} else {
		b = s.appendHolderList(b, a)
	}
	return append(b, '}')
}

func appendIDNumber(b []byte, n uint32) []byte {
	b = append(b, '"', 'C')
	b = appendPadded(b, uint64(n), 8)
	return append(b, '"')
}

func (s *Sim) appendHolderFlat(b []byte, a *attrs) []byte {
	if !a.personal {
		b = append(b, `,"FIRSTNAME":null,"LASTNAME":null,"ID_NUMBER":null,"BIRTHDATE":`...)
		if a.hasBirth {
			b = append(b, '"')
			b = appendDate(b, a.birth)
			b = append(b, '"')
		} else {
			b = append(b, "null"...)
		}
		return append(b, `,"COUNTRY_CODE":null`...)
	}
	b = append(b, `,"FIRSTNAME":`...)
	b = append(b, firstJS[a.first]...)
	b = append(b, `,"LASTNAME":`...)
	b = append(b, lastJS[a.last]...)
	b = append(b, `,"ID_NUMBER":`...)
	b = appendIDNumber(b, a.idnum)
	b = append(b, `,"BIRTHDATE":"`...)
	b = appendDate(b, a.birth)
	b = append(b, `","COUNTRY_CODE":`...)
	return append(b, countryJS[a.cc]...)
}

func (s *Sim) appendHolderList(b []byte, a *attrs) []byte {
	if !a.personal && !a.hasBirth {
		return append(b, `,"additionalInfos":null`...)
	}
	b = append(b, `,"additionalInfos":[`...)
	if a.personal {
		b = append(b, `{"key":"FIRSTNAME","value":`...)
		b = append(b, firstJS[a.first]...)
		b = append(b, `},{"key":"LASTNAME","value":`...)
		b = append(b, lastJS[a.last]...)
		b = append(b, `},{"key":"ID_NUMBER","value":`...)
		b = appendIDNumber(b, a.idnum)
		b = append(b, `},{"key":"COUNTRY_CODE","value":`...)
		b = append(b, countryJS[a.cc]...)
		b = append(b, `},`...)
	}
	b = append(b, `{"key":"BIRTHDATE","value":"`...)
	b = appendDate(b, a.birth)
	return append(b, `"}]`...)
}
