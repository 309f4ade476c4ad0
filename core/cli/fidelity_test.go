package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/sqlite"
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

// setZone stores zone as the institution's in dir's store, as the sync
// engine does when getTimeZone answers.
func setZone(t *testing.T, dir, zone string, edit ...func(*core.SyncState)) {
	t.Helper()
	db, err := sqlite.Open(storePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.SyncState(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.TimeZone = zone
	for _, e := range edit {
		e(&st)
	}
	if err := db.SaveSyncState(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// venueOtherDay is a venue zone whose date now differs from UTC's (one of
// UTC+14 and UTC-11 always does), so that a date read in the wrong zone
// selects other controls.
func venueOtherDay(now time.Time) string {
	for _, name := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		if _, _, d := now.In(core.LoadZone(name)).Date(); d != now.UTC().Day() {
			return name
		}
	}
	return "Pacific/Kiritimati"
}

// TestControlsAtTheVenue: the control log's times are the venue's (its
// offset), the same in CSV and JSON to the microsecond; --since DATE is
// midnight at the venue; uploaded_at is empty for a control S-360
// refused; a ticket without controls has "controls": [].
func TestControlsAtTheVenue(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	if zone := venueZone(context.Background(), mustOpen(t, dir)); zone == nil || zone.String() != "Europe/Zurich" {
		t.Fatalf("the first sync did not store the institution's zone: %v", zone)
	}
	valid, black := sample(t, sim, "valid").Barcode, sample(t, sim, "senior").Barcode
	if r := h.run(strings.NewReader(valid+"\n"+black+"\n"), "scan", "--data-dir", dir); r.code != 0 {
		t.Fatalf("scan: %q", r.stderr)
	}
	if err := sim.Blacklist(black); err != nil {
		t.Fatal(err)
	}
	if r := h.run(nil, "sync", "--once", "--data-dir", dir); r.code != 0 || !strings.Contains(r.out, "1 controls uploaded, 1 rejected") {
		t.Fatalf("sync: %q %q", r.out, r.stderr)
	}
	now := time.Now()
	venue := venueOtherDay(now)
	loc := core.LoadZone(venue)
	setZone(t, dir, venue)

	r := h.run(nil, "controls", "--data-dir", dir)
	rows, err := csv.NewReader(strings.NewReader(r.out)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v %q", err, r.out)
	}
	r = h.run(nil, "controls", "--format", "json", "--data-dir", dir)
	var js []map[string]any
	if err := json.Unmarshal([]byte(r.out), &js); err != nil || len(js) != 2 {
		t.Fatalf("json: %v %q", err, r.out)
	}
	_, venueOffset := now.In(loc).Zone()
	for i, row := range rows[1:] {
		at, err := time.Parse(time.RFC3339Nano, row[1])
		if _, off := at.Zone(); err != nil || off != venueOffset {
			t.Errorf("at %q is not the venue's time (offset %d)", row[1], venueOffset)
		}
		if js[i]["at"] != row[1] {
			t.Errorf("CSV at %q, JSON at %v: not the same", row[1], js[i]["at"])
		}
		switch row[13] {
		case "uploaded":
			if row[15] == "" || js[i]["uploadedAt"] != row[15] {
				t.Errorf("uploaded control: uploaded_at %q, JSON %v", row[15], js[i]["uploadedAt"])
			}
		case "rejected":
			if row[15] != "" || row[6] != black {
				t.Errorf("rejected control: uploaded_at %q (barcode %s)", row[15], row[6])
			}
		default:
			t.Errorf("upload %q", row[13])
		}
	}

	// --since a date: that day's midnight at the venue.
	today := now.In(loc).Format(time.DateOnly)
	tomorrow := now.In(loc).AddDate(0, 0, 1).Format(time.DateOnly)
	if r := h.run(nil, "controls", "--since", today, "--data-dir", dir); strings.Count(r.out, "\n") != 3 {
		t.Errorf("--since %s (the venue's today): %q", today, r.out)
	}
	if r := h.run(nil, "controls", "--since", tomorrow, "--data-dir", dir); strings.Count(r.out, "\n") != 1 {
		t.Errorf("--since %s (the venue's tomorrow): %q", tomorrow, r.out)
	}

	// A ticket never scanned: "controls": [].
	r = h.run(nil, "lookup", "--data-dir", dir, sample(t, sim, "child").TaxNumber)
	if r.code != 0 || !strings.Contains(r.out, `"controls": []`) {
		t.Errorf("lookup of a ticket without controls: %q %q", r.out, r.stderr)
	}
}

// TestPurgeBeforeAtTheVenue: the default cut-off is today's midnight at
// the venue, not on the laptop.
func TestPurgeBeforeAtTheVenue(t *testing.T) {
	kiritimati := core.LoadZone("Pacific/Kiritimati") // UTC+14
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	got := defaultPurgeBefore(core.Settings{}, now, kiritimati)
	if want := time.Date(2026, 11, 28, 0, 0, 0, 0, kiritimati); !got.Equal(want) {
		t.Errorf("cut-off %v, want %v", got, want)
	}
	if got := defaultPurgeBefore(core.Settings{PurgeAfterDays: 2}, now, kiritimati); !got.Equal(now.AddDate(0, 0, -2)) {
		t.Errorf("after 2 days: %v", got)
	}
}

// TestScanSaysStale: a station that has not synced for longer than the
// staleness limit says so on every scan line, with its last sync.
func TestScanSaysStale(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid := sample(t, sim, "valid").Barcode
	r := h.run(strings.NewReader(valid+"\n"), "scan", "--data-dir", dir)
	if strings.Contains(r.out, `"stale"`) {
		t.Fatalf("fresh list said stale: %q", r.out)
	}
	last := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	setZone(t, dir, "Europe/Zurich", func(st *core.SyncState) { st.LastExportOK, st.LastUploadOK = last, last })
	r = h.run(strings.NewReader(valid+"\n"+"NOT-A-TICKET-1\n"), "scan", "--data-dir", dir, "--helpdesk")
	want := `"stale":true,"lastSync":"` + last.In(core.LoadZone("Europe/Zurich")).Format(time.RFC3339) + `"`
	if strings.Count(r.out, want) != 2 {
		t.Errorf("scan of a stale list: %q, want %s on each line", r.out, want)
	}
}

func mustOpen(t *testing.T, dir string) Store {
	t.Helper()
	db, err := sqlite.Open(storePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestLookupRemote: lookup --remote gives what the station knows and what
// S-360 says now, audited, each call recorded so that it counts against
// the request budget in every process using the store, and refused at
// once when the budget is spent.
func TestLookupRemote(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid := sample(t, sim, "valid")
	if r := h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := h.run(nil, "sync", "--once", "--data-dir", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := h.run(nil, "lookup", "--remote", "--data-dir", dir, valid.TaxNumber)
	var out remoteOut
	if r.code != 0 || json.Unmarshal([]byte(r.out), &out) != nil {
		t.Fatalf("lookup --remote: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if len(out.Local) != 1 || len(out.Local[0].Controls) != 1 || len(out.S360) != 1 || out.S360[0].Asked != valid.Barcode {
		t.Fatalf("answer %+v", out)
	}
	rt := out.S360[0].Ticket
	if rt == nil || rt.Ticket.State != core.StateValid || rt.TicketMedium == "" || rt.Duplicate == nil || !rt.Has(&out.Local[0].Controls[0].Control) {
		t.Fatalf("S-360's view %+v: our control %+v not among its operations", rt, out.Local[0].Controls[0])
	}

	// Sold after the last sync: S-360 knows it, the station not yet.
	sold := sim.Sell(1, "")[0]
	r = h.run(nil, "lookup", "--remote", "--data-dir", dir, sold)
	if r.code != 0 || json.Unmarshal([]byte(r.out), &out) != nil || len(out.Local) != 0 || out.S360[0].Ticket == nil ||
		out.S360[0].Ticket.Ticket.Barcode != sold {
		t.Fatalf("a ticket sold since the sync: exit %d %q %q", r.code, r.out, r.stderr)
	}
	r = h.run(nil, "lookup", "--remote", "--data-dir", dir, "7400000000000000000009")
	wantOneLine(t, r, ExitFailure, "No ticket matches 7400000000000000000009 (S-360 does not know 7400000000000000000009)")

	db := mustOpen(t, dir).(*sqlite.DB)
	ctx := context.Background()
	audit, err := db.AuditLog(ctx, time.Time{}, 0)
	if err != nil || len(audit) != 3 || audit[2].Query != valid.TaxNumber {
		t.Fatalf("audit %+v %v", audit, err)
	}
	calls, _ := db.CallsSince(ctx, time.Now().Add(-time.Minute))
	asked := 0
	for _, c := range calls {
		if c.Method == "getControlledTicket" {
			asked++
		}
	}
	if asked != 3 {
		t.Fatalf("%d getControlledTicket calls recorded, want 3", asked)
	}

	// Another process (a sync) spent the budget this minute: refused at
	// once, S-360 not called.
	for range 50 {
		if err := db.RecordCall(ctx, core.Call{Method: "exportList", At: time.Now(), OK: true, Budgeted: true}); err != nil {
			t.Fatal(err)
		}
	}
	before := sim.Stats().Requests["getControlledTicket"]
	r = h.run(nil, "lookup", "--remote", "--data-dir", dir, valid.TaxNumber)
	if r.code != 0 || !strings.Contains(r.out, "The S-360 request limit (50 a minute) is used up") {
		t.Fatalf("over the budget: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if n := sim.Stats().Requests["getControlledTicket"]; n != before {
		t.Fatalf("S-360 called over the budget (%d → %d)", before, n)
	}
}

// TestTestSessionCommand: the institution's test tickets through
// `s360gate testsession`: each line decided and recorded, the controls
// uploaded, S-360 asked, the report written as CSV and HTML in the data
// directory; exit 1 (one line on stderr) when an expectation is not met.
func TestTestSessionCommand(t *testing.T) {
	sim, dir, h := sandboxStation(t)
	valid, cancelled := sample(t, sim, "valid"), sample(t, sim, "cancelled")
	in := valid.Barcode + " ADMIT\n" + valid.Barcode + "\tALREADY_USED\n# a comment\n" + cancelled.TaxNumber + ";cancelled\n"
	r := h.run(strings.NewReader(in), "testsession", "--data-dir", dir, "--gate", "N1")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.stderr)
	}
	for _, want := range []string{
		"line 1: " + valid.Barcode + " — ADMIT OK (Valid ticket), expected ADMIT: PASS",
		"line 2: " + valid.Barcode + " — DENY ALREADY_USED",
		"line 4: " + cancelled.TaxNumber + " — DENY CANCELLED",
		"Uploaded at ",
		"line 1: " + valid.Barcode + " — ADMIT OK PASS; S-360: VALID (OK ",
		"; our control at S-360: yes",
		"3 tickets: 3 PASS, 0 FAIL; S-360 lists 3 of the 3 controls uploaded.",
		"Report: " + filepath.Join(dir, ReportDir, "testsession-sandbox-"),
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	reports, _ := filepath.Glob(filepath.Join(dir, ReportDir, "testsession-sandbox-*"))
	if len(reports) != 2 {
		t.Fatalf("reports %v", reports)
	}
	if len(sim.Controls()) != 3 {
		t.Errorf("S-360 received %d controls", len(sim.Controls()))
	}

	// An expectation not met: exit 1, the summary on stderr.
	reportDir := t.TempDir()
	r = h.run(strings.NewReader(sample(t, sim, "child").Barcode+" DENY\nnot-a-line at all\n"), "testsession", "--data-dir", dir, "--report-dir", reportDir)
	wantOneLine(t, r, ExitFailure, "test session: 2 tickets: 0 PASS, 1 FAIL")
	if !strings.Contains(r.out, "line 2: not-a-line at all — line 2: write one ticket per line") {
		t.Errorf("the bad line: %s", r.out)
	}
	if files, _ := os.ReadDir(reportDir); len(files) != 2 {
		t.Errorf("report files %v", files)
	}
	r = h.run(strings.NewReader(""), "testsession", "--data-dir", dir)
	wantOneLine(t, r, ExitUsage, "no test ticket on stdin")
}
