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
// with or without zone or as epoch millis.
//
// Ticket.Raw keeps what the decoder did not understand, so that fields
// unknown today are not lost and known ones are not stored twice (a copy of
// the whole item doubled the store). Raw is nil when every member of the
// item was understood. Otherwise it is a JSON object holding, in their
// original order and byte for byte as sent (key, colon, value; joined by
// ','), the top-level members that were not. A top-level member is
// understood, and dropped, when
//   - its value is null: it carries nothing;
//   - its key is an alias and its value a string, number or bool, even if
//     another alias of the field won: it means the same;
//   - its value is an object or array all of whose leaves were understood:
//     nulls; in objects, aliases (but a barcode or state found nested is
//     not taken, so not understood) and key/value pairs that named an
//     alias, where nothing else in the pair's object was left over; in
//     arrays, no strings, numbers or bools. {} and [] are understood.
//
// A member holding anything else is kept whole. Raw is always valid JSON:
// the scanner tolerates some input that is not (numbers such as 01, bad
// escapes, control characters in strings), and a kept key or value that is
// not valid JSON is stored as a JSON string of its bytes as sent (a key's
// bytes between its quotes; only '"', '\\' and control characters escaped).
//
// An item without a barcode is an error (ErrNoBarcode); so is input that is
// not one JSON object.
//
// It is on the hot path of a million-ticket export, so it reads the item in
// one pass with a small scanner instead of building a map: only keys found
// in the alias table turn into strings.
func DecodeItem(raw []byte) (core.Ticket, error) {
	return DecodeItemIn(raw, nil)
}

// DecodeItemIn is DecodeItem reading times without an offset in loc, the
// institution's zone (nil: the laptop's; see dates.go).
func DecodeItemIn(raw []byte, loc *time.Location) (core.Ticket, error) {
	var t core.Ticket
	dates := dateCache{loc: loc}
	err := decodeItemCached(raw, &t, &dates)
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
	if _, err := d.object(0); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return errSyntax
	}
	d.finish()
	t.Raw = d.rest()
	if d.prio[fState] == 0 {
		// No state at all: never admit on it, but keep a cancellation
		// visible if one was given.
		t.State = core.StateInvalidated
		if core.CancellationWords(t.CancellationCause) != "" {
			t.State = core.StateCancelled
		}
	}
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

	// Top-level members not understood, for Raw: up to four fit in kept,
	// so that an item with a few unknown fields allocates nothing but Raw
	// itself; the rest go to more.
	kept  [4]member
	nkept int
	more  []member
	// bad: the current top-level member holds something the scanner
	// tolerates but JSON does not (a malformed number or escape).
	bad bool
}

// member is a top-level key/value pair in data: the key from k ('"') to
// ke, the value from v to e.
type member struct {
	k, ke, v, e int
	bad         bool
}

// dateCache remembers the last dates parsed, by their text: the items of an
// export share a handful of validity windows, and time.Parse is a large
// part of decoding an item. loc is the zone of times without an offset
// (nil: the laptop's).
type dateCache struct {
	loc  *time.Location
	text [4]string
	t    [4]time.Time
	ok   [4]bool
	next int
}

func (c *dateCache) parse(s string) (time.Time, bool) {
	if c == nil {
		return parseTime(s, nil)
	}
	for i := range c.text {
		if c.text[i] == s && s != "" {
			return c.t[i], c.ok[i]
		}
	}
	t, ok := parseTime(s, c.loc)
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
// Nested, it reports whether every member was understood (see DecodeItem);
// at level 0 the members that were not are recorded for Raw instead.
func (d *itemDecoder) object(level int) (understood bool, err error) {
	d.pos++
	if d.depth++; d.depth > maxDepth {
		return false, errTooDeep
	}
	var (
		kvName, kvVal     span
		kvRank            = uint8(255)
		hasName, hasValue bool
		// The pair's name and value are understood only if the pair
		// names an alias, and only the ones it used: a name replaced by a
		// better-ranked one, or a value by a later one, would be lost.
		names, values int
		all           = true // every member but the pair's
	)
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return true, nil
	}
	for {
		d.ws()
		if d.peek() != '"' {
			return false, errSyntax
		}
		start := d.pos
		if level == 0 {
			d.bad = false
		}
		ks, err := d.str()
		if err != nil {
			return false, err
		}
		d.ws()
		if d.peek() != ':' {
			return false, errSyntax
		}
		d.pos++
		d.ws()
		vstart := d.pos

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
		var ok bool
		switch d.peek() {
		case '{':
			ok, err = d.object(1)
		case '[':
			ok, err = d.array()
		default:
			var v span
			v, err = d.scalar()
			if err != nil {
				return false, err
			}
			ok = v.kind == 0
			switch {
			case known:
				if level == 0 || !topOnly[a.f] {
					d.set(a, level, v)
					ok = true
				}
			case kvRole == roleKVName && v.kind == '"' && rank < kvRank:
				kvName, kvRank, hasName = v, rank, true
				names++
				ok = true
			case kvRole == roleKVValue:
				kvVal, hasValue = v, true
				if v.kind != 0 {
					values++
				}
				ok = true
			}
		}
		if err != nil {
			return false, err
		}
		if !ok {
			if level == 0 {
				d.keep(member{k: start, ke: ks.e + 1, v: vstart, e: d.pos, bad: d.bad})
			}
			all = false
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
			return false, errSyntax
		}
		break
	}
	resolved := false
	if hasName && hasValue {
		var buf [maxKey]byte
		if n, h, ok := d.normKey(kvName, &buf); ok {
			if slot := lookupKey(buf[:n], h); slot != nil && slot.role == roleAlias && !topOnly[slot.a.f] {
				d.set(slot.a, 1, kvVal)
				resolved = true
			}
		}
	}
	if names+values > 0 {
		all = all && resolved && names == 1 && values <= 1 && (values == 0 || kvVal.kind != 0)
	}
	return all, nil
}

