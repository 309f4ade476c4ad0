package sqlite

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/internal/cputime"
)

const benchPage = 5000

// BenchmarkApplyPage ingests b.N pages of 5000 new tickets into one store
// (so the store grows as in a first full export) and reports tickets/s.
func BenchmarkApplyPage(b *testing.B) {
	db, _ := openTest(b)
	pages := genPages(0, b.N, benchPage)
	b.ReportAllocs()
	b.ResetTimer()
	for i, p := range pages {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: "c" + barcodeOf(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchPage)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkExportWriter stores b.N pages of 5000 new tickets through one
// export writer, as the engine does when pages come faster than the store
// writes them: its transactions span many pages.
func BenchmarkExportWriter(b *testing.B) {
	db, _ := openTest(b)
	pages := genPages(0, b.N, benchPage)
	b.ReportAllocs()
	b.ResetTimer()
	w, err := db.BeginExport(ctx, "k")
	if err != nil {
		b.Fatal(err)
	}
	for i, p := range pages {
		if err := w.Apply(ctx, core.ExportPage{Tickets: p, Cursor: "c" + barcodeOf(i)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	w.Close()
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchPage)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkReexport applies pages of tickets the store already holds (a
// cursor reset, or an incremental export made of changes): every batch
// takes the update path.
func BenchmarkReexport(b *testing.B) {
	db, _ := openTest(b)
	pages := genPages(0, 20, benchPage)
	for i, p := range pages {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: barcodeOf(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: pages[i%len(pages)], Cursor: "c"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchPage)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkRawIngest is the raw store limit on the same data: plain INSERTs
// into an identical table (RawIngestBaseline).
func BenchmarkRawIngest(b *testing.B) {
	pages := genPages(0, b.N, benchPage)
	b.ReportAllocs()
	b.ResetTimer()
	d, err := RawIngestBaseline(ctx, filepath.Join(b.TempDir(), "raw.db"), pages)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchPage)/d.Seconds(), "tickets/s")
}

// BenchmarkScan scans distinct valid tickets of a 200,000-ticket store at
// one gate, each an ADMIT durably recorded, and reports the latency
// percentiles of Scan.
func BenchmarkScan(b *testing.B) {
	const n = 200_000
	db, _ := openTest(b)
	for i, p := range genPages(0, n/benchPage, benchPage) {
		for j := range p {
			p[j].EntranceCode = "" // any gate
		}
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: barcodeOf(i)}); err != nil {
			b.Fatal(err)
		}
	}
	cp := checkpoint("A")
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		v, err := db.Scan(ctx, core.ScanRequest{Code: barcodeOf((i * 7919) % n), Checkpoint: cp, Now: day})
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if i < n && v.Outcome != core.Admit {
			b.Fatalf("scan %d: %s %s", i, v.Reason, said(&v))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scans/s")
}

// TestBigStore measures a store of S360_BIG tickets (e.g. 1000000) the way
// the station meets it: a first full export in pages of 5000 (or
// S360_BIG_PAGE), compared
// with the raw store limit on the same pages, then the gate and the desk on
// the full store. Skipped unless S360_BIG is set; figures go to the log.
func TestBigStore(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("S360_BIG"))
	if n == 0 {
		t.Skip("set S360_BIG=1000000 to run")
	}
	size := benchPage
	if v, _ := strconv.Atoi(os.Getenv("S360_BIG_PAGE")); v > 0 {
		size = v
	}
	pages := genPages(0, n/size, size)
	db, _ := openTest(t)
	io0, _ := os.ReadFile("/proc/self/io")
	cpu0 := cputime.Process()
	start := time.Now()
	for i, p := range pages {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: barcodeOf(i)}); err != nil {
			t.Fatal(err)
		}
	}
	wall, cpu := time.Since(start), cputime.Process()-cpu0
	io1, _ := os.ReadFile("/proc/self/io")
	raw, err := RawIngestBaseline(ctx, filepath.Join(t.TempDir(), "raw.db"), pages)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ApplyPage: %d tickets in %v = %.0f tickets/s (%.1f µs CPU per ticket, all threads)",
		n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), float64(cpu.Microseconds())/float64(n))
	t.Logf("bytes written by the process during ApplyPage: %.0f per ticket", float64(ioWritten(io1)-ioWritten(io0))/float64(n))
	t.Logf("raw insert baseline: %v = %.0f tickets/s; ApplyPage = %.2f × raw",
		raw.Round(time.Millisecond), float64(n)/raw.Seconds(), raw.Seconds()/wall.Seconds())

	start = time.Now()
	c, err := db.TicketCounts(ctx)
	t.Logf("TicketCounts %+v in %v (%v)", c, time.Since(start), err)
	start = time.Now()
	rs, err := db.Lookup(ctx, pages[0][0].TaxNumber, 0)
	t.Logf("Lookup by taxNumber: %d in %v (%v)", len(rs), time.Since(start), err)
	start = time.Now()
	rs, err = db.Lookup(ctx, "ada1 mül", 0)
	t.Logf("Lookup by name: %d in %v (%v)", len(rs), time.Since(start), err)

	cp := checkpoint("A")
	var lat []time.Duration
	start = time.Now()
	for i := 0; i < 5000; i++ {
		t0 := time.Now()
		v, err := db.Scan(ctx, core.ScanRequest{Code: barcodeOf((i * 7919) % n), Checkpoint: cp, Now: day})
		lat = append(lat, time.Since(t0))
		if err != nil || v.Control == nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	t.Logf("Scan on %d tickets: p50 %v p99 %v max %v, %.0f scans/s", n, lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], 5000/elapsed.Seconds())
}

// ioWritten is wchar from /proc/self/io (0 where there is none).
func ioWritten(proc []byte) int64 {
	for _, line := range strings.Split(string(proc), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
