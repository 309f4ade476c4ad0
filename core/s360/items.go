package s360

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"s360gate/core"
)

// DecodeItem decodes one exportList item (an AccessControlListItem) into a
// Ticket. Its layout is [assumed], so it is tolerant: key names in any case
// and spelling of aliasTable, nulls anywhere, numbers where strings are
// expected (a barcode sent as a JSON number keeps its digits exactly),
// holder fields flat or in key/value lists under any key, dates as RFC 3339
// with or without zone or as epoch millis. The whole item is kept, copied,
// in Ticket.Raw so that fields unknown today are not lost.
//
// An item without a barcode is an error (ErrNoBarcode); so is input that is
// not one JSON object.
//
// It is on the hot path of a million-ticket export, so it reads the item in
// one pass with a small scanner instead of building a map: only keys found
// in the alias table turn into strings.
func DecodeItem(raw []byte) (core.Ticket, error) {
	var t core.Ticket
	err := decodeItemInto(raw, &t)
	return t, err
}

var (
	errNotObject = errors.New("item is not a JSON object")
	errSyntax    = errors.New("item is not valid JSON")
	errTooDeep   = errors.New("item is nested too deeply")
)

const maxDepth = 64

// Priorities: a lower value wins; 0 means unset. Top-level keys beat nested
// ones, then the alias rank decides; an equal one is replaced (later wins,
// as with JSON objects in general).
const nestedPrio = 64

func decodeItemInto(raw []byte, t *core.Ticket) error {
	return decodeItemCached(raw, t, nil)
}

// decodeItemCached is decodeItemInto with a cache of parsed dates (may be
// nil): an export repeats the same validity dates for thousands of tickets.
func decodeItemCached(raw []byte, t *core.Ticket, dates *dateCache) error {
	*t = core.Ticket{}
	d := itemDecoder{data: raw, t: t, dates: dates}
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return errNotObject
	}
	if err := d.object(0); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return errSyntax
	}
	d.finish()
	if d.prio[fState] == 0 {
		// No state at all: never admit on it, but keep a cancellation
		// visible if one was given.
		t.State = core.StateInvalidated
		if core.CancellationWords(t.CancellationCause) != "" {
			t.State = core.StateCancelled
		}
	}
	t.Raw = bytes.Clone(raw)
	if t.Barcode == "" {
		return ErrNoBarcode
	}
	return nil
}

type itemDecoder struct {
	data  []byte
	pos   int
	depth int
	t     *core.Ticket
	prio  [numFields]uint8 // 0: unset
	vals  [numFields]span
	dates *dateCache // nil: parse every date
}

// dateCache remembers the last dates parsed, by their text: the items of an
// export share a handful of validity windows, and time.Parse is a large
// part of decoding an item.
type dateCache struct {
	text [4]string
	t    [4]time.Time
	ok   [4]bool
	next int
}

func (c *dateCache) parse(s string) (time.Time, bool) {
	if c == nil {
		return parseTime(s)
	}
	for i := range c.text {
		if c.text[i] == s && s != "" {
			return c.t[i], c.ok[i]
		}
	}
	t, ok := parseTime(s)
	i := c.next
	c.next = (c.next + 1) % len(c.text)
	c.text[i], c.t[i], c.ok[i] = s, t, ok
	return t, ok
}

// span is one scalar value in data.
type span struct {
	s, e int  // content bounds (without quotes for strings)
	kind byte // '"' string, 'n' number, 'l' true/false, 0 null
	esc  bool // string contains escapes
}

func (d *itemDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *itemDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// object reads {...} at d.pos. level is 0 for the item itself, 1 inside.
func (d *itemDecoder) object(level int) error {
	d.pos++
	if d.depth++; d.depth > maxDepth {
		return errTooDeep
	}
	var (
		kvName, kvVal     span
		kvRank            = uint8(255)
		hasName, hasValue bool
	)
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.ws()
		if d.peek() != '"' {
			return errSyntax
		}
		ks, err := d.str()
		if err != nil {
			return err
		}
		d.ws()
		if d.peek() != ':' {
			return errSyntax
		}
		d.pos++
		d.ws()

		var (
			buf    [maxKey]byte
			a      alias
			known  bool
			kvRole uint8
			rank   uint8
		)
		if n, h, ok := d.normKey(ks, &buf); ok {
			if slot := lookupKey(buf[:n], h); slot != nil {
				switch {
				case slot.role == roleAlias:
					a, known = slot.a, true
				case level > 0:
					kvRole, rank = slot.role, slot.a.rank
				}
			}
		}
		switch d.peek() {
		case '{':
			err = d.object(1)
		case '[':
			err = d.array()
		default:
			var v span
			v, err = d.scalar()
			if err != nil {
				return err
			}
			switch {
			case known:
				if level == 0 || !topOnly[a.f] {
					d.set(a, level, v)
				}
			case kvRole == roleKVName && v.kind == '"' && rank < kvRank:
				kvName, kvRank, hasName = v, rank, true
			case kvRole == roleKVValue:
				kvVal, hasValue = v, true
			}
		}
		if err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case '}':
			d.pos++
			d.depth--
		default:
			return errSyntax
		}
		break
	}
	if hasName && hasValue {
		var buf [maxKey]byte
		if n, h, ok := d.normKey(kvName, &buf); ok {
			if slot := lookupKey(buf[:n], h); slot != nil && slot.role == roleAlias && !topOnly[slot.a.f] {
				d.set(slot.a, 1, kvVal)
			}
		}
	}
	return nil
}

