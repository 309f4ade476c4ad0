package cli

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/internal/readonly"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
)

// Bad configuration and bad input: every refusal is one line on stderr with
// the documented exit code, nothing is half-changed, nothing panics.

// badStation is a configured sandbox station with its ticket list.
func badStation(t *testing.T) (dir string, h *harness, valid string) {
	t.Helper()
	sim, dir, h := sandboxStation(t)
	return dir, h, sample(t, sim, "valid").Barcode
}

// snapshot is every file of the data directory, to prove a refused
// command changed none.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := filesOf(t, dir)
	// SQLite's shared-memory index is rebuilt by every opener, and an
	// opener may create an empty WAL: neither is data.
	for name, b := range files {
		if strings.HasSuffix(name, "-shm") || strings.HasSuffix(name, "-wal") && len(b) == 0 {
			delete(files, name)
		}
	}
	return files
}

func sameFiles(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	for name, b := range before {
		if a, ok := after[name]; !ok {
			t.Errorf("%s was removed", name)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s was changed", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s was created", name)
		}
	}
}

// TestEveryBadSettingFlag gives every setting flag of sync (and the
// station flags of scan) values it must refuse: each refusal is one line
// naming the flag, exit 2, and leaves the settings file byte-identical and
// no database touched.
func TestEveryBadSettingFlag(t *testing.T) {
	dir, h, _ := badStation(t)
	long := strings.Repeat("X", 65)
	cases := []struct {
		flag string
		vals []string
		want string // in the message
	}{
		{"--environment", []string{"staging", "", "PRODUCTION ", "sim;rm"}, "--environment"},
		{"--endpoint", []string{"http://s360.example.com/x", "::nonsense", "ftp://s360.example.com/x", "https://", "", "s360.example.com/x", "http://10.1.2.3/x"}, "--endpoint"},
		{"--institution", []string{"BAD CODE", long, "inst/it", "in\nst", ""}, "--institution"},
		{"--operator", []string{"gate keeper", long, "op\x00", ""}, "--operator"},
		{"--partner", []string{"part ner", long, "p@rtner"}, "--partner"},
		{"--season", []string{"SEA SON", long, "S26;DROP", ""}, "--season"},
		{"--product", []string{"MATCH 01", long, "M1,M 2", ",", "'"}, "--product"},
		{"--performance", []string{"PERF 01", long, "P1,P/2"}, "--performance"},
		{"--event-date", []string{"2026-13-01", "tomorrow", "27.11.2026", "2026-11-27T18:00"}, "--event-date"},
		{"--event-day", []string{"maybe", "2"}, "-event-day"},
		{"--page-size", []string{"many", "-1", "0", "10001", "1e3", "99999999999999999999"}, "-page-size"},
		{"--once", []string{"twice"}, "-once"},
	}
	for _, c := range cases {
		for _, v := range c.vals {
			t.Run(strings.TrimLeft(c.flag, "-")+"="+v, func(t *testing.T) {
				before := snapshot(t, dir)
				r := h.run(nil, "sync", "--data-dir", dir, c.flag+"="+v)
				wantOneLine(t, r, ExitUsage, c.want)
				if r.out != "" {
					t.Errorf("stdout: %q", r.out)
				}
				sameFiles(t, before, snapshot(t, dir))
			})
		}
	}
	for _, c := range []struct{ flag, val, want string }{
		{"--gate", "GATE A", "--gate"},
		{"--gate", long, "--gate"},
		{"--station", "ST/1", "--station"},
		{"--station", long, "--station"},
		{"--direction", "up", "--direction"},
		{"--direction", "", "--direction"},
	} {
		t.Run("scan"+c.flag+"="+c.val, func(t *testing.T) {
			before := snapshot(t, dir)
			r := h.run(strings.NewReader("123456789\n"), "scan", "--data-dir", dir, c.flag+"="+c.val)
			wantOneLine(t, r, ExitUsage, c.want)
			if r.out != "" {
				t.Errorf("a scan was answered: %q", r.out)
			}
			sameFiles(t, before, snapshot(t, dir))
		})
	}
	// An address holding credentials is refused whole.
	t.Run("endpoint with credentials", func(t *testing.T) {
		h.secrets = append(h.secrets, "in-url-Pw-9")
		before := snapshot(t, dir)
		r := h.run(nil, "sync", "--data-dir", dir, "--endpoint", "https://gate:in-url-Pw-9@s360.example.com/svc")
		wantOneLine(t, r, ExitUsage, "must not hold a user name or password")
		sameFiles(t, before, snapshot(t, dir))
	})
	// A password file that cannot be read is a failure (exit 1), not a
	// usage error, and changes nothing either.
	for _, pf := range []string{filepath.Join(dir, "no-such-file"), dir, writeEmpty(t)} {
		before := snapshot(t, dir)
		r := h.run(nil, "sync", "--data-dir", dir, "--password-file", pf)
		wantOneLine(t, r, ExitFailure, "password file")
		sameFiles(t, before, snapshot(t, dir))
	}
}

