package sqlite

import (
	"context"
	"strconv"
	"strings"
	"time"

	"s360gate/core"
)

// PurgePersonalData deletes holder identity from the store: from every
// ticket when before is zero, otherwise from tickets whose validity ended
// before it (a ticket without a validity end is only purged by a full
// purge). Deleted, not hidden:
//   - the holder columns and the folded name keys are set to NULL;
//   - the raw item is rewritten without its holder keys (flat fields and
//     key/value entries such as {"key":"FIRSTNAME",…}); if it cannot be
//     parsed, or any of the holder's values still appears in it, the raw
//     item is dropped altogether (NULL) rather than kept with a trace;
//   - dispute-desk searches (the audit log) made before that time lose
//     their query text (who searched and when stays);
//   - secure_delete zeroes the overwritten bytes inside the file, and the
//     WAL is checkpointed and truncated at the end, so old page images do
//     not linger.
//
// Work is done in transactions of purgeChunk tickets so that scans can go
// on meanwhile; a purge interrupted half-way is finished by running it
// again. It returns how many tickets were purged.
func (db *DB) PurgePersonalData(ctx context.Context, before time.Time) (int, error) {
	const doing = "delete the personal data"
	all := before.IsZero()
	total := 0
	var after int64 // rowid already processed
	for {
		n, last, err := db.purgeChunk(ctx, all, before, after)
		total += n
		if err != nil {
			return total, fail(err, doing)
		}
		if last == 0 {
			break
		}
		after = last
	}
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return total, err
	}
	cut := int64(1<<63 - 1)
	if !all {
		cut = before.UnixMicro()
	}
	// The audit rows shrink in place: without secure_delete the old query
	// text (a name, an ID number) would stay in the page's free space.
	var was int
	if err = tx.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&was); err == nil {
		_, err = tx.ExecContext(ctx, `PRAGMA secure_delete = ON`)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE audit SET query = '(deleted)' WHERE at < ? AND query <> '(deleted)'`, cut)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `PRAGMA secure_delete = `+strconv.Itoa(was))
	}
	if err := db.commit(tx, err, doing); err != nil {
		return total, err
	}
	// Older versions of the rows (a ticket re-sent by a later page, say)
	// may survive in free space that secure_delete never touched: VACUUM
	// rewrites the file from the live rows only. It is slow on a big store,
	// but a purge runs after events, not at the gate.
	if total > 0 {
		if _, err := db.w.ExecContext(ctx, `VACUUM`); err != nil {
			return total, fail(err, doing)
		}
	}
	// Best effort: a long reader may keep some frames; the next checkpoint
	// overwrites them.
	db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return total, nil
}

const purgeChunk = 2000

// purgeChunk purges up to purgeChunk tickets after rowid `after`; last is
// the last rowid looked at (0 when there were none left).
func (db *DB) purgeChunk(ctx context.Context, all bool, before time.Time, after int64) (n int, last int64, err error) {
	tx, err := db.writeTx(ctx, "delete the personal data")
	if err != nil {
		return 0, 0, err
	}
	prev := -1 // secure_delete before this chunk
	defer func() {
		if err != nil {
			tx.Rollback() // frees the connection for the reset below
			if prev >= 0 {
				db.w.ExecContext(context.Background(), `PRAGMA secure_delete = `+strconv.Itoa(prev))
			}
		}
	}()
	// secure_delete zeroes what the updates below overwrite. It is per
	// connection and put back before the commit (the zeroing happens as
	// cells are rewritten), so that ingest does not pay for it.
	var was int
	if err = tx.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&was); err != nil {
		return 0, 0, err
	}
	if _, err = tx.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return 0, 0, err
	}
	prev = was

	// Rows with recognised holder data, and rows whose raw item mentions a
	// holder-like key the decoder might not have recognised.
	rows, err := tx.QueryContext(ctx, `SELECT rowid, raw, coalesce(holder_first_name, ''),
		coalesce(holder_last_name, ''), coalesce(holder_id_number, ''),
		coalesce(holder_birth_date, ''), coalesce(holder_country_code, '')
		FROM tickets WHERE rowid > ? AND (? OR valid_to < ?)
		ORDER BY rowid LIMIT ?`, after, all, before.UnixMicro(), purgeChunk)
	if err != nil {
		return 0, 0, err
	}
	type row struct {
		id     int64
		raw    []byte
		values []string
	}
	var todo []row
	for rows.Next() {
		var r row
		var f, l, id, b, c string
		if err = rows.Scan(&r.id, &r.raw, &f, &l, &id, &b, &c); err != nil {
			rows.Close()
			return 0, 0, err
		}
		last = r.id
		r.values = []string{f, l, id, b, c}
		if strings.Join(r.values, "") != "" || core.Holderish(r.raw) {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err = rows.Err(); err != nil {
		return 0, 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE tickets SET holder_first_name = NULL,
		holder_last_name = NULL, holder_id_number = NULL, holder_birth_date = NULL,
		holder_country_code = NULL, first_key = NULL, last_key = NULL, raw = ? WHERE rowid = ?`)
	if err != nil {
		return 0, 0, err
	}
	defer stmt.Close()
	for _, r := range todo {
		var raw any
		if s := core.StripHolder(r.raw, r.values); s != nil {
			raw = s
		}
		if _, err = stmt.ExecContext(ctx, raw, r.id); err != nil {
			return 0, 0, err
		}
	}
	if _, err = tx.ExecContext(ctx, `PRAGMA secure_delete = `+strconv.Itoa(prev)); err != nil {
		return 0, 0, err
	}
	if err = tx.Commit(); err != nil {
		return 0, 0, err
	}
	db.wrote()
	db.ticketsChanged()
	return len(todo), last, nil
}
