package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/syncer"
	"s360gate/core/words"
)

// TestGUIDemo runs the no-subcommand path with a fake GUI: on an empty data
// directory it must start the demo stadium, export it at once, and give the
// GUI working settings, store, engine and hooks.
func TestGUIDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("exports the 50,000-ticket demo stadium")
	}
	dir := t.TempDir()
	t.Setenv(config.PasswordEnv, "")
	h := newHarness(t)
	var pw string
	h.gui = func(a App) error {
		s := a.Settings()
		pw = s.Password
		if s.Environment != core.EnvSim || s.Endpoint == "" || pw == "" || len(a.Demo) == 0 || a.Remote() == nil {
			t.Fatalf("demo not wired: %+v, %d samples", s, len(a.Demo))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if tz, err := a.TestConnection(ctx, s); err != nil {
			t.Errorf("test connection: %q %v", tz, err)
		}
		var valid DemoTicket
		for _, d := range a.Demo {
			if d.Kind == "valid" {
				valid = d
			}
		}
		// The export has started at once: the first page holds the samples.
		waitTicket(ctx, t, a, valid.Barcode)
		v, err := a.Store.Scan(ctx, core.ScanRequest{Code: valid.Barcode, Checkpoint: s.Checkpoint(), Now: time.Now()})
		if err != nil || v.Ticket == nil || v.Outcome != core.Admit {
			t.Errorf("demo scan: %+v %v", v, err)
		}
		// The other match's card says what the gate answers.
		for _, d := range a.Demo {
			if d.Kind != "other-product" {
				continue
			}
			waitTicket(ctx, t, a, d.Barcode)
			v, err := a.Store.Scan(ctx, core.ScanRequest{Code: d.Barcode, Checkpoint: s.Checkpoint(), Now: time.Now()})
			if err != nil || v.Reason != core.ReasonNotValidNow || !strings.Contains(d.Note, "DENY, not valid yet") {
				t.Errorf("other-product card %q gives %s %q %v", d.Note, v.Outcome, core.Speak(words.EN, nil).Verdict(&v), err)
			}
		}
		// A first run stands at gate N1, so the wrong-gate sample shows its verdict.
		for _, d := range a.Demo {
			if d.Kind != "wrong-gate" {
				continue
			}
			waitTicket(ctx, t, a, d.Barcode)
			v, err := a.Store.Scan(ctx, core.ScanRequest{Code: d.Barcode, Checkpoint: s.Checkpoint(), Now: time.Now()})
			if err != nil || v.Reason != core.ReasonWrongGate {
				t.Errorf("demo wrong-gate sample at gate %q: %s %q %v", s.Gate, v.Reason, core.Speak(words.EN, nil).Verdict(&v), err)
			}
		}

		// A station change applies at once; the demo's address and password
		// are not written down (they change at every start).
		s.Station = "DEMO GATE"
		if err := a.SaveSettings(s); err != nil {
			t.Fatalf("save: %v", err)
		}
		if a.Settings().Station != "DEMO GATE" || a.Engine.(*syncer.Engine).Settings().Station != "DEMO GATE" {
			t.Error("saved settings not applied")
		}
		f := readFile(t, dir, config.FileName)
		if !strings.Contains(f, "DEMO GATE") || strings.Contains(f, s.Endpoint) || strings.Contains(f, pw) {
			t.Errorf("stored demo settings:\n%s", f)
		}
		// Bad settings are refused field by field; leaving the demo saves
		// and asks for a restart.
		bad := s
		bad.Endpoint = "http://example.com"
		var fe core.FieldErrors
		if err := a.SaveSettings(bad); !errors.As(err, &fe) || fe.For("endpoint") == "" {
			t.Errorf("bad endpoint: %v", err)
		}
		real := s
		real.Environment, real.Endpoint, real.Password = core.EnvSandbox, "https://inst.ws.example.com/svc", "sandbox-pw-77"
		if err := a.SaveSettings(real); core.ErrorCode(err) != core.EConflict || !strings.Contains(core.ErrorMessage(err), "start again") {
			t.Errorf("leaving the demo: %v", err)
		}
		// A direction switch at the gate before the restart starts from the
		// running (demo) settings: it must not undo the pending switch.
		gate := a.Settings()
		gate.Direction = core.DirectionOut
		if err := a.SaveSettings(gate); core.ErrorCode(err) != core.EConflict {
			t.Errorf("save while a restart is pending: %v", err)
		}
		if s, err := config.Load(dir); err != nil || s.Environment != core.EnvSandbox || s.Direction != core.DirectionOut {
			t.Errorf("pending switch undone by a later save: %+v %v", s, err)
		}
		a.Log.WithField("password", "sandbox-pw-77").Info("must not show")
		return nil
	}
	if r := h.run(nil, "--data-dir", dir); r.code != 0 {
		t.Fatalf("gui: exit %d %q", r.code, r.stderr)
	}
	log := readFile(t, dir, logging.FileName)
	if !strings.Contains(log, "demo: embedded S-360 simulator started") {
		t.Errorf("log file:\n%s", log)
	}
	for _, s := range []string{pw, "sandbox-pw-77"} {
		if strings.Contains(log, s) {
			t.Errorf("log file leaks %q", s)
		}
	}
	if s, err := config.Load(dir); err != nil || s.Environment != core.EnvSandbox {
		t.Errorf("left the demo: %+v %v", s, err)
	}
}

