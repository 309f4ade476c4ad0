package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/s360sim"
)

// sandboxStation is a sandbox station configured on a fresh simulator
// (sync --once done), the password in the environment as the IT person
// gives it.
func sandboxStation(t *testing.T, secrets ...string) (*s360sim.Sim, string, *harness) {
	t.Helper()
	sim, ep := startSim(t)
	h := newHarness(t, append([]string{sim.Config().Password}, secrets...)...)
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	dir := t.TempDir()
	configure(t, h, dir, "sandbox", ep)
	return sim, dir, h
}

// configure runs a first sync --once of dir on sim in env, and fails the
// test unless it worked.
func configure(t *testing.T, h *harness, dir, env, ep string, extra ...string) {
	t.Helper()
	args := append([]string{"sync", "--once", "--data-dir", dir, "--environment", env, "--endpoint", ep,
		"--institution", "INSTIT", "--operator", "gate", "--season", "SEASON26", "--product", "MATCH01"}, extra...)
	if r := h.run(nil, args...); r.code != 0 {
		t.Fatalf("configure: exit %d %q %q", r.code, r.out, r.stderr)
	}
}

func TestProductionPolicyRefusesSecondCycle(t *testing.T) {
	sim, ep := startSim(t)
	h := newHarness(t, sim.Config().Password)
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	dir := t.TempDir()
	configure(t, h, dir, "production", ep)
	r := h.run(nil, "sync", "--once", "--data-dir", dir)
	wantOneLine(t, r, ExitRefused, "not allowed before")
	if !regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).MatchString(r.stderr) {
		t.Errorf("refusal does not name the time: %q", r.stderr)
	}
	if r.out != "" {
		t.Errorf("stdout on refusal: %q", r.out)
	}
}

