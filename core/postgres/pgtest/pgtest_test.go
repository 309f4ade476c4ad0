//go:build linux

package pgtest

import (
	"context"
	"os"
	"testing"

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
