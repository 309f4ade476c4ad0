package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"s360gate/core"
)

// One S-360 client per venue (S-360 allows one per product): the candidates
// (stations holding the S-360 password) compete for a lease, one row in the
// database. Its times are PostgreSQL's clock (now()), never a laptop's, so
// one laptop's wrong clock can neither keep the lease forever nor lose it at
// once. Each take adds one to the epoch: the fencing token. Every cursor
// commit and upload acknowledgment of the syncer checks, in its own
// transaction, that its epoch is still the lease's (SyncerStore), so a
// syncer that was paused or cut off and comes back after a handover can
// never move the cursor back nor acknowledge a control twice.
//
// Failover must be within 15 s of the syncer's death: with the default TTL
// of 10 s, the holder renews every LeaseRenewEvery (3 s) and the others try
// to take it every second or two.
const (
	DefaultLeaseTTL = 10 * time.Second
	LeaseRenewEvery = 3 * time.Second
	// MinLeaseTTL keeps a typo from making a lease that lapses between
	// two renewals.
	MinLeaseTTL = time.Second
)

// Lease is a station's hold on the venue's syncer role, as granted.
type Lease struct {
	// Epoch is the fencing token: every write of the syncer carries it.
	Epoch   int64
	Station string
	TTL     time.Duration
	// Expires is when the lease lapses unless renewed, by the database's
	// clock.
	Expires time.Time
	// deadline is Expires by this process's monotonic clock, measured from
	// before the request was sent: never later than the database's.
	deadline time.Time
}

// Remaining is how long the lease surely still holds, by this process's
// monotonic clock (a paused process sees it run out): the holder must not
// start an S-360 call that could outlive it, and stops being the syncer
// when it reaches 0 without a renewal.
func (l *Lease) Remaining() time.Duration {
	if l == nil {
		return 0
	}
	return max(time.Until(l.deadline), 0)
}

// LeaseInfo is the lease as anyone reads it (venue status, candidates).
type LeaseInfo struct {
	Epoch   int64     `json:"epoch"` // 0: never taken
	Station string    `json:"station,omitempty"`
	Held    bool      `json:"held"` // taken and not expired
	Since   time.Time `json:"since,omitzero"`
	Renewed time.Time `json:"renewed,omitzero"`
	Expires time.Time `json:"expires,omitzero"`
	DBNow   time.Time `json:"dbNow"` // the database's clock when read
}

// ErrLeaseLost is in the chain of a renewal refused because another
// station took the lease (the epoch moved on).
var ErrLeaseLost = errors.New("the syncer lease was taken over")

// TryAcquireLease takes the syncer's lease for station if it is free or
// expired, with a new epoch, and returns it; it returns nil (and no error)
// when another holder's lease is still running. ttl 0 means
// DefaultLeaseTTL.
func (db *DB) TryAcquireLease(ctx context.Context, station string, ttl time.Duration) (*Lease, error) {
	const doing = "take the syncer's turn"
	ttl, err := leaseTTL(ttl)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var l *Lease
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var free bool
		if err := tx.QueryRow(ctx, `SELECT station = '' OR expires_at IS NULL OR expires_at <= now()
			FROM lease WHERE id = 1 FOR UPDATE`).Scan(&free); err != nil {
			return err
		}
		if !free {
			return nil
		}
		var epoch int64
		var expires time.Time
		if err := tx.QueryRow(ctx, `UPDATE lease SET epoch = epoch + 1, station = $1, instance = $2,
			ttl = $3, acquired_at = now(), renewed_at = now(), expires_at = now() + $3
			WHERE id = 1 RETURNING epoch, expires_at`, station, db.instance, ttl).Scan(&epoch, &expires); err != nil {
			return err
		}
		l = &Lease{Epoch: epoch, Station: station, TTL: ttl, Expires: expires}
		return nil
	})
	if err != nil {
		return nil, fail(err, doing)
	}
	if l != nil {
		l.deadline = start.Add(ttl)
	}
	return l, nil
}

