package sqlite

import (
	"context"
	"database/sql"

	"s360gate/core"
)

// readOldMessages is schema 4's upgrade of the control log: the English
// words an older s360gate stored for each control are read back into
// facts (core.ReadOldMessage), so that they are said in every language
// like new ones; the words it cannot read stay in message, and are shown
// as they are. Times in the words are read in the venue's zone as the
// store knows it.
func readOldMessages(ctx context.Context, tx *sql.Tx) error {
	var zoneName string
	if err := tx.QueryRowContext(ctx, `SELECT time_zone FROM sync_state WHERE id = 1`).Scan(&zoneName); err != nil && err != sql.ErrNoRows {
		return err
	}
	zone := core.LoadZone(zoneName)
	rows, err := tx.QueryContext(ctx, `SELECT rowid, at, reason, message, coalesce(override_reason, '')
		FROM controls WHERE message <> ''`)
	if err != nil {
		return err
	}
	type read struct {
		rowid int64
		facts string
	}
	var done []read
	for rows.Next() {
		var rowid, at int64
		var reason, msg, why string
		if err := rows.Scan(&rowid, &at, &reason, &msg, &why); err != nil {
			rows.Close()
			return err
		}
		if f, ok := core.ReadOldMessage(core.Reason(reason), msg, why, fromMicros(at), zone); ok {
			done = append(done, read{rowid, f.Encode()})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE controls SET facts = ?, message = '' WHERE rowid = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, r := range done {
		if _, err := upd.ExecContext(ctx, ns(r.facts), r.rowid); err != nil {
			return err
		}
	}
	return nil
}
