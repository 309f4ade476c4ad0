package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

var ctx = context.Background()

// day is a fixed event day: tests do not depend on the clock.
var day = time.Date(2026, 11, 27, 18, 0, 0, 0, time.Local)

func openTest(t testing.TB, opts ...Option) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "station.db")
	db, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// barcodeOf spreads barcodes over the key space as real ones are: random
// order with respect to the index, 24 digits.
func barcodeOf(i int) string {
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x1234567
	x ^= x >> 29
	return fmt.Sprintf("%04d%020d", i%10000, x%100000000000000000)
}

// genTicket is a realistic exported item: every field set, holder data on
// one ticket in five, and a raw JSON item of about 400 bytes.
func genTicket(i int) core.Ticket {
	t := core.Ticket{
		Barcode:                 barcodeOf(i),
		State:                   core.StateValid,
		CancellationCause:       "NOT_CANCELLED",
		AudienceSubCategoryCode: []string{"ADULT", "ADULT", "ADULT", "CHILD", "SENIOR"}[i%5],
		TaxNumber:               "T" + strconv.FormatInt(int64(i)*7919+100000, 36),
		EntranceCode:            string(rune('A' + i%8)),
		SeasonCode:              "S2026",
		ProductCode:             "MATCH12",
		PerformanceCode:         "PERF12",
		Sector:                  string(rune('A' + i%8)),
		Block:                   strconv.Itoa(i % 40),
		Row:                     strconv.Itoa(i % 30),
		Seat:                    strconv.Itoa(i % 50),
		ValidFrom:               day.Add(-6 * time.Hour),
		ValidTo:                 day.Add(6 * time.Hour),
	}
	if i%5 == 0 {
		t.Holder = core.Holder{FirstName: "Ada" + strconv.Itoa(i%97), LastName: "Müller" + strconv.Itoa(i%89),
			IDNumber: "X" + strconv.Itoa(i), BirthDate: "1990-05-17", CountryCode: "CH"}
	}
	t.Raw = []byte(fmt.Sprintf(`{"barcode":%q,"ticketState":"VALID","cancellationCause":"NOT_CANCELLED",`+
		`"audienceSubCategoryCode":%q,"taxNumber":%q,"entranceCode":%q,"containerIdentifier":null,`+
		`"seasonCode":"S2026","productCode":"MATCH12","performanceCode":"PERF12","sector":%q,"block":%q,`+
		`"row":%q,"seat":%q,"validityStart":"2026-11-27T12:00:00Z","validityEnd":"2026-11-28T00:00:00Z",`+
		`"additionalInfos":[{"key":"FIRSTNAME","value":%q},{"key":"LASTNAME","value":%q}]}`,
		t.Barcode, t.AudienceSubCategoryCode, t.TaxNumber, t.EntranceCode, t.Sector, t.Block, t.Row, t.Seat,
		t.Holder.FirstName, t.Holder.LastName))
	return t
}

func genPages(start, pages, size int) [][]core.Ticket {
	out := make([][]core.Ticket, pages)
	for p := range out {
		out[p] = make([]core.Ticket, size)
		for i := range out[p] {
			out[p][i] = genTicket(start + p*size + i)
		}
	}
	return out
}

// checkpoint is a gate at the test event.
func checkpoint(gate string) core.Checkpoint {
	return core.Checkpoint{
		Station: core.Station{Name: "GATE_" + gate + "_LAPTOP1", Gate: gate, Direction: core.DirectionIn},
		Event:   core.Event{Season: "S2026", Products: []string{"MATCH12"}, Day: day},
	}
}

// tk is a valid ticket of the test event at gate A, changed by mods.
func tk(barcode string, mods ...func(*core.Ticket)) core.Ticket {
	t := core.Ticket{
		Barcode: barcode, State: core.StateValid, CancellationCause: "NOT_CANCELLED",
		TaxNumber: "TX-" + barcode, EntranceCode: "A", SeasonCode: "S2026", ProductCode: "MATCH12",
		PerformanceCode: "PERF12", Sector: "A", Block: "12", Row: "7", Seat: "31",
		ValidFrom: day.Add(-6 * time.Hour), ValidTo: day.Add(6 * time.Hour),
		Raw: []byte(`{"barcode":"` + barcode + `"}`),
	}
	for _, m := range mods {
		m(&t)
	}
	return t
}

// beginExport opens an export writer under key "k", closed at the end of
// the test.
func beginExport(t testing.TB, db *DB) core.ExportWriter {
	t.Helper()
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// apply stores tickets as one page under key "k".
func apply(t testing.TB, db *DB, ts ...core.Ticket) {
	t.Helper()
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "cur-" + strconv.Itoa(len(ts))}); err != nil {
		t.Fatal(err)
	}
}

// scan scans code at cp at time now (day when zero) and fails on error.
func scan(t testing.TB, db *DB, code string, cp core.Checkpoint, now time.Time) core.Verdict {
	t.Helper()
	if now.IsZero() {
		now = day
	}
	v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantVerdict(t testing.TB, v core.Verdict, o core.Outcome, r core.Reason) {
	t.Helper()
	if v.Outcome != o || v.Reason != r {
		t.Fatalf("verdict %s %s (%q), want %s %s", v.Outcome, v.Reason, said(&v), o, r)
	}
}

func countControls(t testing.TB, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM controls`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantCode checks that err is a *core.Error with the code.
func wantCode(t testing.TB, err error, code string) *core.Error {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("error %v (%T), want a *core.Error %s", err, err, code)
	}
	return ce
}

func itoa(i int) string { return strconv.Itoa(i) }

// said is a verdict's message in English (the laptop's zone).
func said(v *core.Verdict) string { return core.Speak(words.EN, nil).Verdict(v) }
