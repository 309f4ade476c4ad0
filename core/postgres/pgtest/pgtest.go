//go:build linux

// Package pgtest starts a real PostgreSQL server for a test binary and gives
// each test a fresh database on it. No mock: the venue store is tested
// against the server it runs on at a venue (Debian's `postgresql` package).
//
// One server per test binary (core/postgres/pgserver), started by TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and one database per test (NewDatabase), created from template0 and
// dropped when the test ends. The server is started at the first test that
// asks for a database, and stopped when the tests end — or killed with the
// test binary, so no server is left behind.
//
// Without PostgreSQL installed, the tests that need it fail with a message
// saying how to install it when the environment variable CI is set or the
// tests are built with `-tags ci` (the README's test command, which installs
// it); otherwise (a developer's plain `go test ./...`) they are skipped with
// that message.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"s360gate/core/postgres/pgserver"
)

// Server is a running PostgreSQL cluster (pgserver.Server).
type Server = pgserver.Server

var (
	startOnce sync.Once
	server    *Server
	startErr  error
)

// Main starts the server (lazily: only if a test asks for a database), runs
// the tests and stops it. Use it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// Shared is the test binary's server, started at the first call. It fails
// (or skips, see the package comment) t when PostgreSQL cannot be started.
func Shared(t testing.TB) *Server {
	t.Helper()
	startOnce.Do(func() { server, startErr = pgserver.Start() })
	if startErr != nil {
		if Required() {
			t.Fatalf("pgtest: %v", startErr)
		}
		t.Skipf("pgtest: %v (skipped: set CI or build with -tags ci to make this a failure)", startErr)
	}
	return server
}

// NewDatabase creates an empty database on the shared server and returns
// its DSN (it works from subprocesses too); the database is dropped when t
// ends (after the cleanups t registers later, such as closing the store).
func NewDatabase(t testing.TB) string {
	t.Helper()
	s := Shared(t)
	dsn, drop, err := s.CreateDatabase(context.Background())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dsn
}

// Required reports whether a missing PostgreSQL is a failure rather than a
// reason to skip.
func Required() bool { return os.Getenv("CI") != "" || builtForCI }
