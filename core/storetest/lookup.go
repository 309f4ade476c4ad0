package storetest

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

var _ = add("Lookup", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	holder := func(first, last string) func(*core.Ticket) {
		return func(t *core.Ticket) {
			t.Holder = core.Holder{FirstName: first, LastName: last, BirthDate: "1990-01-01"}
		}
	}
	apply(t, db,
		Ticket("1001", holder("Ada", "Lovelace"), func(t *core.Ticket) { t.TaxNumber = "T26-0000042" }),
		Ticket("1002", holder("Zoë", "Müller")),
		Ticket("1003", holder("Adam", "Mueller"), func(t *core.Ticket) { t.ContainerID = "RFID-77" }),
		Ticket("1004", holder("Grace", "Hopper"), func(t *core.Ticket) { t.ContainerID = "RFID-77" }),
		Ticket("1005"),
		Ticket("1006", holder("Ádám", "Østergård")),
	)
	cp := Checkpoint("A")
	c1 := scan(t, db, "1001", cp, Day).Control
	c2 := scan(t, db, "1001", cp, Day.Add(time.Minute)).Control

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"t26-0000042", []string{"1001"}}, // taxNumber, any case
		{" T26-0000042 ", []string{"1001"}},
		{"1002", []string{"1002"}},                // barcode
		{"RFID-77", []string{"1003", "1004"}},     // container, in arrival order
		{"lovelace", []string{"1001"}},            // last name
		{"ADA", []string{"1001", "1003", "1006"}}, // first-name prefix: Ada, Adam, Ádám
		{"ada love", []string{"1001"}},            // every word must match
		{"mull", []string{"1002"}},                // accents ignored
		{"zoe", []string{"1002"}},                 // …in the query's direction too
		{"mue ada", []string{"1003"}},
		{"hopper grace", []string{"1004"}}, // any order
		{"ostergard", []string{"1006"}},
		{"lovelace x", nil},
		{"", nil},
		{"TX-1005", []string{"1005"}},
	} {
		rs, err := db.Lookup(ctx, tc.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := barcodes(rs)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			// Order is part of the contract for one kind of match only
			// (containers, names): compare as sets first for a clear message.
			if !sameSet(got, tc.want) {
				t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
			} else if tc.query == "RFID-77" {
				t.Errorf("%q: %v, want arrival order %v", tc.query, got, tc.want)
			}
		}
	}
	rs, _ := db.Lookup(ctx, "T26-0000042", 0)
	if len(rs[0].Controls) != 2 || rs[0].Controls[0].ID != c1.ID || rs[0].Controls[1].ID != c2.ID {
		t.Fatalf("controls %+v", rs[0].Controls)
	}
	if rs[0].Ticket.Holder.LastName != "Lovelace" {
		t.Fatalf("holder %+v", rs[0].Ticket.Holder)
	}
	if rs, _ := db.Lookup(ctx, "a", 1); len(rs) != 1 {
		t.Fatalf("limit 1: %v", barcodes(rs))
	}
})

// LookupNamesOfSeveralWords: compound surnames and apostrophes, as the
// field test met them: "Da Silva", "Tomás Da Silva" and "Silva" find Tomás
// Da Silva; "O’Brien" (typographic apostrophe) and "Brien" find O'Brien,
// and "O'Brien" finds a holder S-360 sent as "O’Brien".
var _ = add("LookupNamesOfSeveralWords", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	holder := func(first, last string) func(*core.Ticket) {
		return func(t *core.Ticket) { t.Holder = core.Holder{FirstName: first, LastName: last} }
	}
	apply(t, db,
		Ticket("2001", holder("Tomás", "Da Silva")),
		Ticket("2002", holder("Ana", "Silva")),
		Ticket("2003", holder("Liam", "O'Brien")),
		Ticket("2004", holder("Niamh", "O’Brien")),
		Ticket("2005", holder("Jean-Luc", "Müller-Lüdenscheidt")),
		Ticket("2006", holder("Marie", "Dasilva")),
	)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Da Silva", []string{"2001"}},
		{"Tomás Da Silva", []string{"2001"}},
		{"tomas silva", []string{"2001"}},
		{"Silva", []string{"2001", "2002"}},
		{"Silva Ana", []string{"2002"}},
		{"da", []string{"2001", "2006"}},
		{"O’Brien", []string{"2003", "2004"}},
		{"O'Brien", []string{"2003", "2004"}},
		{"o`brien liam", []string{"2003"}},
		{"Brien", []string{"2003", "2004"}},
		{"Lüdenscheidt", []string{"2005"}},
		{"luc mull", []string{"2005"}},
		{"Silva Liam", nil},
	} {
		rs, err := db.Lookup(ctx, tc.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := barcodes(rs)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
		}
		for _, r := range rs {
			if r.Controls == nil {
				t.Errorf("%q: controls nil, want an empty list", tc.query)
			}
		}
	}
})

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

