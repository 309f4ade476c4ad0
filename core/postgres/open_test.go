package postgres

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
	"s360gate/core/postgres/pgtest"
)

// exec runs SQL on dsn's database outside the store (to set up a situation).
func exec(t testing.TB, dsn, sql string, args ...any) {
	t.Helper()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}

// schemaRows is the migrations recorded in the database.
func schemaRows(t testing.TB, db *DB) []int {
	t.Helper()
	rows, err := db.pool.Query(ctx, `SELECT version FROM s360gate_schema ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestOpenNew(t *testing.T) {
	db := openTest(t)
	if vs := schemaRows(t, db); len(vs) != SchemaVersion() || vs[len(vs)-1] != SchemaVersion() {
		t.Fatalf("schema versions %v, want 1…%d", vs, SchemaVersion())
	}
	if c, err := db.TicketCounts(ctx); err != nil || c != (core.TicketCounts{}) {
		t.Fatalf("counts %+v, %v", c, err)
	}
}

// Stations starting together on an empty database: the advisory lock lets
// one upgrade while the others wait, and all of them open it.
func TestOpenConcurrentMigrations(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	const n = 8
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Open directly (not through open's t.Fatal, from a goroutine).
			dbs[i], errs[i] = Open(ctx, dsn)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	if vs := schemaRows(t, dbs[0]); len(vs) != SchemaVersion() {
		t.Fatalf("migrations recorded %v: applied more than once or not at all", vs)
	}
	apply := func(db *DB, code string) {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{{Barcode: code, State: core.StateValid}}, Cursor: code}); err != nil {
			t.Fatal(err)
		}
	}
	apply(dbs[0], "1")
	apply(dbs[n-1], "2")
	if c, _ := dbs[3].TicketCounts(ctx); c.Valid != 2 {
		t.Fatalf("counts %+v through another handle", c)
	}
}

// A database written by a newer s360gate is refused in words, and nothing
// is changed in it.
func TestOpenNewerRefused(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	next := SchemaVersion() + 1
	exec(t, dsn, `INSERT INTO s360gate_schema (version, name) VALUES ($1, 'future')`, next)
	_, err = Open(ctx, dsn)
	ce := wantCode(t, err, core.EInvalid)
	if !strings.Contains(ce.Message, "newer s360gate") || !strings.Contains(ce.Message, fmt.Sprint(next)) {
		t.Fatalf("message %q", ce.Message)
	}
}

// Another program's database is not "upgraded" into ours.
func TestOpenForeignDatabase(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	exec(t, dsn, `CREATE TABLE invoices (id int)`)
	_, err := Open(ctx, dsn)
	ce := wantCode(t, err, core.EInvalid)
	if !strings.Contains(ce.Message, "another program") {
		t.Fatalf("message %q", ce.Message)
	}
	c, _ := pgx.Connect(ctx, dsn)
	defer c.Close(ctx)
	var ours bool
	c.QueryRow(ctx, `SELECT to_regclass('tickets') IS NOT NULL`).Scan(&ours)
	if ours {
		t.Fatal("our tables were created beside another program's")
	}
}

// An upgrade applies the missing migrations in order, in one transaction:
// a failing one leaves the previous schema whole.
func TestMigrateUpgrade(t *testing.T) {
	db := openTest(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	bad := append(ms, migration{Version: len(ms) + 1, Name: "x_add.sql", SQL: `ALTER TABLE tickets ADD COLUMN note text`},
		migration{Version: len(ms) + 2, Name: "x_bad.sql", SQL: `ALTER TABLE nowhere ADD COLUMN x int`})
	err = db.migrateTo(ctx, bad)
	if err == nil || !strings.Contains(core.ErrorMessage(err), "x_bad.sql") {
		t.Fatalf("failing migration: %v", err)
	}
	if vs := schemaRows(t, db); len(vs) != len(ms) {
		t.Fatalf("versions %v after a failed upgrade", vs)
	}
	var has bool
	db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'note')`).Scan(&has)
	if has {
		t.Fatal("a failed upgrade left half its changes")
	}
	good := append(ms, migration{Version: len(ms) + 1, Name: "x_add.sql", SQL: `ALTER TABLE tickets ADD COLUMN note text`})
	if err := db.migrateTo(ctx, good); err != nil {
		t.Fatal(err)
	}
	if vs := schemaRows(t, db); len(vs) != len(ms)+1 {
		t.Fatalf("versions %v after the upgrade", vs)
	}
	// and the schema this program knows is now older than the database's
	_, err = Open(ctx, db.pool.Config().ConnString())
	wantCode(t, err, core.EInvalid)
}

func TestOpenErrors(t *testing.T) {
	srv := pgtest.Shared(t)
	for _, tc := range []struct {
		dsn, code, words string
	}{
		{"", core.EInvalid, "No venue database"},
		{"postgres://u@[bad", core.EInvalid, "not usable"},
		// No TLS to another machine unless the LAN is trusted.
		{"postgres://s360@10.1.2.3/venue?sslmode=disable", core.EInvalid, "without TLS"},
		{"host=venue.example dbname=venue sslmode=prefer", core.EInvalid, "without TLS"},
		{fmt.Sprintf("postgres://postgres@127.0.0.1:%d/no_such_db?sslmode=disable", srv.Port()), core.ENotFound, "does not exist"},
		{"postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", core.EUnavailable, "cannot be reached"},
	} {
		_, err := Open(ctx, tc.dsn)
		if core.ErrorCode(err) != tc.code || !strings.Contains(core.ErrorMessage(err), tc.words) {
			t.Errorf("%q: %v (%s), want %s %q", tc.dsn, err, core.ErrorCode(err), tc.code, tc.words)
		}
		if strings.Contains(fmt.Sprint(err), "pw-secret") {
			t.Errorf("%q: the error shows the password", tc.dsn)
		}
	}
	// A password in the DSN never shows in the error.
	_, err := Open(ctx, "postgres://postgres:pw-secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "pw-secret") {
		t.Fatalf("error %v", err)
	}
	// TLS, or a trusted LAN, passes the transport check.
	for _, dsn := range []string{"postgres://s360@10.1.2.3/venue?sslmode=require", "host=/var/run/postgresql dbname=v"} {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkTransport(&cfg.Config); err != nil {
			t.Errorf("%s refused: %v", dsn, err)
		}
	}
}

// wantCode checks that err is a *core.Error with the code.
func wantCode(t testing.TB, err error, code string) *core.Error {
	t.Helper()
	ce, ok := err.(*core.Error)
	if !ok || ce.Code != code {
		t.Fatalf("error %v (%T), want a *core.Error %s", err, err, code)
	}
	return ce
}
