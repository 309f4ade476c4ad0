package postgres

import (
	"context"
	"os"
	"testing"

	"s360gate/core/postgres/pgtest"
	"s360gate/core/storetest"
)

// One PostgreSQL server for this test binary (pgtest), one database per
// test.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var ctx = context.Background()

// fresh makes a new empty database and returns how to open it: every call
// is a new handle (a station, a process), closed when the test ends.
func fresh(t testing.TB) func(t testing.TB, opts ...Option) *DB {
	dsn := pgtest.NewDatabase(t)
	return func(t testing.TB, opts ...Option) *DB {
		t.Helper()
		db, err := Open(ctx, dsn, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}

// openTest opens a store on a new database.
func openTest(t testing.TB, opts ...Option) *DB {
	return fresh(t)(t, opts...)
}

// backend is this store for the contract suite.
var backend = storetest.Backend{Fresh: func(t testing.TB) storetest.Opener {
	o := fresh(t)
	return func(t testing.TB) storetest.Store { return o(t) }
}}

func TestContract(t *testing.T) { storetest.Run(t, backend) }
