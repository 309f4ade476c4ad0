package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"s360gate/core"
)

// Every error this package returns is a *core.Error: plain words for the
// supervisor's screen, the SQLite error kept underneath for the log. The
// words depend on what SQLite says went wrong, because "the disk is full"
// and "the file is damaged" call for different actions at a gate.

// querier is a *sql.DB, *sql.Conn or *sql.Tx, for one-row reads.
type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// fail wraps err (nil stays nil). doing says what was being done, in words,
// e.g. "record the scan"; it is used when SQLite's error is not one of the
// well-known conditions.
func fail(err error, doing string) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err // already has words
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.Wrap(core.EUnavailable, err, "Could not %s in time", doing)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return core.Wrap(core.EInternal, err, "Could not %s", doing)
	}
	switch se.Code() & 0xff { // primary code; the extended part is detail
	case sqlite3.SQLITE_FULL:
		return core.SayWrap(core.EUnavailable, err, "store.err.full", nil)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
		return core.SayWrap(core.EUnavailable, err, "store.err.readOnly", nil)
	case sqlite3.SQLITE_IOERR:
		return core.SayWrap(core.EUnavailable, err, "store.err.io", nil)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return core.SayWrap(core.EInternal, err, "store.err.damaged", nil)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return core.SayWrap(core.EUnavailable, err, "store.err.busy", nil)
	case sqlite3.SQLITE_CANTOPEN:
		return core.SayWrap(core.EUnavailable, err, "store.err.cantOpen", nil)
	case sqlite3.SQLITE_CONSTRAINT:
		return core.Wrap(core.EInvalid, err, "Could not %s: the data breaks a rule of the database", doing)
	case sqlite3.SQLITE_INTERRUPT:
		return core.Wrap(core.EUnavailable, err, "Could not %s: interrupted", doing)
	}
	return core.Wrap(core.EInternal, err, "Could not %s", doing)
}