func writeEmpty(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDamagedSettingsFile: a settings file that is not what s360gate
// wrote gives every command, the desktop app included, one line, and is
// left as it is. A file that reads but holds values that cannot be used
// stops every headless command the same way; the desktop app opens on it
// (its settings screen is where they are fixed).
func TestDamagedSettingsFile(t *testing.T) {
	h := newHarness(t)
	t.Setenv(config.PasswordEnv, "")
	damaged := map[string]string{
		"not json":      "{not json",
		"empty":         "",
		"truncated":     `{"environment": "sandbox", "endpoint": "https://x.exa`,
		"binary":        "\x00\xff\xfe\x01SQLite format 3\x00",
		"wrong types":   `{"environment": "sandbox", "pageSize": "many"}`,
		"array":         `["sandbox"]`,
		"huge number":   `{"pageSize": 1e400}`,
		"nested bomb":   strings.Repeat("[", 100000),
		"utf-16 BOM":    "\xff\xfe{\x00}\x00",
		"trailing junk": `{"environment":"sim"} trailing`,
	}
	invalid := map[string]string{
		"bad environment": `{"environment": "staging", "endpoint": "https://x.example.com/s"}`,
		"plain http":      `{"environment": "production", "endpoint": "http://s360.example.com/s", "institution": "I", "operator": "o", "season": "S", "products": ["P"]}`,
		"bad tariff":      `{"environment": "sim", "tariffRules": {"CHILD": ""}}`,
		"bad code":        `{"environment": "sandbox", "endpoint": "https://x.example.com/s", "institution": "I I", "operator": "o", "season": "S", "products": ["P"]}`,
	}
	headless := [][]string{{"sync", "--once"}, {"scan"}, {"lookup", "x"}, {"controls"}, {"purge", "--personal-data"}}
	try := func(t *testing.T, content string, cmds [][]string) {
		dir := privateDir(t)
		path := filepath.Join(dir, config.FileName)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range cmds {
			r := h.run(strings.NewReader("123456789\n"), append(args, "--data-dir", dir)...)
			if r.code != ExitFailure && r.code != ExitUsage {
				t.Errorf("%v: exit %d", args, r.code)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "s360gate: ") {
				t.Errorf("%v: stderr is not one line: %q", args, r.stderr)
			}
			if r.out != "" {
				t.Errorf("%v: stdout %q", args, r.out)
			}
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Error("the settings file was changed")
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("files were created beside the settings: %v", entries)
		}
	}
	h.gui = func(App) error { t.Error("the GUI started on damaged settings"); return nil }
	for name, content := range damaged {
		t.Run(name, func(t *testing.T) {
			try(t, content, append(headless, []string{}))
		})
	}
	h.gui = nil
	for name, content := range invalid {
		t.Run(name, func(t *testing.T) {
			try(t, content, headless)
		})
	}
}

// TestGarbageOnScanInput feeds scan binary bytes, NULs, 10 KB lines, empty
// and blank lines, around one real ticket: every garbage line gets an error
// object (no verdict) or is skipped as empty, the ticket is admitted, and
// nothing is recorded for the garbage.
func TestGarbageOnScanInput(t *testing.T) {
	dir, h, valid := badStation(t)
	rng := rand.New(rand.NewPCG(1, 2))
	binary := func(n int) string {
		// Bytes that are never valid UTF-8 and control characters: no way
		// to read a code into them.
		b := make([]byte, n)
		for i := range b {
			if i%2 == 0 {
				b[i] = byte(0xf8 + rng.IntN(8))
			} else {
				b[i] = byte(1 + rng.IntN(8))
			}
		}
		return string(b)
	}
	garbage := []string{
		binary(16),
		binary(4000),
		strings.Repeat("7", 10*1024),
		binary(10 * 1024),
		strings.Repeat("\x00", 10*1024),
		"\xff\xfe\xfd",
		"\x00\x01\x02\x03\x04\xf9",
	}
	skipped := []string{"", "   ", "\x00", "\x00\x00\x00", "\t", "\u200b"}
	var in strings.Builder
	for _, g := range garbage {
		in.WriteString(g + "\n")
	}
	for _, s := range skipped {
		in.WriteString(s + "\n")
	}
	in.WriteString(valid + "\r\n")
	in.WriteString(binary(20 * 1024)) // and no line end at all
	r := h.run(strings.NewReader(in.String()), "scan", "--data-dir", dir)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("scan: exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	if len(lines) != len(garbage)+2 {
		t.Fatalf("%d answers, want %d (one per garbage line, the ticket, the last line):\n%s", len(lines), len(garbage)+2, r.out)
	}
	admitted := 0
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("answer %d is not JSON: %q", i, l)
		}
		if len(l) > 1024 {
			t.Errorf("answer %d is %d bytes: the garbage is echoed", i, len(l))
		}
		if m["verdict"] == "ADMIT" && m["barcode"] == valid {
			admitted++
			continue
		}
		if _, ok := m["verdict"]; ok {
			t.Errorf("garbage got a verdict: %s", l)
		}
		if e, _ := m["error"].(string); e == "" {
			t.Errorf("garbage without an error: %s", l)
		}
	}
	if admitted != 1 {
		t.Errorf("the real ticket among the garbage was admitted %d times:\n%s", admitted, r.out)
	}
	r = h.run(nil, "controls", "--format", "json", "--data-dir", dir)
	var cs []core.Control
	if err := json.Unmarshal([]byte(r.out), &cs); err != nil || len(cs) != 1 || cs[0].Barcode != valid {
		t.Errorf("recorded controls: %s (want only the real ticket)", r.out)
	}
}

