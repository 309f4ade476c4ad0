package cli

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/s360sim"
)

// laptopTZEnv marks the test binary re-executed as s360gate on a laptop
// whose zone (TZ) is not the venue's.
const laptopTZEnv = "S360_CLI_LAPTOP"

// TestHelperLaptop is not a test: it is s360gate run in a child process,
// whose TZ the parent sets (Go reads it once, at start). Run directly, it
// skips.
func TestHelperLaptop(t *testing.T) {
	if os.Getenv(laptopTZEnv) == "" {
		t.Skip("the body of TestNewYorkLaptop's child processes")
	}
	os.Exit(Run(context.Background(), flag.Args(), os.Stdin, os.Stdout, os.Stderr, nil))
}

// onLaptop runs s360gate with args on a laptop set to tz.
func onLaptop(t *testing.T, tz, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperLaptop$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), laptopTZEnv+"=1", "TZ="+tz)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// TestNewYorkLaptop is the field test: a laptop set to New York, the venue
// in a zone where it is already (or still) another day. On the event's
// date at the venue the station is on event day (one sync a minute, said
// in the venue's time), and scan messages give the venue's hour with its
// zone.
func TestNewYorkLaptop(t *testing.T) {
	const laptop = "America/New_York"
	ny := core.LoadZone(laptop)
	// A venue whose date differs from New York's right now.
	venue := "Pacific/Kiritimati" // UTC+14
	if now := time.Now().In(ny); now.Hour() < 5 {
		venue = "Pacific/Pago_Pago" // UTC-11: still yesterday there
	}
	loc := core.LoadZone(venue)
	today := time.Now().In(loc)
	if today.Format(time.DateOnly) == time.Now().In(ny).Format(time.DateOnly) {
		t.Fatalf("%s and New York are on the same date", venue)
	}
	sim := s360sim.New(s360sim.Config{Tickets: 300, Seed: 7, RateLimit: -1, TimeZone: venue, LocalTimes: true,
		EventDate: time.Now().Add(time.Hour)})
	ep, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	dir := t.TempDir()
	r := onLaptop(t, laptop, "", "sync", "--once", "--data-dir", dir, "--environment", "production", "--endpoint", ep,
		"--institution", "INSTIT", "--operator", "gate", "--season", "SEASON26", "--product", "MATCH01",
		"--event-date", today.Format(time.DateOnly))
	if r.code != 0 {
		t.Fatalf("first sync: exit %d %q %q", r.code, r.out, r.stderr)
	}
	r = onLaptop(t, laptop, "", "sync", "--once", "--data-dir", dir)
	if r.code != ExitRefused || !strings.Contains(r.stderr, "production: at most one sync a minute on event day") {
		t.Fatalf("on event day at the venue: exit %d %q", r.code, r.stderr)
	}
	if abbr := core.ZoneLabel(loc, time.Now()); !strings.Contains(r.stderr, abbr+" (production") {
		t.Errorf("the next allowed time is not the venue's (%s): %q", abbr, r.stderr)
	}
	valid := sample(t, sim, "valid").Barcode
	r = onLaptop(t, laptop, valid+"\n"+valid+"\n", "scan", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"verdict":"ADMIT"`) {
		t.Fatalf("scan (validity sent without an offset, read in the venue's zone): %q %q", r.out, r.stderr)
	}
	// The venue's hour with its zone (a minute may turn between the scan
	// and this check).
	label := core.ZoneLabel(loc, time.Now())
	ok := false
	for _, at := range []time.Time{time.Now(), time.Now().Add(-time.Minute)} {
		ok = ok || strings.Contains(lines[1], "Already used at "+at.In(loc).Format("15:04")+" "+label+",")
	}
	if !ok {
		t.Errorf("already used: %s, want the venue's hour and %s", lines[1], label)
	}
}
