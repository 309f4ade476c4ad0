package pgserver

import "errors"

// ErrUnsupported: starting a server of its own is done on Linux only (it
// relies on running postgres as another user and on the parent-death
// signal); elsewhere, give the bench a database (--venue-db), and the tests
// that need a server are skipped.
var ErrUnsupported = errors.New("starting a PostgreSQL server of its own is only done on Linux: give a database instead")
