package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"s360gate/core/sqlite"
)

// Target is one figure against what the station must achieve on a 2-core
// machine with a million tickets.
type Target struct {
	Name   string  `json:"name"`   // the Result field it judges, e.g. "ingest.tickets_per_s"
	Value  float64 `json:"value"`  // as measured
	Op     string  `json:"op"`     // ">=" or "<="
	Target float64 `json:"target"` //
	Unit   string  `json:"unit"`
	Pass   bool    `json:"pass"`
}

// Targets at N = 1,000,000 on a 2-core machine.
const (
	TargetIngestPerS   = 100_000 // tickets/s end to end
	TargetIngestRatio  = 0.5     // of the raw store limit
	TargetIncrEmptyMS  = 20
	TargetScanP99US    = 2000 // durable commit included
	TargetScansPerS    = 2000
	TargetUploadS      = 1 // 10,000 controls
	TargetPeakRSSBytes = 250 << 20
	TargetReadyMS      = 1000
)

// target judges the figure v of name against want (op ">=" or "<=").
func target(name string, v float64, op string, want float64, unit string) Target {
	pass := v >= want
	if op == "<=" {
		pass = v <= want
	}
	return Target{Name: name, Value: v, Op: op, Target: want, Unit: unit, Pass: pass}
}

func targets(r *Result) []Target {
	t := target
	return []Target{
		t("ingest.tickets_per_s", r.Ingest.TicketsPerS, ">=", TargetIngestPerS, "tickets/s"),
		t("ingest_vs_raw", r.IngestRaw, ">=", TargetIngestRatio, "× raw"),
		t("store_ready.total_ms", r.StoreReady.TotalMS, "<=", TargetReadyMS, "ms"),
		t("incremental_empty.ms", r.IncrEmpty.MS, "<=", TargetIncrEmptyMS, "ms"),
		t("incremental_empty_with_controls.ms", r.IncrEmptyCtl.MS, "<=", TargetIncrEmptyMS, "ms"),
		t("scan.p99_us", r.Scan.P99US, "<=", TargetScanP99US, "µs"),
		t("scan.scans_per_s", r.Scan.ScansPerS, ">=", TargetScansPerS, "scans/s"),
		t("upload.seconds", r.Upload.Seconds, "<=", TargetUploadS, "s"),
		t("memory.station_peak_rss_bytes", float64(r.Memory.StationPeakRSSBytes), "<=", TargetPeakRSSBytes, "bytes"),
	}
}

func (r *Result) target(name string) (Target, bool) {
	for _, t := range r.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return Target{}, false
}

