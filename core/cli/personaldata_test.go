package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
)

// Personal data: holder identities (name, ID number, birth date, country)
// are stored because S-360 sends them, shown where the settings allow,
// never logged, audited when looked up, and erased on demand or N days
// after the event.

// holderStation is a sandbox station synced once from a simulator whose
// event is at eventDate. It returns the data directory and the simulator.
func holderStation(t *testing.T, h *harness, eventDate time.Time, extra ...string) (string, *tokenSim) {
	t.Helper()
	pw := "holder-test-Pw-" + t.Name()
	h.secrets = append(h.secrets, pw)
	ts := startTokenSim(t, s360sim.Config{Tickets: 200, Seed: 5, RateLimit: -1, Password: pw, EventDate: eventDate})
	t.Setenv(config.PasswordEnv, "")
	dir := t.TempDir()
	cfg := ts.Config()
	args := append([]string{"sync", "--once", "--data-dir", dir, "--password-file", writeSecretFile(t, pw),
		"--environment", "sandbox", "--endpoint", ts.ep, "--institution", cfg.Institution, "--operator", cfg.Operator,
		"--season", cfg.Season, "--product", strings.Join(cfg.Products, ",")}, extra...)
	if r := h.run(nil, args...); r.code != 0 {
		t.Fatalf("first sync: exit %d %q %q", r.code, r.out, r.stderr)
	}
	return dir, ts
}

// holderOf is what S-360 sent about the holder of a sample ticket.
func holderOf(t *testing.T, ts *tokenSim, kind string) (s360sim.Sample, core.Holder) {
	t.Helper()
	smp := sample(t, ts.Sim, kind)
	it, ok := ts.Ticket(smp.Barcode)
	if !ok {
		t.Fatalf("no %s ticket", kind)
	}
	hd := core.Holder{FirstName: it.FirstName, LastName: it.LastName, IDNumber: it.IDNumber, BirthDate: it.BirthDate, CountryCode: it.CountryCode}
	if kind == "personalised" && (hd.FirstName == "" || hd.LastName == "" || hd.IDNumber == "" || hd.BirthDate == "") {
		t.Fatalf("the %s sample has no full holder: %+v", kind, hd)
	}
	return smp, hd
}

