package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// StationBeat is what a station says of itself at every heartbeat.
type StationBeat struct {
	Name      string
	Gate      string
	Direction core.Direction
	// Candidate: the station holds the S-360 password and may become the
	// syncer.
	Candidate bool
	Version   string
	// ScansToday and Pending (its local controls not pushed yet) are the
	// station's own counts.
	ScansToday int
	Pending    int
	// Clock is the station's clock when it sent the beat (zero: not
	// given); the database keeps its offset from its own.
	Clock time.Time
}

// StationStatus is a station as the venue last heard of it.
type StationStatus struct {
	Name       string         `json:"name"`
	Gate       string         `json:"gate,omitempty"`
	Direction  core.Direction `json:"direction"`
	Candidate  bool           `json:"candidate"`
	Version    string         `json:"version,omitempty"`
	ScansToday int            `json:"scansToday"`
	Pending    int            `json:"pending"`
	// ClockOffset is the station's clock minus the database's at its last
	// beat (network delay included).
	ClockOffset time.Duration `json:"clockOffset"`
	FirstHeard  time.Time     `json:"firstHeard"`
	LastHeard   time.Time     `json:"lastHeard"`
	// Silent is how long ago that was, by the database's clock: compare it
	// with the heartbeat interval to call a station online.
	Silent time.Duration `json:"silent"`
	// Syncer: the station holds the unexpired syncer lease.
	Syncer bool `json:"syncer"`
}

// Heartbeat records that a station is alive and what it reports, and
// returns the database's clock (the station's reference for the venue's
// time: lease, call policy).
func (db *DB) Heartbeat(ctx context.Context, b StationBeat) (time.Time, error) {
	if b.Name == "" {
		return time.Time{}, core.Errorf(core.EInvalid, "A station needs a name to join the venue")
	}
	dir := b.Direction
	if dir == "" {
		dir = core.DirectionIn
	}
	var now time.Time
	err := db.pool.QueryRow(ctx, `INSERT INTO stations (name, gate, direction, candidate, version,
			scans_today, pending, clock_offset, first_heard, last_heard)
		VALUES ($1, $2, $3, $4, $5, $6, $7,
			coalesce((extract(epoch FROM $8::timestamptz - now()) * 1e9)::bigint, 0), now(), now())
		ON CONFLICT (name) DO UPDATE SET gate = excluded.gate, direction = excluded.direction,
			candidate = excluded.candidate, version = excluded.version, scans_today = excluded.scans_today,
			pending = excluded.pending, clock_offset = excluded.clock_offset, last_heard = now()
		RETURNING now()`,
		b.Name, b.Gate, string(dir), b.Candidate, b.Version, b.ScansToday, b.Pending, nt(b.Clock)).Scan(&now)
	if err != nil {
		return time.Time{}, fail(err, "report this station to the venue")
	}
	return now, nil
}

// Stations lists every station the venue has heard of, by name.
func (db *DB) Stations(ctx context.Context) ([]StationStatus, error) {
	rows, err := db.pool.Query(ctx, `SELECT s.name, s.gate, s.direction, s.candidate, s.version,
			s.scans_today, s.pending, s.clock_offset, s.first_heard, s.last_heard,
			(extract(epoch FROM now() - s.last_heard) * 1e9)::bigint,
			(l.station = s.name AND l.expires_at > now())
		FROM stations s CROSS JOIN (SELECT station, expires_at FROM lease WHERE id = 1) l
		ORDER BY s.name`)
	if err != nil {
		return nil, fail(err, "list the venue's stations")
	}
	defer rows.Close()
	var out []StationStatus
	for rows.Next() {
		var s StationStatus
		var dir string
		var offset, silent int64
		var syncer *bool
		if err := rows.Scan(&s.Name, &s.Gate, &dir, &s.Candidate, &s.Version, &s.ScansToday, &s.Pending,
			&offset, &s.FirstHeard, &s.LastHeard, &silent, &syncer); err != nil {
			return nil, fail(err, "list the venue's stations")
		}
		s.Direction, s.ClockOffset, s.Silent = core.Direction(dir), time.Duration(offset), time.Duration(silent)
		s.Syncer = syncer != nil && *syncer
		out = append(out, s)
	}
	return out, fail(rows.Err(), "list the venue's stations")
}

// DBTime is the database's clock, and its offset from this machine's
// (measured at the middle of the round trip): the venue's time for the
// lease and the call policy, whatever one laptop's clock says.
func (db *DB) DBTime(ctx context.Context) (now time.Time, offset time.Duration, err error) {
	start := time.Now()
	if err := db.pool.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return time.Time{}, 0, fail(err, "read the venue database's clock")
	}
	mid := start.Add(time.Since(start) / 2)
	return now, now.Sub(mid), nil
}

// ErrNoVenueSettings: the venue's S-360 settings were never stored (`venue
// init` not run).
var ErrNoVenueSettings = errors.New("no venue settings")

// VenueSettings are the venue's S-360 settings, and when and by whom they
// were last saved. Before they were ever saved it returns an ENotFound
// error with ErrNoVenueSettings in its chain.
func (db *DB) VenueSettings(ctx context.Context) (core.VenueSettings, time.Time, error) {
	var v core.VenueSettings
	var raw []byte
	var at time.Time
	err := db.pool.QueryRow(ctx, `SELECT settings, updated_at FROM venue WHERE id = 1`).Scan(&raw, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, time.Time{}, core.Wrap(core.ENotFound, ErrNoVenueSettings, "The venue's S-360 settings are not set yet: run `s360gate venue init`")
	}
	if err != nil {
		return v, time.Time{}, fail(err, "read the venue's settings")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, time.Time{}, core.Wrap(core.EInternal, err, "The venue's settings in the database are damaged")
	}
	return v, at, nil
}

// SaveVenueSettings validates and stores the venue's S-360 settings (all
// of them: a caller changing some reads, changes and saves). by names who
// saved them. Refused settings change nothing.
func (db *DB) SaveVenueSettings(ctx context.Context, v core.VenueSettings, by string) error {
	if errs := v.Validate(); errs != nil {
		return &core.Error{Code: core.EInvalid, Message: "Venue settings not saved: " + errs.Error(), Err: errs}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return core.Wrap(core.EInternal, err, "Could not save the venue's settings")
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO venue (id, settings, updated_at, updated_by) VALUES (1, $1, now(), $2)
		ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = now(), updated_by = excluded.updated_by`,
		raw, by)
	return fail(err, "save the venue's settings")
}

// ScansSince counts the controls station recorded at or after since (its
// heartbeat reports it).
func (db *DB) ScansSince(ctx context.Context, station string, since time.Time) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM controls WHERE at >= $1 AND station = $2`, since, station).Scan(&n)
	return n, fail(err, "count the station's scans")
}

// ScansByStation counts the controls each station recorded at or after
// since (the venue status's "scans today").
func (db *DB) ScansByStation(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT station, count(*) FROM controls WHERE at >= $1 GROUP BY station`, since)
	if err != nil {
		return nil, fail(err, "count the stations' scans")
	}
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return nil, fail(err, "count the stations' scans")
		}
		out[st] = n
	}
	return out, fail(rows.Err(), "count the stations' scans")
}