// RenewLease extends l by its TTL from now (the database's). It fails with
// ErrLeaseLost in its chain when another station holds the lease now: the
// caller is no longer the syncer and must stop at once. A lease that
// expired without anyone taking it is renewed: no one else wrote meanwhile.
func (db *DB) RenewLease(ctx context.Context, l *Lease) error {
	start := time.Now()
	var expires time.Time
	err := db.pool.QueryRow(ctx, `UPDATE lease SET renewed_at = now(), expires_at = now() + ttl
		WHERE id = 1 AND epoch = $1 RETURNING expires_at`, l.Epoch).Scan(&expires)
	if errors.Is(err, pgx.ErrNoRows) {
		l.deadline = time.Time{}
		return core.Wrap(core.EConflict, ErrLeaseLost, "Another station took over as the venue's S-360 client")
	}
	if err != nil {
		return fail(err, "renew the syncer's turn")
	}
	l.Expires, l.deadline = expires, start.Add(l.TTL)
	return nil
}

// ReleaseLease gives the lease up at once (a clean shutdown), so that
// another candidate takes over without waiting for it to expire. Releasing
// a lease that was taken over is not an error.
func (db *DB) ReleaseLease(ctx context.Context, l *Lease) error {
	l.deadline = time.Time{}
	_, err := db.pool.Exec(ctx, `UPDATE lease SET station = '', instance = '', expires_at = now()
		WHERE id = 1 AND epoch = $1`, l.Epoch)
	return fail(err, "give up the syncer's turn")
}

// CurrentLease reads the lease: who is the venue's syncer, since when,
// until when, by the database's clock.
func (db *DB) CurrentLease(ctx context.Context) (LeaseInfo, error) {
	var li LeaseInfo
	var since, renewed, expires pgtype.Timestamptz
	err := db.pool.QueryRow(ctx, `SELECT epoch, station, acquired_at, renewed_at, expires_at, now(),
		station <> '' AND expires_at > now() FROM lease WHERE id = 1`).
		Scan(&li.Epoch, &li.Station, &since, &renewed, &expires, &li.DBNow, &li.Held)
	if err != nil {
		return LeaseInfo{}, fail(err, "read who the syncer is")
	}
	li.Since, li.Renewed, li.Expires = timeOf(since), timeOf(renewed), timeOf(expires)
	return li, nil
}

func leaseTTL(ttl time.Duration) (time.Duration, error) {
	if ttl == 0 {
		return DefaultLeaseTTL, nil
	}
	if ttl < MinLeaseTTL || ttl > time.Hour {
		return 0, core.Errorf(core.EInvalid, "The syncer lease must last between 1 s and 1 h, not %v", ttl)
	}
	return ttl, nil
}

// fencedTx runs fn in a transaction and commits it only if epoch is still
// the lease's (0: no syncer has ever been elected in this venue, a store
// used as a station's own). The check takes a share lock on the lease row
// right before the commit: a take-over waits for the commit or happens
// before the check, never between, and the lock is held only for that
// moment (a renewal is not held up by a long page).
func (db *DB) fencedTx(ctx context.Context, epoch int64, fn func(pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer rollback(tx)
	if err := fn(tx); err != nil {
		return err
	}
	if err := fence(ctx, tx, epoch); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// fence checks, in tx, that epoch is the lease's.
func fence(ctx context.Context, tx pgx.Tx, epoch int64) error {
	var cur int64
	var station string
	if err := tx.QueryRow(ctx, `SELECT epoch, station FROM lease WHERE id = 1 FOR SHARE`).Scan(&cur, &station); err != nil {
		return err
	}
	switch {
	case cur == epoch:
		return nil
	case epoch == 0:
		return core.Wrap(core.EConflict, ErrFenced,
			"This venue has an elected S-360 client: only its syncer handle stores the export position and S-360's answers")
	default:
		who := "another station"
		if station != "" {
			who = station
		}
		return core.Wrap(core.EConflict, ErrFenced,
			"This station is no longer the venue's S-360 client (its turn, epoch %d, ended; %s holds epoch %d): nothing was written", epoch, who, cur)
	}
}

// rollback ends tx if it was not committed.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	tx.Rollback(ctx)
}
