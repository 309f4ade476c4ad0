package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
	"s360gate/core/internal/schema"
)

// Migrations are numbered SQL files (0001_venue.sql, 0002_….sql) applied in
// order, all pending ones in one transaction (PostgreSQL's DDL is
// transactional: a failure leaves the previous schema intact). Never edit a
// released file; add the next number.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLock is the advisory lock the upgrade holds for its transaction:
// stations starting together wait for the first one's upgrade instead of
// racing it. The two-int form ('S360', 1): its key space is separate from
// the one-bigint form that scans lock tickets with.
const migrateLockClass, migrateLockID = 0x53333630, 1

type migration = schema.Migration

func migrations() ([]migration, error) { return schema.Read(migrationFS) }

// SchemaVersion is the newest schema this program knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion reads the version of the database (0: empty) and refuses
// one that holds another program's tables.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var ours bool
	var tables int
	err := q.QueryRow(ctx, `SELECT to_regclass('s360gate_schema') IS NOT NULL,
		(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())`).Scan(&ours, &tables)
	if err != nil {
		return 0, fail(err, "read the venue database's schema")
	}
	if !ours {
		if tables > 0 {
			return 0, core.Errorf(core.EInvalid, "This database holds another program's tables; give s360gate a database of its own")
		}
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM s360gate_schema`).Scan(&v); err != nil {
		return 0, fail(err, "read the venue database's schema")
	}
	return v, nil
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return db.migrateTo(ctx, ms)
}

// migrateTo applies the migrations of ms the database lacks, under the
// advisory lock, in one transaction.
func (db *DB) migrateTo(ctx context.Context, ms []migration) error {
	const doing = "upgrade the venue database"
	// Look first without the lock: an up-to-date database (the usual case)
	// is never locked.
	cur, err := schemaVersion(ctx, db.pool)
	if err != nil {
		return err
	}
	if err := checkNewer(cur, len(ms)); err != nil || cur == len(ms) {
		return err
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fail(err, doing)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, migrateLockClass, migrateLockID); err != nil {
		return fail(err, doing)
	}
	// Another station may have upgraded while we waited for the lock (in
	// READ COMMITTED each statement sees what was committed before it).
	if cur, err = schemaVersion(ctx, tx); err != nil {
		return err
	}
	if err := checkNewer(cur, len(ms)); err != nil || cur == len(ms) {
		return err
	}
	if cur == 0 {
		if _, err := tx.Exec(ctx, `CREATE TABLE s360gate_schema (
			version    int PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fail(err, doing)
		}
	}
	for _, m := range ms[cur:] {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return core.Wrap(core.EInternal, fail(err, doing), "Could not upgrade the venue database (step %s)", m.Name)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO s360gate_schema (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return fail(err, doing)
		}
	}
	return fail(tx.Commit(ctx), doing)
}

func checkNewer(cur, known int) error {
	if cur > known {
		return core.Errorf(core.EInvalid,
			"This venue database was written by a newer s360gate (schema version %d; this program knows up to %d). Update s360gate on this station",
			cur, known)
	}
	return nil
}
