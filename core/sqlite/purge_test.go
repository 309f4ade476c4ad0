package sqlite

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

func TestPurgePersonalData(t *testing.T) {
	db, path := openTest(t)
	withHolder := func(first, last string, raw string) func(*core.Ticket) {
		return func(t *core.Ticket) {
			t.Holder = core.Holder{FirstName: first, LastName: last, IDNumber: "C9911" + last, BirthDate: "1990-05-17", CountryCode: "CH"}
			t.Raw = []byte(raw)
		}
	}
	ended := func(t *core.Ticket) { t.ValidTo = day.Add(-48 * time.Hour); t.ValidFrom = day.Add(-50 * time.Hour) }
	apply(t, db,
		// key/value holder list
		tk("1", ended, withHolder("Quirinus", "Xanthopoulos",
			`{"barcode":"1","seat":"7","additionalInfos":[{"key":"FIRSTNAME","value":"Quirinus"},{"key":"LASTNAME","value":"Xanthopoulos"},{"key":"SEAT_NOTE","value":"aisle"}]}`)),
		// flat fields
		tk("2", ended, withHolder("Wilhelmina", "Zyskowski",
			`{"barcode":"2","FIRSTNAME":"Wilhelmina","LASTNAME":"Zyskowski","ID_NUMBER":"C9911Zyskowski","COUNTRY_CODE":"CH"}`)),
		// not JSON: dropped whole
		tk("3", ended, withHolder("Ottokar", "Vukovich", `garbage Ottokar Vukovich`)),
		// still valid: kept by a dated purge
		tk("4", withHolder("Leopoldine", "Quaresma", `{"barcode":"4","holderName":"Leopoldine Quaresma"}`)),
		tk("5", ended),
	)
	db.Audit(ctx, "desk", "Xanthopoulos", day.Add(-72*time.Hour))
	db.Audit(ctx, "desk", "Quaresma", day)

	n, err := db.PurgePersonalData(ctx, day.Add(-time.Hour))
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

	// A full purge; then the names are nowhere in the files.
	if n, err := db.PurgePersonalData(ctx, time.Time{}); err != nil || n != 1 {
		t.Fatalf("full purge %d, %v", n, err)
	}
	db.Close()
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for _, name := range []string{"Xanthopoulos", "Zyskowski", "Wilhelmina", "Ottokar", "Quaresma", "Leopoldine"} {
			if bytes.Contains(b, []byte(name)) {
				t.Errorf("%s still holds %q", p, name)
			}
		}
	}
}