// corruptions are ways a database file can be damaged: not a database at
// all, or a database with its pages overwritten.
func corruptions(t *testing.T, good []byte) map[string][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rng.IntN(256))
	}
	pages := bytes.Clone(good)
	for i := 4096; i < len(pages); i++ { // everything after the header page
		pages[i] = byte(rng.IntN(256))
	}
	header := bytes.Clone(good)
	copy(header[16:100], garbage) // page size, counts, schema cookie…
	return map[string][]byte{
		"garbage":           garbage,
		"text":              []byte("this is not a database\n"),
		"pages overwritten": pages,
		"header damaged":    header,
	}
}

// closedStore is the path and the bytes of the (closed) store of a station
// in dir: everything is in the main file, so the WAL files are removed.
func closedStore(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	path := filepath.Join(dir, "s360gate-sandbox.db")
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// replaceStore makes content the store's file, with no WAL beside it.
func replaceStore(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
}

// TestCorruptDatabase: with a damaged database file every command fails
// with one clear line (never a panic, never a verdict) and leaves the file
// as it is.
func TestCorruptDatabase(t *testing.T) {
	dir, h, valid := badStation(t)
	path, good := closedStore(t, dir)
	if len(good) < 3*4096 {
		t.Fatalf("database of %d bytes: too small to damage meaningfully", len(good))
	}
	for name, content := range corruptions(t, good) {
		t.Run(name, func(t *testing.T) {
			replaceStore(t, path, content)
			h.gui = func(App) error { t.Error("the GUI started on a damaged database"); return nil }
			for _, args := range [][]string{{"sync", "--once"}, {"scan"}, {"scan", "--helpdesk"}, {"lookup", valid},
				{"controls"}, {"controls", "--format", "json"}, {"purge", "--personal-data", "--all"}, {}} {
				r := h.run(strings.NewReader(valid+"\n"), append(args, "--data-dir", dir)...)
				if strings.Contains(r.out, `"verdict"`) {
					t.Errorf("%v: a verdict from a damaged database: %s", args, r.out)
				}
				if r.code != ExitFailure {
					t.Errorf("%v: exit %d, want %d (stdout %q)", args, r.code, ExitFailure, r.out)
				}
				if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "damaged") {
					t.Errorf("%v: stderr %q, want one line saying the database is damaged", args, r.stderr)
				}
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, content) {
				t.Error("the damaged file was changed")
			}
		})
	}
	h.gui = nil
}