var _ = add("Audit", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	for i, q := range []string{"Lovelace", "T26-1", "7415"} {
		if err := db.Audit(ctx, "desk-1", q, Day.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	log, err := db.AuditLog(ctx, time.Time{}, 0)
	if err != nil || len(log) != 3 || log[0].Query != "7415" || log[2].Who != "desk-1" || !log[2].At.Equal(Day) {
		t.Fatalf("audit log %+v %v", log, err)
	}
	if log, _ := db.AuditLog(ctx, Day.Add(time.Minute), 1); len(log) != 1 || log[0].Query != "7415" {
		t.Fatalf("audit since %+v", log)
	}
})

var _ = add("PurgePersonalData", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	withHolder := func(first, last string, raw string) func(*core.Ticket) {
		return func(t *core.Ticket) {
			t.Holder = core.Holder{FirstName: first, LastName: last, IDNumber: "C9911" + last, BirthDate: "1990-05-17", CountryCode: "CH"}
			t.Raw = []byte(raw)
		}
	}
	ended := func(t *core.Ticket) { t.ValidTo = Day.Add(-48 * time.Hour); t.ValidFrom = Day.Add(-50 * time.Hour) }
	apply(t, db,
		// key/value holder list
		Ticket("1", ended, withHolder("Quirinus", "Xanthopoulos",
			`{"barcode":"1","seat":"7","additionalInfos":[{"key":"FIRSTNAME","value":"Quirinus"},{"key":"LASTNAME","value":"Xanthopoulos"},{"key":"SEAT_NOTE","value":"aisle"}]}`)),
		// flat fields
		Ticket("2", ended, withHolder("Wilhelmina", "Zyskowski",
			`{"barcode":"2","FIRSTNAME":"Wilhelmina","LASTNAME":"Zyskowski","ID_NUMBER":"C9911Zyskowski","COUNTRY_CODE":"CH"}`)),
		// not JSON: dropped whole
		Ticket("3", ended, withHolder("Ottokar", "Vukovich", `garbage Ottokar Vukovich`)),
		// still valid: kept by a dated purge
		Ticket("4", withHolder("Leopoldine", "Quaresma", `{"barcode":"4","holderName":"Leopoldine Quaresma"}`)),
		Ticket("5", ended),
	)
	db.Audit(ctx, "desk", "Xanthopoulos", Day.Add(-72*time.Hour))
	db.Audit(ctx, "desk", "Quaresma", Day)

	n, err := db.PurgePersonalData(ctx, Day.Add(-time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("purged %d, %v; want 3", n, err)
	}
	for _, code := range []string{"1", "2", "3"} {
		got, _ := db.Ticket(ctx, code)
		if !got.Holder.IsZero() {
			t.Errorf("%s: holder kept %+v", code, got.Holder)
		}
		if bytes.Contains(got.Raw, []byte("Xanthopoulos")) || bytes.Contains(got.Raw, []byte("Zyskowski")) || bytes.Contains(got.Raw, []byte("Ottokar")) {
			t.Errorf("%s: raw keeps the holder: %s", code, got.Raw)
		}
	}
	if got, _ := db.Ticket(ctx, "1"); !strings.Contains(string(got.Raw), "aisle") || !strings.Contains(string(got.Raw), `"seat":"7"`) {
		t.Errorf("raw lost more than the holder: %s", got.Raw)
	}
	if got, _ := db.Ticket(ctx, "3"); got.Raw != nil {
		t.Errorf("unparseable raw kept: %s", got.Raw)
	}
	if got, _ := db.Ticket(ctx, "4"); got.Holder.LastName != "Quaresma" {
		t.Errorf("holder of a valid ticket purged early")
	}
	if rs, _ := db.Lookup(ctx, "Xanthopoulos", 0); len(rs) != 0 {
		t.Errorf("name still found: %v", barcodes(rs))
	}
	log, _ := db.AuditLog(ctx, time.Time{}, 0)
	if len(log) != 2 || log[0].Query != "Quaresma" || strings.Contains(log[1].Query, "Xanthopoulos") {
		t.Errorf("audit %+v", log)
	}
	// A full purge takes the rest; a second one finds nothing.
	if n, err := db.PurgePersonalData(ctx, time.Time{}); err != nil || n != 1 {
		t.Fatalf("full purge %d, %v", n, err)
	}
	if got, _ := db.Ticket(ctx, "4"); !got.Holder.IsZero() || bytes.Contains(got.Raw, []byte("Quaresma")) {
		t.Errorf("after a full purge: %+v", got)
	}
	if rs, _ := db.Lookup(ctx, "Quaresma", 0); len(rs) != 0 {
		t.Errorf("name still found: %v", barcodes(rs))
	}
	if log, _ := db.AuditLog(ctx, time.Time{}, 0); log[0].Query != "(deleted)" {
		t.Errorf("audit after a full purge %+v", log)
	}
	if n, err := db.PurgePersonalData(ctx, time.Time{}); err != nil || n != 0 {
		t.Fatalf("second full purge %d, %v", n, err)
	}
})
