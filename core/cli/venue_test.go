package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/sqlite"
)

// One PostgreSQL server for this test binary, started only by the venue
// tests (pgtest).
// venueDSN is a new database, its DSN with a database password in it
// (the test server trusts loopback and ignores it): no output may show it.
func venueDSN(t *testing.T) (dsn, password string) {
	const pw = "Db-pa55-never-shown"
	return strings.Replace(pgtest.NewDatabase(t), "postgres@", "postgres:"+pw+"@", 1), pw
}

// storedVenue reads the venue's S-360 settings as stored, and when.
func storedVenue(t *testing.T, dsn string) (core.VenueSettings, time.Time, error) {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.VenueSettings(context.Background())
}

func TestVenueInit(t *testing.T) {
	sim, ep := startSim(t)
	cfg := sim.Config()
	dsn, dbpw := venueDSN(t)
	h := newHarness(t, cfg.Password, dbpw)

	// Refused values: exit 2, one line, the words sync says, nothing stored
	// (the database is not even opened for a value refused alone).
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--page-size", "0"}, "--page-size: between 1 and 10000"},
		{[]string{"--event-date", "2026-13-01"}, "--event-date: write the date as YYYY-MM-DD"},
		{[]string{"--environment", "staging"}, "--environment: choose sim, sandbox, preprod or production"},
		{[]string{"--product", "MATCH 01"}, `--product: "MATCH 01" is not a code`},
		{[]string{"--endpoint", "http://s360.example.com/x"}, "--endpoint: use https://"},
		// complete for a sync, as sync says
		{[]string{"--environment", "production", "--endpoint", "https://i.ws.secutix.com/x"}, "--institution: required"},
		{[]string{"--environment", "sim", "--endpoint", ep}, "give --institution, --operator, --season and --product"},
	} {
		r := h.run(nil, append([]string{"venue", "init", "--db", dsn}, tc.args...)...)
		wantOneLine(t, r, ExitUsage, tc.want)
		s := h.run(nil, append([]string{"sync", "--once", "--data-dir", privateDir(t)}, tc.args...)...)
		if tc.want != "give --institution, --operator, --season and --product" && !strings.Contains(s.stderr, tc.want) {
			t.Errorf("sync %v says %q, venue init %q", tc.args, s.stderr, r.stderr)
		}
		if _, _, err := storedVenue(t, dsn); !errors.Is(err, postgres.ErrNoVenueSettings) {
			t.Fatalf("%v: something was stored (%v)", tc.args, err)
		}
	}
	for _, bad := range [][]string{
		{"venue", "init"},
		{"venue", "init", "--db", "postgres://gate@db.stadium.example/venue?sslmode=disable"}, // clear text to another machine
		{"venue", "init", "--db", "postgres://gate:x@[::1/venue"},
		{"venue", "init", "--db", dsn, "extra"},
		{"venue", "nothing"},
	} {
		wantOneLine(t, h.run(nil, bad...), ExitUsage, "venue")
	}

	all := []string{"venue", "init", "--db", dsn, "--environment", "sandbox", "--endpoint", ep, "--institution", cfg.Institution,
		"--operator", cfg.Operator, "--season", cfg.Season, "--product", strings.Join(cfg.Products, ","), "--event-date", "2026-11-27"}
	r := h.run(nil, all...)
	if r.code != 0 || !strings.Contains(r.out, "ready (schema version") || !strings.Contains(r.out, "venue join") || strings.Contains(r.out, dsn) {
		t.Fatalf("first init: %d %q %q", r.code, r.out, r.stderr)
	}
	v1, at1, err := storedVenue(t, dsn)
	want := core.VenueSettings{Environment: core.EnvSandbox, Endpoint: ep, Institution: cfg.Institution, Operator: cfg.Operator,
		Season: cfg.Season, Products: cfg.Products, EventDate: "2026-11-27"}
	if err != nil || !reflect.DeepEqual(v1, want) {
		t.Fatalf("stored %+v (%v), want %+v", v1, err, want)
	}
	// Again: only what is given changes; a refused value changes nothing.
	r = h.run(nil, "venue", "init", "--db", dsn, "--page-size", "2000", "--event-day")
	v2, at2, _ := storedVenue(t, dsn)
	want.PageSize, want.EventDay = 2000, true
	if r.code != 0 || !reflect.DeepEqual(v2, want) || !at2.After(at1) {
		t.Fatalf("second init: %d %q; stored %+v, want %+v", r.code, r.stderr, v2, want)
	}
	wantOneLine(t, h.run(nil, "venue", "init", "--db", dsn, "--institution", "", "--environment", "production"),
		ExitUsage, "--institution: required")
	r = h.run(nil, "venue", "init", "--db", dsn, "--season", "BAD SEASON")
	wantOneLine(t, r, ExitUsage, "--season: use letters")
	if v3, at3, _ := storedVenue(t, dsn); !reflect.DeepEqual(v3, want) || !at3.Equal(at2) {
		t.Fatalf("a refused init changed the settings: %+v", v3)
	}
	// --event-day=false clears it; nothing given: nothing written.
	h.run(nil, "venue", "init", "--db", dsn, "--event-day=false")
	r = h.run(nil, "venue", "init", "--db", dsn)
	v4, _, _ := storedVenue(t, dsn)
	want.EventDay = false
	if r.code != 0 || !reflect.DeepEqual(v4, want) {
		t.Fatalf("clearing event-day: %+v", v4)
	}
	if r := h.run(nil, "help", "venue", "init"); r.code != 0 || !strings.Contains(r.out, "-page-size") || strings.Contains(r.out, "password-file") {
		t.Errorf("help venue init: %q", r.out)
	}
}

