package postgres

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"s360gate/core"
)

const controlCols = `id, at, station, gate, direction, scanned, coalesce(barcode, ''),
	outcome, reason, coalesce(facts, ''), message, override, coalesce(override_reason, ''), offline,
	upload_state, coalesce(upload_detail, ''), uploaded_at, off_venue`

// A control's words are said from its facts (core.Facts, as JSON) when it
// is shown, in the reader's language: message stays empty (0002).
const (
	insertControlSQL = `INSERT INTO controls (id, at, station, gate, direction, scanned, barcode,
	outcome, reason, facts, message, override, override_reason, override_of, offline,
	upload_state, upload_detail, uploaded_at, off_venue)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12, $13, $14, $15, $16, $17, $18)`
	controlByIDSQL = `SELECT ` + controlCols + ` FROM controls WHERE id = $1`
	// A ticket's history, oldest first: ties of time in order of arrival.
	historySQL = `SELECT ` + controlCols + ` FROM controls WHERE barcode = $1 ORDER BY at, n`
)

// scanControl reads controlCols; extra are more destinations after them.
func scanControl(row pgx.Row, c *core.Control, extra ...any) error {
	var dir, outcome, reason, upload, facts, legacy string
	var at, uploadedAt pgtype.Timestamptz
	dest := []any{&c.ID, &at, &c.Station, &c.Gate, &dir, &c.Scanned, &c.Barcode,
		&outcome, &reason, &facts, &legacy, &c.Override, &c.OverrideReason, &c.Offline,
		&upload, &c.UploadDetail, &uploadedAt, &c.OffVenue}
	err := row.Scan(append(dest, extra...)...)
	c.Facts = core.DecodeFacts(facts, legacy)
	c.At, c.UploadedAt = timeOf(at), timeOf(uploadedAt)
	c.Direction, c.Outcome, c.Reason, c.Upload = core.Direction(dir), core.Outcome(outcome), core.Reason(reason), core.UploadState(upload)
	return err
}

// collectControls reads rows of controlCols.
func collectControls(rows pgx.Rows, err error) ([]core.Control, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []core.Control
	for rows.Next() {
		var c core.Control
		if err := scanControl(rows, &c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// controlArgs are insertControlSQL's arguments for c.
func controlArgs(c *core.Control, overrideOf string) []any {
	return []any{c.ID, c.At, c.Station, c.Gate, string(c.Direction), c.Scanned, ns(c.Barcode),
		string(c.Outcome), string(c.Reason), ns(c.Facts.Encode()), c.Override, ns(c.OverrideReason), ns(overrideOf),
		c.Offline, string(c.Upload), ns(c.UploadDetail), nt(c.UploadedAt), c.OffVenue}
}