// identity is what must never be logged of a holder (the country code is
// two letters: too short to look for).
func identity(hd core.Holder) []string {
	var out []string
	for _, v := range []string{hd.FirstName, hd.LastName, hd.IDNumber, hd.BirthDate} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// lookupRecords runs lookup and decodes its answer (nil when nothing
// matched).
func lookupRecords(t *testing.T, h *harness, dir, query string) []core.TicketRecord {
	t.Helper()
	r := h.run(nil, "lookup", "--data-dir", dir, query)
	if r.code == ExitFailure && strings.Contains(r.stderr, "No ticket matches") {
		return nil
	}
	var recs []core.TicketRecord
	if r.code != 0 || json.Unmarshal([]byte(r.out), &recs) != nil {
		t.Fatalf("lookup %q: exit %d %q %q", query, r.code, r.out, r.stderr)
	}
	return recs
}

func storePath(dir string) string { return filepath.Join(dir, "s360gate-sandbox.db") }

// holderColumns are the holder fields and the raw item of barcode as
// stored.
func holderColumns(t *testing.T, dir, barcode string) string {
	t.Helper()
	return strings.Join(queryStrings(t, storePath(dir), `SELECT coalesce(holder_first_name, '') || '|' ||
		coalesce(holder_last_name, '') || '|' || coalesce(holder_id_number, '') || '|' ||
		coalesce(holder_birth_date, '') || '|' || coalesce(holder_country_code, '') || '|' ||
		coalesce(first_key, '') || '|' || coalesce(last_key, '') || '|' || coalesce(CAST(raw AS TEXT), '')
		FROM tickets WHERE barcode = ?`, barcode), "\n")
}

// TestHolderNeverLogged syncs, scans, looks up and purges a personalised
// ticket with --verbose and looks for the holder in every log line (stderr)
// and in the S-360 calls table. Stdout is the commands' answer: scan and
// lookup show the holder there on purpose.
func TestHolderNeverLogged(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().Add(time.Hour), "--verbose")
	pers, hd := holderOf(t, ts, "personalised")
	_, child := holderOf(t, ts, "child")
	var logs strings.Builder
	run := func(stdin string, args ...string) result {
		t.Helper()
		r := h.run(strings.NewReader(stdin), append(args, "--verbose", "--data-dir", dir)...)
		logs.WriteString(r.stderr)
		return r
	}
	logs.WriteString(h.outputs[len(h.outputs)-1]) // the first sync's stderr

	r := run(pers.Barcode+"\n"+pers.Barcode+"\n"+sample(t, ts.Sim, "child").Barcode+"\n", "scan")
	if r.code != 0 || !strings.Contains(r.out, hd.LastName) {
		t.Fatalf("scan: exit %d, the holder is not shown at the gate: %q %q", r.code, r.out, r.stderr)
	}
	run(pers.Barcode+"\n", "scan", "--helpdesk")
	if r := run("", "lookup", hd.LastName); r.code != 0 || !strings.Contains(r.out, hd.IDNumber) {
		t.Fatalf("lookup by name: exit %d %q %q", r.code, r.out, r.stderr)
	}
	run("", "lookup", pers.TaxNumber)
	run("", "controls", "--format", "json")
	run("", "sync", "--once") // uploads the controls of the personalised ticket
	// A failing store: the scan's error is logged.
	orig := openStore
	openStore = func(p string) (Store, error) {
		s, err := orig(p)
		return failingStore{s}, err
	}
	run(pers.Barcode+"\n", "scan")
	openStore = orig
	run("", "purge", "--personal-data", "--all")

	text := logs.String()
	if !strings.Contains(text, "level=debug") {
		t.Fatalf("nothing was logged at debug level: the test proves nothing:\n%s", text)
	}
	for _, v := range append(identity(hd), identity(child)...) {
		if strings.Contains(text, v) {
			t.Errorf("a log line holds %q:\n%s", v, text)
		}
	}
	calls := strings.Join(queryStrings(t, storePath(dir), `SELECT method || ' ' || detail FROM calls`), "\n")
	for _, v := range identity(hd) {
		if strings.Contains(calls, v) {
			t.Errorf("the calls table holds %q", v)
		}
	}
}