// WriteTable prints the result for people: each figure with its target and
// PASS/MISS.
func (r *Result) WriteTable(w io.Writer) error {
	m := r.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "s360gate bench — %s tickets, pages of %s\n", thousands(r.Tickets), thousands(r.PageSize))
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s/%s", m.CPUModel, m.Cores, m.GoVersion, m.OS, m.Arch)
	if m.Kernel != "" {
		fmt.Fprintf(&b, " (kernel %s)", m.Kernel)
	}
	if m.LoadStart == [3]float64{} && m.LoadEnd == [3]float64{} {
		fmt.Fprintf(&b, "\nLoad average: not available on %s\n\n", m.OS)
	} else {
		fmt.Fprintf(&b, "\nLoad average: %.2f %.2f %.2f at start, %.2f %.2f %.2f at end\n\n",
			m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2])
	}

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := func(what, value, target string, name string) {
		verdict := ""
		if t, ok := r.target(name); ok {
			verdict = "MISS"
			if t.Pass {
				verdict = "PASS"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", what, value, target, verdict)
	}
	fmt.Fprintf(tw, "Measure\tMeasured\tTarget\t\n")
	in := &r.Ingest
	row("Full export ingest", fmt.Sprintf("%s tickets/s (%s tickets, %s items, %d pages, %.2f s; per ticket: CPU %.1f µs, %.0f bytes in %.2f writes)",
		thousands(int(in.TicketsPerS)), thousands(in.Tickets), thousands(in.Items), in.Pages, in.Seconds, in.CPUPerTicketUS,
		in.WriteBytesPerTicket, in.WriteCallsPerTicket),
		"≥ 100,000 tickets/s", "ingest.tickets_per_s")
	row("Raw store limit", fmt.Sprintf("%s tickets/s (%.2f s)", thousands(int(r.Raw.TicketsPerS)), r.Raw.Seconds), "", "")
	row("Ingest ÷ raw", fmt.Sprintf("%.2f", r.IngestRaw), "≥ 0.50", "ingest_vs_raw")
	row("Raw store limit, export's transactions", fmt.Sprintf("%s tickets/s (%.2f s, %s tickets per transaction)",
		thousands(int(r.RawExportTxn.TicketsPerS)), r.RawExportTxn.Seconds, thousands(sqlite.ExportTxnRows)), "", "")
	row("Ingest ÷ that", fmt.Sprintf("%.2f", r.IngestRawExportTxn), "", "")
	sr := &r.StoreReady
	row("Store ready (open + counts + first scan)", fmt.Sprintf("%.0f ms (%.0f + %.1f + %.1f)", sr.TotalMS, sr.OpenMS, sr.CountsMS, sr.FirstScanMS),
		"≤ 1,000 ms", "store_ready.total_ms")
	ie := &r.IncrEmpty
	row("Incremental cycle, nothing new", fmt.Sprintf("%.1f ms (median of %d: %.1f–%.1f)", ie.MS, len(ie.Runs), ie.MinMS, ie.MaxMS),
		"≤ 20 ms", "incremental_empty.ms")
	ie = &r.IncrEmptyCtl
	row("  … again with the controls stored", fmt.Sprintf("%.1f ms (median of %d: %.1f–%.1f)", ie.MS, len(ie.Runs), ie.MinMS, ie.MaxMS),
		"≤ 20 ms", "incremental_empty_with_controls.ms")
	ic := &r.IncrChange
	row("Incremental cycle, 1% changed", fmt.Sprintf("%.0f ms (%s changes, %s items, %d pages)", ic.MS, thousands(ic.Changed), thousands(ic.Items), ic.Pages), "—", "")
	sc := &r.Scan
	row("Scan decision p50 / p99 / max", fmt.Sprintf("%.0f / %.0f / %.0f µs", sc.P50US, sc.P99US, sc.MaxUS), "p99 ≤ 2,000 µs", "scan.p99_us")
	row("Scans per second", fmt.Sprintf("%s scans/s (%s scans, %d unexpected verdicts)", thousands(int(sc.ScansPerS)), thousands(sc.Scans), sc.Unexpected),
		"≥ 2,000 scans/s", "scan.scans_per_s")
	sd := &r.ScanDuringSync
	row("Scan while a sync stores 1% changes", fmt.Sprintf("%.0f / %.0f / %.0f µs (%s scans)", sd.P50US, sd.P99US, sd.MaxUS, thousands(sd.Scans)), "—", "")
	up := &r.Upload
	row("Upload", fmt.Sprintf("%.2f s (%s controls, %d calls)", up.Seconds, thousands(up.Uploaded), up.Calls), "≤ 1 s", "upload.seconds")
	mem := &r.Memory
	row("Peak RSS (VmHWM), station phases", mib(mem.StationPeakRSSBytes), "≤ 250 MiB", "memory.station_peak_rss_bytes")
	row("Peak RSS, whole run (raw baseline incl.)", mib(mem.PeakRSSBytes), "", "")
	row("Peak Go heap", mib(mem.PeakHeapBytes)+" (Go total "+mib(mem.PeakGoBytes)+")", "", "")
	row("Store on disk", mib(uint64(r.DBBytes)), "", "")
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(mem.PhasePeakRSS) > 0 {
		b.WriteString("\nPeak RSS per phase:")
		for _, p := range []string{"ingest", "raw", "ready", "incremental", "scan", "upload"} {
			if v, ok := mem.PhasePeakRSS[p]; ok {
				fmt.Fprintf(&b, " %s %s;", p, mib(v))
			}
		}
		b.WriteString("\n")
	}
	miss := 0
	for _, t := range r.Targets {
		if !t.Pass {
			miss++
		}
	}
	fmt.Fprintf(&b, "\n%d of %d targets met (targets are for 1,000,000 tickets on 2 cores). Run took %.1f s.\n", len(r.Targets)-miss, len(r.Targets), r.Seconds)
	_, err := io.WriteString(w, b.String())
	return err
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
