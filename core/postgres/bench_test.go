package postgres

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/bench/scanload"
	"s360gate/core/internal/cputime"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/storetest"
)

// Benchmarks against the test binary's PostgreSQL server (pgtest: fsync on,
// loopback TCP). They measure; no test asserts speed.
//
//	go test -run '^$' -bench . -benchtime 20000x ./core/postgres/   # scans
//	go test -run '^$' -bench FirstExport -benchtime 1x ./core/postgres/
//
// BenchmarkScanStations: 20 stations, each with its own connections, scan as
// fast as they can, each scan decided and committed durably: scans/s
// venue-wide, and the latency of one scan (p50, p99, max).
// BenchmarkScanStationsPaced: the same at a gate-like pace. Both report the
// CPU time one scan costs the server and this process.
// BenchmarkFirstExport: a first export of -tickets (1,000,000) stored page
// by page through the ExportWriter, and a raw COPY of the same rows into an
// identical table in the same run (tickets/s of each, their ratio, and
// CPU time per ticket of each).
// BenchmarkReexport: a 200,000-ticket list sent again (the upsert path).
//
// On a shared machine the wall clock varies twofold between runs of the
// same code; the CPU time per scan or per ticket varies little, and is
// what to compare two versions by.

var (
	benchTickets  = flag.Int("tickets", 1_000_000, "tickets of the first-export benchmark")
	benchPageSize = flag.Int("pagesize", 5000, "page size of the export benchmarks (the product's default)")
	benchStations = flag.Int("stations", 20, "stations scanning at once in the scan benchmarks")
	benchInterval = flag.Duration("interval", 50*time.Millisecond, "each station's pace in BenchmarkScanStationsPaced")
)

func BenchmarkScanStations(b *testing.B) { scanStations(b, 0) }

// BenchmarkScanStationsPaced: the same stations, each scanning once every
// -interval (50 ms: 20 scans a second per gate, 400 venue-wide, well above
// a real gate's pace of about one a second): the latency of one scan when
// the server is not saturated. (A closed loop at saturation measures the
// queue: with 20 scans always in flight, a scan waits for the other 19.)
func BenchmarkScanStationsPaced(b *testing.B) { scanStations(b, *benchInterval) }

