package bench

import (
	"context"
	"path/filepath"
	"testing"

	"s360gate/core"
	"s360gate/core/sqlite"
	"s360gate/core/storetest"
)

// RawIngestFrom copies every row, as stored, whatever the transaction
// size, into a store's own schema.
func TestRawIngestFromTransactionSizes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range storetest.GenPages(0, 3, 4000) {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := db.Lookup(ctx, storetest.BarcodeOf(4321), 1)
	if err != nil || len(want) != 1 {
		t.Fatal(want, err)
	}
	db.Close()
	for _, txn := range []int{5000, 7001, 200_000} {
		dst := filepath.Join(t.TempDir(), "raw.db")
		var seen int
		n, took, err := RawIngestFrom(ctx, path, dst, txn, func(rows int) { seen = rows })
		if err != nil || n != 12000 || seen != 12000 || took <= 0 {
			t.Fatalf("txn %d: %d rows (progress %d) in %v, %v", txn, n, seen, took, err)
		}
		raw, err := sqlite.Open(dst, sqlite.ReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		c, err := raw.TicketCounts(ctx)
		got, lerr := raw.Lookup(ctx, storetest.BarcodeOf(4321), 1)
		raw.Close()
		if err != nil || c.Valid+c.Invalid != 12000 {
			t.Fatalf("txn %d: %+v in the copy, %v", txn, c, err)
		}
		if lerr != nil || len(got) != 1 || got[0].Ticket.TaxNumber != want[0].Ticket.TaxNumber || !got[0].Ticket.ValidTo.Equal(want[0].Ticket.ValidTo) {
			t.Fatalf("txn %d: a row changed in the copy: %+v %v", txn, got, lerr)
		}
	}
	if _, _, err := RawIngestFrom(ctx, path, path, 10, nil); core.ErrorCode(err) != core.EInvalid {
		t.Errorf("over an existing file: %v", err)
	}
}
