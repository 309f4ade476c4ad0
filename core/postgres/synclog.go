package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"s360gate/core"
)

// RecordCall keeps one request made to S-360 in the venue's call log, so
// that the call policy and S-360's rate limit hold for the venue whichever
// station makes the calls, across restarts and handovers. It is never
// fenced: a call that was made counts against the budget, whoever made it.
// Detail must carry no secret and no personal data (the caller's duty).
func (db *DB) RecordCall(ctx context.Context, c core.Call) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO calls (method, at, ok, detail, duration, budgeted, station)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.Method, c.At, c.OK, c.Detail, int64(c.Duration), c.Budgeted, db.station)
	return fail(err, "record the S-360 call")
}

// CallsSince lists the venue's calls at or after t, oldest first (every
// station's: seed a new syncer's limiter with them).
func (db *DB) CallsSince(ctx context.Context, t time.Time) ([]core.Call, error) {
	rows, err := db.pool.Query(ctx, `SELECT method, at, ok, detail, duration, budgeted FROM calls
		WHERE $1::timestamptz IS NULL OR at >= $1 ORDER BY at, n`, nt(t))
	if err != nil {
		return nil, fail(err, "read the S-360 calls")
	}
	defer rows.Close()
	var out []core.Call
	for rows.Next() {
		var c core.Call
		var dur int64
		if err := rows.Scan(&c.Method, &c.At, &c.OK, &c.Detail, &dur, &c.Budgeted); err != nil {
			return nil, fail(err, "read the S-360 calls")
		}
		c.Duration = time.Duration(dur)
		out = append(out, c)
	}
	return out, fail(rows.Err(), "read the S-360 calls")
}

// SyncState is what the venue's syncer remembers between runs and
// handovers.
func (db *DB) SyncState(ctx context.Context) (core.SyncState, error) {
	var s core.SyncState
	var cycle, export, upload, errAt, zoneAt pgtype.Timestamptz
	err := db.pool.QueryRow(ctx, `SELECT last_cycle, last_export_ok, last_upload_ok, last_error,
		last_error_at, export_complete, time_zone, time_zone_at FROM sync_state WHERE id = 1`).
		Scan(&cycle, &export, &upload, &s.LastError, &errAt, &s.ExportComplete, &s.TimeZone, &zoneAt)
	if err != nil {
		return core.SyncState{}, fail(err, "read the sync state")
	}
	s.LastCycle, s.LastExportOK, s.LastUploadOK, s.LastErrorAt = timeOf(cycle), timeOf(export), timeOf(upload), timeOf(errAt)
	s.TimeZoneAt = timeOf(zoneAt)
	return s, nil
}

// SaveSyncState replaces the syncer's memory. Fenced like the cursor: a
// deposed syncer must not set the policy clock back.
func (db *DB) SaveSyncState(ctx context.Context, s core.SyncState) error {
	return db.saveSyncState(ctx, 0, s)
}

func (db *DB) saveSyncState(ctx context.Context, epoch int64, s core.SyncState) error {
	err := db.fencedTx(ctx, epoch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE sync_state SET last_cycle = $1, last_export_ok = $2, last_upload_ok = $3,
			last_error = $4, last_error_at = $5, export_complete = $6, time_zone = $7, time_zone_at = $8,
			epoch = $9 WHERE id = 1`,
			nt(s.LastCycle), nt(s.LastExportOK), nt(s.LastUploadOK), s.LastError, nt(s.LastErrorAt), s.ExportComplete,
			s.TimeZone, nt(s.TimeZoneAt), epoch)
		return err
	})
	return fail(err, "save the sync state")
}
