package s360

import (
	"bytes"
	"encoding/json"
	"errors"
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
		want core.Ticket
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
			core.Ticket{Barcode: "1", State: core.StateInvalidated, Holder: core.Holder{FirstName: "Grace", LastName: "Hopper", BirthDate: "1906-12-09", IDNumber: "12345", CountryCode: "US"}}},
		{"key/value list with name and code, nested holder object",
			`{"barcode":"2","state":"valid","holderInfo":[{"name":"firstName","value":"Alan"},{"code":"LASTNAME","value":"Turing"}],"holder":{"birthDate":"1912-06-23","countryCode":"GB"}}`,
			core.Ticket{Barcode: "2", State: core.StateValid, Holder: core.Holder{FirstName: "Alan", LastName: "Turing", BirthDate: "1912-06-23", CountryCode: "GB"}}},
		{"top level wins over nested; nested barcode ignored",
			`{"holder":{"firstName":"Nested","barcode":"999"},"firstName":"Top","barcode":"3","ticketState":"VALID","status":"CANCELLED"}`,
			core.Ticket{Barcode: "3", State: core.StateValid, Holder: core.Holder{FirstName: "Top"}}},
		{"validity aliases: zone-less, epoch millis as number and as string",
			`{"barcode":"4","ticketState":"VALID","validFrom":"2026-11-27T18:00:00","validTo":1795813200000}`,
			core.Ticket{Barcode: "4", State: core.StateValid, ValidFrom: local("2026-11-27T18:00:00"), ValidTo: time.UnixMilli(1795813200000).UTC()}},
		{"startDate/endDate with +0100 and millis string",
			`{"barcode":"5","ticketState":"VALID","startDate":"2026-11-27T19:00:00.000+0100","endDate":"1795813200000"}`,
			core.Ticket{Barcode: "5", State: core.StateValid, ValidFrom: evening, ValidTo: time.UnixMilli(1795813200000).UTC()}},
		{"container aliases and unknown nested values",
			`{"barcode":" 6 ","ticketState":"VALID","rfid":"RFID-9","extra":{"a":[1,2,{"b":null}],"c":true},"list":[[],[[]],"x",1.5e3,false]}`,
			core.Ticket{Barcode: "6", State: core.StateValid, ContainerID: "RFID-9"}},
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
			if string(got.Raw) != tc.raw {
				t.Errorf("Raw not kept: %s", got.Raw)
			}
			got.Raw = nil
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

func TestDecodeItemRawIsACopy(t *testing.T) {
	raw := []byte(`{"barcode":"1","ticketState":"VALID"}`)
	tk, err := DecodeItem(raw)
	if err != nil {
		t.Fatal(err)
	}
	raw[2] = 'X'
	if tk.Raw[2] != 'b' {
		t.Fatal("Raw aliases the input")
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

func FuzzDecodeItem(f *testing.F) {
	f.Add(sampleItem(0))
	f.Add([]byte(`{"BARCODE":123,"state":null,"holderInfo":[{"name":"FIRSTNAME","value":"x"}]}`))
	f.Add([]byte(`{"barcode":"1\u0041","validFrom":"2026-01-01","validTo":1e12}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tk, err := DecodeItem(raw)
		if err == nil && tk.Barcode == "" {
			t.Fatal("accepted an item without barcode")
		}
		// The scanner must read every valid JSON object: on one it may
		// only miss the barcode (or find it too deep).
		if err != nil && json.Valid(raw) && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) &&
			!errors.Is(err, ErrNoBarcode) && !errors.Is(err, errTooDeep) {
			t.Fatalf("valid JSON refused: %v", err)
		}
	})
}