// A venue of three stations through the headless commands: join (a
// candidate with the S-360 password, two gate-only), scan on two of them
// (venue-wide: a ticket admitted at one is used at the other), sync --once
// (the candidate syncs for the venue, the others report and say who does),
// status, lookup, controls and purge on the venue's data, then leave.
func TestVenueStations(t *testing.T) {
	sim, ep := startSim(t)
	cfg := sim.Config()
	dsn, dbpw := venueDSN(t)
	h := newHarness(t, cfg.Password, dbpw)
	if r := h.run(nil, "venue", "init", "--db", dsn, "--environment", "sandbox", "--endpoint", ep, "--institution", cfg.Institution,
		"--operator", cfg.Operator, "--season", cfg.Season, "--product", strings.Join(cfg.Products, ",")); r.code != 0 {
		t.Fatalf("init: %q", r.stderr)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(cfg.Password+"\n"), 0o600)
	a, b, c := privateDir(t), privateDir(t), privateDir(t)

	wantOneLine(t, h.run(nil, "venue", "join", "--db", dsn, "--data-dir", a), ExitUsage, "--station")
	wantOneLine(t, h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE A!", "--data-dir", a), ExitUsage, "--station: use letters")
	wantOneLine(t, h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE_A", "--direction", "up", "--data-dir", a), ExitUsage, "--direction")
	wantOneLine(t, h.run(nil, "venue", "join", "--db", "host=10.1.2.3 dbname=v user=u", "--station", "GATE_A", "--data-dir", a),
		ExitUsage, "without TLS")
	empty := pgtest.NewDatabase(t)
	wantOneLine(t, h.run(nil, "venue", "join", "--db", empty, "--station", "GATE_A", "--data-dir", a), ExitFailure, "venue init")
	if _, ok, _ := config.LoadVenue(a); ok || config.Exists(a) {
		t.Fatal("a refused join saved something")
	}

	r := h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE_A", "--gate", "N1", "--password-file", pwFile, "--data-dir", a)
	if r.code != 0 || !strings.Contains(r.out, "GATE_A (gate N1, in) joined the venue") || !strings.Contains(r.out, "may become the venue's S-360 client") {
		t.Fatalf("join A: %d %q %q", r.code, r.out, r.stderr)
	}
	if !strings.Contains(r.out, config.VenueFileName) {
		t.Errorf("join does not say where the database password is kept: %q", r.out)
	}
	fi, err := os.Stat(filepath.Join(a, config.VenueFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("venue link: %v %v", fi, err)
	}
	for _, d := range []struct{ dir, name, gate string }{{b, "GATE_B", "N1"}, {c, "GATE_C", "S2"}} {
		r := h.run(nil, "venue", "join", "--db", dsn, "--station", d.name, "--gate", d.gate, "--data-dir", d.dir)
		if r.code != 0 || !strings.Contains(r.out, "gate only") {
			t.Fatalf("join %s: %q %q", d.name, r.out, r.stderr)
		}
	}

	// A second computer under a name already heard is warned; the same
	// station joining again (another gate) is not.
	if r := h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE_B", "--data-dir", privateDir(t)); r.code != 0 ||
		!strings.Contains(r.stderr, "note: a station named GATE_B was heard") {
		t.Errorf("a second GATE_B: %d %q", r.code, r.stderr)
	}
	if r := h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE_A", "--gate", "N1", "--data-dir", a); r.code != 0 || r.stderr != "" {
		t.Errorf("GATE_A joining again: %d %q", r.code, r.stderr)
	}

	// The candidate syncs for the venue; a gate-only station says who does.
	r = h.run(nil, "sync", "--once", "--data-dir", a)
	if r.code != 0 || !strings.HasPrefix(r.out, "Synced for the venue as its S-360 client (GATE_A, epoch 1):") || !strings.Contains(r.out, "(list complete)") {
		t.Fatalf("sync A: %d %q %q", r.code, r.out, r.stderr)
	}
	// Its copy holds what it just exported: cut off now, it decides with it.
	ctx := context.Background()
	venueDB, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	inVenue, err := venueDB.TicketCounts(ctx)
	venueDB.Close()
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := sqlite.Open(filepath.Join(a, VenueCopyDB))
	if err != nil {
		t.Fatal(err)
	}
	inCopy, err := copyDB.TicketCounts(ctx)
	copyDB.Close()
	if err != nil || inCopy != inVenue || inVenue.Valid == 0 {
		t.Fatalf("after sync --once the copy holds %+v (%v), the venue %+v", inCopy, err, inVenue)
	}
	r = h.run(nil, "sync", "--once", "--data-dir", b)
	if r.code != 0 || !strings.HasPrefix(r.out, "No station is the venue's S-360 client now; this station (GATE_B, gate only") {
		t.Fatalf("sync B: %d %q %q", r.code, r.out, r.stderr)
	}
	wantOneLine(t, h.run(nil, "sync", "--once", "--page-size", "10", "--data-dir", a), ExitUsage, "venue init")
	wantOneLine(t, h.run(strings.NewReader(""), "testsession", "--data-dir", a), ExitFailure, "venue leave")

	// Scans at B and C: one venue. The JSON is the station's usual.
	valid := sample(t, sim, "valid")
	r = h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", b)
	var first map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.out), &first) != nil || first["verdict"] != "ADMIT" || first["controlId"] == "" {
		t.Fatalf("scan at B: %d %q %q", r.code, r.out, r.stderr)
	}
	outs := []map[string]any{first}
	r = h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", c)
	var second map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.out), &second) != nil || second["reason"] != "ALREADY_USED" ||
		!strings.Contains(second["message"].(string), "GATE_B") {
		t.Fatalf("the same ticket at C: %d %q %q", r.code, r.out, r.stderr)
	}
	wantKeys := []string{"barcode", "verdict", "reason", "message", "prompts", "ticket", "controlId"}
	for _, k := range wantKeys {
		if _, ok := outs[0][k]; !ok {
			t.Errorf("scan JSON lacks %q: %v", k, outs[0])
		}
	}

	// The venue's history at any station.
	r = h.run(nil, "lookup", valid.TaxNumber, "--data-dir", a)
	var recs []core.TicketRecord
	if r.code != 0 || json.Unmarshal([]byte(r.out), &recs) != nil || len(recs) != 1 || len(recs[0].Controls) != 2 {
		t.Fatalf("lookup at A: %d %q %q", r.code, r.out, r.stderr)
	}
	r = h.run(nil, "controls", "--format", "json", "--data-dir", a)
	var log []core.Control
	if r.code != 0 || json.Unmarshal([]byte(r.out), &log) != nil || len(log) != 2 || log[0].Station != "GATE_B" || log[1].Station != "GATE_C" {
		t.Fatalf("controls at A: %d %q %q", r.code, r.out, r.stderr)
	}

	// The syncer uploads them; the status says it all.
	if r := h.run(nil, "sync", "--once", "--data-dir", a); r.code != 0 || !strings.Contains(r.out, "2 controls uploaded") {
		t.Fatalf("second sync: %q %q", r.out, r.stderr)
	}
	r = h.run(nil, "venue", "status", "--json", "--data-dir", c)
	var st map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.out), &st) != nil {
		t.Fatalf("status: %d %q %q", r.code, r.out, r.stderr)
	}
	for _, k := range []string{"database", "station", "dbTime", "settings", "syncer", "stations", "tickets", "controls",
		"lastExport", "lastUpload", "budget"} {
		if _, ok := st[k]; !ok {
			t.Errorf("status lacks %q: %s", k, r.out)
		}
	}
	if st["station"] != "GATE_C" || strings.Contains(r.out, dbpw) || !strings.Contains(st["database"].(string), "postgres@127.0.0.1") {
		t.Errorf("status: %s", r.out)
	}
	stations := st["stations"].([]any)
	if len(stations) != 3 {
		t.Fatalf("stations %v", stations)
	}
	byName := map[string]map[string]any{}
	for _, s := range stations {
		m := s.(map[string]any)
		byName[m["name"].(string)] = m
	}
	if byName["GATE_A"]["candidate"] != true || byName["GATE_B"]["candidate"] != false || byName["GATE_B"]["scansToday"] != 1.0 ||
		byName["GATE_C"]["gate"] != "S2" || byName["GATE_C"]["online"] != true {
		t.Errorf("stations %v", byName)
	}
	if ctl := st["controls"].(map[string]any); ctl["pending"] != 0.0 || ctl["admittedToday"] != 1.0 || ctl["deniedToday"] != 1.0 {
		t.Errorf("controls %v", ctl)
	}
	if tk := st["tickets"].(map[string]any); tk["valid"].(float64) < 100 {
		t.Errorf("tickets %v", tk)
	}
	r = h.run(nil, "venue", "status", "--data-dir", c)
	for _, want := range []string{"This station: GATE_C", "Syncer (the venue's S-360 client): none now", "Stations (3):", "GATE_B", "candidate", "gate only", "Next allowed S-360 call: now"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("status text lacks %q:\n%s", want, r.out)
		}
	}
	if r := h.run(nil, "venue", "status", "--db", dsn, "--json"); r.code != 0 || !strings.Contains(r.out, `"syncer"`) {
		t.Errorf("status from outside: %q %q", r.out, r.stderr)
	}

	r = h.run(nil, "purge", "--personal-data", "--all", "--data-dir", b)
	if r.code != 0 || !strings.HasPrefix(r.out, "Purged the holder data of") {
		t.Fatalf("purge at B: %q %q", r.out, r.stderr)
	}

	// Leaving: standalone again, its own (empty) data directory.
	r = h.run(nil, "venue", "leave", "--data-dir", c)
	if r.code != 0 || !strings.Contains(r.out, "GATE_C left the venue") {
		t.Fatalf("leave: %q %q", r.out, r.stderr)
	}
	wantOneLine(t, h.run(nil, "venue", "status", "--data-dir", c), ExitFailure, "not a station of a venue")
	wantOneLine(t, h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", c), ExitFailure, "No ticket list")
	if r := h.run(nil, "venue", "leave", "--data-dir", c); r.code != 0 || !strings.Contains(r.out, "nothing to do") {
		t.Errorf("leaving twice: %q", r.out)
	}
	if b, _ := os.ReadFile(filepath.Join(a, config.FileName)); strings.Contains(string(b), dbpw) {
		t.Error("the database password is in the settings file")
	}
}