// TestPurgePersonalData: `purge --personal-data --before DATE` erases the
// holders of tickets whose validity ended before DATE, from the holder
// columns, the search keys and the raw item; lookup then shows no holder,
// and a search by name finds nothing.
func TestPurgePersonalData(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().Add(time.Hour))
	pers, hd := holderOf(t, ts, "personalised")
	if cols := holderColumns(t, dir, pers.Barcode); !strings.Contains(cols, hd.IDNumber) || !strings.Contains(cols, hd.LastName) {
		t.Fatalf("the holder was not stored: %q", cols)
	}
	if recs := lookupRecords(t, h, dir, pers.TaxNumber); len(recs) != 1 || recs[0].Ticket.Holder != hd {
		t.Fatalf("lookup before the purge: %+v, want holder %+v", recs, hd)
	}
	if recs := lookupRecords(t, h, dir, hd.LastName); len(recs) == 0 {
		t.Fatalf("no ticket found by the holder's name %q", hd.LastName)
	}

	// The event is today: a purge of events that ended before yesterday
	// keeps it.
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	r := h.run(nil, "purge", "--personal-data", "--before", yesterday, "--data-dir", dir)
	if r.code != 0 || !strings.HasPrefix(r.out, "Purged the holder data of 0 tickets") {
		t.Fatalf("purge before yesterday: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if recs := lookupRecords(t, h, dir, pers.TaxNumber); len(recs) != 1 || recs[0].Ticket.Holder != hd {
		t.Fatalf("a purge of older events erased today's holder: %+v", recs)
	}

	later := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	r = h.run(nil, "purge", "--personal-data", "--before", later, "--data-dir", dir)
	if r.code != 0 || !strings.HasPrefix(r.out, "Purged the holder data of ") || strings.HasPrefix(r.out, "Purged the holder data of 0 ") {
		t.Fatalf("purge: exit %d %q %q", r.code, r.out, r.stderr)
	}

	cols := holderColumns(t, dir, pers.Barcode)
	for _, v := range identity(hd) {
		if strings.Contains(strings.ToLower(cols), strings.ToLower(v)) {
			t.Errorf("the stored ticket still holds %q: %q", v, cols)
		}
	}
	if !strings.HasPrefix(cols, "||||||") {
		t.Errorf("holder columns or search keys not emptied: %q", cols)
	}
	left := queryStrings(t, storePath(dir), `SELECT barcode FROM tickets WHERE holder_first_name IS NOT NULL
		OR holder_last_name IS NOT NULL OR holder_id_number IS NOT NULL OR holder_birth_date IS NOT NULL
		OR holder_country_code IS NOT NULL OR first_key IS NOT NULL OR last_key IS NOT NULL`)
	if len(left) != 0 {
		t.Errorf("%d tickets keep holder data after the purge", len(left))
	}
	for _, raw := range queryStrings(t, storePath(dir), `SELECT CAST(raw AS TEXT) FROM tickets WHERE raw IS NOT NULL`) {
		for _, key := range []string{"FIRSTNAME", "LASTNAME", "ID_NUMBER", "BIRTHDATE", hd.IDNumber} {
			if strings.Contains(raw, key) {
				t.Errorf("a raw item keeps %s after the purge: %s", key, raw)
				break
			}
		}
	}
	recs := lookupRecords(t, h, dir, pers.TaxNumber)
	if len(recs) != 1 || !recs[0].Ticket.Holder.IsZero() {
		t.Errorf("lookup after the purge: %+v", recs)
	}
	if r := h.run(nil, "lookup", "--data-dir", dir, pers.TaxNumber); strings.Contains(r.out, `"holder"`) || strings.Contains(r.out, hd.LastName) {
		t.Errorf("lookup prints holder data after the purge:\n%s", r.out)
	}
	if recs := lookupRecords(t, h, dir, hd.LastName); len(recs) != 0 {
		t.Errorf("the holder's name still finds %d tickets", len(recs))
	}
}

// TestPurgeLeavesNoTraceInTheFile: after a full purge, the holder's ID
// number and the name looked up at the desk are not in the database
// file's bytes (secure_delete, WAL truncated), not only not in its rows.
func TestPurgeLeavesNoTraceInTheFile(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().Add(time.Hour))
	_, hd := holderOf(t, ts, "personalised")
	lookupRecords(t, h, dir, hd.IDNumber) // audited query: the ID number
	if b := filesOf(t, dir)[filepath.Base(storePath(dir))]; bytes.Count(b, []byte(hd.IDNumber)) < 2 {
		t.Fatalf("the ID number is not in the database file before the purge: the test proves nothing")
	}
	if r := h.run(nil, "purge", "--personal-data", "--all", "--data-dir", dir); r.code != 0 {
		t.Fatalf("purge: exit %d %q", r.code, r.stderr)
	}
	for name, b := range filesOf(t, dir) {
		if name == config.FileName {
			continue
		}
		if bytes.Contains(b, []byte(hd.IDNumber)) {
			t.Errorf("%s still holds the ID number %s", name, hd.IDNumber)
		}
	}
}

