package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core/config"
)

// editSettings rewrites dir's settings file as a person would in Notepad:
// with a byte-order mark, and with edit applied to its JSON object.
func editSettings(t *testing.T, dir string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, config.FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, _ = json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(path, append([]byte("\xef\xbb\xbf"), b...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestHandEditedSettings: a settings file saved by Notepad (byte-order
// mark) with a sync setting of the wrong type and another refused: scan
// goes on deciding (and says why on stderr), sync names the setting and
// what is wrong with it.
func TestHandEditedSettings(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid := sample(t, sim, "valid").Barcode
	editSettings(t, dir, func(m map[string]any) {
		m["environment"] = "SANDBOX"
		m["pageSize"] = "5000"
		m["endpoint"] = "http://s360.example.com/plain"
	})
	r := h.run(strings.NewReader(valid+"\n"), "scan", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.out, `"verdict":"ADMIT"`) {
		t.Fatalf("scan: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if !strings.Contains(r.stderr, "pageSize: must be a whole number, without quotes, not text in quotes") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("scan's warning: %q", r.stderr)
	}
	if r := h.run(nil, "controls", "--data-dir", dir); r.code != 0 || !strings.Contains(r.out, valid) {
		t.Errorf("controls: exit %d %q", r.code, r.stderr)
	}
	r = h.run(nil, "sync", "--once", "--data-dir", dir)
	wantOneLine(t, r, ExitFailure, "pageSize: must be a whole number")

	// The type fixed, the refused address stops the sync, never the gate.
	editSettings(t, dir, func(m map[string]any) { m["pageSize"] = 5000 })
	r = h.run(nil, "sync", "--once", "--data-dir", dir)
	wantOneLine(t, r, ExitFailure, "--endpoint: use https://")
	if r := h.run(strings.NewReader(valid+"\n"), "scan", "--data-dir", dir); r.code != 0 || !strings.Contains(r.out, `"reason":"ALREADY_USED"`) {
		t.Fatalf("scan with a refused endpoint: exit %d %q %q", r.code, r.out, r.stderr)
	}
	// A setting the gate decides with still stops it, by name.
	editSettings(t, dir, func(m map[string]any) { m["direction"] = 1 })
	r = h.run(strings.NewReader(valid+"\n"), "scan", "--data-dir", dir)
	wantOneLine(t, r, ExitFailure, "direction: must be text in quotes, not a number")
}

// TestEnvironmentSpelling: "PRODUCTION" typed in the settings file is
// production: the call policy holds and the same store is used, not a
// second, empty one.
func TestEnvironmentSpelling(t *testing.T) {
	sim, ep := startSim(t)
	h := newHarness(t, sim.Config().Password)
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	dir := t.TempDir()
	configure(t, h, dir, "production", ep)
	editSettings(t, dir, func(m map[string]any) { m["environment"] = "PRODUCTION"; m["direction"] = "IN" })
	r := h.run(nil, "sync", "--once", "--data-dir", dir)
	wantOneLine(t, r, ExitRefused, "production: at most one sync an hour")
	valid := sample(t, sim, "valid").Barcode
	if r := h.run(strings.NewReader(valid+"\n"), "scan", "--data-dir", dir); !strings.Contains(r.out, `"verdict":"ADMIT"`) {
		t.Fatalf("scan: %q %q", r.out, r.stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".db") && e.Name() != DBName {
			t.Errorf("a second store: %s", e.Name())
		}
	}
}
