package s360

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

func TestDecodeItemShapes(t *testing.T) {
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	evening := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		raw  string
		want core.Ticket // Raw: the members not understood
	}{
		{"camel case, flat holder",
			`{"barcode":"7415628301550254","ticketState":"VALID","cancellationCause":"NOT_CANCELLED","audienceSubCategoryCode":"CHILD","taxNumber":"T-12","entranceCode":"G4","containerIdentifier":"RF1","seasonCode":"S26","productCode":"M1","performanceCode":"P1","sector":"B","block":"12","row":"7","seat":"31","validityStartDate":"2026-11-27T18:00:00Z","validityEndDate":"2026-11-27T23:00:00+01:00","FIRSTNAME":"Ada","LASTNAME":"Lovelace","ID_NUMBER":"X123","BIRTHDATE":"1990-12-10","COUNTRY_CODE":"GB"}`,
			core.Ticket{Barcode: "7415628301550254", State: core.StateValid, CancellationCause: "NOT_CANCELLED", AudienceSubCategoryCode: "CHILD",
				TaxNumber: "T-12", EntranceCode: "G4", ContainerID: "RF1", SeasonCode: "S26", ProductCode: "M1", PerformanceCode: "P1",
				Sector: "B", Block: "12", Row: "7", Seat: "31", ValidFrom: evening, ValidTo: time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC),
				Holder: core.Holder{FirstName: "Ada", LastName: "Lovelace", IDNumber: "X123", BirthDate: "1990-12-10", CountryCode: "GB"}}},
		{"upper snake case, barcode as a number, nulls",
			`{"BARCODE":7415628301550254123456,"TICKET_STATE":"CANCELLED","CANCELLATION_CAUSE":"REFUND_REQUESTED","TAX_NUMBER":null,"SEAT_NUMBER":31,"ROW_NUMBER":7,"entranceCode":null,"firstName":null}`,
			core.Ticket{Barcode: "7415628301550254123456", State: core.StateCancelled, CancellationCause: "REFUND_REQUESTED", Seat: "31", Row: "7"}},
		{"Pascal case, state alias, holder key/value list",
			`{"Barcode":"1","State":"INVALIDATED","additionalInfos":[{"key":"FIRSTNAME","value":"Grace"},{"key":"LASTNAME","value":"Hopper"},{"key":"BIRTHDATE","value":"1906-12-09T00:00:00"},{"key":"ID_NUMBER","value":12345},{"key":"COUNTRY_CODE","value":"US"},{"key":"SHOE_SIZE","value":"44"}]}`,
			core.Ticket{Barcode: "1", State: core.StateInvalidated, Holder: core.Holder{FirstName: "Grace", LastName: "Hopper", BirthDate: "1906-12-09", IDNumber: "12345", CountryCode: "US"},
				Raw: []byte(`{"additionalInfos":[{"key":"FIRSTNAME","value":"Grace"},{"key":"LASTNAME","value":"Hopper"},{"key":"BIRTHDATE","value":"1906-12-09T00:00:00"},{"key":"ID_NUMBER","value":12345},{"key":"COUNTRY_CODE","value":"US"},{"key":"SHOE_SIZE","value":"44"}]}`)}},
		{"key/value list with name and code, nested holder object",
			`{"barcode":"2","state":"valid","holderInfo":[{"name":"firstName","value":"Alan"},{"code":"LASTNAME","value":"Turing"}],"holder":{"birthDate":"1912-06-23","countryCode":"GB"}}`,
			core.Ticket{Barcode: "2", State: core.StateValid, Holder: core.Holder{FirstName: "Alan", LastName: "Turing", BirthDate: "1912-06-23", CountryCode: "GB"}}},
		{"top level wins over nested; nested barcode ignored",
			`{"holder":{"firstName":"Nested","barcode":"999"},"firstName":"Top","barcode":"3","ticketState":"VALID","status":"CANCELLED"}`,
			core.Ticket{Barcode: "3", State: core.StateValid, Holder: core.Holder{FirstName: "Top"}, Raw: []byte(`{"holder":{"firstName":"Nested","barcode":"999"}}`)}},
		{"validity aliases: zone-less, epoch millis as number and as string",
			`{"barcode":"4","ticketState":"VALID","validFrom":"2026-11-27T18:00:00","validTo":1795813200000}`,
			core.Ticket{Barcode: "4", State: core.StateValid, ValidFrom: local("2026-11-27T18:00:00"), ValidTo: time.UnixMilli(1795813200000).UTC()}},
		{"startDate/endDate with +0100 and millis string",
			`{"barcode":"5","ticketState":"VALID","startDate":"2026-11-27T19:00:00.000+0100","endDate":"1795813200000"}`,
			core.Ticket{Barcode: "5", State: core.StateValid, ValidFrom: evening, ValidTo: time.UnixMilli(1795813200000).UTC()}},
		{"container aliases and unknown nested values",
			`{"barcode":" 6 ","ticketState":"VALID","rfid":"RFID-9","extra":{"a":[1,2,{"b":null}],"c":true},"list":[[],[[]],"x",1.5e3,false]}`,
			core.Ticket{Barcode: "6", State: core.StateValid, ContainerID: "RFID-9", Raw: []byte(`{"extra":{"a":[1,2,{"b":null}],"c":true},"list":[[],[[]],"x",1.5e3,false]}`)}},
		{"escapes in keys and values",
			`{"bar\u0063ode":"7\"x","ticketState":"VALID","LASTNAME":"M\u00fcller \\ Sohn"}`,
			core.Ticket{Barcode: `7"x`, State: core.StateValid, Holder: core.Holder{LastName: `Müller \ Sohn`}}},
		{"no state: cancellation cause makes it cancelled",
			`{"barcode":"8","cancellationCause":"EVENT_CANCELLED"}`,
			core.Ticket{Barcode: "8", State: core.StateCancelled, CancellationCause: "EVENT_CANCELLED"}},
		{"no state at all: never valid",
			`{"barcode":"9"}`,
			core.Ticket{Barcode: "9", State: core.StateInvalidated}},
		{"birthdate as epoch millis; unparseable validity ignored",
			`{"barcode":"10","ticketState":"VALID","birthDate":661219200000,"validFrom":"soon"}`,
			core.Ticket{Barcode: "10", State: core.StateValid, Holder: core.Holder{BirthDate: "1990-12-15"}}},
		{"list colour as state",
			`{"barcode":"11","listType":"BLACK"}`,
			core.Ticket{Barcode: "11", State: core.StateInvalidated}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeItem([]byte(tc.raw))
			if err != nil {
				t.Fatalf("DecodeItem: %v", err)
			}
			if !bytes.Equal(got.Raw, tc.want.Raw) || (got.Raw == nil) != (tc.want.Raw == nil) {
				t.Errorf("Raw %q, want %q", got.Raw, tc.want.Raw)
			}
			got.Raw, tc.want.Raw = nil, nil
			if !got.ValidFrom.Equal(tc.want.ValidFrom) || !got.ValidTo.Equal(tc.want.ValidTo) {
				t.Errorf("validity %v..%v, want %v..%v", got.ValidFrom, got.ValidTo, tc.want.ValidFrom, tc.want.ValidTo)
			}
			got.ValidFrom, got.ValidTo, tc.want.ValidFrom, tc.want.ValidTo = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestDecodeItemRawIsACopy: an export decodes items out of a reused
// buffer, so Raw must not point into the input.
func TestDecodeItemRawIsACopy(t *testing.T) {
	raw := []byte(`{"x":1,"barcode":"1","ticketState":"VALID"}`)
	tk, err := DecodeItem(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw[2] = 'X'
	if string(tk.Raw) != `{"x":1}` {
		t.Fatalf("Raw aliases the input: %s", tk.Raw)
	}
}

// TestDecodeItemRaw: Raw keeps, verbatim and in order, the top-level
// members the decoder did not understand, and is nil when it understood
// them all.
func TestDecodeItemRaw(t *testing.T) {
	cases := []struct {
		name, raw string
		rest      string // "" for nil
	}{
		{"the documented example",
			`{"barcode":"1","ticketState":"VALID","FIRSTNAME":null,"additionalInfos":[{"key":"BIRTHDATE","value":"2011-03-07"}],"gateColour":"red","extra":{"a":1}}`,
			`{"gateColour":"red","extra":{"a":1}}`},
		{"all known", `{"barcode":"1","ticketState":"VALID","seat":3,"FIRSTNAME":"Ada","containerId":true}`, ""},
		{"aliases that lost the priority", `{"barcode":"1","ticketBarcode":"2","state":"VALID","status":"X","holder":{"firstName":"B"},"givenName":"A"}`, ""},
		{"nulls, empty objects and arrays",
			`{"barcode":"1","unknown":null,"x":{"y":null},"z":[null,{},[]],"a":{},"b":[]}`, ""},
		{"unknown scalars", `{"barcode":"1","gateColour":"red","n":-1.5e3,"ok":false,"t":true}`,
			`{"gateColour":"red","n":-1.5e3,"ok":false,"t":true}`},
		{"scalars in an array", `{"barcode":"1","tags":["vip"],"ids":[null,7]}`, `{"tags":["vip"],"ids":[null,7]}`},
		{"known nested aliases, alias holding an object",
			`{"barcode":"1","holder":{"firstName":"Ada","address":{"country":"CH"}},"seat":{"row":"3"}}`, ""},
		{"known and unknown nested: kept whole", `{"barcode":"1","holder":{"firstName":"Ada","shoe":"44"}}`,
			`{"holder":{"firstName":"Ada","shoe":"44"}}`},
		{"key/value list of known names", `{"barcode":"1","infos":[{"key":"FIRSTNAME","value":"Ada"},{"name":"seat","value":7},{"code":"ROW","value":null}]}`, ""},
		{"key/value list with an unknown name: kept whole",
			`{"barcode":"1","additionalInfos":[{"key":"FIRSTNAME","value":"Ada"},{"key":"SEAT_COLOR","value":"red"}]}`,
			`{"additionalInfos":[{"key":"FIRSTNAME","value":"Ada"},{"key":"SEAT_COLOR","value":"red"}]}`},
		{"key/value entry with an extra member", `{"barcode":"1","i":[{"key":"FIRSTNAME","value":"Ada","source":"web"}]}`,
			`{"i":[{"key":"FIRSTNAME","value":"Ada","source":"web"}]}`},
		{"key/value entry with an extra null", `{"barcode":"1","i":[{"key":"FIRSTNAME","value":"Ada","source":null}]}`, ""},
		{"name without value", `{"barcode":"1","i":[{"key":"FIRSTNAME"}]}`, `{"i":[{"key":"FIRSTNAME"}]}`},
		{"value without name", `{"barcode":"1","i":[{"value":"Ada"}]}`, `{"i":[{"value":"Ada"}]}`},
		{"name replaced by a better one", `{"barcode":"1","i":[{"name":"foo","key":"FIRSTNAME","value":"Ada"}]}`,
			`{"i":[{"name":"foo","key":"FIRSTNAME","value":"Ada"}]}`},
		{"second name unused", `{"barcode":"1","i":[{"key":"FIRSTNAME","name":"foo","value":"Ada"}]}`,
			`{"i":[{"key":"FIRSTNAME","name":"foo","value":"Ada"}]}`},
		{"value replaced by a later one", `{"barcode":"1","i":[{"key":"FIRSTNAME","value":"Ada","value":null}]}`,
			`{"i":[{"key":"FIRSTNAME","value":"Ada","value":null}]}`},
		{"name that is not a string", `{"barcode":"1","i":[{"key":1,"value":"Ada"}]}`, `{"i":[{"key":1,"value":"Ada"}]}`},
		{"value that is an object", `{"barcode":"1","i":[{"key":"FIRSTNAME","value":{}}]}`, `{"i":[{"key":"FIRSTNAME","value":{}}]}`},
		{"key and value at the top are unknown", `{"barcode":"1","key":"FIRSTNAME","value":"Ada"}`, `{"key":"FIRSTNAME","value":"Ada"}`},
		{"nested barcode and state", `{"barcode":"1","holder":{"barcode":"2"},"h":{"state":null},"i":[{"key":"ticketState","value":"VALID"}]}`,
			`{"holder":{"barcode":"2"},"i":[{"key":"ticketState","value":"VALID"}]}`},
		{"escaped keys", `{"bar\u0063ode":"1","g\u0061teColour":"r\u00e9d","i":[{"k\u0065y":"FIRST\u004eAME","value":"Ada"}]}`,
			`{"g\u0061teColour":"r\u00e9d"}`},
		{"more kept members than fit inline", `{"a":1,"b":2,"c":3,"barcode":"1","d":4,"e":5,"f":[6]}`,
			`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":[6]}`},
		{"white space between tokens", "{ \"barcode\" : \"1\" ,\n  \"gateColour\" :\t\"red\" ,\r\n \"x\" : [ 1 , {\"y\"\n:2} ]\n}",
			"{\"gateColour\" :\t\"red\",\"x\" : [ 1 , {\"y\"\n:2} ]}"},
		// The scanner tolerates these; Raw must still be JSON.
		{"number JSON does not allow", `{"barcode":"1","seat":01,"x":01,"y":[1.]}`, `{"x":"01","y":"[1.]"}`},
		{"bad escape", `{"barcode":"1","x":"a\qb","k\q":2}`, `{"x":"\"a\\qb\"","k\\q":2}`},
		{"control character in a string", "{\"barcode\":\"1\",\"x\":\"a\tb\"}", `{"x":"\"a\u0009b\""}`},
		{"invalid UTF-8 is kept as sent", "{\"barcode\":\"1\",\"x\":\"\xff\\q\",\"y\":\"\xfe\"}", "{\"x\":\"\\\"\xff\\\\q\\\"\",\"y\":\"\xfe\"}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeItem([]byte(tc.raw))
			if err != nil {
				t.Fatalf("DecodeItem: %v", err)
			}
			if got.Raw != nil {
				checkRaw(t, []byte(tc.raw), got.Raw)
			}
			if tc.rest == "" {
				if got.Raw != nil {
					t.Errorf("Raw %s, want nil", got.Raw)
				}
				return
			}
			if string(got.Raw) != tc.rest {
				t.Errorf("Raw %s\nwant %s", got.Raw, tc.rest)
			}
		})
	}
	// What is kept is also decoded: Raw is not instead of the fields.
	tk, _ := DecodeItem([]byte(`{"barcode":"1","i":[{"key":"FIRSTNAME","value":"Ada"},{"key":"SHOE","value":"44"}]}`))
	if tk.Holder.FirstName != "Ada" || tk.Raw == nil {
		t.Errorf("got %+v, Raw %s", tk.Holder, tk.Raw)
	}
}

func TestDecodeItemErrors(t *testing.T) {
	for _, raw := range []string{
		``, `null`, `[]`, `"x"`, `{`, `{"barcode":"1"`, `{"barcode":"1",}`, `{"barcode" "1"}`,
		`{"barcode":"1"} x`, `{"barcode":tru}`, `{"barcode":"1","a":[1,}`, `{"barcode":"1\"}`,
		strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100),
	} {
		if _, err := DecodeItem([]byte(raw)); err == nil {
			t.Errorf("DecodeItem(%q) accepted", raw)
		}
	}
	for _, raw := range []string{`{}`, `{"barcode":null,"ticketState":"VALID"}`, `{"barcode":"  "}`, `{"holder":{"barcode":"1"}}`} {
		if _, err := DecodeItem([]byte(raw)); !errors.Is(err, ErrNoBarcode) {
			t.Errorf("DecodeItem(%q) = %v, want ErrNoBarcode", raw, err)
		}
	}
}