// array reads [...] at d.pos; objects in it are read as nested objects
// (key/value pairs among them).
func (d *itemDecoder) array() error {
	d.pos++
	if d.depth++; d.depth > maxDepth {
		return errTooDeep
	}
	d.ws()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.ws()
		var err error
		switch d.peek() {
		case '{':
			err = d.object(1)
		case '[':
			err = d.array()
		default:
			_, err = d.scalar()
		}
		if err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case ']':
			d.pos++
			d.depth--
			return nil
		}
		return errSyntax
	}
}

// str reads a string at d.pos (which holds '"'). Keys and values are
// short, so a plain loop beats bytes.IndexByte's setup.
func (d *itemDecoder) str() (span, error) {
	start := d.pos + 1
	esc := false
	data := d.data
	for i := start; i < len(data); i++ {
		switch data[i] {
		case '"':
			d.pos = i + 1
			return span{s: start, e: i, kind: '"', esc: esc}, nil
		case '\\':
			esc = true
			i++
		}
	}
	return span{}, errSyntax
}

// scalar reads a string, number, true, false or null.
func (d *itemDecoder) scalar() (span, error) {
	c := d.peek()
	switch {
	case c == '"':
		return d.str()
	case c == 'n':
		return span{}, d.literal("null")
	case c == 't':
		s := d.pos
		return span{s: s, e: s + 4, kind: 'l'}, d.literal("true")
	case c == 'f':
		s := d.pos
		return span{s: s, e: s + 5, kind: 'l'}, d.literal("false")
	case c == '-' || (c >= '0' && c <= '9'):
		s := d.pos
		for d.pos < len(d.data) {
			c := d.data[d.pos]
			if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				d.pos++
				continue
			}
			break
		}
		return span{s: s, e: d.pos, kind: 'n'}, nil
	}
	return span{}, errSyntax
}

func (d *itemDecoder) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return errSyntax
	}
	d.pos += len(word)
	return nil
}

// normKey writes the normalised key into buf, and hashes it, without
// allocating.
func (d *itemDecoder) normKey(k span, buf *[maxKey]byte) (n int, h uint32, ok bool) {
	src := d.data[k.s:k.e]
	if k.esc {
		var s string
		if json.Unmarshal(d.data[k.s-1:k.e+1], &s) != nil {
			return 0, 0, false
		}
		src = []byte(s)
	}
	h = fnvOffset
	for _, c := range src {
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		}
		if n == maxKey {
			return 0, 0, false
		}
		buf[n] = c
		n++
		h = (h ^ uint32(c)) * fnvPrime
	}
	return n, h, true
}

// unescaped is an escaped string value, trimmed ("" if it is broken).
func (d *itemDecoder) unescaped(v span) string {
	var s string
	if json.Unmarshal(d.data[v.s-1:v.e+1], &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// set records a value for a field if it beats what the field holds. Only
// spans are kept while scanning; strings are made once, in finish.
func (d *itemDecoder) set(a alias, level int, v span) {
	if v.kind == 0 {
		return
	}
	p := 1 + a.rank
	if level > 0 {
		p += nestedPrio
	}
	if cur := d.prio[a.f]; cur != 0 && p > cur {
		return
	}
	if v.esc {
		if d.unescaped(v) == "" {
			return
		}
	} else {
		for v.s < v.e && isSpace(d.data[v.s]) {
			v.s++
		}
		for v.e > v.s && isSpace(d.data[v.e-1]) {
			v.e--
		}
		if v.s == v.e {
			return
		}
	}
	d.vals[a.f] = v
	d.prio[a.f] = p
}

// finish turns the chosen spans into the Ticket's strings. All plain values
// share one allocation (they live and die with the ticket anyway), which
// keeps a million-ticket export from making twenty small strings per item.
func (d *itemDecoder) finish() {
	n := 0
	for f := fBarcode; f < numFields; f++ {
		if v := d.vals[f]; d.prio[f] != 0 && !v.esc {
			n += v.e - v.s
		}
	}
	var b strings.Builder
	b.Grow(n)
	var at [numFields]int
	for f := fBarcode; f < numFields; f++ {
		if v := d.vals[f]; d.prio[f] != 0 && !v.esc {
			at[f] = b.Len()
			b.Write(d.data[v.s:v.e])
		}
	}
	arena := b.String()
	t := d.t
	for f := fBarcode; f < numFields; f++ {
		if d.prio[f] == 0 {
			continue
		}
		var s string
		if v := d.vals[f]; v.esc {
			s = d.unescaped(v)
		} else {
			s = arena[at[f] : at[f]+v.e-v.s]
		}
		switch f {
		case fBarcode:
			t.Barcode = s
		case fState:
			t.State = core.ParseState(s)
		case fCancel:
			t.CancellationCause = s
		case fTariff:
			t.AudienceSubCategoryCode = s
		case fTaxNumber:
			t.TaxNumber = s
		case fEntrance:
			t.EntranceCode = s
		case fContainer:
			t.ContainerID = s
		case fSeason:
			t.SeasonCode = s
		case fProduct:
			t.ProductCode = s
		case fPerformance:
			t.PerformanceCode = s
		case fSector:
			t.Sector = s
		case fBlock:
			t.Block = s
		case fRow:
			t.Row = s
		case fSeat:
			t.Seat = s
		case fValidFrom:
			// An unreadable date is no date, not a broken ticket.
			t.ValidFrom, _ = d.dates.parse(s)
		case fValidTo:
			t.ValidTo, _ = d.dates.parse(s)
		case fFirstName:
			t.Holder.FirstName = s
		case fLastName:
			t.Holder.LastName = s
		case fIDNumber:
			t.Holder.IDNumber = s
		case fBirthDate:
			t.Holder.BirthDate = birthDate(s)
		case fCountry:
			t.Holder.CountryCode = s
		}
	}
}
