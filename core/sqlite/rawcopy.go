package sqlite

import (
	"context"
	"database/sql"
	"os"
	"time"

	"s360gate/core"
)

// RawIngestFrom is the raw store limit measured on a real store's rows, one
// page in memory at a time (RawIngestBaseline needs every page in memory,
// which a million tickets do not fit in a station's budget): it reads the
// tickets of the store at src, page by page in rowid order, and inserts
// each page as RawIngestBaseline does — a fresh database at dst (which must
// not exist) with the same schema, indexes and pragmas as Open, one
// transaction and one prepared plain INSERT per page, rows bound exactly as
// ApplyPage binds them. Only the insert transactions are timed; reading src
// is not. progress (may be nil) is told the rows inserted so far.
//
// src is opened read-only with a small cache and must not be open
// elsewhere for writing: close the store first.
func RawIngestFrom(ctx context.Context, src, dst string, pageSize int, progress func(rows int)) (rows int, took time.Duration, err error) {
	if pageSize <= 0 {
		pageSize = 5000
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
	page := make([]core.Ticket, 0, pageSize)
	var last int64
	for {
		if page, last, err = readPage(ctx, read, page[:0], last, pageSize); err != nil {
			return rows, took, fail(err, "read the tickets")
		}
		if len(page) == 0 {
			return rows, took, nil
		}
		start := time.Now()
		err := to.ingestTx(ctx, "insert the tickets", func(s *ingestSession) error {
			return insertPlain(ctx, s, page)
		})
		took += time.Since(start)
		if err != nil {
			return rows, took, err
		}
		rows += len(page)
		if progress != nil {
			progress(rows)
		}
	}
}

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
