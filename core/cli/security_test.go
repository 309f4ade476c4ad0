package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/s360sim"
	_ "s360gate/core/sqlite" // the "sqlite" driver, to read the store's tables raw
)

// Security tests of the headless surface: where the operator password, the
// tokens signed with it and the holders' identities may end up.

// tokenSim is a simulator over loopback that remembers every bearer token
// it was sent, so that a test can look for them afterwards.
type tokenSim struct {
	*s360sim.Sim
	ep string

	mu     gosync.Mutex
	tokens []string
}

func startTokenSim(t *testing.T, cfg s360sim.Config) *tokenSim {
	t.Helper()
	ts := &tokenSim{Sim: s360sim.New(cfg)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			ts.mu.Lock()
			ts.tokens = append(ts.tokens, tok)
			ts.mu.Unlock()
		}
		ts.Sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ts.ep = srv.URL + s360sim.ServicePath
	return ts
}

func (ts *tokenSim) Tokens() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.tokens...)
}

// spellingsOf are the forms a secret takes in text: as is, and escaped the
// way JSON and Go's %q write it.
func spellingsOf(s string) []string {
	out := []string{s}
	j, _ := json.Marshal(s)
	if e := string(j[1 : len(j)-1]); e != s {
		out = append(out, e)
	}
	return out
}

