package testsession

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/syncer"
	"s360gate/core/words"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		in, code, expected string
		skip, bad          bool
	}{
		{in: "7401756173487679187593", code: "7401756173487679187593"},
		{in: "  7401756173487679187593   admit ", code: "7401756173487679187593", expected: "ADMIT"},
		{in: "T26-0000001\tALREADY_USED", code: "T26-0000001", expected: "ALREADY_USED"},
		{in: "7401;wrong_gate", code: "7401", expected: "WRONG_GATE"},
		{in: "7401,DENY\r", code: "7401", expected: "DENY"},
		{in: "\ufeff7401 CANCELLED", code: "7401", expected: "CANCELLED"},
		{in: "", skip: true},
		{in: "# the institution's valid tickets", skip: true},
		{in: "7401 MAYBE", bad: true},
		{in: "7401 ADMIT now", bad: true},
	} {
		l, skip, err := ParseLine(3, tc.in)
		if skip != tc.skip || (err != nil) != tc.bad {
			t.Errorf("%q: skip %v err %v", tc.in, skip, err)
			continue
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line 3: ") {
				t.Errorf("%q: error %q does not name the line", tc.in, err)
			}
			continue
		}
		if !skip && (l.Code != tc.code || l.Expected != tc.expected || l.No != 3) {
			t.Errorf("%q: %+v", tc.in, l)
		}
	}
}

// station is a station on the simulator: its store, client and engine,
// after a first sync.
type station struct {
	sim      *s360sim.Sim
	db       *sqlite.DB
	client   *s360.Client
	engine   *syncer.Engine
	settings core.Settings
}

func newStation(t *testing.T, env core.Environment, simCfg s360sim.Config) *station {
	t.Helper()
	sim := s360sim.New(simCfg)
	ep, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	c := sim.Config()
	s := core.Settings{Environment: env, Endpoint: ep, Institution: c.Institution, Operator: c.Operator, Password: c.Password,
		Season: c.Season, Products: c.Products, Station: "GATE_N1_TEST", Gate: "N1", PageSize: 1000}.Defaults()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := logrus.New()
	log.SetOutput(io.Discard)
	client, err := s360.New(s360.Config{Endpoint: ep, Institution: c.Institution, Operator: c.Operator, Password: c.Password,
		Log: log, OnCall: func(call core.Call) { db.RecordCall(context.Background(), call) }})
	if err != nil {
		t.Fatal(err)
	}
	e := syncer.New(syncer.Options{Settings: s, Remote: client, Store: db, Log: log})
	if err := e.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &station{sim: sim, db: db, client: client, engine: e, settings: s}
}

