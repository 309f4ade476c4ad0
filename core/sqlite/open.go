// Package sqlite is the station's store: the ticket list, the control log
// and the sync engine's memory in one SQLite file (modernc.org/sqlite, pure
// Go). It implements core.Store.
//
// Durability first: WAL with synchronous=FULL, so a control acknowledged at
// the gate survives a power cut; every write is one BEGIN IMMEDIATE
// transaction, so concurrent scanners of one ticket (in this process or in
// another one sharing the file) serialise and exactly one is admitted.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"s360gate/core"
)

// DB is an open station store. It is safe for concurrent use.
type DB struct {
	path     string
	cacheKiB int // the writer's page cache (CacheKiB)
	// w is the single writing connection. One connection, not a pool:
	// writers in this process queue in Go instead of sleeping in SQLite's
	// busy handler, the hot statements stay prepared on it, and its page
	// cache stays warm (SQLite's cache is per connection).
	w *sql.DB
	// r serves reads (helpdesk checks, the dispute desk, reports) in
	// parallel with the writer: WAL readers never block it.
	r        *sql.DB
	readOnly bool
	st       stmts
	ins      inserts       // nil statements when read-only
	ckpt     *checkpointer // nil when read-only

	ticketsVersion atomic.Uint64 // bumped by every commit that changes tickets
	counts         countsCache
	// writers counts the writeTx callers waiting for the writing
	// connection (a scan at the gate, an override): an export's page
	// transaction sees them and lets them through (exportWriter.write).
	writers atomic.Int32
	// calls are the S-360 calls recorded while an export is being stored.
	calls callQueue
	// lastScan is when the gate last recorded a scan or an override
	// (Unix nanoseconds): while it is busy, an export commits page by page
	// (see exportWriter).
	lastScan atomic.Int64
	// barcodeIndexDeferred: a bulk load of this process dropped the
	// barcode index, which must be built before a scan (bulk.go).
	barcodeIndexDeferred atomic.Bool
}

// Option tunes Open.
type Option func(*options)

type options struct {
	readOnly  bool
	immutable bool // read-only medium without room for -shm (SQLite's immutable=1)
	readers   int
	cacheKiB  int // writer's page cache
	maxPages  int // 0: SQLite's default (no practical limit)
}

// ReadOnly opens an existing database without ever writing to it (SQLite
// mode=ro): for inspecting a copy. Scans and every write then fail with a
// clear error, never a verdict.
func ReadOnly() Option { return func(o *options) { o.readOnly = true } }

// Readers sets how many reading connections may run at once (default 4).
func Readers(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.readers = n
		}
	}
}

// CacheKiB sets the writing connection's page cache (default 64 MiB: the
// barcode index of a 1,000,000-ticket list stays in memory, which is what
// keeps ingest and scans fast). Readers get a sixteenth of it each (4 MiB
// by default): they serve point lookups (helpdesk checks, the dispute desk)
// and counts that no cache would hold anyway, and with a quarter each the
// four of them grew the station's memory by up to 64 MiB for nothing
// (s360gate bench: peak RSS 226 → 197 MiB at a million tickets).
func CacheKiB(kib int) Option {
	return func(o *options) {
		if kib > 0 {
			o.cacheKiB = kib
		}
	}
}

// MaxPages caps the database at n pages of 4 KiB (SQLite's max_page_count
// on the writing connection): a write that needs more fails exactly as on a
// full disk (SQLITE_FULL). It bounds the file, and lets tests drive the
// full-disk path through the real store.
func MaxPages(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxPages = n
		}
	}
}

