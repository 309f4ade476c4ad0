package sqlite

import (
	"context"
	"database/sql"
	"os"
	"time"

	"s360gate/core"
)

// RawIngestFrom is the raw store limit measured on a real store's rows (a
// million tickets do not fit in a station's memory budget, so
// RawIngestBaseline's pages in memory are not an option): it reads the
// tickets of the store at src in rowid order and inserts them as
// RawIngestBaseline does — a fresh database at dst (which must not exist)
// with the same schema, indexes and pragmas as Open, one prepared plain
// INSERT per transaction of txnRows tickets, rows bound exactly as an export
// binds them. The rows are read readRows at a time whatever txnRows is,
// so that measuring the export's big transactions does not hold 200,000
// tickets in memory. Only the writing is timed, not the reading of src.
// progress (may be nil) is told the rows inserted so far.
//
// src is opened read-only with a small cache and must not be open
// elsewhere for writing: close the store first.
func RawIngestFrom(ctx context.Context, src, dst string, txnRows int, progress func(rows int)) (rows int, took time.Duration, err error) {
	if txnRows <= 0 {
		txnRows = 5000
	}
	if _, err := os.Stat(dst); err == nil {
		return 0, 0, core.Errorf(core.EInvalid, "RawIngestFrom needs a new file; %s exists", dst)
	}
	from, err := Open(src, ReadOnly(), Readers(1), CacheKiB(2048))
	if err != nil {
		return 0, 0, err
	}
	defer from.Close()
	to, err := Open(dst)
	if err != nil {
		return 0, 0, err
	}
	defer to.Close()
	read, err := from.r.PrepareContext(ctx, `SELECT rowid, `+ticketCols+` FROM tickets WHERE rowid > ? ORDER BY rowid LIMIT ?`)
	if err != nil {
		return 0, 0, fail(err, "read the tickets")
	}
	defer read.Close()
	chunk := min(txnRows, readRows)
	page := make([]core.Ticket, 0, chunk)
	var last int64
	for {
		// One transaction: up to txnRows tickets, read chunk by chunk.
		start := time.Now()
		s, err := to.beginIngest(ctx, "insert the tickets")
		if err != nil {
			return rows, took, err
		}
		ins := newPlainInserts()
		took += time.Since(start)
		inTxn := 0
		for inTxn < txnRows {
			if page, last, err = readPage(ctx, read, page[:0], last, min(chunk, txnRows-inTxn)); err != nil {
				ins.close(s.conn)
				s.release()
				return rows, took, fail(err, "read the tickets")
			}
			if len(page) == 0 {
				break
			}
			start := time.Now()
			err := ins.write(ctx, s, page)
			took += time.Since(start)
			if err != nil {
				ins.close(s.conn)
				s.release()
				return rows, took, fail(err, "insert the tickets")
			}
			inTxn += len(page)
			rows += len(page)
			if progress != nil {
				progress(rows)
			}
		}
		start = time.Now()
		ins.close(s.conn)
		err = s.commit()
		s.release()
		took += time.Since(start)
		if err != nil {
			return rows, took, fail(err, "insert the tickets")
		}
		if inTxn < txnRows {
			return rows, took, nil
		}
	}
}

// readRows is how many tickets RawIngestFrom holds in memory at once.
const readRows = 5000

// readPage reads up to n tickets after rowid last into page.
func readPage(ctx context.Context, q *sql.Stmt, page []core.Ticket, last int64, n int) ([]core.Ticket, int64, error) {
	rs, err := q.QueryContext(ctx, last, n)
	if err != nil {
		return page, last, err
	}
	defer rs.Close()
	for rs.Next() {
		var t core.Ticket
		var sc rowidScanner
		sc.rows, sc.rowid = rs, &last
		if err := scanTicket(&sc, &t); err != nil {
			return page, last, err
		}
		page = append(page, t)
	}
	return page, last, rs.Err()
}

// rowidScanner reads a leading rowid column before scanTicket's columns.
type rowidScanner struct {
	rows  *sql.Rows
	rowid *int64
}

func (s *rowidScanner) Scan(dest ...any) error {
	return s.rows.Scan(append([]any{s.rowid}, dest...)...)
}