func TestPasswordFileIsStoredAndNeverShown(t *testing.T) {
	sim, ep := startSim(t)
	pw := sim.Config().Password
	h := newHarness(t, pw)
	t.Setenv(config.PasswordEnv, "")
	dir := t.TempDir()
	pf := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pf, []byte(pw+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	configure(t, h, dir, "sandbox", ep, "--password-file", pf, "--verbose")
	if f := readFile(t, dir, config.FileName); !strings.Contains(f, pw) {
		t.Errorf("the password from --password-file was not stored")
	}
	if r := h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir); r.code != 0 {
		t.Errorf("sync with the stored password: exit %d %q", r.code, r.stderr)
	}
	// A wrong password is reported on one line, without the password.
	if err := os.WriteFile(pf, []byte("wrong-"+pw), 0o600); err != nil {
		t.Fatal(err)
	}
	h.secrets = append(h.secrets, "wrong-"+pw)
	r := h.run(nil, "sync", "--once", "--data-dir", dir, "--password-file", pf)
	if r.code != ExitFailure || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("wrong password: exit %d %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	_, dir, h := sandboxStation(t, "hunter2-in-argv")
	before := readFile(t, dir, config.FileName)

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"sync", "--once", "--frobnicate", "--data-dir", dir}, 2, "flag provided but not defined: -frobnicate"},
		{"unknown flag before command", []string{"--frobnicate", "scan"}, 2, "-frobnicate"},
		{"unknown command", []string{"--data-dir", dir, "teleport"}, 2, `unknown command "teleport"`},
		{"password flag", []string{"sync", "--once", "--data-dir", dir, "--password", "hunter2-in-argv"}, 2, "visible to every user in `ps`"},
		{"password flag first", []string{"--password=hunter2-in-argv", "sync"}, 2, "--password-file"},
		{"plain http elsewhere", []string{"sync", "--once", "--data-dir", dir, "--endpoint", "http://s360.example.com/x"}, 2, "--endpoint: use https://"},
		{"not an address", []string{"sync", "--once", "--data-dir", dir, "--endpoint", "::nonsense"}, 2, "--endpoint"},
		{"bad environment", []string{"sync", "--once", "--data-dir", dir, "--environment", "staging"}, 2, "--environment"},
		{"bad code", []string{"sync", "--once", "--data-dir", dir, "--season", "SEA SON"}, 2, "--season"},
		{"bad page size", []string{"sync", "--data-dir", dir, "--page-size", "many"}, 2, "-page-size"},
		{"institution switch", []string{"sync", "--once", "--data-dir", dir, "--institution", "OTHER"}, 2, "use a new --data-dir"},
		{"bad direction", []string{"scan", "--data-dir", dir, "--direction", "up"}, 2, "--direction"},
		{"bad since", []string{"controls", "--data-dir", dir, "--since", "yesterday"}, 2, "--since"},
		{"bad format", []string{"controls", "--data-dir", dir, "--format", "xml"}, 2, "--format"},
		{"lookup without query", []string{"lookup", "--data-dir", dir}, 2, "give a taxNumber"},
		{"stray argument", []string{"sync", "--data-dir", dir, "now"}, 2, `unexpected argument "now"`},
		{"no password file", []string{"sync", "--once", "--data-dir", dir, "--password-file", filepath.Join(dir, "nope")}, 1, "Cannot read the password file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.run(nil, c.args...)
			wantOneLine(t, r, c.code, c.want)
			if r.out != "" {
				t.Errorf("stdout: %q", r.out)
			}
			if after := readFile(t, dir, config.FileName); after != before {
				t.Errorf("settings changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

func TestRefusalsWithoutStation(t *testing.T) {
	h := newHarness(t)
	t.Setenv(config.PasswordEnv, "")
	empty := privateDir(t)
	r := h.run(nil, "sync", "--once", "--data-dir", empty)
	wantOneLine(t, r, 2, "start `s360gate sim`")
	r = h.run(nil, "sync", "--once", "--data-dir", empty, "--environment", "sandbox", "--endpoint", "https://x.example.com/a")
	wantOneLine(t, r, 2, "--institution: required")
	r = h.run(strings.NewReader("123456\n"), "scan", "--data-dir", empty)
	wantOneLine(t, r, 1, "run `s360gate sync` first")
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("refused commands wrote into the data directory: %v", entries)
	}

	damaged := privateDir(t)
	if err := os.WriteFile(filepath.Join(damaged, config.FileName), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"sync", "--once"}, {"scan"}, {"lookup", "x"}, {"controls"}, {"purge", "--personal-data"}} {
		r = h.run(nil, append(args, "--data-dir", damaged)...)
		wantOneLine(t, r, 1, "is damaged")
	}
	r = h.run(nil, "sync", "--once", "--data-dir", damaged, "--environment", "sim", "--endpoint", "http://127.0.0.1:1/x")
	wantOneLine(t, r, 1, "is damaged")
	if f := readFile(t, damaged, config.FileName); f != "{not json" {
		t.Errorf("damaged settings were overwritten: %q", f)
	}
}

func TestHelpAndVersion(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := h.run(nil, args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d %q", args, r.code, r.stderr)
		}
		for _, c := range commands {
			if !strings.Contains(r.out, "\n  "+c.name+" ") {
				t.Errorf("%v: usage lacks %s:\n%s", args, c.name, r.out)
			}
		}
	}
	for _, args := range [][]string{{"help", "sync"}, {"sync", "--help"}, {"scan", "-h"}} {
		if r := h.run(nil, args...); r.code != 0 || !strings.Contains(r.out, "-data-dir") {
			t.Errorf("%v: exit %d %q", args, r.code, r.out)
		}
	}
	// `help CMD` lists the same flags as `CMD --help`.
	for _, c := range commands {
		if c.name == "help" || c.name == "version" {
			continue
		}
		viaHelp, viaFlag := h.run(nil, "help", c.name), h.run(nil, c.name, "--help")
		for _, line := range strings.Split(viaFlag.out, "\n") {
			if f := strings.TrimSpace(line); strings.HasPrefix(f, "-") && !strings.Contains(viaHelp.out, f) {
				t.Errorf("help %s lacks %s", c.name, f)
			}
		}
	}
	// `version` and `--version` print the same: version, commit, date.
	v := h.run(nil, "version")
	if v.code != 0 || v.stderr != "" || !strings.HasPrefix(v.out, buildinfo.Get().String()+"\n") || !strings.Contains(v.out, "\ncommit ") {
		t.Errorf("version: %d %q %q", v.code, v.out, v.stderr)
	}
	for _, args := range [][]string{{"--version"}, {"--data-dir", t.TempDir(), "--version"}} {
		if r := h.run(nil, args...); r.code != 0 || r.out != v.out {
			t.Errorf("%v: %d %q, want %q", args, r.code, r.out, v.out)
		}
	}
	if r := h.run(nil, "sim", "--help", "--data-dir", "x"); r.code != 0 || !strings.Contains(r.out, "-tickets") {
		t.Errorf("sim --help: %d %q %q", r.code, r.out, r.stderr)
	}
	if r := h.run(nil); r.code != 2 {
		t.Errorf("no GUI in this build: exit %d", r.code)
	}
}

func TestOneSyncPerStation(t *testing.T) {
	_, dir, h := sandboxStation(t)
	release, held, err := lockSync(filepath.Join(dir, "s360gate-sandbox.db"))
	if err != nil || held {
		t.Fatalf("lock: %v %v", held, err)
	}
	r := h.run(nil, "sync", "--once", "--data-dir", dir)
	release()
	wantOneLine(t, r, 1, "already syncing")
	if r := h.run(nil, "sync", "--once", "--data-dir", dir); r.code != 0 {
		t.Errorf("after release: %d %q", r.code, r.stderr)
	}
}

// failingStore refuses to record scans, as a full disk would.
type failingStore struct{ Store }

