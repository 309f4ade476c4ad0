package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core/s360sim"
)

// startSim serves a small simulated institution over loopback, without rate
// limit, for the duration of the test.
func startSim(t *testing.T) (*s360sim.Sim, string) {
	t.Helper()
	// The event is an hour away: its tickets are valid now.
	sim := s360sim.New(s360sim.Config{Tickets: 300, Seed: 7, RateLimit: -1, Password: "pw-Zq8!never-shown",
		EventDate: time.Now().Add(time.Hour)})
	ep, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	return sim, ep
}

// result is one in-process run of s360gate.
type result struct {
	code        int
	out, stderr string
}

// secretsSeen collects every output so a test can check, at its end, that
// no password ever reached one.
type harness struct {
	t       *testing.T
	secrets []string
	outputs []string
	gui     GUI
}

// privateDir is a new folder only its owner can open, as a station's data
// folder is (t.TempDir's are 0755, which every command would first make
// private, and say so).
func privateDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}

func newHarness(t *testing.T, secrets ...string) *harness {
	h := &harness{t: t, secrets: secrets}
	t.Cleanup(h.checkLeaks)
	return h
}

func (h *harness) run(stdin io.Reader, args ...string) result {
	h.t.Helper()
	return h.runCtx(context.Background(), stdin, args...)
}

// runCtx is run under ctx: cancelling it is Ctrl-C.
func (h *harness) runCtx(ctx context.Context, stdin io.Reader, args ...string) result {
	h.t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := Run(ctx, args, stdin, &out, &errb, h.gui)
	h.outputs = append(h.outputs, out.String(), errb.String())
	return result{code, out.String(), errb.String()}
}

func (h *harness) checkLeaks() {
	for _, s := range h.secrets {
		for _, o := range h.outputs {
			if strings.Contains(o, s) {
				h.t.Errorf("output leaks the password %q:\n%s", s, o)
			}
		}
	}
}

// wantOneLine checks a failure: the exit code and exactly one stderr line
// starting with "s360gate: " and containing want.
func wantOneLine(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "s360gate: ") {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func sample(t *testing.T, sim *s360sim.Sim, kind string) s360sim.Sample {
	t.Helper()
	for _, s := range sim.Samples() {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no %s sample", kind)
	return s360sim.Sample{}
}
