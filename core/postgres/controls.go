package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// Controls streams the controls f selects to fn, oldest first (newest first
// with f.Newest; controls of one instant in the order they were recorded),
// stopping at fn's first error, which is returned as is.
func (db *DB) Controls(ctx context.Context, f core.ControlFilter, fn func(core.Control) error) error {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= "+arg(f.Since))
	}
	if f.Barcode != "" {
		where = append(where, "barcode = "+arg(f.Barcode))
	}
	if f.Scanned != "" {
		where = append(where, "scanned = "+arg(f.Scanned))
	}
	switch f.Upload {
	case "":
	case core.UploadPending, core.UploadDone, core.UploadRejected, core.UploadLocal:
		// A literal, not a parameter: only then can the planner use the
		// partial indexes on pending and rejected controls.
		where = append(where, "upload_state = '"+string(f.Upload)+"'")
	default:
		where = append(where, "upload_state = "+arg(string(f.Upload)))
	}
	q := `SELECT ` + controlCols + ` FROM controls`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += ` ORDER BY at DESC, n DESC`
	} else {
		q += ` ORDER BY at, n`
	}
	if f.Limit > 0 {
		q += ` LIMIT ` + arg(f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return fail(err, "read the controls")
	}
	defer rows.Close()
	for rows.Next() {
		var c core.Control
		if err := scanControl(rows, &c); err != nil {
			return fail(err, "read the controls")
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return fail(rows.Err(), "read the controls")
}

// PendingControls are the controls S-360 has not acknowledged, oldest
// first; limit <= 0 means all.
func (db *DB) PendingControls(ctx context.Context, limit int) ([]core.Control, error) {
	var out []core.Control
	err := db.Controls(ctx, core.ControlFilter{Upload: core.UploadPending, Limit: limit}, func(c core.Control) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// MarkUploaded records S-360's acknowledgement. Only pending controls move:
// a refusal recorded meanwhile is not overwritten, and a control is never
// acknowledged twice. Refused (ErrFenced) once a syncer has been elected in
// this venue: the syncer acknowledges through its SyncerStore.
func (db *DB) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	return db.markUploaded(ctx, 0, ids, at)
}

func (db *DB) markUploaded(ctx context.Context, epoch int64, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.fencedTx(ctx, epoch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE controls SET upload_state = 'uploaded', uploaded_at = $1,
			upload_epoch = $2, `+bumpChange+` WHERE id = ANY($3) AND upload_state = 'pending'`, at, epoch, ids)
		return err
	})
	return fail(err, "record the upload to S-360")
}

// MarkRejected records S-360's refusal of pending controls (never retried)
// and, in the same transaction, flags their tickets so that every gate
// denies them from now on (REJECTED_BY_S360), whatever a later export says.
// Like MarkUploaded it moves only pending controls, and is fenced. Other
// pending controls of those tickets are rejected with them.
func (db *DB) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	return db.markRejected(ctx, 0, ids, detail, at)
}

func (db *DB) markRejected(ctx context.Context, epoch int64, ids []string, detail string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if detail = strings.TrimSpace(detail); detail == "" {
		// An empty flag would read as "not rejected".
		detail = "Refused by S-360"
	}
	err := db.fencedTx(ctx, epoch, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH rejected AS (
				UPDATE controls SET upload_state = 'rejected', upload_detail = $1, uploaded_at = $2,
					upload_epoch = $3, `+bumpChange+`
				WHERE id = ANY($4) AND upload_state = 'pending' RETURNING barcode)
			UPDATE tickets SET rejected_by_s360 = $1, `+bumpChange+`
			WHERE barcode IN (SELECT barcode FROM rejected WHERE barcode IS NOT NULL) RETURNING barcode`,
			detail, at, epoch, ids)
		if err != nil {
			return err
		}
		barcodes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(barcodes) == 0 {
			return err
		}
		// Other controls of those tickets still pending go with them: S-360
		// would refuse each again, at the cost of an import call that fails
		// its whole batch.
		_, err = tx.Exec(ctx, `UPDATE controls SET upload_state = 'rejected', upload_detail = $1,
				upload_epoch = $2, `+bumpChange+`
			WHERE barcode = ANY($3) AND upload_state = 'pending'`,
			core.NotSentDetail(detail), epoch, barcodes)
		return err
	})
	return fail(err, "record S-360's refusal")
}

// ControlCounts feeds the gate's counters, venue-wide, as core/sqlite's:
// admissions (overrides included), denials by reason and scans at an exit
// since the given time; the pending and rejected backlog whenever made. One
// snapshot for all of them.
func (db *DB) ControlCounts(ctx context.Context, since time.Time) (core.ControlCounts, error) {
	cc := core.ControlCounts{Denied: map[core.Reason]int{}}
	const doing = "count the controls"
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	b.Queue(`SELECT direction, outcome, reason, count(*) FROM controls WHERE $1::timestamptz IS NULL OR at >= $1
		GROUP BY direction, outcome, reason`, nt(since))
	b.Queue(`SELECT (SELECT count(*) FROM controls WHERE upload_state = 'pending'),
		(SELECT count(*) FROM controls WHERE upload_state = 'rejected')`)
	b.Queue(`COMMIT`)
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return cc, fail(err, doing)
	}
	rows, err := br.Query()
	if err != nil {
		return cc, fail(err, doing)
	}
	for rows.Next() {
		var direction, outcome, reason string
		var n int
		if err := rows.Scan(&direction, &outcome, &reason, &n); err != nil {
			rows.Close()
			return cc, fail(err, doing)
		}
		switch {
		case core.Direction(direction) == core.DirectionOut || core.Reason(reason) == core.ReasonExit:
			cc.Exited += n
		case core.Outcome(outcome) == core.Deny:
			cc.Denied[core.Reason(reason)] += n
		default:
			cc.Admitted += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return cc, fail(err, doing)
	}
	if err := br.QueryRow().Scan(&cc.Pending, &cc.Rejected); err != nil {
		return cc, fail(err, doing)
	}
	_, err = br.Exec()
	return cc, fail(err, doing)
}
