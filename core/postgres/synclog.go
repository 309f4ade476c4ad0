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
	_, err := db.pool.Exec(ctx, `INSERT INTO calls (method, at, ok, detail, duration, budgeted, station, instance)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.Method, c.At, c.OK, c.Detail, int64(c.Duration), c.Budgeted, db.station, db.instance)
	return fail(err, "record the S-360 call")
}

// CallsByOthers lists the calls recorded after mark (0: all) by other
// processes than this one, in the order they were recorded, and the mark
// to pass next time: a running syncer adds them to its request budget. (A
// call whose recording commits after a later one was read is missed: a
// moment's overlap, within the budget's margin below S-360's limit.)
func (db *DB) CallsByOthers(ctx context.Context, mark int64) ([]core.Call, int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT n, method, at, ok, detail, duration, budgeted FROM calls
		WHERE n > $1 AND instance <> $2 ORDER BY n`, mark, db.instance)
	if err != nil {
		return nil, mark, fail(err, "read the S-360 calls")
	}
	defer rows.Close()
	var out []core.Call
	for rows.Next() {
		var c core.Call
		var dur int64
		if err := rows.Scan(&mark, &c.Method, &c.At, &c.OK, &c.Detail, &dur, &c.Budgeted); err != nil {
			return nil, mark, fail(err, "read the S-360 calls")
		}
		c.Duration = time.Duration(dur)
		out = append(out, c)
	}
	return out, mark, fail(rows.Err(), "read the S-360 calls")
}

// CallMark is the mark of the last call recorded (see CallsByOthers).
func (db *DB) CallMark(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(n), 0) FROM calls`).Scan(&n)
	return n, fail(err, "read the S-360 calls")
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
