package sqlite

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"s360gate/core"
	"s360gate/core/internal/readonly"
)

func TestOpenNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "station.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if runtime.GOOS == "windows" {
			break // Go shows no mode there: the data folder's ACL keeps it private (core/config)
		}
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, st.Mode().Perm(), err, want)
		}
	}
	var v, n int
	db.r.QueryRow(`SELECT max(version), count(*) FROM schema_version`).Scan(&v, &n)
	if v != SchemaVersion() || n != SchemaVersion() || v < 1 {
		t.Fatalf("schema version %d (%d rows), want %d", v, n, SchemaVersion())
	}
	var mode string
	var sync, fk int
	db.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	db.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	if mode != "wal" || sync != 2 || fk != 1 {
		t.Fatalf("journal %s synchronous %d foreign_keys %d", mode, sync, fk)
	}
}

func TestOpenExisting(t *testing.T) {
	db, path := openTest(t)
	apply(t, db, tk("1"))
	db.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	db.r.QueryRow(`SELECT count(*) FROM schema_version`).Scan(&n)
	if n != SchemaVersion() {
		t.Fatalf("migrations applied again: %d rows", n)
	}
	if _, err := db.Ticket(ctx, "1"); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateUpgrade runs a later migration on an existing database, then
// shows that an older program refuses the upgraded file.
func TestMigrateUpgrade(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"))
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	next := append(ms, migration{Version: len(ms) + 1, Name: "9999_test.sql", SQL: `ALTER TABLE tickets ADD COLUMN note TEXT;
		UPDATE tickets SET note = 'migrated';`})
	for range 2 { // the second run has nothing to do
		if err := migrateTo(ctx, db.w, false, next); err != nil {
			t.Fatal(err)
		}
	}
	var note string
	var n int
	db.w.QueryRow(`SELECT note FROM tickets WHERE barcode = '1'`).Scan(&note)
	db.w.QueryRow(`SELECT count(*) FROM schema_version`).Scan(&n)
	if note != "migrated" || n != len(next) {
		t.Fatalf("note %q, %d versions", note, n)
	}
	err = migrateTo(ctx, db.w, false, ms)
	if ce := wantCode(t, err, core.EInvalid); !strings.Contains(ce.Message, "newer s360gate") {
		t.Fatalf("message %q", ce.Message)
	}
	// A failing migration leaves the schema as it was.
	bad := append(next, migration{Version: len(next) + 1, Name: "10000_bad.sql", SQL: `CREATE TABLE x (a); SELECT nonsense FROM nowhere;`})
	if err := migrateTo(ctx, db.w, false, bad); err == nil {
		t.Fatal("bad migration applied")
	}
	db.w.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'x'`).Scan(&n)
	if n != 0 {
		t.Fatal("half a migration left behind")
	}
}

func TestOpenNewerRefused(t *testing.T) {
	db, path := openTest(t)
	db.w.Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (99, '0099_future.sql', 0)`)
	db.Close()
	_, err := Open(path)
	if ce := wantCode(t, err, core.EInvalid); !strings.Contains(ce.Message, "newer s360gate") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestOpenForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	other.Exec(`CREATE TABLE tickets (id INTEGER PRIMARY KEY, what TEXT)`)
	other.Close()
	_, err = Open(path)
	if ce := wantCode(t, err, core.EInvalid); !strings.Contains(ce.Message, "another program") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestOpenCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "station.db")
	garbage := []byte(strings.Repeat("this is not a database, just garbage bytes. ", 400))
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	if ce := wantCode(t, err, core.EInternal); !strings.Contains(ce.Message, "damaged") {
		t.Fatalf("message %q", ce.Message)
	}
	// A real database damaged in its middle.
	db, path := openTest(t)
	var ts []core.Ticket
	for i := range 3000 {
		ts = append(ts, genTicket(i))
	}
	apply(t, db, ts...)
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	f.WriteAt(garbage[:16384], st.Size()/2)
	f.Close()
	db, err = Open(path)
	if err == nil {
		defer db.Close()
		// Pages are read when needed: the damage shows on use, in words.
		_, err = db.Lookup(ctx, "Ada", 0)
		for i := 0; err == nil && i < 3000; i += 7 {
			_, err = db.Ticket(ctx, barcodeOf(i))
		}
		if err == nil {
			var ok string
			if err = db.w.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err == nil && ok == "ok" {
				t.Fatal("damage not detected")
			}
		}
	}
	if err != nil {
		t.Log(err)
		wantCode(t, err, core.EInternal)
	}
}

func TestReadOnly(t *testing.T) {
	db, path := openTest(t)
	apply(t, db, tk("1"))
	db.Close()
	os.Chmod(path, 0o400)
	ro, err := Open(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Ticket(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	v, err := ro.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day})
	if ce := wantCode(t, err, core.EUnavailable); !strings.Contains(ce.Message, "cannot be written") || v.Outcome != "" {
		t.Fatalf("read-only scan: %v, verdict %+v", ce, v)
	}
	// A helpdesk check only reads: it works.
	if v, err := ro.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day, Helpdesk: true}); err != nil || v.Outcome != core.Admit {
		t.Fatalf("helpdesk on read-only: %+v %v", v, err)
	}
	wantCode(t, ro.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{tk("2")}}), core.EUnavailable)
}

