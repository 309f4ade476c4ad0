package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core/config"
	"s360gate/core/config/configtest"
)

// A data folder and settings file other users can read are made private by
// the next command, which says so on stderr, one line each, and otherwise
// works as usual (stdout untouched); the next run says nothing. The desktop
// app, whose stderr nobody reads, writes the same lines to its log.
func TestDataFolderMadePrivate(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	settings := filepath.Join(dir, config.FileName)
	quiet := h.run(nil, "controls", "--data-dir", dir)
	if quiet.code != 0 || quiet.stderr != "" {
		t.Fatalf("private station: exit %d, stderr %q", quiet.code, quiet.stderr)
	}
	configtest.Expose(t, dir)
	configtest.Expose(t, settings)

	r := h.run(nil, "controls", "--data-dir", dir)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 0 || r.out != quiet.out || len(lines) != 2 {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.stderr)
	}
	for i, what := range []string{"data folder " + dir, "settings file " + settings} {
		if !strings.HasPrefix(lines[i], "s360gate: The "+what+" could be read by other users") || !strings.Contains(lines[i], "made private") {
			t.Errorf("line %d: %q", i+1, lines[i])
		}
	}
	for _, p := range []string{dir, settings} {
		if who, err := config.Exposure(p); err != nil || who != "" {
			t.Errorf("%s still readable by %q (%v)", p, who, err)
		}
	}
	if r := h.run(nil, "controls", "--data-dir", dir); r.stderr != "" {
		t.Errorf("second run: %q", r.stderr)
	}

	// The desktop app logs it.
	configtest.Expose(t, dir)
	h.gui = func(App) error { return nil }
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	if r := h.run(nil, "--data-dir", dir); r.code != 0 || !strings.Contains(r.stderr, "made private") {
		t.Fatalf("gui: exit %d, stderr %q", r.code, r.stderr)
	}
	if log := readFile(t, dir, "s360gate.log"); !strings.Contains(log, "could be read by other users") {
		t.Errorf("the app's log does not say the folder was made private:\n%s", log)
	}
}
