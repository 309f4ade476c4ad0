//go:build linux

package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Each test gets its own empty database on the one server, and it is gone
// after the test.
func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	var names []string
	for range 2 {
		t.Run("db", func(t *testing.T) {
			c, err := pgx.Connect(ctx, NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			var name string
			var tables int
			if err := c.QueryRow(ctx, `SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')`).Scan(&name, &tables); err != nil {
				t.Fatal(err)
			}
			if tables != 0 {
				t.Fatalf("a new database holds %d tables", tables)
			}
			if _, err := c.Exec(ctx, `CREATE TABLE x (a int)`); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("databases %v", names)
	}
	c, err := pgx.Connect(ctx, Shared(t).DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var left int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = ANY($1)`, names).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d test databases left after their tests (%v)", left, err)
	}
}

// Clusters left by killed test binaries are removed; a live or young one
// is not.
func TestRemoveStale(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, age time.Duration, pid string) string {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(d, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			os.WriteFile(filepath.Join(d, "data", "postmaster.pid"), []byte(pid+"\n/x\n"), 0o600)
		}
		old := time.Now().Add(-age)
		os.Chtimes(d, old, old)
		return d
	}
	dead := mk("s360gate-pg-dead", 2*time.Hour, "999999999")
	nopid := mk("s360gate-pg-nopid", 2*time.Hour, "")
	live := mk("s360gate-pg-live", 2*time.Hour, strconv.Itoa(os.Getpid()))
	young := mk("s360gate-pg-young", time.Minute, "")
	other := mk("other-dir", 2*time.Hour, "")
	removeStale(root)
	for d, want := range map[string]bool{dead: false, nopid: false, live: true, young: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
