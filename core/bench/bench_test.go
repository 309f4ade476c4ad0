package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSmall runs the whole benchmark on 20,000 tickets and checks that
// every figure is present and sane. It asserts nothing about speed: the
// machine may be shared.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 20,000-ticket export")
	}
	dir := t.TempDir()
	var progress bytes.Buffer
	res, err := Run(context.Background(), Options{Tickets: 20_000, PageSize: 2000, Scans: 2000, Uploads: 2500, DataDir: dir, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	num := func(path string) float64 {
		t.Helper()
		var v any = m
		for _, k := range strings.Split(path, ".") {
			o, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: %s is not an object", path, k)
			}
			if v, ok = o[k]; !ok {
				t.Fatalf("missing field %s", path)
			}
		}
		f, ok := v.(float64)
		if !ok {
			t.Fatalf("%s is %T, not a number", path, v)
		}
		return f
	}
	positive := []string{
		"tickets", "page_size", "seconds",
		"ingest.seconds", "ingest.tickets", "ingest.items", "ingest.pages", "ingest.tickets_per_s", "ingest.items_per_s",
		"ingest.cpu_seconds", "ingest.cpu_us_per_ticket",
		"raw.seconds", "raw.tickets", "raw.tickets_per_s", "ingest_vs_raw",
		"raw_export_txn.seconds", "raw_export_txn.tickets_per_s", "ingest_vs_raw_export_txn",
		"store_ready.open_ms", "store_ready.counts_ms", "store_ready.first_scan_ms", "store_ready.total_ms",
		"incremental_empty.ms", "incremental_empty.min_ms", "incremental_empty.max_ms", "incremental_empty_with_controls.ms",
		"incremental_changed.ms", "incremental_changed.changed", "incremental_changed.items",
		"scan.scans", "scan.p50_us", "scan.p99_us", "scan.max_us", "scan.mean_us", "scan.scans_per_s",
		"scan_during_sync.scans", "scan_during_sync.p99_us",
		"upload.controls", "upload.uploaded", "upload.calls", "upload.seconds",
		"memory.peak_heap_bytes", "memory.peak_go_total_bytes", "memory.peak_rss_bytes", "memory.station_peak_rss_bytes",
		"db_bytes", "machine.cores",
	}
	for _, f := range positive {
		if v := num(f); !(v > 0) {
			t.Errorf("%s = %v, want > 0", f, v)
		}
	}
	// Consistency between figures.
	switch {
	case res.Ingest.Tickets < 20_000 || res.Ingest.Items < res.Ingest.Tickets:
		t.Errorf("ingest stored %d tickets from %d items", res.Ingest.Tickets, res.Ingest.Items)
	case res.Raw.Tickets != res.Ingest.Tickets || res.RawExportTxn.Tickets != res.Ingest.Tickets:
		t.Errorf("raw inserted %d and %d tickets, ingest stored %d", res.Raw.Tickets, res.RawExportTxn.Tickets, res.Ingest.Tickets)
	case !res.Ingest.Drained:
		t.Error("ingest did not drain the list")
	case res.Scan.Scans != 2000 || res.Scan.Unexpected != 0:
		t.Errorf("scan: %d scans, %d unexpected verdicts (%v)", res.Scan.Scans, res.Scan.Unexpected, res.Scan.Reasons)
	case !(res.Scan.P50US <= res.Scan.P99US && res.Scan.P99US <= res.Scan.MaxUS):
		t.Errorf("scan percentiles out of order: %+v", res.Scan)
	case res.Upload.Uploaded != res.Upload.Controls || res.Upload.Controls < 2500:
		t.Errorf("upload: %d of %d controls", res.Upload.Uploaded, res.Upload.Controls)
	case res.IncrChange.Changed != 200 || res.IncrChange.Items < 200:
		t.Errorf("incremental: %d changed, %d items received", res.IncrChange.Changed, res.IncrChange.Items)
	case len(res.IncrEmpty.Runs) != emptyRuns:
		t.Errorf("%d empty cycles timed", len(res.IncrEmpty.Runs))
	case res.Memory.PeakRSSBytes < res.Memory.PeakHeapBytes/2:
		t.Errorf("peak RSS %d below half the peak heap %d", res.Memory.PeakRSSBytes, res.Memory.PeakHeapBytes)
	}
	for _, r := range []string{"OK", "ALREADY_USED", "CANCELLED", "UNKNOWN_BARCODE", "WRONG_GATE"} {
		if res.Scan.Reasons[r] == 0 {
			t.Errorf("the scan mix has no %s: %v", r, res.Scan.Reasons)
		}
	}
	if len(res.Targets) != 9 {
		t.Errorf("%d targets", len(res.Targets))
	}
	for _, tg := range res.Targets {
		if tg.Name == "" || tg.Op == "" || tg.Target <= 0 {
			t.Errorf("target %+v", tg)
		}
	}
	if res.Machine.GoVersion == "" || res.Machine.OS == "" {
		t.Errorf("machine: %+v", res.Machine)
	}
	// The store is kept in the given directory, the raw baseline's is not.
	if _, err := os.Stat(filepath.Join(dir, DBName)); err != nil {
		t.Errorf("bench.db not kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, RawDBName)); err == nil {
		t.Error("the raw baseline's database was left behind")
	}
	// Progress: plain lines (not a terminal), one per phase at least.
	for _, p := range []string{"ingest:", "raw:", "ready:", "incremental", "scan:", "upload:"} {
		if !strings.Contains(progress.String(), p) {
			t.Errorf("no %q progress line in:\n%s", p, progress.String())
		}
	}
	if strings.Contains(progress.String(), "\r") {
		t.Error("\\r in progress written to a non-terminal")
	}
	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Full export ingest", "Raw store limit", "Scan decision", "PASS", "Machine:", "Load average"} {
		if !strings.Contains(table.String(), s) && !(s == "PASS" && strings.Contains(table.String(), "MISS")) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
