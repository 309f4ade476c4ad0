package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"strconv"
	"time"

	"s360gate/core"
	"s360gate/core/internal/schema"
)

// Migrations are numbered SQL files (0001_init.sql, 0002_….sql) applied in
// order, all pending ones in one transaction: a crash mid-upgrade leaves the
// previous schema intact. Never edit a released file; add the next number.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// goSteps are the parts of a migration SQL cannot do, run right after its
// file in the same transaction, by version.
var goSteps = map[int]func(context.Context, *sql.Tx) error{
	4: readOldMessages,
}

// appID marks the file as ours ("S360" in the SQLite header), so that some
// other program's database is refused rather than "upgraded".
const appID = 0x53333630

type migration = schema.Migration

func migrations() ([]migration, error) { return schema.Read(migrationFS) }

// SchemaVersion is the newest schema this program knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// schemaVersion reads the version of an open database (0: empty file) and
// refuses one that is not ours.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var tables, hasVersion, app int
	err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(name = 'schema_version'), 0)
		FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &hasVersion)
	if err != nil {
		return 0, fail(err, "read the database schema")
	}
	if tables == 0 {
		return 0, nil
	}
	if err := q.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return 0, fail(err, "read the database schema")
	}
	if hasVersion == 0 || app != appID {
		return 0, core.Errorf(core.EInvalid, "This file is a database of another program, not an s360gate ticket database")
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, fail(err, "read the database schema")
	}
	return v, nil
}

func migrate(ctx context.Context, w *sql.DB, readOnly bool) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return migrateTo(ctx, w, readOnly, ms)
}

// migrateTo applies the migrations of ms the database lacks.
func migrateTo(ctx context.Context, w *sql.DB, readOnly bool, ms []migration) error {
	// Look first without the write lock: an up-to-date database (the usual
	// case, and the only one a read-only file can be) is never locked.
	cur, err := schemaVersion(ctx, w)
	if err != nil {
		return err
	}
	if err := checkNewer(cur, len(ms)); err != nil || cur == len(ms) {
		return err
	}
	if readOnly {
		return core.Errorf(core.EInvalid, "This ticket database has schema version %d and needs an upgrade to %d; open it once read-write", cur, len(ms))
	}
	tx, err := w.BeginTx(ctx, nil) // immediate: one upgrader at a time
	if err != nil {
		return fail(err, "upgrade the ticket database")
	}
	err = func() error {
		// Another process may have upgraded while we waited for the lock.
		cur, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkNewer(cur, len(ms)); err != nil {
			return err
		}
		if cur == 0 {
			if _, err := tx.ExecContext(ctx, `PRAGMA application_id = `+strconv.Itoa(appID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_version (
				version    INTEGER PRIMARY KEY,
				name       TEXT NOT NULL,
				applied_at INTEGER NOT NULL)`); err != nil {
				return err
			}
		}
		for _, m := range ms[cur:] {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return core.Wrap(core.EInternal, err, "Could not upgrade the ticket database (step %s)", m.Name)
			}
			if step := goSteps[m.Version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return core.Wrap(core.EInternal, err, "Could not upgrade the ticket database (step %s)", m.Name)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UnixMicro()); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		tx.Rollback()
		return fail(err, "upgrade the ticket database")
	}
	return fail(tx.Commit(), "upgrade the ticket database")
}

func checkNewer(cur, known int) error {
	if cur > known {
		return core.Errorf(core.EInvalid,
			"This ticket database was written by a newer s360gate (schema version %d; this program knows up to %d). Use the newer program, or another data folder",
			cur, known)
	}
	return nil
}
