package postgres

import (
	"context"
	"errors"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"s360gate/core"
)

// Scan decides a scan and, unless it is a helpdesk check, records it.
//
// The reads the decision is based on, the decision (core.Decide, pure) and
// the insert of its control happen in one transaction that is committed
// (and flushed to the server's disk) before the verdict is returned. The
// transaction first takes an advisory lock keyed by the scanned code, and
// by the ticket's barcode when the code is a container (lockKey): two
// stations scanning one ticket, or one overriding a denial of it while
// another scans it, are serialised, and the second reads the first's
// control — each statement after the lock sees what was committed before
// it was granted (READ COMMITTED) — so a ticket is admitted at most once
// venue-wide. A lock rather than SELECT … FOR UPDATE on the ticket's row:
// it serialises unknown codes too (there is no row to lock), costs no write
// to the table, and an export rewriting the row never holds a scan up.
// If the control cannot be stored the scan returns an error, never a
// verdict.
//
// The common case is two round trips: BEGIN, the lock and every read in
// one pipelined batch; the insert and COMMIT in a second.
func (db *DB) Scan(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	if req.Helpdesk {
		return db.helpdesk(ctx, req)
	}
	const doing = "record the scan"
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return core.Verdict{}, fail(err, doing)
	}
	defer conn.Release()
	v, err := scanIn(ctx, conn, &req)
	if err != nil {
		abort(conn)
		return core.Verdict{}, fail(err, doing)
	}
	return v, nil
}

func scanIn(ctx context.Context, conn *pgxpool.Conn, req *core.ScanRequest) (core.Verdict, error) {
	d, err := readDecision(ctx, conn, "BEGIN", req, true)
	if err != nil {
		return core.Verdict{}, err
	}
	if d.fromContainer {
		// Lock the container's chosen ticket too (the lock a scan of its
		// barcode takes) and read its history under that lock.
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey(d.ticket.Barcode))
		b.Queue(historySQL, d.ticket.Barcode)
		br := conn.SendBatch(ctx, b)
		_, err := br.Exec()
		if err == nil {
			d.history, err = collectControls(br.Query())
		}
		if err = errors.Join(err, br.Close()); err != nil {
			return core.Verdict{}, err
		}
	}
	v := d.decide(req)
	c := core.NewControl(&v, &req.Checkpoint, d.lastSync, req.Now)
	c.ID = req.ControlID
	if c.ID == "" {
		c.ID = newID()
	}
	if err := insertAndCommit(ctx, conn, &c, ""); err != nil {
		return core.Verdict{}, err
	}
	v.Control = &c
	return v, nil
}

// helpdesk is "check without burning": the same decision in a read-only
// snapshot, nothing written, no lock.
func (db *DB) helpdesk(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	const doing = "check the ticket"
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return core.Verdict{}, fail(err, doing)
	}
	defer conn.Release()
	d, err := readDecision(ctx, conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", &req, false)
	if err == nil && d.fromContainer {
		d.history, err = collectControls(conn.Query(ctx, historySQL, d.ticket.Barcode))
	}
	if err == nil {
		_, err = conn.Exec(ctx, "COMMIT")
	}
	if err != nil {
		abort(conn)
		return core.Verdict{}, fail(err, doing)
	}
	v := d.decide(&req)
	v.Helpdesk = true
	return v, nil
}

// decision is what a decision reads.
type decision struct {
	ticket *core.Ticket
	// fromContainer: the code named a container (ticket was chosen among
	// its tickets) or a taxNumber: the ticket's own lock is still to be
	// taken and its history read.
	fromContainer bool
	history       []core.Control
	lastSync      time.Time
}

