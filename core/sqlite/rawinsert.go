package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// The multi-row ticket INSERT runs on the driver's statement directly, not
// through database/sql: for its 3,200 arguments database/sql converts and
// checks every value once more and copies them into a new slice on every
// execution, about a tenth of the store's time in a million-ticket export
// (pprof of s360gate bench). Our arguments are already driver values
// (string, int64, []byte, nil: see binder), so nothing is lost.

// driverInsert is a statement prepared on the writing connection's driver
// connection, reused while that connection lives.
type driverInsert struct {
	query string

	mu   sync.Mutex
	on   any // the driver connection it was prepared on
	stmt driver.Stmt
}

// exec runs the statement on conn's driver connection (within the
// transaction open on it) with args.
func (d *driverInsert) exec(ctx context.Context, conn *sql.Conn, args []driver.NamedValue) (res driver.Result, err error) {
	err = conn.Raw(func(dc any) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.on != dc || d.stmt == nil {
			// A new connection (the previous one was dropped): the old
			// statement died with it.
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("sqlite driver without PrepareContext")
			}
			st, err := p.PrepareContext(ctx, d.query)
			if err != nil {
				return err
			}
			d.on, d.stmt = dc, st
		}
		x, ok := d.stmt.(driver.StmtExecContext)
		if !ok {
			return errors.New("sqlite driver without StmtExecContext")
		}
		res, err = x.ExecContext(ctx, args)
		return err
	})
	return res, err
}

// close finalises the statement on the driver connection it belongs to,
// which must be conn's (SQLite cannot close a connection with a live
// statement: its file would stay open and the WAL unmerged).
func (d *driverInsert) close(conn *sql.Conn) {
	conn.Raw(func(dc any) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.stmt != nil && d.on == dc {
			d.stmt.Close()
		}
		d.on, d.stmt = nil, nil
		return nil
	})
}
