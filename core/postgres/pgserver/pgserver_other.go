//go:build !linux

package pgserver

import (
	"context"
	"time"
)

// Server is never started here.
type Server struct{}

// Start refuses: see ErrUnsupported.
func Start() (*Server, error) { return nil, ErrUnsupported }

func (s *Server) Port() int         { return 0 }
func (s *Server) DSN(string) string { return "" }
func (s *Server) CreateDatabase(context.Context) (string, func() error, error) {
	return "", nil, ErrUnsupported
}
func (s *Server) Exec(context.Context, string, ...any) error { return ErrUnsupported }
func (s *Server) Stop() error                                { return nil }
func (s *Server) Restart() error                             { return ErrUnsupported }
func (s *Server) CPUTime() time.Duration                     { return 0 }
