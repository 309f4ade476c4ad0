package s360

import "strings"

// The AccessControlListItem layout is not published [assumed]. Every key
// name DecodeItem recognises is in this one table, so that learning the real
// names (sandbox, institution tests) means editing one place.
//
// Keys are compared after normalisation: lower case, with '_', '-', '.' and
// spaces removed, so ticketState, TicketState, TICKET_STATE and ticket-state
// (and FIRSTNAME, firstName, first_name)
// are one key. Within a field, earlier aliases win over later ones; a key at
// the top of the item wins over the same field found nested (in a holder
// object or a key/value list).
var aliasTable = []struct {
	f    field
	keys []string
}{
	{fBarcode, []string{"barcode", "ticketBarcode", "barcodeValue", "barcodeNumber"}},
	{fState, []string{"ticketState", "state", "ticketStatus", "status", "listType", "listColor", "color"}},
	{fCancel, []string{"cancellationCause", "cancelCause", "cancellationReason", "cancelReason"}},
	{fTariff, []string{"audienceSubCategoryCode", "audienceSubCategory", "audienceCategoryCode", "tariffCode", "tariff"}},
	{fTaxNumber, []string{"taxNumber", "ticketNumber", "taxNo"}},
	{fEntrance, []string{"entranceCode", "entrance", "entranceGate", "gateCode"}},
	{fContainer, []string{"containerIdentifier", "containerId", "container", "rfid", "rfidCode", "rfidIdentifier", "mediaIdentifier"}},
	{fSeason, []string{"seasonCode", "season"}},
	{fProduct, []string{"productCode", "product"}},
	{fPerformance, []string{"performanceCode", "performance"}},
	{fSector, []string{"sector", "sectorCode", "sectorName", "area", "areaCode", "zone"}},
	{fBlock, []string{"block", "blockCode", "blockName", "blockNumber"}},
	{fRow, []string{"row", "rowNumber", "rowCode", "rowName"}},
	{fSeat, []string{"seat", "seatNumber", "seatCode", "seatName"}},
	{fValidFrom, []string{"validityStartDate", "validFrom", "validityStart", "validityFrom", "validStartDate", "startDate", "validityBegin", "beginDate", "validSince"}},
	{fValidTo, []string{"validityEndDate", "validTo", "validityEnd", "validityTo", "validEndDate", "endDate", "validUntil", "validTill", "expiryDate"}},
	{fFirstName, []string{"FIRSTNAME", "givenName", "holderFirstName"}},
	{fLastName, []string{"LASTNAME", "surname", "familyName", "holderLastName"}},
	{fIDNumber, []string{"ID_NUMBER", "idCardNumber", "passportNumber", "identityNumber", "documentNumber"}},
	{fBirthDate, []string{"BIRTHDATE", "dateOfBirth", "birthday"}},
	{fCountry, []string{"COUNTRY_CODE", "nationality", "nationalityCode", "country"}},
}

// Key/value lists hold objects naming the field under one of these keys and
// its value under "value" [assumed], e.g. {"key":"FIRSTNAME","value":"Ada"}.
// None of these may also be an alias above.
var (
	kvNameKeys = []string{"key", "name", "code", "type", "fieldName"}
	kvValueKey = "value"
)

// topOnly are fields taken from the top level of the item only: a barcode
// or a state found inside some nested object is more likely something else's.
var topOnly = [numFields]bool{fBarcode: true, fState: true}

type field uint8

const (
	fNone field = iota
	fBarcode
	fState
	fCancel
	fTariff
	fTaxNumber
	fEntrance
	fContainer
	fSeason
	fProduct
	fPerformance
	fSector
	fBlock
	fRow
	fSeat
	fValidFrom
	fValidTo
	fFirstName
	fLastName
	fIDNumber
	fBirthDate
	fCountry
	numFields
)

// alias is a normalised key's field and its rank among the field's aliases.
type alias struct {
	f    field
	rank uint8
}

// maxKey bounds normalised key length; longer keys are unknown.
const maxKey = 48

// Key roles in the lookup table.
const (
	roleAlias   = iota + 1 // a Ticket field (aliases)
	roleKVName             // names the field of a key/value pair
	roleKVValue            // holds the value of a key/value pair
)

// keySlot is one entry of the lookup table.
type keySlot struct {
	key  string // normalised
	role uint8
	a    alias // roleAlias: field and rank; roleKVName: rank in a.rank
}

// The lookup table is open addressing over an FNV-1a hash computed while
// the key is normalised, so a key costs one pass over its bytes and one or
// two compares: a Go map lookup per key was a quarter of DecodeItem.
const tableBits = 9

var (
	keyTable [1 << tableBits]keySlot
	aliases  = map[string]alias{} // the same, for the code outside the hot path
)

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func tableAdd(k string, role uint8, a alias) {
	n := normalize(k)
	if len(n) > maxKey || n == "" {
		panic("s360: alias table: bad key " + k)
	}
	h := uint32(fnvOffset)
	for i := 0; i < len(n); i++ {
		h = (h ^ uint32(n[i])) * fnvPrime
	}
	for i := h; ; i++ {
		slot := &keyTable[i&(1<<tableBits-1)]
		if slot.role == 0 {
			*slot = keySlot{key: n, role: role, a: a}
			return
		}
		if slot.key == n {
			panic("s360: alias table: duplicate key " + k)
		}
	}
}

// lookupKey finds a normalised key given its hash.
func lookupKey(key []byte, h uint32) *keySlot {
	for i := h; ; i++ {
		slot := &keyTable[i&(1<<tableBits-1)]
		if slot.role == 0 {
			return nil
		}
		if slot.key == string(key) {
			return slot
		}
	}
}

func init() {
	n := 0
	for _, row := range aliasTable {
		for i, k := range row.keys {
			tableAdd(k, roleAlias, alias{row.f, uint8(i)})
			aliases[normalize(k)] = alias{row.f, uint8(i)}
			n++
		}
	}
	for i, k := range kvNameKeys {
		tableAdd(k, roleKVName, alias{rank: uint8(i)})
		n++
	}
	tableAdd(kvValueKey, roleKVValue, alias{})
	if n+1 > len(keyTable)/2 {
		panic("s360: alias table: grow tableBits")
	}
}

// normalize is the slow form of normKey, for the table.
func normalize(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if c, keep := normByte(k[i]); keep {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// normByte lower-cases ASCII and drops separators.
func normByte(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c + ('a' - 'A'), true
	case c == '_' || c == '-' || c == '.' || c == ' ':
		return 0, false
	}
	return c, true
}