// TestPartlyDamagedDatabase: with one page of the file damaged, what does
// not touch it keeps working; what touches it fails in one clear line, and
// a scan that cannot be decided and recorded is NOT RECORDED, never a
// verdict. (Which command meets the page depends on the file's layout: the
// test holds for every page.)
func TestPartlyDamagedDatabase(t *testing.T) {
	dir, h, valid := badStation(t)
	path, good := closedStore(t, dir)
	const page = 4096
	failures := 0
	for off := page; off+page <= len(good); off += 7 * page {
		bad := bytes.Clone(good)
		for i := off; i < off+page; i++ {
			bad[i] = byte(i*7 + 3)
		}
		replaceStore(t, path, bad)
		for _, args := range [][]string{{"scan"}, {"scan", "--helpdesk"}, {"lookup", valid}, {"controls"}, {"purge", "--personal-data", "--all"}} {
			r := h.run(strings.NewReader(valid+"\n"), append(args, "--data-dir", dir)...)
			if r.code != 0 {
				failures++
				if r.code != ExitFailure || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "damaged") {
					t.Errorf("page at %d, %v: exit %d, stderr %q", off, args, r.code, r.stderr)
				}
				continue
			}
			if args[0] != "scan" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(r.out), &m); err != nil {
				t.Errorf("page at %d, %v: %q", off, args, r.out)
			} else if _, ok := m["verdict"]; !ok && !strings.HasPrefix(m["error"].(string), "NOT RECORDED: The ticket database file is damaged") {
				t.Errorf("page at %d, %v: %q", off, args, r.out)
			} else if !ok {
				failures++
			}
		}
	}
	if failures == 0 {
		t.Error("no damaged page was ever met: the test proves nothing")
	}
}

// TestReadOnlyDatabase: a store that cannot be written (a read-only file,
// folder or medium) never answers a scan with a verdict: each scan line
// says NOT RECORDED and scan goes on reading. What it holds is read:
// controls and lookups work (a lookup says on stderr that it cannot be
// audited there); purge and sync say in one line that they cannot write.
//
// Three ways in: SQLite's mode=ro (sqlite.ReadOnly), a folder and files
// made immutable (chattr +i: root writes whatever the mode) or read-only
// by mode (not root), which the store must detect itself.
func TestReadOnlyDatabase(t *testing.T) {
	check := func(t *testing.T, dir, valid string, h *harness) {
		before := snapshot(t, dir)
		r := h.run(strings.NewReader(valid+"\n"+valid+"\n"), "scan", "--data-dir", dir)
		lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
		if r.code != 0 || len(lines) != 2 {
			t.Fatalf("scan: exit %d %q %q", r.code, r.out, r.stderr)
		}
		for _, l := range lines {
			if strings.Contains(l, `"verdict"`) || !strings.Contains(l, `"error":"NOT RECORDED: The ticket database cannot be written`) {
				t.Errorf("scan on a read-only store: %s", l)
			}
		}
		// The helpdesk check writes nothing: it works.
		if r := h.run(strings.NewReader(valid+"\n"), "scan", "--helpdesk", "--data-dir", dir); !strings.Contains(r.out, `"verdict":"ADMIT"`) {
			t.Errorf("helpdesk check on a read-only store: %q %q", r.out, r.stderr)
		}
		r = h.run(nil, "lookup", "--data-dir", dir, valid)
		if r.code != 0 || !strings.Contains(r.out, valid) || !strings.Contains(r.stderr, "not recorded in its audit log") {
			t.Errorf("lookup on a read-only store: exit %d %.200q %q", r.code, r.out, r.stderr)
		}
		if r := h.run(nil, "controls", "--data-dir", dir); r.code != 0 {
			t.Errorf("controls on a read-only store: exit %d %q", r.code, r.stderr)
		}
		r = h.run(nil, "purge", "--personal-data", "--all", "--data-dir", dir)
		wantOneLine(t, r, ExitFailure, "cannot be written")
		r = h.run(nil, "sync", "--once", "--data-dir", dir)
		if r.code != ExitFailure || !strings.Contains(r.stderr, "Cannot record the sync on the disk") && !strings.Contains(r.stderr, "cannot take the sync lock") {
			t.Errorf("sync on a read-only store: exit %d %q", r.code, r.stderr)
		}
		sameFiles(t, before, snapshot(t, dir))
	}

	t.Run("mode=ro", func(t *testing.T) {
		dir, h, valid := badStation(t)
		orig := openStore
		openStore = func(p string) (Store, error) {
			db, err := sqlite.Open(p, sqlite.ReadOnly())
			if err != nil {
				return nil, err
			}
			return db, nil
		}
		defer func() { openStore = orig }()
		check(t, dir, valid, h)
	})
	t.Run("read-only folder", func(t *testing.T) {
		dir, h, valid := badStation(t)
		readonly.Dir(t, dir)
		check(t, dir, valid, h)
	})
}

