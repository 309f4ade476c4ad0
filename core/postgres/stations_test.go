package postgres

import (
	"fmt"
	"testing"

	"s360gate/core"
	"s360gate/core/storetest"
)

// Stations of a venue, each with its own connections (its own process in
// real life), scanning the same tickets at once: each ticket is admitted
// exactly once venue-wide, whichever station scans it. storetest.Station
// abstracts the station, so that separate `s360gate scan` processes can be
// added to the mix once the venue commands exist.
func TestStationsAdmitOnce(t *testing.T) {
	db := openTest(t)
	var ts []core.Ticket
	var codes []string
	for i := range 300 {
		ts = append(ts, storetest.GenTicket(i))
		codes = append(codes, storetest.BarcodeOf(i))
	}
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "c"}); err != nil {
		t.Fatal(err)
	}
	codes = append(codes, "UNKNOWN-1", "UNKNOWN-2")
	const n = 10
	stations := make([]storetest.Station, n)
	for i := range stations {
		cp := storetest.Checkpoint("A")
		cp.Station.Name = fmt.Sprintf("STATION%d", i+1)
		// Every gate may admit every entrance: only prior use denies.
		cp.Station.Gate = ""
		stations[i] = storetest.StoreStation(fresh2(t, db), cp)
	}
	admitted := storetest.AdmitOnce(t, stations, codes, false)
	for _, code := range codes[:300] {
		if admitted[code] != 1 {
			t.Fatalf("%s admitted %d times", code, admitted[code])
		}
	}
	if admitted["UNKNOWN-1"]+admitted["UNKNOWN-2"] != 0 {
		t.Fatalf("unknown codes admitted: %v", admitted)
	}
	// The database says the same: n controls per code, one ADMIT per ticket.
	var controls, doubles int
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM controls),
		(SELECT count(*) FROM (SELECT barcode FROM controls WHERE outcome = 'ADMIT'
			GROUP BY barcode HAVING count(*) > 1) d)`).Scan(&controls, &doubles); err != nil {
		t.Fatal(err)
	}
	if controls != n*len(codes) || doubles != 0 {
		t.Fatalf("%d controls (want %d), %d tickets admitted twice", controls, n*len(codes), doubles)
	}
	if d, err := db.DoubleEntries(ctx); err != nil || len(d) != 0 {
		t.Fatalf("double entries %+v %v", d, err)
	}
}
