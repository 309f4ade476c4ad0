package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
)

// TestStationLifecycle drives the whole headless surface against a real
// simulator: configure once, reuse, scan through a pipe, look up, report,
// upload, purge.
func TestStationLifecycle(t *testing.T) {
	sim, ep := startSim(t)
	cfg := sim.Config()
	h := newHarness(t, cfg.Password)
	dir := t.TempDir()
	t.Setenv(config.PasswordEnv, cfg.Password)

	r := h.run(nil, "sync", "--once", "--environment", "sandbox", "--endpoint", ep,
		"--institution", cfg.Institution, "--operator", cfg.Operator, "--season", cfg.Season,
		"--product", cfg.Products[0], "--product", cfg.Products[1], "--data-dir", dir)
	if r.code != 0 || !regexp.MustCompile(`^Synced: [1-9]\d* tickets received \(list complete\), 0 controls uploaded, 0 rejected\.\n$`).MatchString(r.out) {
		t.Fatalf("first sync: exit %d\nstdout %q\nstderr %q", r.code, r.out, r.stderr)
	}
	if f := readFile(t, dir, config.FileName); !strings.Contains(f, ep) || strings.Contains(f, cfg.Password) {
		t.Errorf("settings file should hold the endpoint but not the password given by S360_PASSWORD:\n%s", f)
	}

	// Settings are reused; --data-dir goes before the subcommand as well.
	r = h.run(nil, "--data-dir", dir, "sync", "--once")
	if r.code != 0 || !strings.HasPrefix(r.out, "Synced: 0 tickets received") {
		t.Fatalf("second sync: exit %d %q %q", r.code, r.out, r.stderr)
	}

	valid, cancelled, child := sample(t, sim, "valid"), sample(t, sim, "cancelled"), sample(t, sim, "child")
	lines := []struct{ in, verdict, reason string }{
		{valid.Barcode, "ADMIT", "OK"},
		{valid.Barcode, "DENY", "ALREADY_USED"},
		{"40000000000000000000001", "DENY", "UNKNOWN_BARCODE"},
		{"~~~~~~", "", ""}, // garbage: an error line, nothing recorded
		{cancelled.Barcode, "DENY", "CANCELLED"},
		{"]C0" + child.Barcode, "ADMIT", "OK"}, // AIM prefix stripped
	}
	outs := scanThroughPipe(t, h, dir, lines)
	if outs[0]["controlId"] == "" || outs[0]["ticket"] == nil {
		t.Errorf("ADMIT line lacks controlId or ticket: %v", outs[0])
	}
	if tk := outs[0]["ticket"].(map[string]any); tk["taxNumber"] != valid.TaxNumber {
		t.Errorf("ticket %v, want taxNumber %s", tk, valid.TaxNumber)
	}
	if _, ok := outs[2]["ticket"]; ok {
		t.Errorf("unknown barcode has a ticket: %v", outs[2])
	}
	if _, ok := outs[3]["error"]; !ok || outs[3]["verdict"] != nil {
		t.Errorf("garbage line: %v", outs[3])
	}
	if p, _ := json.Marshal(outs[5]["prompts"]); !strings.Contains(string(p), "AGE_CHECK") {
		t.Errorf("child ticket without AGE_CHECK prompt: %v", outs[5])
	}

	// Lookup by taxNumber: the ticket and both its controls.
	r = h.run(nil, "lookup", valid.TaxNumber, "--data-dir", dir)
	var recs []core.TicketRecord
	if r.code != 0 || json.Unmarshal([]byte(r.out), &recs) != nil || len(recs) != 1 || len(recs[0].Controls) != 2 {
		t.Fatalf("lookup: exit %d %q %q", r.code, r.out, r.stderr)
	}
	r = h.run(nil, "lookup", "--data-dir", dir, "NO-SUCH-TICKET")
	wantOneLine(t, r, 1, "No ticket matches NO-SUCH-TICKET")

	// The control log: header and the five recorded scans.
	r = h.run(nil, "controls", "--format", "csv", "--data-dir", dir)
	rows, err := csv.NewReader(strings.NewReader(r.out)).ReadAll()
	if r.code != 0 || err != nil || len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(controlsHeader, ",") {
		t.Fatalf("controls csv: exit %d err %v\n%s%s", r.code, err, r.out, r.stderr)
	}
	if rows[1][5] != valid.Barcode || rows[1][7] != "ADMIT" || rows[2][8] != "ALREADY_USED" {
		t.Errorf("control rows: %v", rows[1:])
	}
	r = h.run(nil, "controls", "--format", "json", "--since", time.Now().Add(-time.Hour).Format(time.RFC3339), "--data-dir", dir)
	var cs []core.Control
	if r.code != 0 || json.Unmarshal([]byte(r.out), &cs) != nil || len(cs) != 5 {
		t.Fatalf("controls json: exit %d %q %q", r.code, r.out, r.stderr)
	}

	// The next cycle uploads the controls of S-360 barcodes.
	r = h.run(nil, "sync", "--once", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.out, " 4 controls uploaded, 0 rejected") {
		t.Errorf("upload sync: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if got := len(sim.Controls()); got != 4 {
		t.Errorf("simulator received %d controls, want 4", got)
	}

	r = h.run(nil, "purge", "--personal-data", "--all", "--data-dir", dir)
	if r.code != 0 || !strings.HasPrefix(r.out, "Purged the holder data of ") {
		t.Errorf("purge: exit %d %q %q", r.code, r.out, r.stderr)
	}
	r = h.run(nil, "purge", "--data-dir", dir)
	wantOneLine(t, r, 2, "--personal-data")
}

// scanThroughPipe writes one scan at a time and reads its JSON line back
// before writing the next: the command must answer each scan at once.
func scanThroughPipe(t *testing.T, h *harness, dir string, lines []struct{ in, verdict, reason string }) []map[string]any {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan result, 1)
	go func() {
		var errb strings.Builder
		code := Run(context.Background(), []string{"scan", "--data-dir", dir, "--station", "GATE_N_1"}, inR, outW, &errb, nil)
		outW.Close()
		done <- result{code: code, stderr: errb.String()}
	}()
	rd := bufio.NewReader(outR)
	var outs []map[string]any
	for _, l := range lines {
		if _, err := io.WriteString(inW, l.in+"\n"); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() { s, _ := rd.ReadString('\n'); got <- s }()
		var line string
		select {
		case line = <-got:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer to %q before the next line", l.in)
		}
		h.outputs = append(h.outputs, line)
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line for %q is not JSON: %q", l.in, line)
		}
		if l.verdict != "" && (m["verdict"] != l.verdict || m["reason"] != l.reason) {
			t.Errorf("scan %q: %v, want %s %s", l.in, m, l.verdict, l.reason)
		}
		outs = append(outs, m)
	}
	inW.Close()
	r := <-done
	if r.code != 0 {
		t.Fatalf("scan exit %d: %s", r.code, r.stderr)
	}
	return outs
}
