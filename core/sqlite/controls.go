package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"s360gate/core"
)

const controlCols = `id, at, station, gate, direction, scanned, coalesce(barcode, ''),
	outcome, reason, coalesce(facts, ''), message, override, coalesce(override_reason, ''), offline,
	upload_state, coalesce(upload_detail, ''), coalesce(uploaded_at, 0), off_venue`

// A new control's message is empty: its words are said from its facts
// (core.Facts) when shown; message holds only an older s360gate's words.
const (
	insertControlSQL = `INSERT INTO controls (id, at, station, gate, direction, scanned, barcode,
	outcome, reason, facts, message, override, override_reason, override_of, offline,
	upload_state, upload_detail, uploaded_at, off_venue, unpushed)
	VALUES (?,?,?,?,?,?,?,?,?,?,'',?,?,?,?,?,?,?,?,?)`
	controlByIDSQL = `SELECT ` + controlCols + ` FROM controls WHERE id = ?`
)

func scanControl(sc scanner, c *core.Control) error {
	var at, uploadedAt int64
	var dir, outcome, reason, upload, facts, legacy string
	err := sc.Scan(&c.ID, &at, &c.Station, &c.Gate, &dir, &c.Scanned, &c.Barcode,
		&outcome, &reason, &facts, &legacy, &c.Override, &c.OverrideReason, &c.Offline,
		&upload, &c.UploadDetail, &uploadedAt, &c.OffVenue)
	c.Facts = core.DecodeFacts(facts, legacy)
	c.At, c.UploadedAt = fromMicros(at), fromMicros(uploadedAt)
	c.Direction, c.Outcome, c.Reason, c.Upload = core.Direction(dir), core.Outcome(outcome), core.Reason(reason), core.UploadState(upload)
	return err
}

// insertControl stores c; overrideOf is the denied control it admits, if
// any. A control decided off the venue (c.OffVenue) is one this station
// has to push to its venue.
func insertControl(ctx context.Context, stmt *sql.Stmt, c *core.Control, overrideOf string) error {
	_, err := stmt.ExecContext(ctx, controlArgs(c, overrideOf, c.OffVenue)...)
	return err
}

// controlArgs are insertControlSQL's arguments.
func controlArgs(c *core.Control, overrideOf string, unpushed bool) []any {
	return []any{c.ID, c.At.UnixMicro(), c.Station, c.Gate, string(c.Direction),
		c.Scanned, ns(c.Barcode), string(c.Outcome), string(c.Reason), ns(c.Facts.Encode()), c.Override,
		ns(c.OverrideReason), ns(overrideOf), c.Offline, string(c.Upload), ns(c.UploadDetail),
		micros(c.UploadedAt), c.OffVenue, unpushed}
}

