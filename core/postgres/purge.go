package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// PurgePersonalData deletes holder identity from the venue's store: from
// every ticket when before is zero, otherwise from tickets whose validity
// ended before it (a ticket without a validity end is only purged by a full
// purge). As in core/sqlite:
//   - the holder columns and the folded name keys are set to NULL;
//   - the raw item is rewritten without its holder keys (core.StripHolder);
//     if that cannot be done with certainty it is dropped (NULL);
//   - dispute-desk searches (the audit log) made before that time lose
//     their query text (who searched and when stays).
//
// Each purged ticket gets a new change position, so that stations' local
// copies purge it too when they catch up. Work is done in transactions of
// purgeChunk tickets so that scans go on meanwhile; a purge interrupted
// half-way is finished by running it again. Then the tables are vacuumed,
// so that the old row versions' space is marked free for reuse; PostgreSQL
// does not zero it (VACUUM FULL would, but it locks the tables against
// every gate for its duration), so the old bytes stay in the server's data
// files until overwritten. It returns how many tickets were purged.
func (db *DB) PurgePersonalData(ctx context.Context, before time.Time) (int, error) {
	const doing = "delete the personal data"
	all := before.IsZero()
	total := 0
	after := "" // barcodes up to this one are done
	for {
		n, last, err := db.purgeChunk(ctx, all, before, after)
		total += n
		if err != nil {
			return total, fail(err, doing)
		}
		if last == "" {
			break
		}
		after = last
	}
	var cut any = "infinity"
	if !all {
		cut = before
	}
	if _, err := db.pool.Exec(ctx, `UPDATE audit SET query = '(deleted)'
		WHERE at < $1::timestamptz AND query <> '(deleted)'`, cut); err != nil {
		return total, fail(err, doing)
	}
	// Best effort: the rows are deleted whether or not this runs now
	// (autovacuum would, later).
	db.pool.Exec(ctx, `VACUUM tickets, audit`)
	return total, nil
}

const purgeChunk = 2000

// purgeChunk purges up to purgeChunk tickets after barcode `after` (in the
// primary key's order); last is the last barcode looked at ("" when there
// were none left).
func (db *DB) purgeChunk(ctx context.Context, all bool, before time.Time, after string) (n int, last string, err error) {
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// Rows with recognised holder data, and rows whose raw item
		// mentions a holder-like key the decoder might not have recognised.
		rows, err := tx.Query(ctx, `SELECT barcode, raw, coalesce(holder_first_name, ''),
			coalesce(holder_last_name, ''), coalesce(holder_id_number, ''),
			coalesce(holder_birth_date, ''), coalesce(holder_country_code, '')
			FROM tickets WHERE barcode > $1 AND ($2 OR valid_to < $3)
			ORDER BY barcode LIMIT $4`, after, all, nt(before), purgeChunk)
		if err != nil {
			return err
		}
		type row struct {
			barcode string
			raw     []byte
			values  []string
		}
		var todo []row
		for rows.Next() {
			var r row
			var f, l, id, b, c string
			if err := rows.Scan(&r.barcode, &r.raw, &f, &l, &id, &b, &c); err != nil {
				rows.Close()
				return err
			}
			last = r.barcode
			r.values = []string{f, l, id, b, c}
			if strings.Join(r.values, "") != "" || core.Holderish(r.raw) {
				todo = append(todo, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, r := range todo {
			var raw any
			if s := core.StripHolder(r.raw, r.values); s != nil {
				raw = s
			}
			b.Queue(`UPDATE tickets SET holder_first_name = NULL, holder_last_name = NULL,
				holder_id_number = NULL, holder_birth_date = NULL, holder_country_code = NULL,
				first_key = NULL, last_key = NULL, raw = $1, `+bumpChange+` WHERE barcode = $2`, raw, r.barcode)
		}
		n = len(todo)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, "", err
	}
	return n, last, nil
}