// readDecision sends begin (a BEGIN statement), the lock on the code if
// lock (with the last sync's time and the venue's zone, read in the same
// statement: they need no lock), and the reads of a decision, in one batch
// of four statements. The code is resolved as a barcode, then as a
// container (RFID card) holding several tickets, then as a taxNumber (any
// case): the number printed on a ticket whose barcode no longer scans is
// how a steward lets its holder in. The control is recorded against the
// ticket's barcode, so a ticket typed in once and scanned later (or the
// other way round) is already used.
func readDecision(ctx context.Context, conn *pgxpool.Conn, begin string, req *core.ScanRequest, lock bool) (*decision, error) {
	b := &pgx.Batch{}
	b.Queue(begin)
	if lock {
		b.Queue(`SELECT pg_advisory_xact_lock($1)::text, `+lastSyncCols, lockKey(req.Code))
	} else {
		b.Queue(`SELECT '', ` + lastSyncCols)
	}
	// The ticket of that barcode first, then a container's in S-360's
	// order, then the ticket of that taxNumber.
	b.Queue(`SELECT `+ticketCols+` FROM tickets
		WHERE barcode = $1 OR container_id = $1 OR (lower(tax_number) = lower($1::text COLLATE "C") AND tax_number IS NOT NULL)
		ORDER BY barcode = $1 DESC, container_id = $1 DESC NULLS LAST, arrival`, req.Code)
	b.Queue(historySQL, req.Code)
	br := conn.SendBatch(ctx, b)
	d := &decision{}
	err := func() error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		var exp, up pgtype.Timestamptz
		var zone *string
		if err := br.QueryRow().Scan(new(string), &exp, &up, &zone); err != nil {
			return err
		}
		d.lastSync = timeOf(exp)
		if u := timeOf(up); u.After(d.lastSync) {
			d.lastSync = u
		}
		if req.Checkpoint.Zone == nil && zone != nil {
			// The venue's zone is the one the syncer stored: every station
			// decides in it without being told.
			req.Checkpoint.Zone = core.LoadZone(*zone)
		}
		ts, err := collectTickets(br.Query())
		if err != nil {
			return err
		}
		history, err := collectControls(br.Query())
		if err != nil {
			return err
		}
		switch {
		case req.Code == "" || len(ts) == 0:
		case ts[0].Barcode == req.Code:
			d.ticket, d.history = &ts[0], history
		case ts[0].ContainerID == req.Code:
			var held []core.Ticket
			for _, t := range ts {
				if t.ContainerID == req.Code {
					held = append(held, t)
				}
			}
			d.ticket = core.PickFromContainer(held, &req.Checkpoint.Event)
			d.fromContainer = d.ticket != nil
		default: // the taxNumber printed on the ticket, typed at the gate
			d.ticket, d.fromContainer = &ts[0], true
		}
		return nil
	}()
	if err = errors.Join(err, br.Close()); err != nil {
		return nil, err
	}
	return d, nil
}

// lastSyncCols are the last successful exchanges with S-360 and the
// venue's zone, as columns of a statement without FROM (so that it always returns its one row).
const lastSyncCols = `(SELECT last_export_ok FROM sync_state WHERE id = 1),
	(SELECT last_upload_ok FROM sync_state WHERE id = 1),
	(SELECT time_zone FROM sync_state WHERE id = 1)`

// decide runs core.Decide on what was read.
func (d *decision) decide(req *core.ScanRequest) core.Verdict {
	v := core.Decide(core.Decision{
		Scanned:    req.Code,
		Ticket:     d.ticket,
		History:    d.history,
		Checkpoint: req.Checkpoint,
		LastSync:   d.lastSync,
		Now:        req.Now,
	})
	v.Prompts = append(v.Prompts, req.Prompts...)
	return v
}

// insertAndCommit records c in the open transaction and commits it; only a
// COMMIT that the server confirmed counts.
func insertAndCommit(ctx context.Context, conn *pgxpool.Conn, c *core.Control, overrideOf string) error {
	b := &pgx.Batch{}
	b.Queue(insertControlSQL, controlArgs(c, overrideOf)...)
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	_, err := br.Exec()
	if err == nil {
		var tag pgconn.CommandTag
		tag, err = br.Exec()
		if err == nil && tag.String() != "COMMIT" {
			err = errors.New("the transaction was rolled back instead of committed")
		}
	}
	return errors.Join(err, br.Close())
}

