package sqlite

import (
	"path/filepath"
	"testing"

	"s360gate/core/storetest"
)

// TestContract runs the store contract (core/storetest), which the venue's
// PostgreSQL store passes too, on SQLite files: a new file per test, every
// handle a separate Open of it, as separate processes would.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{Fresh: func(t testing.TB) storetest.Opener {
		path := filepath.Join(t.TempDir(), "data", "station.db")
		return func(t testing.TB) storetest.Store {
			t.Helper()
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
	}})
}