// Controls streams the controls f selects to fn, oldest first (newest first
// with f.Newest), stopping at fn's first error, which is returned as is.
// It serves CSV/JSON exports and the live feed (Newest, Limit).
func (db *DB) Controls(ctx context.Context, f core.ControlFilter, fn func(core.Control) error) error {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UnixMicro())
	}
	if f.Barcode != "" {
		where, args = append(where, "barcode = ?"), append(args, f.Barcode)
	}
	if f.Scanned != "" {
		where, args = append(where, "scanned = ?"), append(args, f.Scanned)
	}
	switch f.Upload {
	case "":
	case core.UploadPending, core.UploadDone, core.UploadRejected, core.UploadLocal:
		// A literal, not a parameter: only then can SQLite use the
		// partial indexes on pending and rejected controls.
		where = append(where, "upload_state = '"+string(f.Upload)+"'")
	default:
		where, args = append(where, "upload_state = ?"), append(args, string(f.Upload))
	}
	q := `SELECT ` + controlCols + ` FROM controls`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += ` ORDER BY at DESC, rowid DESC`
	} else {
		q += ` ORDER BY at, rowid`
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
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
// a refusal recorded meanwhile is not overwritten.
func (db *DB) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	const doing = "record the upload to S-360"
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return err
	}
	err = func() error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE controls SET upload_state = 'uploaded', uploaded_at = ?
			WHERE id = ? AND upload_state = 'pending'`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			if _, err := stmt.ExecContext(ctx, at.UnixMicro(), id); err != nil {
				return err
			}
		}
		return nil
	}()
	return db.commit(tx, err, doing)
}

// MarkRejected records S-360's refusal of pending controls (never
// retried) and, in the same transaction, flags their tickets so that the
// gate denies them from now on (REJECTED_BY_S360), whatever a later export
// says. Like MarkUploaded it moves only pending controls. Other controls of
// those tickets still pending are rejected with them: S-360 would refuse
// each again, at the cost of an import call that fails its whole batch.
func (db *DB) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if detail = strings.TrimSpace(detail); detail == "" {
		// An empty flag would read as "not rejected".
		detail = "Refused by S-360"
	}
	const doing = "record S-360's refusal"
	if err := db.restoreBarcodeIndex(ctx); err != nil { // it updates tickets by barcode
		return err
	}
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return err
	}
	err = func() error {
		// Only pending controls: an acknowledged one stays acknowledged
		// (S-360 has it), and its ticket is not flagged by a late answer.
		ctl, err := tx.PrepareContext(ctx, `UPDATE controls SET upload_state = 'rejected',
			upload_detail = ?, uploaded_at = ? WHERE id = ? AND upload_state = 'pending' RETURNING barcode`)
		if err != nil {
			return err
		}
		defer ctl.Close()
		tkt, err := tx.PrepareContext(ctx, `UPDATE tickets SET rejected_by_s360 = ? WHERE barcode = ?`)
		if err != nil {
			return err
		}
		defer tkt.Close()
		others, err := tx.PrepareContext(ctx, `UPDATE controls SET upload_state = 'rejected',
			upload_detail = ? WHERE barcode = ? AND upload_state = 'pending'`)
		if err != nil {
			return err
		}
		defer others.Close()
		for _, id := range ids {
			var barcode sql.NullString
			err := ctl.QueryRowContext(ctx, detail, at.UnixMicro(), id).Scan(&barcode)
			if err == sql.ErrNoRows {
				continue // unknown id or not pending: nothing to flag
			}
			if err != nil {
				return err
			}
			if barcode.Valid && barcode.String != "" {
				if _, err := tkt.ExecContext(ctx, detail, barcode.String); err != nil {
					return err
				}
				if _, err := others.ExecContext(ctx, core.NotSentDetail(detail), barcode.String); err != nil {
					return err
				}
			}
		}
		return nil
	}()
	defer db.ticketsChanged()
	return db.commit(tx, err, doing)
}

// ControlCounts feeds the gate's counters. Admitted counts people let in
// (supervisor overrides included); Denied counts denials by reason; Exited
// counts scans at an exit (an exit is not an admission, and the exit of a
// ticket never seen coming in is no denial); all since the given time. Pending and Rejected are upload
// states and count every control in them, whenever it was made: they are a
// backlog, not a rate.
func (db *DB) ControlCounts(ctx context.Context, since time.Time) (core.ControlCounts, error) {
	cc := core.ControlCounts{Denied: map[core.Reason]int{}}
	tx, err := db.readTx(ctx, "count the controls")
	if err != nil {
		return cc, err
	}
	defer tx.Rollback()
	err = func() error {
		rows, err := tx.QueryContext(ctx, `SELECT direction, outcome, reason, count(*) FROM controls
			WHERE at >= ? GROUP BY direction, outcome, reason`, sinceMicros(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var direction, outcome, reason string
			var n int
			if err := rows.Scan(&direction, &outcome, &reason, &n); err != nil {
				return err
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
		if err := rows.Err(); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM controls WHERE upload_state = 'pending'`).Scan(&cc.Pending)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM controls WHERE upload_state = 'rejected'`).Scan(&cc.Rejected)
	}()
	return cc, fail(err, "count the controls")
}