// TestDiskFull fills the disk under the commands (the real store, capped
// with sqlite.MaxPages so that writes fail with SQLITE_FULL): a sync that
// cannot store says so in one line; scans answer NOT RECORDED in plain
// words, never a verdict that was not recorded; and once the disk is free
// again nothing stored before is lost.
func TestDiskFull(t *testing.T) {
	sim, ep := startSim(t)
	h := newHarness(t, sim.Config().Password)
	t.Setenv(config.PasswordEnv, sim.Config().Password)
	dir := t.TempDir()
	orig := openStore
	t.Cleanup(func() { openStore = orig })
	limit := 0
	openStore = func(p string) (Store, error) {
		if limit == 0 {
			return orig(p)
		}
		db, err := sqlite.Open(p, sqlite.MaxPages(limit))
		if err != nil {
			return nil, err
		}
		return db, nil
	}

	// A first export that does not fit: refused in one line. (The room
	// left is a few pages more than an empty store's.)
	empty := filepath.Join(t.TempDir(), "empty.db")
	db, err := sqlite.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	limit = atoi(t, queryStrings(t, empty, `PRAGMA page_count`)[0]) + 4
	r := h.run(nil, "sync", "--once", "--data-dir", dir, "--environment", "sandbox", "--endpoint", ep,
		"--institution", "INSTIT", "--operator", "gate", "--season", "SEASON26", "--product", "MATCH01,MATCH02")
	wantOneLineIn(t, r, ExitFailure, "disk is full")

	// Room again: the list arrives whole.
	limit = 0
	if r := h.run(nil, "sync", "--once", "--data-dir", dir); r.code != 0 {
		t.Fatalf("sync with room: exit %d %q", r.code, r.stderr)
	}
	var barcodes []string
	sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" {
			barcodes = append(barcodes, it.Barcode)
		}
		return true
	})
	first := h.run(strings.NewReader(strings.Join(barcodes[:3], "\n")+"\n"), "scan", "--data-dir", dir)
	if first.code != 0 || strings.Count(first.out, `"controlId"`) != 3 {
		t.Fatalf("scans with room: %q %q", first.out, first.stderr)
	}

	// The disk fills up: the scans that still fit are recorded, the others
	// are NOT RECORDED; none gets a verdict without its control.
	pages := queryStrings(t, filepath.Join(dir, "s360gate-sandbox.db"), `PRAGMA page_count`)
	limit = atoi(t, pages[0])
	r = h.run(strings.NewReader(strings.Join(barcodes[3:], "\n")+"\n"), "scan", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("scan on a full disk: exit %d %q", r.code, r.stderr)
	}
	var shown []string
	notRecorded := 0
	for _, l := range strings.Split(strings.TrimSuffix(r.out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if id, _ := m["controlId"].(string); id != "" {
			shown = append(shown, id)
			continue
		}
		if _, ok := m["verdict"]; ok || m["error"] != "NOT RECORDED: The ticket database cannot be written: the disk is full" {
			t.Errorf("on a full disk: %s", l)
		}
		notRecorded++
	}
	if notRecorded == 0 {
		t.Fatalf("the disk never filled up (%d scans recorded): the test proves nothing", len(shown))
	}
	if !strings.Contains(r.stderr, "scan not recorded") {
		t.Errorf("the refused scans are not logged: %q", r.stderr)
	}
	r = h.run(nil, "lookup", "--data-dir", dir, barcodes[0])
	if r.code != 0 {
		// The audit entry may not fit: then nothing is shown.
		wantOneLine(t, r, ExitFailure, "disk is full")
	}

	// Free again: everything shown at the gate is there.
	limit = 0
	r = h.run(nil, "controls", "--format", "json", "--data-dir", dir)
	var cs []core.Control
	if err := json.Unmarshal([]byte(r.out), &cs); err != nil {
		t.Fatalf("controls: %v %q", err, r.out)
	}
	have := map[string]bool{}
	for _, c := range cs {
		have[c.ID] = true
	}
	for _, m := range []string{first.out} {
		for _, l := range strings.Split(strings.TrimSuffix(m, "\n"), "\n") {
			var v map[string]any
			json.Unmarshal([]byte(l), &v)
			shown = append(shown, v["controlId"].(string))
		}
	}
	for _, id := range shown {
		if !have[id] {
			t.Errorf("control %s was shown at the gate and is lost", id)
		}
	}
	if len(cs) != len(shown) {
		t.Errorf("%d controls stored, %d shown", len(cs), len(shown))
	}
	if r := h.run(strings.NewReader(barcodes[len(barcodes)-1]+"\n"), "scan", "--data-dir", dir); !strings.Contains(r.out, `"controlId"`) {
		t.Errorf("scan after the disk was freed: %q %q", r.out, r.stderr)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
