package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
	"s360gate/core/storetest"
)

// When the venue database cannot answer, every failure of a scan is
// EUnavailable (the code a station falls back to its local copy on), never
// a verdict, and nothing half-recorded: the server rolls back what it had.
func TestUnavailable(t *testing.T) {
	db := openTest(t)
	apply(t, db, storetest.Ticket("100"), storetest.Ticket("101"))
	scanCode(t, db, "100") // the pool holds a live connection now
	req := core.ScanRequest{Code: "101", Checkpoint: storetest.Checkpoint("A"), Now: storetest.Day}

	// The server drops the station's connections (a restart, a cut).
	kill, err := pgx.Connect(ctx, db.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer kill.Close(ctx)
	if _, err := kill.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	v, err := db.Scan(ctx, req)
	t.Logf("scan on a dropped connection: %v", err)
	if err == nil {
		// pgx noticed the dead connection before using it: the scan went
		// through on a new one, which is as good.
		if v.Outcome != core.Admit {
			t.Fatalf("after a reconnect: %+v", v)
		}
	} else if core.ErrorCode(err) != core.EUnavailable || v.Control != nil {
		t.Fatalf("scan on a dropped connection: %v (%s), verdict %+v", err, core.ErrorCode(err), v)
	}
	// The store recovers by itself on the next scan, which admits the
	// ticket if (and only if) the failed scan recorded nothing.
	if again := scanCode(t, db, "101"); (again.Outcome == core.Admit) != (err != nil) {
		t.Fatalf("after the failure (%v): %s %s", err, again.Outcome, again.Reason)
	}

	// A deadline that passes (the fallback time) is EUnavailable too.
	short, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-short.Done()
	if _, err := db.Scan(short, req); core.ErrorCode(err) != core.EUnavailable {
		t.Fatalf("scan past its deadline: %v (%s)", err, core.ErrorCode(err))
	}
	// And a store closed under it.
	db.Close()
	if _, err := db.Scan(ctx, req); core.ErrorCode(err) != core.EUnavailable {
		t.Fatalf("scan on a closed store: %v (%s)", err, core.ErrorCode(err))
	}
}
