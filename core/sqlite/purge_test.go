package sqlite

import (
	"bytes"
	"os"
	"testing"
	"time"

	"s360gate/core"
)

// What a purge deletes is deleted from the file, not merely hidden: after a
// full purge the names are nowhere in the database or its WAL (secure
// deletion, VACUUM, checkpoint). The purge's rules are the store
// contract's (core/storetest).
func TestPurgeLeavesNoTraceInTheFile(t *testing.T) {
	db, path := openTest(t)
	withHolder := func(first, last string, raw string) func(*core.Ticket) {
		return func(t *core.Ticket) {
			t.Holder = core.Holder{FirstName: first, LastName: last, IDNumber: "C9911" + last, BirthDate: "1990-05-17", CountryCode: "CH"}
			t.Raw = []byte(raw)
		}
	}
	apply(t, db,
		tk("1", withHolder("Quirinus", "Xanthopoulos",
			`{"barcode":"1","additionalInfos":[{"key":"FIRSTNAME","value":"Quirinus"},{"key":"LASTNAME","value":"Xanthopoulos"}]}`)),
		tk("2", withHolder("Wilhelmina", "Zyskowski", `{"barcode":"2","FIRSTNAME":"Wilhelmina","LASTNAME":"Zyskowski"}`)),
		tk("3", withHolder("Ottokar", "Vukovich", `garbage Ottokar Vukovich`)),
		tk("4", withHolder("Leopoldine", "Quaresma", `{"barcode":"4","holderName":"Leopoldine Quaresma"}`)),
	)
	// A ticket re-sent by a later page leaves an older version of its row.
	apply(t, db, tk("4", withHolder("Leopoldine", "Quaresma", `{"barcode":"4","holderName":"Leopoldine Quaresma","seat":"9"}`)))
	db.Audit(ctx, "desk", "Xanthopoulos", day.Add(-72*time.Hour))
	if n, err := db.PurgePersonalData(ctx, time.Time{}); err != nil || n != 4 {
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