// Override admits a denied control on a supervisor's reason: a new control
// (ADMIT, reason OVERRIDE) is recorded next to the denial, which stays. A
// denial can be overridden once, venue-wide: the override holds the lock of
// the denial's ticket (or unknown code) while it checks and records, so two
// supervisors overriding one denial at two stations let one person in.
func (db *DB) Override(ctx context.Context, controlID, reason string, now time.Time) (core.Verdict, error) {
	return db.OverrideAs(ctx, "", controlID, reason, now)
}

// OverrideAs is Override recording the override under id ("": a new one):
// a station of a venue chooses it before it asks, as for a scan
// (core.ScanRequest.ControlID).
func (db *DB) OverrideAs(ctx context.Context, id, controlID, reason string, now time.Time) (core.Verdict, error) {
	if now.IsZero() {
		now = time.Now()
	}
	const doing = "record the override"
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return core.Verdict{}, fail(err, doing)
	}
	defer conn.Release()
	v, err := overrideIn(ctx, conn, id, controlID, reason, now)
	if err != nil {
		abort(conn)
		return core.Verdict{}, fail(err, doing)
	}
	return v, nil
}

func overrideIn(ctx context.Context, conn *pgxpool.Conn, id, controlID, reason string, now time.Time) (core.Verdict, error) {
	var denied core.Control
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(controlByIDSQL, controlID)
	br := conn.SendBatch(ctx, b)
	_, err := br.Exec()
	if err == nil {
		err = scanControl(br.QueryRow(), &denied)
	}
	if err = errors.Join(err, br.Close()); errors.Is(err, pgx.ErrNoRows) {
		return core.Verdict{}, core.Errorf(core.ENotFound, "No recorded scan with id %s", controlID)
	} else if err != nil {
		return core.Verdict{}, err
	}
	key := denied.Barcode
	if key == "" {
		key = denied.Scanned
	}
	var prior bool
	var t core.Ticket
	var haveTicket bool
	b = &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey(key))
	b.Queue(`SELECT EXISTS (SELECT 1 FROM controls WHERE override_of = $1)`, controlID)
	b.Queue(ticketByBarcodeSQL, denied.Barcode)
	br = conn.SendBatch(ctx, b)
	_, err = br.Exec()
	if err == nil {
		err = br.QueryRow().Scan(&prior)
	}
	if err == nil {
		err = scanTicket(br.QueryRow(), &t)
		haveTicket = err == nil
		if errors.Is(err, pgx.ErrNoRows) {
			err = nil
		}
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return core.Verdict{}, err
	}
	if prior {
		return core.Verdict{}, core.Say(core.EConflict, "override.err.twice", nil)
	}
	var ticket *core.Ticket
	if haveTicket {
		ticket = &t
	}
	c, err := core.Override(&denied, ticket, reason, now)
	if err != nil {
		return core.Verdict{}, err
	}
	c.ID, c.OffVenue = id, false // decided here, whatever the denial was
	if c.ID == "" {
		c.ID = newID()
	}
	if err := insertAndCommit(ctx, conn, &c, denied.ID); err != nil {
		return core.Verdict{}, err
	}
	return core.Verdict{Outcome: core.Admit, Reason: core.ReasonOverride, Facts: c.Facts, At: c.At, Scanned: c.Scanned,
		Control: &c, Ticket: ticket}, nil
}

// lockKey is the advisory lock of a scanned code (a barcode, a container
// or an unknown code): FNV-1a of its bytes. Every station of a venue must
// compute the same key for the same code, whatever its version: never
// change it. Two codes with one key only wait for each other.
func lockKey(code string) int64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	return int64(h.Sum64())
}

// abort rolls back whatever transaction conn is in, or leaves the
// connection to be discarded by the pool (it drops connections released in
// a transaction).
func abort(conn *pgxpool.Conn) {
	if conn.Conn().IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn.Exec(ctx, "ROLLBACK")
}

// newID is a time-ordered UUID (v7): new controls append to the id index
// instead of landing on a random page of it.
func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}
