package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"s360gate/core/bench"
	"s360gate/core/cli"
	"s360gate/core/postgres/pgtest"
)

// actAs makes this test binary s360gate itself when the venue bench starts
// it as a station (the product runs its own binary).
const actAs = "S360_BENCH_AS_S360GATE"

func TestMain(m *testing.M) {
	if os.Getenv(actAs) != "" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil))
	}
	os.Exit(pgtest.Main(m))
}

// TestRunVenueSmall runs the venue's bench on a small list, its two
// stations this binary acting as s360gate, and checks that every figure is
// there and consistent. Nothing about speed is asserted.
func TestRunVenueSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stations and waits for a syncer's lease to lapse")
	}
	t.Setenv(actAs, "1")
	var progress bytes.Buffer
	dsn := pgtest.NewDatabase(t)
	res, err := bench.RunVenue(context.Background(), bench.VenueOptions{DB: dsn, Tickets: 4000, PageSize: 500,
		Stations: 4, Scans: 400, Failovers: 1, Exe: os.Args[0], Progress: &progress})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	e, r := res.Export, res.RawCopy
	if e.Tickets < 4000 || r.Tickets != e.Tickets || e.TicketsPerS <= 0 || r.TicketsPerS <= 0 || res.ExportVsRaw <= 0 || !e.Drained {
		t.Errorf("export %+v, raw %+v", e, r)
	}
	if s := res.Scan; s.Stations != 4 || s.Scans != 400 || s.P50MS <= 0 || s.P99MS < s.P50MS || s.MaxMS < s.P99MS || s.ScansPerS <= 0 {
		t.Errorf("scan %+v", s)
	}
	if f := res.Failover; len(f.Runs) != 1 || f.MaxS <= 0 || f.LeaseTTLS != 10 {
		t.Errorf("failover %+v", f)
	}
	if sp := res.Split; sp.CopiedTickets != e.Tickets || sp.CatchUpSeconds <= 0 || sp.LinkDownScans != 500 || sp.LinkFailures != 5 ||
		sp.LinkDownLocal < sp.LinkFailures || sp.PushedAfterwards != sp.LinkDownLocal || sp.LinkDownMaxMS < sp.LinkDownP99MS {
		t.Errorf("split %+v", sp)
	}
	// (4,000 tickets: no catch-up target, which is for a million.)
	if len(res.Targets) != 5 || res.ServerVersion == "" || res.StartedServer {
		t.Errorf("result %+v", res)
	}
	var out bytes.Buffer
	if err := res.WriteTable(&out); err != nil || !strings.Contains(out.String(), "Syncer failover") ||
		!strings.Contains(out.String(), "A station joining now") {
		t.Errorf("table: %v\n%s", err, out.String())
	}
	b, _ := json.Marshal(res)
	for _, k := range []string{`"export"`, `"raw_copy"`, `"export_vs_raw_copy"`, `"scan"`, `"failover"`, `"runs_s"`, `"p99_ms"`, `"split"`, `"catch_up_s"`, `"link_down_max_ms"`} {
		if !bytes.Contains(b, []byte(k)) {
			t.Errorf("JSON lacks %s", k)
		}
	}
	// A database that holds tickets is refused: the bench writes its own.
	_, err = bench.RunVenue(context.Background(), bench.VenueOptions{DB: dsn, Tickets: 100})
	if err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("a run on a database holding tickets: %v", err)
	}
}