// waitTicket waits for the export to have reached barcode.
func waitTicket(ctx context.Context, t *testing.T, a App, barcode string) {
	t.Helper()
	for {
		if _, err := a.Store.Ticket(ctx, barcode); err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("ticket %s never arrived", barcode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGUIDemoStartsFresh: the demo stadium is regenerated at every start
// (its event a few hours from now), so the demo's store from an earlier run
// — expired tickets, used barcodes — is replaced, not reused. A damaged file
// there proves it: opening it would fail.
func TestGUIDemoStartsFresh(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(config.PasswordEnv, "")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s360gate-demo.db"), []byte("yesterday's demo, damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	opened := false
	h.gui = func(a App) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := a.Store.TicketCounts(ctx)
		opened = err == nil
		return nil
	}
	if r := h.run(nil, "--data-dir", dir); r.code != 0 || !opened {
		t.Fatalf("demo over an old demo store: exit %d %q, store usable %v", r.code, r.stderr, opened)
	}
}

// The GUI's "Restart now" (settings saved for another environment): once
// the window has closed, and the store with it, s360gate starts again with
// the same arguments. Without it, nothing is started.
func TestGUIRestartStartsAgain(t *testing.T) {
	_, dir, h := sandboxStation(t)
	var started [][]string
	prev := relaunch
	relaunch = func(args []string) error {
		started = append(started, args)
		return nil
	}
	t.Cleanup(func() { relaunch = prev })
	h.gui = func(a App) error { return nil }
	if r := h.run(nil, "--data-dir", dir); r.code != 0 || len(started) != 0 {
		t.Fatalf("exit %d, %d starts without a restart", r.code, len(started))
	}
	h.gui = func(a App) error {
		a.Restart()
		return nil
	}
	if r := h.run(nil, "--data-dir", dir); r.code != 0 {
		t.Fatalf("exit %d %q", r.code, r.stderr)
	}
	if len(started) != 1 || strings.Join(started[0], " ") != "--data-dir "+dir {
		t.Fatalf("started %q", started)
	}
	relaunch = func([]string) error { return errors.New("no such file") }
	if r := h.run(nil, "--data-dir", dir); r.code != ExitFailure || !strings.Contains(r.stderr, "start it by hand") {
		t.Errorf("a failed restart: exit %d %q", r.code, r.stderr)
	}
}
