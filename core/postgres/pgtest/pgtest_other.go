//go:build !linux

// The test server is started the Linux way (a child process run as the
// postgres user, killed with the test binary by Pdeathsig): the venue is
// tested on Linux, where CI runs it. Built elsewhere (the Windows build of
// the headless packages' tests, run under Wine), every test that asks for a
// database is skipped, saying why.

package pgtest

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Server is never started off Linux.
type Server struct{}

var errNotHere = errors.New("the PostgreSQL test server runs on Linux only")

// ErrNotInstalled is what Start answers off Linux too.
var ErrNotInstalled = errNotHere

// Main runs the tests.
func Main(m *testing.M) int { return m.Run() }

// Shared skips t.
func Shared(t testing.TB) *Server {
	t.Helper()
	t.Skipf("pgtest: %v", errNotHere)
	return nil
}

// NewDatabase skips t.
func NewDatabase(t testing.TB) string {
	t.Helper()
	Shared(t)
	return ""
}

// Required is false: off Linux the venue's tests cannot run.
func Required() bool { return false }

// BinDir finds nothing.
func BinDir() (string, error) { return "", errNotHere }

// Start fails.
func Start() (*Server, error) { return nil, errNotHere }

func (s *Server) Port() int         { return 0 }
func (s *Server) DSN(string) string { return "" }
func (s *Server) CreateDatabase(context.Context) (string, func() error, error) {
	return "", nil, errNotHere
}
func (s *Server) Exec(context.Context, string, ...any) error { return errNotHere }
func (s *Server) Stop() error                                { return nil }
func (s *Server) Restart() error                             { return errNotHere }
func (s *Server) CPUTime() time.Duration                     { return 0 }