// TestAliasTableConsistent: every alias normalises to itself in DecodeItem.
func TestAliasTableConsistent(t *testing.T) {
	for _, row := range aliasTable {
		for _, k := range row.keys {
			if a := aliases[normalize(k)]; a.f != row.f {
				t.Errorf("alias %s maps to %d, want %d", k, a.f, row.f)
			}
		}
	}
}

func sampleItem(i int) []byte {
	s := `{"barcode":"74156283015502540` + string(rune('0'+i%10)) + `","ticketState":"VALID","cancellationCause":"NOT_CANCELLED",` +
		`"audienceSubCategoryCode":"ADULT","taxNumber":"TX0012345","entranceCode":"GATE4","containerIdentifier":null,` +
		`"seasonCode":"SEASON26","productCode":"MATCH01","performanceCode":"PERF01","sector":"B","block":"12","row":"7","seat":"31",` +
		`"validityStartDate":"2026-11-27T18:00:00+01:00","validityEndDate":"2026-11-27T23:59:00+01:00",` +
		`"additionalInfos":[{"key":"FIRSTNAME","value":"Ada"},{"key":"LASTNAME","value":"Lovelace"},{"key":"BIRTHDATE","value":"1990-12-10"}]}`
	return []byte(s)
}

func BenchmarkDecodeItem(b *testing.B) {
	raw := sampleItem(1)
	var tk core.Ticket
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if err := decodeItemInto(raw, &tk); err != nil {
			b.Fatal(err)
		}
	}
}