// filesOf returns every regular file under dir (name relative to dir) with
// its content.
func filesOf(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeSecretFile writes a password file only its owner can read.
func writeSecretFile(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort is a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// queryStrings runs a query returning one text column on the store at path.
func queryStrings(t *testing.T, path, query string, args ...any) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPasswordOnlyInSettingsFile runs a whole headless session with
// --verbose (first sync with --password-file, scans, look-ups, reports, an
// upload, a password S-360 no longer accepts, a wrong --password-file,
// S360_PASSWORD, an unreachable S-360, and the desktop app's wiring with
// its log file), then looks for every password and every token in every
// output stream and every file of the data directory. Only settings.json
// may hold a password, and only the stored one; no file holds a token.
func TestPasswordOnlyInSettingsFile(t *testing.T) {
	const (
		pw      = `Zq8!"s3cr3t"-pässwörd\x`
		rotated = "rotated-Pw-7781!"
		wrong   = "wrong-Pw-3310?"
		envPw   = "env-Pw-5524#"
		guiPw   = "gui-typed-Pw-9902%"
	)
	secrets := []string{pw, rotated, wrong, envPw, guiPw}
	ts := startTokenSim(t, s360sim.Config{Tickets: 200, Seed: 11, RateLimit: -1, Password: pw,
		EventDate: time.Now().Add(time.Hour)})
	h := newHarness(t, secrets...)
	t.Setenv(config.PasswordEnv, "")
	dir := filepath.Join(t.TempDir(), "station") // created by the first sync
	pf := writeSecretFile(t, pw)
	cfg := ts.Config()

	ok := func(r result, what string) {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d\nstdout %q\nstderr %q", what, r.code, r.out, r.stderr)
		}
	}
	ok(h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir, "--password-file", pf,
		"--environment", "sandbox", "--endpoint", ts.ep, "--institution", cfg.Institution, "--operator", cfg.Operator,
		"--season", cfg.Season, "--product", strings.Join(cfg.Products, ",")), "first sync")

	for _, path := range []string{dir, filepath.Join(dir, config.FileName)} {
		if who, err := config.Exposure(path); err != nil || who != "" {
			t.Errorf("%s: %v, can be read by %s", path, err, who)
		}
	}

	valid, pers := sample(t, ts.Sim, "valid"), sample(t, ts.Sim, "personalised")
	ok(h.run(strings.NewReader(valid.Barcode+"\n"+pers.Barcode+"\nnot a ticket\x00\n"), "scan", "--verbose", "--data-dir", dir), "scan")
	ok(h.run(nil, "lookup", "--verbose", "--data-dir", dir, pers.TaxNumber), "lookup")
	ok(h.run(nil, "controls", "--verbose", "--data-dir", dir), "controls csv")
	ok(h.run(nil, "controls", "--verbose", "--format", "json", "--data-dir", dir), "controls json")
	ok(h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir), "upload sync")

	// S-360 no longer accepts the stored password.
	ts.SetPassword(rotated)
	r := h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir)
	wantOneLineIn(t, r, ExitFailure, "rejected the credentials")
	// A wrong password given by file: stored (it is what the user gave),
	// refused, and shown nowhere.
	r = h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir, "--password-file", writeSecretFile(t, wrong))
	wantOneLineIn(t, r, ExitFailure, "rejected the credentials")
	// The right one again, by file.
	ok(h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir, "--password-file", writeSecretFile(t, rotated)), "sync after rotation")
	// S360_PASSWORD is used and never written down.
	ts.SetPassword(envPw)
	t.Setenv(config.PasswordEnv, envPw)
	ok(h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir), "sync with S360_PASSWORD")
	ok(h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--verbose", "--data-dir", dir), "scan with S360_PASSWORD")
	t.Setenv(config.PasswordEnv, "")
	ts.SetPassword(rotated)

	// The desktop app's wiring logs to a file in the data directory; a
	// password typed into the settings form and tested is a secret too.
	start := time.Now()
	h.gui = func(a App) error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if _, err := a.TestConnection(ctx, a.Settings()); err != nil {
			t.Errorf("GUI test connection: %v", err)
		}
		bad := a.Settings()
		bad.Password = guiPw
		_, terr := a.TestConnection(ctx, bad)
		if core.ErrorCode(terr) != core.EAuth {
			t.Errorf("GUI test connection with a wrong password: %v", terr)
		}
		a.Log.WithField("settings", bad).WithError(terr).Debug("settings as the form had them")
		// The engine's first cycle, started with the window.
		for st := a.Engine.Status(); !st.LastExportOK.After(start) && !st.LastErrorAt.After(start); st = a.Engine.Status() {
			select {
			case <-ctx.Done():
				t.Errorf("the GUI's engine never finished a cycle: %+v", st)
				return nil
			case <-time.After(10 * time.Millisecond):
			}
		}
		return nil
	}
	ok(h.run(nil, "--verbose", "--data-dir", dir), "GUI")
	h.gui = nil

	// S-360 cannot be reached (last: the endpoint given is stored). The
	// command would retry for a while; its context ends it early: what it
	// said and logged until then is what is checked.
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	code := Run(ctx, []string{"sync", "--once", "--verbose", "--data-dir", dir, "--endpoint", "http://" + closedPort(t) + "/svc"},
		strings.NewReader(""), &out, &errb, nil)
	cancel()
	h.outputs = append(h.outputs, out.String(), errb.String())
	if code != ExitFailure || !strings.Contains(errb.String(), "method=exportList") || !strings.Contains(errb.String(), "ok=false") {
		t.Errorf("unreachable S-360: exit %d, stderr:\n%s", code, errb.String())
	}

	// What was checked must have been there to leak.
	toks := ts.Tokens()
	if len(toks) < 8 {
		t.Fatalf("only %d tokens were sent: the session did not run", len(toks))
	}
	files := filesOf(t, dir)
	if !bytes.Contains(files[logging.FileName], []byte("s360: call")) {
		t.Errorf("the log file has no debug call lines: the test proves nothing:\n%s", files[logging.FileName])
	}
	var allOut strings.Builder
	for _, o := range h.outputs {
		allOut.WriteString(o)
	}
	if !strings.Contains(allOut.String(), "level=debug") {
		t.Error("nothing was logged at debug level on stderr: the test proves nothing")
	}

	// Tokens: nowhere, not even a signature.
	var tokenForms []string
	for _, tok := range toks {
		tokenForms = append(tokenForms, tok, tok[strings.LastIndex(tok, ".")+1:])
	}
	for _, tok := range tokenForms {
		if strings.Contains(allOut.String(), tok) {
			t.Errorf("a token (%.12s…) reached an output stream", tok)
		}
		for name, b := range files {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("a token (%.12s…) is in %s", tok, name)
			}
		}
	}
	for name, b := range files {
		if bytes.Contains(b, []byte("Bearer ey")) {
			t.Errorf("%s holds a bearer token", name)
		}
	}
	// Passwords: in settings.json only, and there only the last one stored.
	for _, s := range secrets {
		for _, form := range spellingsOf(s) {
			if strings.Contains(allOut.String(), form) {
				t.Errorf("password %q reached an output stream", s)
			}
			for name, b := range files {
				if !bytes.Contains(b, []byte(form)) {
					continue
				}
				if name != config.FileName || s != rotated {
					t.Errorf("password %q is in %s", s, name)
				}
			}
		}
	}
	if !bytes.Contains(files[config.FileName], []byte(rotated)) {
		t.Error("the stored password is not in settings.json")
	}
	// Nor the holder of the personalised ticket scanned and looked up.
	_, hd := holderOf(t, ts, "personalised")
	for _, v := range identity(hd) {
		if bytes.Contains(files[logging.FileName], []byte(v)) {
			t.Errorf("the log file holds the holder's %q", v)
		}
	}
	// The calls table recorded the failures (in words, without secrets).
	store := filepath.Join(dir, "s360gate-sandbox.db")
	details := strings.Join(queryStrings(t, store, `SELECT detail FROM calls WHERE NOT ok`), "\n")
	if !strings.Contains(details, "HTTP 401") {
		t.Errorf("the refused calls were not recorded: %q", details)
	}
}