func scanStations(b *testing.B, every time.Duration) {
	const tickets = 100_000
	stations := *benchStations
	db := openTest(b)
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		b.Fatal(err)
	}
	for start := 0; start < tickets; start += 10_000 {
		if err := w.Apply(ctx, core.ExportPage{Tickets: storetest.GenPages(start, 1, 10_000)[0], Cursor: fmt.Sprint(start)}); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	handles := make([]*DB, stations)
	for i := range handles {
		handles[i] = fresh2(b, db, MaxConns(2))
		handles[i].pool.Ping(ctx) // connect before the clock starts
	}
	gates := make([]core.Gate, stations)
	for i, h := range handles {
		gates[i] = h
	}
	cps := make([]core.Checkpoint, stations)
	for s := range cps {
		cps[s] = storetest.Checkpoint("A")
		cps[s].Station.Name, cps[s].Station.Gate = fmt.Sprintf("STATION%d", s+1), ""
	}
	cpu0, srv0 := cputime.Process(), pgtest.Shared(b).CPUTime()
	b.ResetTimer()
	// Station s takes every stations-th scan: distinct tickets (ADMIT) on
	// the first pass, then ALREADY_USED denials; one scan in 50 is an
	// unknown code. Every one records a control.
	res, err := scanload.Run(ctx, gates, b.N, every, func(s, i int) core.ScanRequest {
		code := storetest.BarcodeOf(i % tickets)
		if i%50 == 49 {
			code = fmt.Sprint("UNKNOWN-", i)
		}
		return core.ScanRequest{Code: code, Checkpoint: cps[s], Now: storetest.Day}
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	cpu, srv := cputime.Process()-cpu0, pgtest.Shared(b).CPUTime()-srv0
	n := len(res.Latencies)
	if n == 0 {
		return
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(res.Percentile(0.50)), "p50-ms")
	b.ReportMetric(ms(res.Percentile(0.99)), "p99-ms")
	b.ReportMetric(ms(res.Max()), "max-ms")
	b.ReportMetric(res.PerSecond(), "scans/s")
	b.ReportMetric(float64(srv.Microseconds())/float64(n), "server-cpu-µs/scan")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "client-cpu-µs/scan")
}

// pageSource generates the pages of an export of n tickets, one at a time
// (a million tickets held at once would be gigabytes).
func pageSource(n, size int) func() ([]core.Ticket, bool) {
	next := 0
	return func() ([]core.Ticket, bool) {
		if next >= n {
			return nil, false
		}
		page := storetest.GenPages(next, 1, min(size, n-next))[0]
		next += len(page)
		return page, true
	}
}

func BenchmarkFirstExport(b *testing.B) {
	for range b.N {
		db := openTest(b)
		b.StopTimer() // timed by hand: page generation is not the store's
		// Each run starts from a clean server: the baseline's table is
		// dropped when it ends, and a checkpoint writes out what the run
		// before left (otherwise the second run pays for the first: 30%).
		checkpoint := func() {
			if err := db.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
		}
		srv := pgtest.Shared(b)
		checkpoint()
		// CPU time, the server's (autovacuum and checkpoints included) and
		// this process's, beside the wall clock: on a shared machine the
		// clock varies twofold from run to run, the CPU per ticket little.
		s0, c0 := srv.CPUTime(), cputime.Process()
		rawN, rawTook, err := db.RawCopyBaseline(ctx, pageSource(*benchTickets, *benchPageSize))
		if err != nil {
			b.Fatal(err)
		}
		rawSrv, rawCli := srv.CPUTime()-s0, cputime.Process()-c0
		checkpoint()
		s0, c0 = srv.CPUTime(), cputime.Process()
		w, err := db.BeginExport(ctx, "k")
		if err != nil {
			b.Fatal(err)
		}
		var took time.Duration
		n := 0
		next := pageSource(*benchTickets, *benchPageSize)
		for page, ok := next(); ok; page, ok = next() {
			t0 := time.Now()
			if err := w.Apply(ctx, core.ExportPage{Tickets: page, Cursor: fmt.Sprint(n)}); err != nil {
				b.Fatal(err)
			}
			took += time.Since(t0)
			n += len(page)
		}
		w.Close()
		stSrv, stCli := srv.CPUTime()-s0, cputime.Process()-c0
		if c := total(b, db); c != n || rawN != n {
			b.Fatalf("%d tickets stored, %d copied raw, %d sent", c, rawN, n)
		}
		ingest, raw := float64(n)/took.Seconds(), float64(rawN)/rawTook.Seconds()
		b.ReportMetric(ingest, "tickets/s")
		b.ReportMetric(raw, "raw-copy-tickets/s")
		b.ReportMetric(ingest/raw, "ratio")
		b.ReportMetric(took.Seconds(), "store-s")
		perTicket := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(n) }
		b.ReportMetric(perTicket(stSrv), "server-cpu-µs/ticket")
		b.ReportMetric(perTicket(rawSrv), "raw-server-cpu-µs/ticket")
		// The client's includes generating the pages (both runs alike).
		b.ReportMetric(perTicket(stCli), "client-cpu-µs/ticket")
		b.ReportMetric(perTicket(rawCli), "raw-client-cpu-µs/ticket")
	}
}

// A re-export: every ticket of a 200,000-ticket list sent again (the
// upsert path, which keeps the flags of refused tickets).
func BenchmarkReexport(b *testing.B) {
	const n = 200_000
	db := openTest(b)
	next := pageSource(n, *benchPageSize)
	for page, ok := next(); ok; page, ok = next() {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "c"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		var took time.Duration
		next := pageSource(n, *benchPageSize)
		for page, ok := next(); ok; page, ok = next() {
			t0 := time.Now()
			if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: page, Cursor: "c"}); err != nil {
				b.Fatal(err)
			}
			took += time.Since(t0)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "tickets/s")
	}
}
