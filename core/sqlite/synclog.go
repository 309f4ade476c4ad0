package sqlite

import (
	"context"
	"time"

	"s360gate/core"
)

// RecordCall keeps one request made to S-360, so that the call policy and
// S-360's rate limit are still respected after a restart. Detail must carry
// no secret and no personal data (the caller's duty).
//
// While an export is being stored, the call is queued and committed with
// the export's tickets (see callQueue).
func (db *DB) RecordCall(ctx context.Context, c core.Call) error {
	if db.calls.add(c) {
		return nil
	}
	const doing = "record the S-360 call"
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return err
	}
	err = insertCalls(ctx, tx, []core.Call{c})
	return db.commit(tx, err, doing)
}

// CallsSince lists calls at or after t, oldest first.
func (db *DB) CallsSince(ctx context.Context, t time.Time) ([]core.Call, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT method, at, ok, detail, duration FROM calls
		WHERE at >= ? ORDER BY at, rowid`, sinceMicros(t))
	if err != nil {
		return nil, fail(err, "read the S-360 calls")
	}
	defer rows.Close()
	var out []core.Call
	for rows.Next() {
		var c core.Call
		var at, dur int64
		if err := rows.Scan(&c.Method, &at, &c.OK, &c.Detail, &dur); err != nil {
			return nil, fail(err, "read the S-360 calls")
		}
		c.At, c.Duration = fromMicros(at), time.Duration(dur)
		out = append(out, c)
	}
	return out, fail(rows.Err(), "read the S-360 calls")
}

// SyncState is what the sync engine remembers between runs.
func (db *DB) SyncState(ctx context.Context) (core.SyncState, error) {
	var s core.SyncState
	var cycle, export, upload, errAt, zoneAt int64
	err := db.r.QueryRowContext(ctx, `SELECT coalesce(last_cycle, 0), coalesce(last_export_ok, 0),
		coalesce(last_upload_ok, 0), last_error, coalesce(last_error_at, 0), export_complete,
		time_zone, coalesce(time_zone_at, 0)
		FROM sync_state WHERE id = 1`).Scan(&cycle, &export, &upload, &s.LastError, &errAt, &s.ExportComplete,
		&s.TimeZone, &zoneAt)
	if err != nil {
		return core.SyncState{}, fail(err, "read the sync state")
	}
	s.LastCycle, s.LastExportOK, s.LastUploadOK, s.LastErrorAt = fromMicros(cycle), fromMicros(export), fromMicros(upload), fromMicros(errAt)
	s.TimeZoneAt = fromMicros(zoneAt)
	return s, nil
}

// SaveSyncState replaces the engine's memory.
func (db *DB) SaveSyncState(ctx context.Context, s core.SyncState) error {
	const doing = "save the sync state"
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sync_state (id, last_cycle, last_export_ok, last_upload_ok,
		last_error, last_error_at, export_complete, time_zone, time_zone_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET last_cycle = excluded.last_cycle,
		last_export_ok = excluded.last_export_ok, last_upload_ok = excluded.last_upload_ok,
		last_error = excluded.last_error, last_error_at = excluded.last_error_at,
		export_complete = excluded.export_complete, time_zone = excluded.time_zone,
		time_zone_at = excluded.time_zone_at`,
		micros(s.LastCycle), micros(s.LastExportOK), micros(s.LastUploadOK), s.LastError,
		micros(s.LastErrorAt), s.ExportComplete, s.TimeZone, micros(s.TimeZoneAt))
	return db.commit(tx, err, doing)
}