// Open opens (creating it if needed) the store at path and brings its
// schema up to date. The parent directory is created 0700 and a new file
// 0600: it holds personal data.
func Open(path string, opts ...Option) (*DB, error) {
	o := defaults()
	for _, f := range opts {
		f(&o)
	}
	if path == "" {
		return nil, core.Errorf(core.EInvalid, "No ticket database file given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, core.Wrap(core.EInvalid, err, "The ticket database path %q is not usable", path)
	}
	if !o.readOnly {
		if err := createFile(abs); err != nil {
			return nil, err
		}
	} else if _, err := os.Stat(abs); err != nil {
		return nil, core.Wrap(core.ENotFound, err, "The ticket database %s does not exist", abs)
	}
	db, err := open(abs, o)
	if err != nil && !o.readOnly && cannotWrite(abs) {
		// A read-only medium (a write-protected stick, a copy on a disc, a
		// folder or file that may not be written): what it holds can still
		// be read, by reports and the dispute desk, and every scan answers
		// NOT RECORDED in words instead of the command failing. SQLite needs
		// the -shm file beside a WAL database, which a read-only folder
		// cannot get: then the file is opened as immutable.
		o.readOnly = true
		if db, err = open(abs, o); err != nil {
			o.immutable = true
			db, err = open(abs, o)
		}
	}
	return db, err
}

// defaults are Open's options when none is given.
func defaults() options { return options{readers: 4, cacheKiB: 64 << 10} }

// WriterDSN is the connection string a store opened at path with the
// default options writes through (WAL, synchronous=FULL, its page cache
// and checkpoint settings), for a tool that must write a store's file as
// the store itself does: the benchmark's raw store limit (core/bench).
func WriterDSN(path string) string {
	o := defaults()
	return dsn(path, &o, o.cacheKiB, false)
}

// cannotWrite reports whether path, or the folder SQLite writes its
// -wal and -shm files into beside it, cannot be written.
func cannotWrite(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return readOnlyErr(err)
	}
	f.Close()
	probe, err := os.CreateTemp(filepath.Dir(path), ".s360gate-probe-*")
	if err != nil {
		return readOnlyErr(err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return false
}

func readOnlyErr(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// ReadOnly reports whether the store was opened read-only (ReadOnly, or a
// medium that cannot be written): every write fails in words.
func (db *DB) ReadOnly() bool { return db.readOnly }

// open opens the file at abs with o.
func open(abs string, o options) (*DB, error) {
	var err error
	db := &DB{path: abs, readOnly: o.readOnly, cacheKiB: o.cacheKiB}
	if db.w, err = sql.Open("sqlite", dsn(abs, &o, o.cacheKiB, false)); err != nil {
		return nil, fail(err, "open the ticket database")
	}
	// One connection that never expires: see DB.w.
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if db.r, err = sql.Open("sqlite", dsn(abs, &o, max(o.cacheKiB/16, 1024), true)); err != nil {
		db.w.Close()
		return nil, fail(err, "open the ticket database")
	}
	db.r.SetMaxOpenConns(o.readers)
	db.r.SetMaxIdleConns(o.readers)
	db.r.SetConnMaxIdleTime(0)

	ctx := context.Background()
	if err := db.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if !o.readOnly {
		if err := db.startCheckpointer(dsn(abs, &o, 2048, false)); err != nil {
			db.Close()
			return nil, fail(err, "open the ticket database")
		}
	}
	return db, nil
}

func (db *DB) init(ctx context.Context) error {
	// The first statement on a connection runs the pragmas: a file that is
	// not a database (or a damaged one) is refused here, at Open.
	if err := db.w.PingContext(ctx); err != nil {
		return fail(err, "open the ticket database")
	}
	if err := migrate(ctx, db.w, db.readOnly); err != nil {
		return fail(err, "upgrade the ticket database")
	}
	if !db.readOnly {
		if err := db.repairBarcodeIndex(ctx); err != nil {
			return err
		}
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fail(err, "open the ticket database")
	}
	return db.prepare(ctx)
}

// createFile makes the directory (0700) and the file (0600) before SQLite
// does, so that they get private permissions; SQLite gives its -wal and
// -shm files the permissions of the database file.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return core.Wrap(core.EUnavailable, err, "Cannot create the folder for the ticket database")
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			// Maybe a read-only file: SQLite opens those read-only and
			// every write reports it in plain words.
			if _, serr := os.Stat(path); serr == nil {
				return nil
			}
		}
		return core.Wrap(core.EUnavailable, err, "Cannot create the ticket database file")
	}
	return f.Close()
}