// TestReadOnlyFile is the file-system case: a database file the process
// may not write. Root writes files whatever their mode, so as root the
// file is made immutable (chattr +i) instead.
func TestReadOnlyFile(t *testing.T) {
	db, path := openTest(t)
	apply(t, db, tk("1"))
	db.Close()
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
			t.Skipf("cannot make the file read-only as root: %v %s", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
	} else {
		os.Chmod(path, 0o400)
	}
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
		f.Close()
		t.Skip("the file is still writable")
	}
	db, err := Open(path)
	if err != nil {
		t.Logf("Open refused: %v", err)
		wantCode(t, err, core.EUnavailable) // refusing at Open is clear too
		return
	}
	defer db.Close()
	v, err := db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day})
	if ce := wantCode(t, err, core.EUnavailable); !strings.Contains(ce.Message, "cannot be written") || v.Outcome != "" {
		t.Fatalf("scan of a read-only file: %v, verdict %+v", ce, v)
	}
	if v, err := db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day, Helpdesk: true}); err != nil || v.Outcome != core.Admit {
		t.Fatalf("helpdesk on a read-only file: %+v %v", v, err)
	}
	wantCode(t, db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{tk("2")}}), core.EUnavailable)
}

// TestDiskFull: a scan that cannot be recorded is an error, never an ADMIT.
func TestDiskFull(t *testing.T) {
	db, _ := openTest(t)
	// The fillers' controls are admissions like ticket 1's, so that they
	// fill the same tables and indexes: no room is left for it either.
	tickets := []core.Ticket{tk("1")}
	for i := range 2000 {
		tickets = append(tickets, tk("f"+itoa(i)))
	}
	apply(t, db, tickets...)
	var pages int
	db.w.QueryRow(`PRAGMA page_count`).Scan(&pages)
	if _, err := db.w.Exec(`PRAGMA max_page_count = ` + itoa(pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	var v core.Verdict
	for i := 0; i < 2000 && err == nil; i++ { // until the free pages are used up
		v, err = db.Scan(ctx, core.ScanRequest{Code: "f" + itoa(i), Checkpoint: checkpoint("A"), Now: day})
	}
	if ce := wantCode(t, err, core.EUnavailable); !strings.Contains(ce.Message, "disk is full") {
		t.Fatalf("message %q", ce.Message)
	}
	if v.Outcome != "" {
		t.Fatalf("verdict %+v with an error", v)
	}
	// The ticket was not admitted silently.
	_, err = db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day})
	wantCode(t, err, core.EUnavailable)
	db.w.Exec(`PRAGMA max_page_count = 1000000000`)
	wantVerdict(t, scan(t, db, "1", checkpoint("A"), day), core.Admit, core.ReasonOK)
}

// TestMigrate0003: a store of schema 2 (holders stored with typographic
// apostrophes, a sync state) gets the zone columns, its search keys folded
// as fold does now, and the indexes of names of several words, which the
// search uses.
func TestMigrate0003(t *testing.T) {
	path, old := oldStore(t, 2)
	if _, err := old.Exec(`INSERT INTO tickets (barcode, state, holder_first_name, holder_last_name, first_key, last_key, updated_at)
		VALUES ('1', 'VALID', 'Niamh', 'O’Brien', 'niamh', 'o’brien', 0), ('2', 'VALID', 'Tomás', 'Da Silva', 'tomas', 'da silva', 0);
		UPDATE sync_state SET last_cycle = 42 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.SyncState(ctx)
	if err != nil || st.LastCycle.UnixMicro() != 42 || st.TimeZone != "" {
		t.Fatalf("state %+v %v", st, err)
	}
	for q, want := range map[string]string{"O'Brien": "1", "Brien": "1", "Silva": "2"} {
		if rs, err := db.Lookup(ctx, q, 0); err != nil || len(rs) != 1 || rs[0].Ticket.Barcode != want {
			t.Errorf("%q after the upgrade: %v %v", q, barcodes(rs), err)
		}
	}
}

// TestReadOnlyMedium: a folder (and its database) that cannot be written,
// as on a write-protected stick: Open reads it (immutable when SQLite
// cannot make its -shm file there) and every write says why.
func TestReadOnlyMedium(t *testing.T) {
	db, path := openTest(t)
	apply(t, db, tk("1"))
	db.Close()
	readonly.Dir(t, filepath.Dir(path))
	db, err := Open(path)
	if err != nil {
		t.Fatalf("a read-only medium is not read: %v", err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Fatal("not flagged read-only")
	}
	if tk, err := db.Ticket(ctx, "1"); err != nil || tk.Barcode != "1" {
		t.Fatalf("read: %+v %v", tk, err)
	}
	v, err := db.Scan(ctx, core.ScanRequest{Code: "1", Checkpoint: checkpoint("A"), Now: day})
	if ce := wantCode(t, err, core.EUnavailable); !strings.Contains(ce.Message, "cannot be written") || v.Outcome != "" {
		t.Fatalf("scan: %v, verdict %+v", ce, v)
	}
}
