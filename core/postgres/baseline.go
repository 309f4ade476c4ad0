package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// RawCopyBaseline measures the raw limit an export's storing is compared
// with: the pages next gives are copied, one transaction per page, into a
// new table made like tickets (same columns, defaults, indexes and
// constraints), with plain COPY: no dedupe, no upsert, no cursor, no fence,
// no count. The table is dropped at the end. The duration covers the
// transactions only, not next.
func (db *DB) RawCopyBaseline(ctx context.Context, next func() ([]core.Ticket, bool)) (n int, took time.Duration, err error) {
	const doing = "measure the raw COPY baseline"
	if _, err := db.pool.Exec(ctx, `DROP TABLE IF EXISTS raw_copy_baseline;
		CREATE TABLE raw_copy_baseline (LIKE tickets INCLUDING ALL)`); err != nil {
		return 0, 0, fail(err, doing)
	}
	defer db.pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS raw_copy_baseline`)
	row := make([]any, 0, len(ticketCopyCols))
	for {
		page, ok := next()
		if !ok {
			return n, took, nil
		}
		start := time.Now()
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"raw_copy_baseline"}, ticketCopyCols,
				pgx.CopyFromSlice(len(page), func(i int) ([]any, error) { return ticketRow(&page[i], row[:0]), nil }))
			return err
		})
		if err != nil {
			return n, took, fail(err, doing)
		}
		took += time.Since(start)
		n += len(page)
	}
}

// Checkpoint has the server write out what earlier work left in its
// buffers, so that a measurement does not pay for the one before it.
func (db *DB) Checkpoint(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `CHECKPOINT`)
	return fail(err, "checkpoint the venue database")
}
