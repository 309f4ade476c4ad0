// Package postgres is the venue's store: one PostgreSQL database shared by
// every station of a venue (github.com/jackc/pgx/v5, pgxpool). It implements
// the same core interfaces as core/sqlite, so a station decides, records,
// looks up, reports and purges on it exactly as on its own file, with the
// venue's whole history:
//
//   - a scan runs core.Decide in one transaction that first takes a lock
//     keyed by the ticket (scan.go), so a barcode is admitted at most once
//     venue-wide whichever station scans it;
//   - the export is stored with COPY (ingest.go);
//   - one station is the venue's S-360 client, elected with a lease whose
//     epoch fences every cursor commit and upload acknowledgment (lease.go,
//     syncer.go);
//   - the call log, the sync state, the stations and the venue's S-360
//     settings are the venue's (synclog.go, venue.go);
//   - a change position on tickets and controls lets a station's local copy
//     catch up reading only what changed, a push of locally decided controls
//     is idempotent, and double entries are reported (changes.go).
//
// Every error is a *core.Error with words for the supervisor; the
// PostgreSQL error stays underneath for the log. No error, log line or
// table holds the database password or the S-360 password.
package postgres

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"s360gate/core"
)

// DB is an open venue store. It is safe for concurrent use; each station
// process opens its own.
type DB struct {
	pool *pgxpool.Pool
	// station is who this process is (calls it records say so).
	station string
	// instance tells this process apart from another one of the same
	// station name (a restart) in the lease.
	instance string
}

// IdleInTransaction is how long the server lets a session of the store sit
// in an open transaction waiting for the station (see Open). It is well
// under the syncer's lease, so a paused syncer's locks are gone before a
// new one needs them.
const IdleInTransaction = 5 * time.Second

// Option tunes Open.
type Option func(*options)

type options struct {
	maxConns   int32
	station    string
	trustedLAN bool
}

// MaxConns caps the connections this process opens (default 8: a station
// scans one ticket at a time; its screens, its sync and its local copy
// read beside).
func MaxConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = int32(n)
		}
	}
}

// AsStation names the station this process is, for the calls it records.
func AsStation(name string) Option { return func(o *options) { o.station = name } }

// TrustedLAN lets the store talk to a database on another machine without
// TLS: only for a venue network the supervisor says is trusted.
func TrustedLAN() Option { return func(o *options) { o.trustedLAN = true } }

// Open connects to the venue database named by dsn (a postgres:// URL or a
// key=value string; the password from the DSN, PGPASSWORD or ~/.pgpass),
// creates or upgrades its schema (migrate.go) and returns the store. A
// database on another machine must be reached over TLS (sslmode=require,
// verify-ca or verify-full) unless TrustedLAN is given.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{maxConns: 8}
	for _, f := range opts {
		f(&o)
	}
	if strings.TrimSpace(dsn) == "" {
		return nil, core.Errorf(core.EInvalid, "No venue database given")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgconn's words hide the password; ours do not repeat the DSN.
		return nil, core.Wrap(core.EInvalid, err, "The venue database address is not usable (expected postgres://user@host/db or host=… dbname=…)")
	}
	if !o.trustedLAN {
		if err := checkTransport(&cfg.ConnConfig.Config); err != nil {
			return nil, err
		}
	}
	cfg.MaxConns = o.maxConns
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "s360gate"
	}
	// A station paused (a frozen laptop, SIGSTOP) or cut off in the middle
	// of a transaction would hold its locks until it comes back: a ticket's
	// scan lock, the rows of an export page, the lease row. The server ends
	// such a session instead (its transaction rolls back), so the others,
	// and a new syncer, go on. The store's own transactions are never idle
	// between statements for more than a round trip.
	if _, ok := cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"]; !ok {
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = IdleInTransaction.String()
	}
	// The store's times are instants; the session's zone only matters to
	// what now()::date means in SQL, which the store never relies on.
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fail(err, "open the venue database")
	}
	db := &DB{pool: pool, station: o.station, instance: uuid.NewString()}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// checkTransport refuses clear text to another machine: the database holds
// personal data and its password would cross the venue network.
func checkTransport(c *pgconn.Config) error {
	hosts := []*pgconn.FallbackConfig{{Host: c.Host, Port: c.Port, TLSConfig: c.TLSConfig}}
	hosts = append(hosts, c.Fallbacks...)
	for _, h := range hosts {
		if h.TLSConfig != nil || isLocal(h.Host) {
			continue
		}
		return core.Errorf(core.EInvalid,
			"The venue database on %s would be reached without TLS: add sslmode=require (or verify-full) to the address, or say the venue network is trusted", h.Host)
	}
	return nil
}

// isLocal: a Unix socket or this machine.
func isLocal(host string) bool {
	if strings.HasPrefix(host, "/") || host == "" {
		return true
	}
	if core.IsLoopback(host) {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Close closes the store's connections. It is safe to call more than once.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

var _ core.Store = (*DB)(nil)

// ReadOnly is false: a venue database that refuses writes answers each
// write with an error (EUnavailable), which the gate shows as NOT RECORDED.
func (db *DB) ReadOnly() bool { return false }