// wantOneLineIn is wantOneLine for runs with --verbose: the log lines come
// first on stderr, the command's own message is its last line.
func wantOneLineIn(t *testing.T, r result, code int, want string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "s360gate: ") || !strings.Contains(last, want) {
		t.Errorf("last stderr line %q lacks %q", last, want)
	}
	if r.out != "" {
		t.Errorf("stdout on failure: %q", r.out)
	}
}

// TestSyncRefusesUntrustedCertificate: sync against an https S-360 whose
// certificate is self-signed (a stand-in for someone in the middle) fails
// at once, in one line of plain words; nothing reaches the server.
func TestSyncRefusesUntrustedCertificate(t *testing.T) {
	const pw = "tls-cli-Pw-6612"
	sim := s360sim.New(s360sim.Config{Tickets: 50, Seed: 3, RateLimit: -1, Password: pw})
	hits := 0
	var mu gosync.Mutex
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	h := newHarness(t, pw)
	t.Setenv(config.PasswordEnv, pw)
	dir := privateDir(t)
	start := time.Now()
	r := h.run(nil, "sync", "--once", "--data-dir", dir, "--environment", "sandbox", "--endpoint", srv.URL+s360sim.ServicePath,
		"--institution", "INSTIT", "--operator", "gate", "--season", "SEASON26", "--product", "MATCH01")
	wantOneLine(t, r, ExitFailure, "The S-360 server's certificate is not trusted")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the refusal took %v: a certificate error must not be retried", took)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("%d requests reached the untrusted server", hits)
	}
}

// TestGUISavesPINHashed: the desktop app saves settings through the
// config path; the PIN reaches settings.json hashed, whether the screen
// hashed it or not.
func TestGUISavesPINHashed(t *testing.T) {
	ts := startTokenSim(t, s360sim.Config{Tickets: 20, Seed: 2, RateLimit: -1, Password: "gui-pin-Pw-1"})
	h := newHarness(t, "gui-pin-Pw-1")
	t.Setenv(config.PasswordEnv, "")
	dir := t.TempDir()
	cfg := ts.Config()
	if r := h.run(nil, "sync", "--once", "--data-dir", dir, "--password-file", writeSecretFile(t, "gui-pin-Pw-1"),
		"--environment", "sandbox", "--endpoint", ts.ep, "--institution", cfg.Institution, "--operator", cfg.Operator,
		"--season", cfg.Season, "--product", cfg.Products[0]); r.code != 0 {
		t.Fatalf("configure: %d %q", r.code, r.stderr)
	}
	const pin = "730146"
	h.gui = func(a App) error {
		for _, given := range []string{pin, mustHash(t, pin)} {
			s := a.Settings()
			s.SupervisorPIN = given
			if err := a.SaveSettings(s); err != nil {
				t.Fatalf("save: %v", err)
			}
			f := readFile(t, dir, config.FileName)
			if strings.Contains(f, pin) {
				t.Errorf("settings.json holds the PIN in clear:\n%s", f)
			}
			stored, err := config.Load(dir)
			if err != nil || !core.PINMatches(stored.SupervisorPIN, pin) || core.PINMatches(stored.SupervisorPIN, "730147") {
				t.Errorf("stored PIN %q does not match (only) the PIN: %v", stored.SupervisorPIN, err)
			}
		}
		return nil
	}
	if r := h.run(nil, "--data-dir", dir); r.code != 0 {
		t.Fatalf("GUI: %d %q", r.code, r.stderr)
	}
}

func mustHash(t *testing.T, pin string) string {
	t.Helper()
	h, err := core.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A password file other users can read is refused with the way to make it
// private on this system, and nothing is stored (not even the data folder).
func TestPasswordFileMustBePrivate(t *testing.T) {
	h := newHarness(t, "shared-Pw-7")
	dir := filepath.Join(t.TempDir(), "data")
	for _, pf := range exposedPasswordFiles(t, "shared-Pw-7") {
		r := h.run(nil, "sync", "--once", "--data-dir", dir, "--environment", "sandbox", "--endpoint", "https://s360.example.com/svc",
			"--institution", "INSTIT", "--operator", "gate", "--season", "SEASON26", "--product", "MATCH01", "--password-file", pf)
		wantOneLine(t, r, ExitFailure, "can be read by other users")
		if !strings.Contains(r.stderr, config.PrivateHint(pf)) {
			t.Errorf("stderr %q does not say how to fix it", r.stderr)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the data folder was created (%v)", err)
		}
	}
}