// keep records a top-level member for Raw.
func (d *itemDecoder) keep(m member) {
	if d.nkept < len(d.kept) {
		d.kept[d.nkept] = m
		d.nkept++
		return
	}
	d.more = append(d.more, m)
}

// rest builds Raw from the members kept (nil if none), in one allocation
// unless a member has to be repaired.
func (d *itemDecoder) rest() []byte {
	if d.nkept == 0 {
		return nil
	}
	n := 1
	for _, m := range d.kept[:d.nkept] {
		n += m.e - m.k + 1
	}
	for _, m := range d.more {
		n += m.e - m.k + 1
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for _, m := range d.kept[:d.nkept] {
		out = d.appendMember(out, m)
	}
	for _, m := range d.more {
		out = d.appendMember(out, m)
	}
	return append(out, '}')
}

// appendMember appends the member as sent, or, when its key or
// value is not valid JSON, that part as a JSON string of its bytes: Raw
// must stay valid JSON (the store and the purge parse it), and nothing
// sent is dropped. Control characters (white space between tokens among
// them) and the bad flag are cheap hints; json.Valid decides.
func (d *itemDecoder) appendMember(out []byte, m member) []byte {
	if len(out) > 1 {
		out = append(out, ',')
	}
	whole := d.data[m.k:m.e]
	if !m.bad && !hasControl(whole) {
		return append(out, whole...)
	}
	if key := d.data[m.k:m.ke]; json.Valid(key) {
		out = append(out, key...)
	} else {
		out = appendString(out, d.data[m.k+1:m.ke-1])
	}
	out = append(out, d.data[m.ke:m.v]...) // white space and ':'
	val := d.data[m.v:m.e]
	if !json.Valid(val) {
		return appendString(out, val)
	}
	return append(out, val...)
}

// appendString appends b as a JSON string escaping only what JSON requires
// (json.Marshal would also rewrite invalid UTF-8 and HTML characters), so
// that the bytes as sent can be read back.
func appendString(out, b []byte) []byte {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// array reads [...] at d.pos; objects in it are read as nested objects
// (key/value pairs among them). It reports whether every element was
// understood: a string, number or bool element is not (no alias names it).
func (d *itemDecoder) array() (understood bool, err error) {
	d.pos++
	if d.depth++; d.depth > maxDepth {
		return false, errTooDeep
	}
	d.ws()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return true, nil
	}
	all := true
	for {
		d.ws()
		var ok bool
		switch d.peek() {
		case '{':
			ok, err = d.object(1)
		case '[':
			ok, err = d.array()
		default:
			var v span
			v, err = d.scalar()
			ok = v.kind == 0
		}
		if err != nil {
			return false, err
		}
		all = all && ok
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
			continue
		case ']':
			d.pos++
			d.depth--
			return all, nil
		}
		return false, errSyntax
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
			if !validEscape(data[i:]) {
				d.bad = true
			}
		}
	}
	return span{}, errSyntax
}

// validEscape reports whether b (what follows a backslash) starts a JSON
// escape. The scanner reads any escape; Raw, which must be JSON, needs to
// know.
func validEscape(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	switch b[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if len(b) < 5 {
			return false
		}
		for _, c := range b[1:5] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	return false
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
		if !validNumber(d.data[s:d.pos]) {
			d.bad = true
		}
		return span{s: s, e: d.pos, kind: 'n'}, nil
	}
	return span{}, errSyntax
}

// validNumber reports whether b follows JSON's number grammar, which the
// scanner does not enforce (a barcode sent as 0123 keeps its digits).
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i == len(b):
		return false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
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
