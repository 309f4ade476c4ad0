package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/sqlite"
)

// The raw store limit: the rows of the benchmark's store, inserted
// straight into an identical table with plain INSERTs. It is the
// benchmark's own yardstick, so it lives here, not in the store: the store
// only lends its schema (sqlite.Open makes the file) and its write settings
// (sqlite.WriterDSN).

// rawBatch rows go in one execution of a multi-row INSERT, as the store's
// export writes them.
const rawBatch = 128

// rawReadRows is how many tickets RawIngestFrom holds in memory at once.
const rawReadRows = 5000

// RawIngestFrom is the raw store limit measured on a real store's rows (a
// million tickets do not fit in a station's memory budget): it reads the
// tickets of the store at src in rowid order and inserts them into a fresh
// database at dst (which must not exist) made by the store itself — the
// same schema, indexes and pragmas — with one prepared plain INSERT per
// transaction of txnRows tickets, each row's values exactly as stored.
// The rows are read rawReadRows at a time whatever txnRows is, so that
// measuring the export's big transactions does not hold 200,000 tickets in
// memory. Only the writing is timed, not the reading of src. progress
// (may be nil) is told the rows inserted so far.
//
// src must not be open elsewhere for writing: close the store first.
func RawIngestFrom(ctx context.Context, src, dst string, txnRows int, progress func(rows int)) (rows int, took time.Duration, err error) {
	if txnRows <= 0 {
		txnRows = 5000
	}
	if _, err := os.Stat(dst); err == nil {
		return 0, 0, core.Errorf(core.EInvalid, "RawIngestFrom needs a new file; %s exists", dst)
	}
	made, err := sqlite.Open(dst)
	if err != nil {
		return 0, 0, err
	}
	if err := made.Close(); err != nil {
		return 0, 0, err
	}
	from, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: sqlite.URIPath(src), RawQuery: "mode=ro&_pragma=cache_size(-2048)"}).String())
	if err != nil {
		return 0, 0, err
	}
	defer from.Close()
	to, err := sql.Open("sqlite", sqlite.WriterDSN(dst))
	if err != nil {
		return 0, 0, err
	}
	defer to.Close()
	cols, err := ticketColumns(ctx, from)
	if err != nil {
		return 0, 0, err
	}
	conn, err := to.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	r := rawCopy{conn: conn, cols: cols, txnRows: txnRows, progress: progress}
	r.read, err = from.PrepareContext(ctx, `SELECT rowid, `+strings.Join(cols, ", ")+` FROM tickets WHERE rowid > ? ORDER BY rowid LIMIT ?`)
	if err != nil {
		return 0, 0, err
	}
	defer r.read.Close()
	for {
		n, err := r.transaction(ctx)
		if err != nil || n < txnRows {
			return r.rows, r.took, err
		}
	}
}

// ticketColumns are the columns of the tickets table.
func ticketColumns(ctx context.Context, db *sql.DB) ([]string, error) {
	rs, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info('tickets') ORDER BY cid`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var cols []string
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, errors.New("the store has no tickets table")
	}
	return cols, rs.Err()
}

type rawCopy struct {
	conn     *sql.Conn
	read     *sql.Stmt
	cols     []string
	txnRows  int
	progress func(int)
	last     int64 // rowid of the last row read
	rows     int
	took     time.Duration
}

// transaction copies up to txnRows rows in one transaction, with
// statements prepared for it, and says how many.
func (r *rawCopy) transaction(ctx context.Context) (n int, err error) {
	start := time.Now()
	tx, err := r.conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	batch, one := r.insert(rawBatch), r.insert(1)
	defer func() {
		start := time.Now()
		batch.close(r.conn)
		one.close(r.conn)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		r.took += time.Since(start)
	}()
	r.took += time.Since(start)
	for n < r.txnRows {
		page, err := r.page(ctx, min(rawReadRows, r.txnRows-n))
		if err != nil || len(page) == 0 {
			return n, err
		}
		start, got := time.Now(), len(page)
		for len(page) >= rawBatch {
			if err := batch.exec(ctx, r.conn, page[:rawBatch]); err != nil {
				return n, err
			}
			page = page[rawBatch:]
			n += rawBatch
		}
		for _, row := range page {
			if err := one.exec(ctx, r.conn, [][]any{row}); err != nil {
				return n, err
			}
			n++
		}
		r.took += time.Since(start)
		r.rows += got
		if r.progress != nil {
			r.progress(r.rows)
		}
	}
	return n, nil
}

// page reads up to n rows after the last one, as stored.
func (r *rawCopy) page(ctx context.Context, n int) ([][]any, error) {
	rs, err := r.read.QueryContext(ctx, r.last, n)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out [][]any
	for rs.Next() {
		vals := make([]any, len(r.cols))
		dest := make([]any, len(vals)+1)
		dest[0] = &r.last
		for i := range vals {
			dest[i+1] = &vals[i]
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rs.Err()
}

// rawInsert is a plain multi-row INSERT prepared on the driver's
// connection: database/sql would convert and copy its thousands of
// arguments once more on every execution, which the store's own export
// does not pay either (core/sqlite/rawinsert.go).
type rawInsert struct {
	query string
	on    any
	stmt  driver.Stmt
}

func (r *rawCopy) insert(rows int) *rawInsert {
	row := "(" + strings.Repeat("?,", len(r.cols)-1) + "?)"
	return &rawInsert{query: "INSERT OR FAIL INTO tickets (" + strings.Join(r.cols, ", ") + ") VALUES " +
		strings.Repeat(row+",", rows-1) + row}
}

func (ri *rawInsert) exec(ctx context.Context, conn *sql.Conn, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		if ri.stmt == nil {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("sqlite driver without PrepareContext")
			}
			st, err := p.PrepareContext(ctx, ri.query)
			if err != nil {
				return err
			}
			ri.on, ri.stmt = dc, st
		}
		x, ok := ri.stmt.(driver.StmtExecContext)
		if !ok {
			return errors.New("sqlite driver without StmtExecContext")
		}
		args := make([]driver.NamedValue, 0, len(rows)*len(rows[0]))
		for _, row := range rows {
			for _, v := range row {
				args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
			}
		}
		_, err := x.ExecContext(ctx, args)
		return err
	})
}

func (ri *rawInsert) close(conn *sql.Conn) {
	conn.Raw(func(dc any) error {
		if ri.stmt != nil && ri.on == dc {
			ri.stmt.Close()
		}
		ri.stmt = nil
		return nil
	})
}