func (failingStore) Scan(context.Context, core.ScanRequest) (core.Verdict, error) {
	return core.Verdict{}, core.Errorf(core.EUnavailable, "The disk is full")
}

func TestScanStoreErrorIsNeverAnAdmit(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	orig := openStore
	openStore = func(p string) (Store, error) {
		s, err := orig(p)
		return failingStore{s}, err
	}
	defer func() { openStore = orig }()
	valid := sample(t, sim, "valid").Barcode
	r := h.run(strings.NewReader(valid+"\n"+valid+"\n"), "scan", "--data-dir", dir)
	want := `{"line":1,"barcode":"` + valid + `","error":"NOT RECORDED: The disk is full"}` + "\n" +
		`{"line":2,"barcode":"` + valid + `","error":"NOT RECORDED: The disk is full"}` + "\n"
	if r.code != 0 || r.out != want {
		t.Errorf("exit %d\n%s\nwant\n%s", r.code, r.out, want)
	}
}

func TestScanHelpdeskAndExit(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid := sample(t, sim, "valid").Barcode
	r := h.run(strings.NewReader(valid+"\n"), "scan", "--helpdesk", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.out, `"verdict":"ADMIT"`) || !strings.Contains(r.out, `"helpdesk":true`) || strings.Contains(r.out, "controlId") {
		t.Errorf("helpdesk: %d %q %q", r.code, r.out, r.stderr)
	}
	r = h.run(strings.NewReader(valid+"\n"), "scan", "--direction", "out", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.out, `"reason":"NOT_INSIDE"`) {
		t.Errorf("exit before entry: %d %q %q", r.code, r.out, r.stderr)
	}
	// Nothing stored by the helpdesk check; the exit attempt is.
	r = h.run(nil, "controls", "--format", "json", "--data-dir", dir)
	if strings.Count(r.out, `"id"`) != 1 {
		t.Errorf("controls after helpdesk and exit: %q", r.out)
	}
}

// TestSyncRunsUntilCancelled: without --once, sync keeps the station in
// sync and logs each cycle on stderr until it is stopped.
func TestSyncRunsUntilCancelled(t *testing.T) {
	sim, ep := startSim(t)
	pw := sim.Config().Password
	h := newHarness(t, pw)
	t.Setenv(config.PasswordEnv, pw)
	dir := t.TempDir()
	configure(t, h, dir, "sandbox", ep)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb strings.Builder
	lw := &lockedWriter{w: &errb}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"sync", "--data-dir", dir}, strings.NewReader(""), &out, lw, nil) }()
	for i := 0; !strings.Contains(lw.String(), "sync cycle done"); i++ {
		if i > 1000 {
			t.Fatalf("no cycle logged:\n%s", lw.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	h.outputs = append(h.outputs, out.String(), errb.String())
	if !strings.Contains(errb.String(), "sync cycle done") || !strings.Contains(errb.String(), "s360gate sync stopped") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

// lockedWriter lets the test read what a running command writes.
type lockedWriter struct {
	mu gosync.Mutex
	w  io.Writer
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.(fmt.Stringer).String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sync --once run by hand says why it waits while S-360 cannot be reached,
// a line per retry, instead of half a minute of silence.
func TestSyncOnceSaysItRetries(t *testing.T) {
	_, dir, h := sandboxStation(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errb := &lockedWriter{w: &bytes.Buffer{}}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"sync", "--once", "--data-dir", dir, "--endpoint", "http://" + closedPort(t) + "/svc"},
			strings.NewReader(""), &out, errb, nil)
	}()
	deadline := time.After(30 * time.Second) // the first retry comes after a few seconds
	for !strings.Contains(errb.String(), "(retry 1 of 3)") {
		select {
		case code := <-done:
			t.Fatalf("exit %d before any retry was announced: %q", code, errb.String())
		case <-deadline:
			t.Fatalf("no retry announced: %q", errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel() // Ctrl-C while it waits
	code := <-done
	h.outputs = append(h.outputs, out.String(), errb.String())
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	retry := regexp.MustCompile(`^s360gate: S-360 cannot be reached; [^;]+; trying again in [0-9.]+s \(retry 1 of 3\)$`)
	if code != ExitFailure || len(lines) != 2 || !retry.MatchString(lines[0]) ||
		!strings.HasPrefix(lines[1], "s360gate: interrupted: 0 tickets received and stored") {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
}

// An interrupted sync --once says so in one line, in words, not with Go's
// "context canceled".
func TestSyncOnceInterrupted(t *testing.T) {
	_, dir, h := sandboxStation(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ctrl-C before the cycle gets anywhere
	r := h.runCtx(ctx, nil, "sync", "--once", "--data-dir", dir)
	wantOneLine(t, r, ExitFailure, "interrupted: 0 tickets received and stored")
	if strings.Contains(r.stderr, "context canceled") {
		t.Errorf("stderr %q", r.stderr)
	}
}