// checkRaw: Raw is a JSON object whose keys were all in the item; for an
// item that is JSON, its members are some of the item's, byte for byte and
// in order.
func checkRaw(t *testing.T, item, rest []byte) {
	t.Helper()
	if !json.Valid(rest) {
		t.Fatalf("Raw is not JSON: %q", rest)
	}
	got, err := topMembers(rest)
	if err != nil || len(got) == 0 {
		t.Fatalf("Raw %q: %v", rest, err)
	}
	for _, m := range got {
		// A key that was not JSON is stored quoted: unquoted, it is as sent.
		if !bytes.Contains(item, m.key) && !bytes.Contains(item, unquoteRepaired(m.key)) {
			t.Fatalf("Raw key %s is not in the item %q", m.key, item)
		}
	}
	if !json.Valid(item) {
		return
	}
	all, err := topMembers(item)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, m := range got {
		for i < len(all) && !(bytes.Equal(all[i].key, m.key) && bytes.Equal(all[i].val, m.val)) {
			i++
		}
		if i == len(all) {
			t.Fatalf("Raw member %s:%s is not one of the item's, in order: %q", m.key, m.val, item)
		}
		i++
	}
}

type rawMember struct {
	key []byte // as written, quotes included
	val json.RawMessage
}

func topMembers(b []byte) ([]rawMember, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var ms []rawMember
	for dec.More() {
		start := dec.InputOffset()
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		key := bytes.TrimLeft(b[start:dec.InputOffset()], ", \t\r\n")
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		ms = append(ms, rawMember{key, v})
	}
	return ms, nil
}

