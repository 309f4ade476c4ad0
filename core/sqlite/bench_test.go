package sqlite

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"s360gate/core"
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
			b.Fatalf("scan %d: %s %s", i, v.Reason, v.Message)
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
