// Package storetest is the store contract: one suite of tests that every
// store backend passes (core/sqlite, a station's file; core/postgres, a
// venue's database), so that a gate decides, records, uploads, looks up and
// purges the same way on either. A backend's test runs it:
//
//	func TestContract(t *testing.T) { storetest.Run(t, storetest.Backend{Fresh: …}) }
//
// It also holds the fixtures the backends' own tests share (tickets of a
// test event, generated export pages).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// Store is what the contract covers: everything a station does with its
// store (core/cli's Store, plus the audit log the dispute desk shows).
type Store interface {
	core.Store
	Audit(ctx context.Context, who, query string, at time.Time) error
	AuditLog(ctx context.Context, since time.Time, limit int) ([]core.AuditEntry, error)
	PurgePersonalData(ctx context.Context, before time.Time) (int, error)
}

// Opener opens a new handle on one database, as another process would; the
// backend closes it when the test ends (a test may close it earlier).
type Opener func(t testing.TB) Store

// Backend is a store implementation under test.
type Backend struct {
	// Fresh creates a new empty database for t and returns its Opener.
	Fresh func(t testing.TB) Opener
}

// Run runs the contract suite against b, one subtest per rule.
func Run(t *testing.T, b Backend) {
	for _, c := range contract {
		t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
	}
}

type contractTest struct {
	name string
	fn   func(*testing.T, Backend)
}

// contract lists every test of the suite; each file adds its own.
var contract []contractTest

func add(name string, fn func(*testing.T, Backend)) bool {
	contract = append(contract, contractTest{name, fn})
	return true
}

// open makes a fresh database and opens one handle on it.
func open(t *testing.T, b Backend) (Store, Opener) {
	t.Helper()
	o := b.Fresh(t)
	return o(t), o
}

var ctx = context.Background()

// Day is a fixed event day: tests do not depend on the clock.
var Day = time.Date(2026, 11, 27, 18, 0, 0, 0, time.Local)

// BarcodeOf spreads barcodes over the key space as real ones are: random
// order with respect to an index, 24 digits.
func BarcodeOf(i int) string {
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x1234567
	x ^= x >> 29
	return fmt.Sprintf("%04d%020d", i%10000, x%100000000000000000)
}

// GenTicket is a realistic exported item: every field set, holder data on
// one ticket in five, and a raw JSON item of about 400 bytes.
func GenTicket(i int) core.Ticket {
	t := core.Ticket{
		Barcode:                 BarcodeOf(i),
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
		ValidFrom:               Day.Add(-6 * time.Hour),
		ValidTo:                 Day.Add(6 * time.Hour),
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

// GenPages is pages of size generated tickets, from ticket start on.
func GenPages(start, pages, size int) [][]core.Ticket {
	out := make([][]core.Ticket, pages)
	for p := range out {
		out[p] = make([]core.Ticket, size)
		for i := range out[p] {
			out[p][i] = GenTicket(start + p*size + i)
		}
	}
	return out
}

// Checkpoint is a gate of the test event, facing in.
func Checkpoint(gate string) core.Checkpoint {
	return core.Checkpoint{
		Station: core.Station{Name: "GATE_" + gate + "_LAPTOP1", Gate: gate, Direction: core.DirectionIn},
		Event:   core.Event{Season: "S2026", Products: []string{"MATCH12"}, Day: Day},
	}
}

// Ticket is a valid ticket of the test event at gate A, changed by mods.
func Ticket(barcode string, mods ...func(*core.Ticket)) core.Ticket {
	t := core.Ticket{
		Barcode: barcode, State: core.StateValid, CancellationCause: "NOT_CANCELLED",
		TaxNumber: "TX-" + barcode, EntranceCode: "A", SeasonCode: "S2026", ProductCode: "MATCH12",
		PerformanceCode: "PERF12", Sector: "A", Block: "12", Row: "7", Seat: "31",
		ValidFrom: Day.Add(-6 * time.Hour), ValidTo: Day.Add(6 * time.Hour),
		Raw: []byte(`{"barcode":"` + barcode + `"}`),
	}
	for _, m := range mods {
		m(&t)
	}
	return t
}

// apply stores tickets as one page under key "k".
func apply(t testing.TB, db Store, ts ...core.Ticket) {
	t.Helper()
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "cur-" + strconv.Itoa(len(ts))}); err != nil {
		t.Fatal(err)
	}
}

// scan scans code at cp at time now (Day when zero) and fails on error.
func scan(t testing.TB, db Store, code string, cp core.Checkpoint, now time.Time) core.Verdict {
	t.Helper()
	if now.IsZero() {
		now = Day
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

// said is a verdict's message in English (the laptop's zone).
func said(v *core.Verdict) string { return core.Speak(words.EN, nil).Verdict(v) }

// wantCode checks that err is a *core.Error with the code.
func wantCode(t testing.TB, err error, code string) *core.Error {
	t.Helper()
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("error %v (%T), want a *core.Error %s", err, err, code)
	}
	return ce
}

// collect lists the controls f selects.
func collect(t testing.TB, db Store, f core.ControlFilter) []core.Control {
	t.Helper()
	var out []core.Control
	if err := db.Controls(ctx, f, func(c core.Control) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(cs []core.Control) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func barcodes(rs []core.TicketRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ticket.Barcode)
	}
	return out
}

// total is how many tickets the store says it holds.
func total(t testing.TB, db Store) int {
	t.Helper()
	c, err := db.TicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c.Valid + c.Invalid
}

// cursor is key "k"'s cursor.
func cursor(t testing.TB, db Store) string {
	t.Helper()
	c, err := db.Cursor(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
