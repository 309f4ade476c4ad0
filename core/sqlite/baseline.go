package sqlite

import (
	"context"
	"database/sql"
	"os"
	"time"

	"s360gate/core"
)

// RawIngestBaseline measures the raw store limit that ApplyPage is compared
// with: it creates a fresh database at path (which must not exist) with the
// very same schema, indexes and pragmas as Open, and inserts the pages, one
// transaction and one prepared plain INSERT per page, binding each row
// exactly as ApplyPage does. The duration covers the transactions only.
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
		tx, err := db.writeTx(ctx, "insert the tickets")
		if err != nil {
			return 0, err
		}
		// Plain inserts: no conflict handling, no cursor.
		batch, err := tx.PrepareContext(ctx, insertTicketSQL(batchRows))
		if err == nil {
			var one *sql.Stmt
			if one, err = tx.PrepareContext(ctx, insertTicketSQL(1)); err == nil {
				err = writeTickets(ctx, page, batch, one, nil)
				one.Close()
			}
			batch.Close()
		}
		if err := db.commit(tx, err, "insert the tickets"); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