// unquoteRepaired undoes appendString on a quoted key.
func unquoteRepaired(q []byte) []byte {
	var out []byte
	for i := 1; i < len(q)-1; i++ {
		if q[i] != '\\' || i+1 >= len(q)-1 {
			out = append(out, q[i])
			continue
		}
		i++
		if q[i] == 'u' && i+4 < len(q) {
			var c byte
			fmt.Sscanf(string(q[i+1:i+5]), "%04x", &c)
			out = append(out, c)
			i += 4
			continue
		}
		out = append(out, q[i])
	}
	return out
}

func FuzzDecodeItem(f *testing.F) {
	f.Add(sampleItem(0))
	f.Add([]byte(`{"BARCODE":123,"state":null,"holderInfo":[{"name":"FIRSTNAME","value":"x"}]}`))
	f.Add([]byte(`{"barcode":"1\u0041","validFrom":"2026-01-01","validTo":1e12}`))
	f.Add([]byte(`{"barcode":"1","x":{"a":[1,{"key":"SEAT","value":2}]},"k\u0065y":"v","i":[{"key":"FIRSTNAME","value":"A"}]}`))
	f.Add([]byte("{\"barcode\":\"1\", \"k\\q\" :\t01,\"x\":\"a\tb\"}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tk, err := DecodeItem(raw)
		if err == nil && tk.Barcode == "" {
			t.Fatal("accepted an item without barcode")
		}
		if tk.Raw != nil {
			checkRaw(t, raw, tk.Raw)
		}
		// The scanner must read every valid JSON object: on one it may
		// only miss the barcode (or find it too deep).
		if err != nil && json.Valid(raw) && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) &&
			!errors.Is(err, ErrNoBarcode) && !errors.Is(err, errTooDeep) {
			t.Fatalf("valid JSON refused: %v", err)
		}
	})
}
