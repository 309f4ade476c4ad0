package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core/config"
)

// scanLines runs scan with args on codes and returns its output lines.
func scanLines(t *testing.T, h *harness, codes []string, args ...string) []map[string]any {
	t.Helper()
	r := h.run(strings.NewReader(strings.Join(codes, "\n")+"\n"), append([]string{"scan"}, args...)...)
	if r.code != 0 {
		t.Fatalf("scan %v: exit %d %q", args, r.code, r.stderr)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// scan --lang de says its messages in German; the reasons, verdicts and
// keys do not change. Without --lang, the station's language setting
// speaks; the control log reads in any language whatever it was recorded
// in.
func TestScanInEveryLanguage(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid, cancelled, wrong := sample(t, sim, "valid"), sample(t, sim, "cancelled"), sample(t, sim, "wrong-gate")
	codes := []string{valid.Barcode, valid.Barcode, cancelled.Barcode, wrong.Barcode, "~~~~"}
	de := scanLines(t, h, codes, "--data-dir", dir, "--gate", "N1", "--lang", "de")
	want := []struct{ verdict, reason, message string }{
		{"ADMIT", "OK", "Gültiges Ticket"},
		{"DENY", "ALREADY_USED", "Bereits benutzt — "},
		{"DENY", "CANCELLED", "Storniert — Rückerstattung beantragt"},
		{"DENY", "WRONG_GATE", "Falscher Eingang — Tor S2 benutzen"},
	}
	for i, w := range want {
		if de[i]["verdict"] != w.verdict || de[i]["reason"] != w.reason || !strings.HasPrefix(de[i]["message"].(string), w.message) {
			t.Errorf("line %d: %v, want %+v", i+1, de[i], w)
		}
	}
	if e, _ := de[4]["error"].(string); !strings.HasPrefix(e, "Scan unlesbar") {
		t.Errorf("unreadable line in German: %v", de[4])
	}
	if !strings.Contains(de[1]["message"].(string), "Tor N1") {
		t.Errorf("first use's gate: %v", de[1]["message"])
	}

	// The station speaks Italian: scan without --lang follows it.
	s, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Language = "it"
	if err := config.Save(dir, s); err != nil {
		t.Fatal(err)
	}
	it := scanLines(t, h, []string{valid.Barcode}, "--data-dir", dir, "--gate", "N1", "--helpdesk")
	if it[0]["reason"] != "ALREADY_USED" || !strings.HasPrefix(it[0]["message"].(string), "Già utilizzato — ") {
		t.Errorf("station in Italian: %v", it[0])
	}

	// The log, recorded in German, reads in French; its CSV keeps its
	// columns and reasons.
	r := h.run(nil, "controls", "--data-dir", dir, "--lang", "fr")
	if r.code != 0 {
		t.Fatalf("controls: %d %q", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.out)).ReadAll()
	if err != nil || len(rows) < 5 || strings.Join(rows[0], ",") != strings.Join(controlsHeader, ",") {
		t.Fatalf("csv %q %v", r.out, err)
	}
	if rows[2][8] != "ALREADY_USED" || !strings.HasPrefix(rows[2][9], "Déjà utilisé — ") || rows[3][9] != "Annulé — remboursement demandé" {
		t.Errorf("rows %q", rows[1:5])
	}
	r = h.run(nil, "lookup", "--data-dir", dir, "--lang", "en", valid.Barcode)
	if r.code != 0 || !strings.Contains(r.out, `"message": "Already used at `) {
		t.Errorf("lookup in English: %d %s", r.code, r.out)
	}

	// A language s360gate does not speak is a usage error.
	wantOneLine(t, h.run(nil, "controls", "--data-dir", dir, "--lang", "es"), ExitUsage, "--lang: en, fr, de or it")
	// And in the settings file, it is said but never stops a gate.
	path := filepath.Join(dir, config.FileName)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"language": "it"`, `"language": "klingon"`, 1)), 0o600)
	r = h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", dir, "--helpdesk")
	if r.code != 0 || !strings.Contains(r.out, `"reason":"ALREADY_USED"`) {
		t.Errorf("a bad language stopped the gate: %d %q %q", r.code, r.out, r.stderr)
	}
}

// The desktop app gets --lang for its run; a restart it asks for follows
// the language saved in its Settings instead.
func TestGUILanguage(t *testing.T) {
	_, dir, h := sandboxStation(t)
	var got []string
	prev := relaunch
	relaunch = func(args []string) error { got = args; return nil }
	t.Cleanup(func() { relaunch = prev })
	h.gui = func(a App) error {
		if a.Lang != "fr" {
			t.Errorf("the GUI was given %q", a.Lang)
		}
		a.Restart()
		return nil
	}
	if r := h.run(nil, "--lang", "FR", "--data-dir", dir); r.code != 0 {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if strings.Join(got, " ") != "--data-dir "+dir {
		t.Errorf("restarted with %q", got)
	}
	for in, want := range map[string]string{
		"--lang=de --verbose": "--verbose", "-lang it --data-dir x": "--data-dir x", "--data-dir x -- --lang fr": "--data-dir x -- --lang fr",
	} {
		if got := strings.Join(withoutLang(strings.Fields(in)), " "); got != want {
			t.Errorf("withoutLang(%q) = %q", in, got)
		}
	}
}