func (st *station) sample(t *testing.T, kind string) s360sim.Sample {
	t.Helper()
	for _, s := range st.sim.Samples() {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no %s sample", kind)
	return s360sim.Sample{}
}

// TestSessionAgainstTheSimulator plays S-360's pre-event checklist (valid,
// already scanned, cancelled, reprinted, wrong entrance, invalid card, a
// blacklisted ticket) with the institution's expected outcomes, one of
// them wrong on purpose, and checks the report: the station's verdicts,
// S-360's state and operations, our controls among them, PASS/FAIL, and
// the CSV and HTML files.
func TestSessionAgainstTheSimulator(t *testing.T) {
	// Times without an offset in a zone far from this machine's: the
	// report's "our control at S-360" only matches if they are read right.
	st := newStation(t, core.EnvSandbox, s360sim.Config{Tickets: 400, Seed: 11, RateLimit: -1, TimeZone: "Asia/Tokyo", LocalTimes: true})
	zone := core.LoadZone("Asia/Tokyo")
	valid, cancelled := st.sample(t, "valid"), st.sample(t, "cancelled")
	reprinted, wrongGate, black := st.sample(t, "reprinted-old"), st.sample(t, "wrong-gate"), st.sample(t, "blacklisted")
	input := strings.Join([]string{
		"# S-360 checklist, production tickets from the institution",
		valid.Barcode + " ADMIT",
		valid.TaxNumber + " ALREADY_USED", // typed from the print: the same ticket
		cancelled.Barcode + " CANCELLED",
		reprinted.Barcode + " INVALIDATED",
		wrongGate.Barcode + " WRONG_GATE",
		"7400000000000000000042 DENY", // an invalid card
		black.Barcode + " ADMIT",      // wrong on purpose: the institution blacklisted it
		"~~~~",                        // unreadable
	}, "\n")
	s := New(Options{Settings: st.settings, Store: st.db, Syncer: st.engine, Remote: st.client, Zone: zone})
	for i, text := range strings.Split(input, "\n") {
		l, skip, err := ParseLine(i+1, text)
		if err != nil {
			t.Fatal(err)
		}
		if !skip {
			s.Scan(context.Background(), l)
		}
	}
	rep := s.Finish(context.Background())
	if len(rep.Results) != 8 {
		t.Fatalf("%d results", len(rep.Results))
	}
	want := []struct {
		reason   core.Reason
		match    string
		recorded string
	}{
		{core.ReasonOK, Pass, RecordedYes},
		{core.ReasonAlreadyUsed, Pass, RecordedYes},
		{core.ReasonCancelled, Pass, RecordedYes},
		{core.ReasonInvalidated, Pass, RecordedYes},
		{core.ReasonWrongGate, Pass, RecordedYes},
		{core.ReasonUnknown, Pass, RecordedNotSent},
		{core.ReasonCancelled, Fail, RecordedRefused}, // blacklisted: never sent
		{"", "", RecordedNoRecord},                    // unreadable
	}
	for i, w := range want {
		r := rep.Results[i]
		if r.Reason != w.reason || r.Match != w.match || r.Recorded != w.recorded {
			t.Errorf("line %d (%s): reason %s match %q recorded %q, want %s %q %q (S-360: %+v %s)",
				r.Line, r.Scanned, r.Reason, r.Match, r.Recorded, w.reason, w.match, w.recorded, r.S360, r.S360Error)
		}
	}
	first := rep.Results[0]
	if first.S360 == nil || first.S360.Ticket.State != core.StateValid || len(first.S360.Operations) != 2 {
		t.Fatalf("S-360's view of the valid ticket: %+v %s", first.S360, first.S360Error)
	}
	if rep.Results[1].Barcode != valid.Barcode || rep.Results[1].Scanned != valid.TaxNumber {
		t.Errorf("the taxNumber line: %+v", rep.Results[1])
	}
	if r := rep.Results[3]; r.S360 == nil || r.S360.Ticket.State != core.StateCancelled ||
		r.S360.Operations[0].Result != "INVALIDATED_TICKET" {
		t.Errorf("reprinted: %+v", r.S360)
	}
	if r := rep.Results[5]; r.S360Error != "S-360 does not know 7400000000000000000042" {
		t.Errorf("invalid card: %q", r.S360Error)
	}
	if r := rep.Results[7]; r.Error == "" || r.Control != nil {
		t.Errorf("unreadable line: %+v", r)
	}
	if rep.OK() || !strings.HasPrefix(rep.Summary(), "8 tickets: 6 PASS, 1 FAIL, 1 without an expected outcome; S-360 lists 5 of the 5 controls uploaded") {
		t.Errorf("summary %q ok %v", rep.Summary(), rep.OK())
	}
	if !strings.HasPrefix(rep.Upload, "Uploaded at ") {
		t.Errorf("upload %q", rep.Upload)
	}

	// The files.
	dir := filepath.Join(t.TempDir(), "reports")
	csvPath, htmlPath, err := rep.Save(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(csvPath), "testsession-sandbox-GATE_N1_TEST-") || filepath.Ext(htmlPath) != ".html" {
		t.Errorf("names %s %s", csvPath, htmlPath)
	}
	for _, p := range []string{csvPath, htmlPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	b, _ := os.ReadFile(csvPath)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 9 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("csv: %v\n%s", err, b)
	}
	if r := rows[1]; r[2] != valid.Barcode || r[4] != "ADMIT" || r[5] != "ADMIT" || r[8] != Pass || r[13] != "VALID" ||
		!strings.HasPrefix(r[14], "OK ") || r[15] != RecordedYes || !strings.HasSuffix(r[10], "+09:00") {
		t.Errorf("csv row %q", r)
	}
	if r := rows[7]; r[8] != Fail || r[15] != RecordedRefused || !strings.Contains(r[12], "blacklisted") {
		t.Errorf("csv row of the blacklisted ticket %q", r)
	}
	page, _ := os.ReadFile(htmlPath)
	for _, want := range []string{"<title>S-360 test session — sandbox — GATE_N1_TEST</title>", "Some checks failed",
		"<dd>sandbox</dd>", "GATE_N1_TEST · gate N1", "Asia/Tokyo (JST)", `<td class="FAIL">FAIL</td>`,
		valid.Barcode, "INVALIDATED_TICKET", rep.Upload} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(string(page), "<script") {
		t.Error("a script in the page")
	}
	// The same report for a German-speaking institution: the page and the
	// messages in German, the CSV's columns and codes as they were.
	rep.Lang = words.DE
	for i := range rep.Results {
		if rep.Results[i].Reason == core.ReasonCancelled {
			rep.Results[i].Message = core.Speak(words.DE, zone).Message(core.ReasonCancelled, &core.Facts{Cause: "REFUND_REQUESTED"}, time.Now(), "")
		}
	}
	var de strings.Builder
	if err := rep.WriteHTML(&de); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="de">`, "<title>S-360-Testsitzung — sandbox — GATE_N1_TEST</title>", "Einige Prüfungen fehlgeschlagen",
		"GATE_N1_TEST · Tor N1 · Richtung in", "Unsere Kontrolle bei S-360", "Tickets:", "abgelehnt", "Storniert — Rückerstattung beantragt"} {
		if !strings.Contains(de.String(), want) {
			t.Errorf("the German page lacks %q", want)
		}
	}
	var csvDE strings.Builder
	rep.WriteCSV(&csvDE)
	if !strings.HasPrefix(csvDE.String(), strings.Join(csvHeader, ",")) || !strings.Contains(csvDE.String(), ","+RecordedRefused+",") {
		t.Errorf("the CSV changed with the language: %.200s", csvDE.String())
	}
}

// TestSessionUploadRefusedByPolicy: in production before event day the
// hourly policy may refuse the upload; the report says when it is allowed
// and that our controls are not at S-360 yet, unless told to wait.
func TestSessionUploadRefusedByPolicy(t *testing.T) {
	st := newStation(t, core.EnvProduction, s360sim.Config{Tickets: 100, Seed: 3, RateLimit: -1})
	valid, child := st.sample(t, "valid"), st.sample(t, "child")
	now := time.Now()
	var slept time.Duration
	clock := func() time.Time { return now.Add(slept) }
	log := logrus.New()
	log.SetOutput(io.Discard)
	engine := syncer.New(syncer.Options{Settings: st.settings, Remote: st.client, Store: st.db, Log: log, Now: clock})

	s := New(Options{Settings: st.settings, Store: st.db, Syncer: engine, Remote: st.client, Now: clock})
	s.Scan(context.Background(), Line{No: 1, Code: valid.Barcode, Expected: "ADMIT"})
	rep := s.Finish(context.Background())
	if r := rep.Results[0]; !strings.HasPrefix(rep.Upload, "Not uploaded yet: S-360 call not allowed before ") ||
		r.Recorded != RecordedPending || r.Match != Pass || rep.OK() {
		t.Errorf("refused: upload %q, recorded %q, ok %v", rep.Upload, r.Recorded, rep.OK())
	}

	// Told to wait, it waits for the next allowed cycle, then uploads.
	s = New(Options{Settings: st.settings, Store: st.db, Syncer: engine, Remote: st.client, Now: clock, Wait: true,
		Sleep: func(_ context.Context, d time.Duration) error { slept += d; return nil }})
	s.Scan(context.Background(), Line{No: 1, Code: child.Barcode})
	rep = s.Finish(context.Background())
	if slept < 59*time.Minute || slept > time.Hour+time.Minute || !strings.HasPrefix(rep.Upload, "Uploaded at ") {
		t.Fatalf("waited %v, upload %q", slept, rep.Upload)
	}
	if r := rep.Results[0]; r.Recorded != RecordedYes {
		t.Errorf("after waiting: recorded %q (%+v %s)", r.Recorded, r.S360, r.S360Error)
	}
}