// dsn is the connection string. The pragmas run on every new connection:
//   - WAL: readers never block the writer, and a commit is one append;
//   - synchronous=FULL: in WAL mode NORMAL may lose the last commits on a
//     power cut; a control acknowledged at the gate must survive one;
//   - busy_timeout: another process holding the write lock is waited for,
//     up to 5 s, instead of failing the scan at once;
//   - _txlock=immediate: BEGIN takes the write lock at once, so the read
//     that a decision is based on cannot be overtaken by another writer
//     (read-only transactions still use a plain BEGIN);
//   - temp_store=MEMORY: sorts of reports never touch the disk.
func dsn(path string, o *options, cacheKiB int, reader bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	// page_size only matters when the file is created, and must come
	// before WAL is switched on (_journal_mode runs after the _pragma list).
	q.Add("_pragma", fmt.Sprintf("page_size(%d)", pageSize))
	q.Set("_journal_mode", "WAL")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
	q.Set("_txlock", "immediate")
	if !reader {
		// See checkpoint.go: a safety net behind the background checkpoints.
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
		if o.maxPages > 0 {
			q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", o.maxPages))
		}
	}
	if o.readOnly {
		q.Set("mode", "ro")
		if o.immutable {
			q.Set("immutable", "1")
		}
	} else if reader {
		// A reader that tried to write would be a bug: make it an error.
		q.Add("_pragma", "query_only(1)")
	}
	u := url.URL{Scheme: "file", Path: URIPath(path), RawQuery: q.Encode()}
	return u.String()
}

// URIPath is an absolute path as a file: URI wants it (for every opener
// of a store file, the benchmark's raw copy too). SQLite reads a
// Windows path in a URI as /C:/dir/file; "C:\dir\file" would be taken for an
// authority and refused ("invalid uri authority").
func URIPath(path string) string {
	p := filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// pageSize of a new database file. Larger pages ingest a first export
// faster (fewer WAL frames for the barcode index's random inserts: about
// +20% at 16 KiB), but every scan's commit writes five or six whole pages,
// and at 16 KiB the scan's median doubled and its p99 went past 2 ms
// (BenchmarkScan). The gate wins: SQLite's default.
const pageSize = 4096

// Close closes the store. The last connection to close checkpoints the WAL
// into the database file.
func (db *DB) Close() error {
	var errs []error
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
	}
	db.st.close()
	if db.ins.batch != nil && db.w != nil {
		if c, err := db.w.Conn(context.Background()); err == nil {
			for _, d := range []*driverInsert{db.ins.batch, db.ins.one, db.ins.plainBatch, db.ins.plainOne} {
				d.close(c)
			}
			c.Close()
		}
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return fail(errors.Join(errs...), "close the ticket database")
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// writeTx starts an immediate transaction on the writing connection.
func (db *DB) writeTx(ctx context.Context, doing string) (*sql.Tx, error) {
	if db.readOnly {
		return nil, core.Errorf(core.EUnavailable, "The ticket database cannot be written (opened read-only); could not %s", doing)
	}
	db.writers.Add(1)
	tx, err := db.w.BeginTx(ctx, nil)
	db.writers.Add(-1)
	if err != nil {
		return nil, fail(err, doing)
	}
	return tx, nil
}

// readTx starts a read-only (deferred) transaction on a reading connection:
// one consistent snapshot for several queries.
func (db *DB) readTx(ctx context.Context, doing string) (*sql.Tx, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fail(err, doing)
	}
	return tx, nil
}

// commit commits a write transaction, or rolls it back if err is already
// set.
func (db *DB) commit(tx *sql.Tx, err error, doing string) error {
	if err != nil {
		tx.Rollback()
		return fail(err, doing)
	}
	if err := tx.Commit(); err != nil {
		return fail(err, doing)
	}
	db.wrote()
	return nil
}

var _ core.Store = (*DB)(nil)
