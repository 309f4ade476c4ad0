package postgres

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"s360gate/core"
)

// fail gives err words (nil stays nil). doing says what was being done,
// e.g. "record the scan". The words depend on what went wrong, because "the
// venue database cannot be reached" and "its disk is full" call for
// different actions; a station that cannot reach the venue decides from its
// local copy (issue 16), so EUnavailable is what it keys on.
func fail(err error, doing string) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err // already has words
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return core.Wrap(core.EUnavailable, err, "Could not %s in time (the venue database did not answer)", doing)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgFail(err, pe, doing)
	}
	var ne net.Error
	var ce2 *pgconn.ConnectError
	if errors.As(err, &ce2) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || isClosed(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) { // the connection cut mid-answer
		return core.Wrap(core.EUnavailable, err, "The venue database cannot be reached; could not %s", doing)
	}
	return core.Wrap(core.EInternal, err, "Could not %s", doing)
}

func pgFail(err error, pe *pgconn.PgError, doing string) error {
	switch pe.Code {
	case "53100": // disk_full
		return core.Wrap(core.EUnavailable, err, "The venue database cannot be written: its disk is full")
	case "53200", "53300", "53400": // out of memory, too many connections, configuration limit
		return core.Wrap(core.EUnavailable, err, "The venue database is overloaded (%s); could not %s", pe.Message, doing)
	case "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004":
		return core.Wrap(core.EUnavailable, err, "The venue database is restarting or cannot be reached; could not %s", doing)
	case "40001", "40P01", "55P03": // serialization, deadlock, lock not available
		return core.Wrap(core.EUnavailable, err, "The venue database is busy; could not %s, try again", doing)
	case "25006": // read_only_sql_transaction: a standby
		return core.Wrap(core.EUnavailable, err, "The venue database is read-only (a standby server?); could not %s", doing)
	case "28000", "28P01":
		return core.Wrap(core.EAuth, err, "The venue database refused the user name or password")
	case "3D000":
		return core.Wrap(core.ENotFound, err, "The venue database does not exist (create it first; see the README's Venue mode)")
	case "42501":
		return core.Wrap(core.EAuth, err, "The venue database user is not allowed to %s (make it the database's owner)", doing)
	}
	switch pe.Code[:2] {
	case "23", "22": // integrity constraint, data exception
		return core.Wrap(core.EInvalid, err, "Could not %s: the data breaks a rule of the database", doing)
	case "57": // operator intervention: query canceled, shutdown
		return core.Wrap(core.EUnavailable, err, "Could not %s: interrupted by the venue database", doing)
	case "08":
		return core.Wrap(core.EUnavailable, err, "The venue database cannot be reached; could not %s", doing)
	}
	return core.Wrap(core.EInternal, err, "Could not %s", doing)
}

// isClosed: the pool or the connection was closed under the call.
func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed) || err.Error() == "closed pool" || err.Error() == "conn closed"
}

// ErrFenced is in the chain of every write refused because the writer is
// not, or no longer, the venue's syncer (errors.Is(err, ErrFenced)).
var ErrFenced = errors.New("fenced: not the current syncer")