// TestAutomaticPurgeAfterEvent: with PurgeAfterDays set, holders of events
// that ended more than that many days ago are erased when sync starts, and
// when the desktop app's wiring starts; more recent ones are kept.
func TestAutomaticPurgeAfterEvent(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().AddDate(0, 0, -10)) // ended ten days ago
	pers, hd := holderOf(t, ts, "personalised")
	setPurgeAfter := func(days int) {
		t.Helper()
		s, err := config.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.PurgeAfterDays = days
		if err := config.Save(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	holder := func() core.Holder {
		t.Helper()
		recs := lookupRecords(t, h, dir, pers.TaxNumber)
		if len(recs) != 1 {
			t.Fatalf("lookup: %+v", recs)
		}
		return recs[0].Ticket.Holder
	}
	if holder() != hd {
		t.Fatal("the holder was not stored")
	}

	setPurgeAfter(30) // the event is more recent than that: kept
	if r := h.run(nil, "sync", "--once", "--data-dir", dir); r.code != 0 {
		t.Fatalf("sync: exit %d %q", r.code, r.stderr)
	}
	if holder() != hd {
		t.Fatal("a 30-day retention erased a 10-day-old event's holders")
	}

	// The desktop app's wiring purges at its start, before its first
	// cycle: wait for that cycle, then look.
	setPurgeAfter(3)
	start := time.Now()
	h.gui = func(a App) error {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		for st := a.Engine.Status(); !st.LastExportOK.After(start) && !st.LastErrorAt.After(start); st = a.Engine.Status() {
			select {
			case <-ctx.Done():
				t.Errorf("the GUI's engine never finished a cycle: %+v", st)
				return nil
			case <-time.After(10 * time.Millisecond):
			}
		}
		tk, err := a.Store.Ticket(ctx, pers.Barcode)
		if err != nil || !tk.Holder.IsZero() {
			t.Errorf("after the GUI started: holder %+v, err %v", tk.Holder, err)
		}
		return nil
	}
	if r := h.run(nil, "--data-dir", dir); r.code != 0 {
		t.Fatalf("GUI: exit %d %q", r.code, r.stderr)
	}
	h.gui = nil
	if hd2 := holder(); !hd2.IsZero() {
		t.Errorf("holder kept after the automatic purge: %+v", hd2)
	}
	if log, _ := os.ReadFile(filepath.Join(dir, logging.FileName)); !strings.Contains(string(log), "purged holder data of past events") {
		t.Errorf("the automatic purge is not in the log:\n%s", log)
	}
}

// TestAutomaticPurgeAtSyncStart: the same through `sync`.
func TestAutomaticPurgeAtSyncStart(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().AddDate(0, 0, -10))
	pers, hd := holderOf(t, ts, "personalised")
	if recs := lookupRecords(t, h, dir, pers.TaxNumber); len(recs) != 1 || recs[0].Ticket.Holder != hd {
		t.Fatalf("before: %+v", recs)
	}
	s, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.PurgeAfterDays = 3
	if err := config.Save(dir, s); err != nil {
		t.Fatal(err)
	}
	r := h.run(nil, "sync", "--once", "--verbose", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stderr, "purged holder data of past events") {
		t.Fatalf("sync: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if recs := lookupRecords(t, h, dir, pers.TaxNumber); len(recs) != 1 || !recs[0].Ticket.Holder.IsZero() {
		t.Errorf("after: %+v", recs)
	}
	if cols := holderColumns(t, dir, pers.Barcode); strings.Contains(cols, hd.IDNumber) || strings.Contains(cols, hd.LastName) {
		t.Errorf("stored after the automatic purge: %q", cols)
	}
}

// TestLookupIsAudited: every dispute-desk lookup, found or not, is written
// to the audit log with who, when and the query, before anything is shown.
func TestLookupIsAudited(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().Add(time.Hour))
	pers, hd := holderOf(t, ts, "personalised")
	t.Setenv("USER", "desk-agent-7")
	start := time.Now()
	lookupRecords(t, h, dir, pers.TaxNumber)
	lookupRecords(t, h, dir, hd.LastName)
	if r := h.run(nil, "lookup", "--data-dir", dir, "NOBODY-HERE"); r.code != ExitFailure {
		t.Fatalf("lookup of nothing: exit %d", r.code)
	}
	end := time.Now()

	db, err := sqlite.Open(storePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.AuditLog(context.Background(), start.Add(-time.Second), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"NOBODY-HERE", hd.LastName, pers.TaxNumber} // newest first
	if len(entries) != len(want) {
		t.Fatalf("audit log %+v, want %d entries", entries, len(want))
	}
	for i, e := range entries {
		if e.Query != want[i] {
			t.Errorf("entry %d: query %q, want %q", i, e.Query, want[i])
		}
		if !strings.Contains(e.Who, "STATION1") || !strings.Contains(e.Who, "desk-agent-7") {
			t.Errorf("entry %d: who %q, want the station and the account", i, e.Who)
		}
		if e.At.Before(start.Add(-time.Second)) || e.At.After(end.Add(time.Second)) {
			t.Errorf("entry %d: at %v, not between %v and %v", i, e.At, start, end)
		}
	}
}

// TestHideHolderAtGate: with the setting, scan shows neither the holder nor
// an ID_CHECK prompt (the verdict is the same); without it, both.
func TestHideHolderAtGate(t *testing.T) {
	h := newHarness(t)
	dir, ts := holderStation(t, h, time.Now().Add(time.Hour))
	pers, hd := holderOf(t, ts, "personalised")
	scanOne := func(args ...string) map[string]any {
		t.Helper()
		r := h.run(strings.NewReader(pers.Barcode+"\n"), append([]string{"scan", "--helpdesk", "--data-dir", dir}, args...)...)
		var m map[string]any
		if r.code != 0 || json.Unmarshal([]byte(r.out), &m) != nil {
			t.Fatalf("scan: exit %d %q %q", r.code, r.out, r.stderr)
		}
		return m
	}
	shown := scanOne()
	b, _ := json.Marshal(shown)
	if shown["verdict"] != "ADMIT" || !strings.Contains(string(b), `"holder":{`) || !strings.Contains(string(b), `"ID_CHECK"`) || !strings.Contains(string(b), hd.IDNumber) {
		t.Fatalf("without HideHolder the gate must show the holder and ask for an ID check: %s", b)
	}

	s, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.HideHolder = true
	if err := config.Save(dir, s); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {"--station", "GATE_N_2"}} {
		hidden := scanOne(args...)
		b, _ := json.Marshal(hidden)
		if hidden["verdict"] != "ADMIT" || hidden["reason"] != shown["reason"] {
			t.Errorf("HideHolder changed the verdict: %s", b)
		}
		if tk, _ := hidden["ticket"].(map[string]any); tk == nil || tk["holder"] != nil {
			t.Errorf("ticket.holder shown with HideHolder: %s", b)
		}
		if strings.Contains(string(b), "ID_CHECK") {
			t.Errorf("ID_CHECK prompt with HideHolder: %s", b)
		}
		for _, v := range identity(hd) {
			if strings.Contains(string(b), v) {
				t.Errorf("the gate shows %q with HideHolder: %s", v, b)
			}
		}
	}
	// Recorded scans too, and the dispute desk still sees the holder.
	r := h.run(strings.NewReader(pers.Barcode+"\n"), "scan", "--data-dir", dir)
	if r.code != 0 || strings.Contains(r.out, hd.LastName) || strings.Contains(r.out, "ID_CHECK") {
		t.Errorf("recorded scan with HideHolder: %q", r.out)
	}
	if recs := lookupRecords(t, h, dir, pers.TaxNumber); len(recs) != 1 || recs[0].Ticket.Holder != hd {
		t.Errorf("the dispute desk lost the holder: %+v", recs)
	}
}
