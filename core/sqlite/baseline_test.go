package sqlite

import (
	"context"
	"database/sql"
	"os"
	"time"

	"s360gate/core"
)

// RawIngestBaseline (test-only: BenchmarkRawIngest) measures the raw store
// limit that ApplyPage is compared with: it creates a fresh database at path (which must not exist) with the
// very same schema, indexes and pragmas as Open, and inserts the pages, one
// transaction and one prepared plain INSERT per page, binding each row
// exactly as ApplyPage does and committing the same way (synchronous=NORMAL,
// background checkpoints). The duration covers the transactions only.
func RawIngestBaseline(ctx context.Context, path string, pages [][]core.Ticket) (time.Duration, error) {
	if _, err := os.Stat(path); err == nil {
		return 0, core.Errorf(core.EInvalid, "RawIngestBaseline needs a new file; %s exists", path)
	}
	db, err := Open(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	for _, page := range pages {
		// Plain inserts (no conflict handling, no cursor), in the same kind
		// of transaction as ApplyPage's.
		err := db.ingestTx(ctx, "insert the tickets", func(s *ingestSession) error {
			return insertPlain(ctx, s, page)
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// insertPlain writes page with plain INSERTs (no conflict handling, no
// cursor): the raw store limit the benchmarks compare ApplyPage with.
func insertPlain(ctx context.Context, s *ingestSession, page []core.Ticket) error {
	ins := newPlainInserts()
	defer ins.close(s.conn)
	return ins.write(ctx, s, page)
}

// plainInserts are the plain multi-row INSERTs of one raw transaction.
type plainInserts struct{ batch, one *driverInsert }

func newPlainInserts() plainInserts {
	return plainInserts{&driverInsert{query: insertTicketSQL(batchRows)}, &driverInsert{query: insertTicketSQL(1)}}
}

func (p plainInserts) write(ctx context.Context, s *ingestSession, page []core.Ticket) error {
	return (&ticketWriter{conn: s.conn, batch: p.batch, one: p.one}).write(ctx, page)
}

func (p plainInserts) close(conn *sql.Conn) {
	p.batch.close(conn)
	p.one.close(conn)
}
