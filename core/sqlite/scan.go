package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"s360gate/core"
)

// Scan decides a scan and, unless it is a helpdesk check, records it.
//
// The reads the decision is based on, the decision (core.Decide, pure) and
// the insert of its control happen in one BEGIN IMMEDIATE transaction that
// is committed (fsync'ed) before the verdict is returned: two scanners of
// one ticket, in this process or in another one using the same file, are
// serialised by SQLite's write lock and exactly one is admitted; and a
// verdict shown at the gate is never one that a power cut could unrecord.
// If the control cannot be stored the scan returns an error, never a
// verdict.
func (db *DB) Scan(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	return db.scan(ctx, req, false)
}

// ScanOffVenue is Scan on a station's copy of its venue (core/venue), when
// the venue's database did not answer: the control is recorded as decided
// off the venue (Control.OffVenue), to be pushed to the venue later
// (UnpushedControls).
func (db *DB) ScanOffVenue(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	return db.scan(ctx, req, true)
}

func (db *DB) scan(ctx context.Context, req core.ScanRequest, offVenue bool) (core.Verdict, error) {
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	if req.Helpdesk {
		return db.helpdesk(ctx, req)
	}
	const doing = "record the scan"
	db.gateScanned()
	// In the middle of a first export the barcode index may not be built
	// yet: a decision reads by barcode, so build it now (bulk.go).
	if err := db.restoreBarcodeIndex(ctx); err != nil {
		return core.Verdict{}, err
	}
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return core.Verdict{}, err
	}
	v, lastSync, err := decide(ctx, tx, &db.st.decideW, &req)
	if err == nil {
		c := core.NewControl(&v, &req.Checkpoint, lastSync, req.Now)
		c.ID, c.OffVenue = req.ControlID, offVenue
		if c.ID == "" {
			c.ID = newID()
		}
		err = insertControl(ctx, tx.StmtContext(ctx, db.st.insertControl), &c, "")
		v.Control = &c
	}
	if err := db.commit(tx, err, doing); err != nil {
		return core.Verdict{}, err
	}
	return v, nil
}

// helpdesk is "check without burning": the same decision in a read-only
// transaction on a reading connection, nothing written, no write lock.
func (db *DB) helpdesk(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	tx, err := db.readTx(ctx, "check the ticket")
	if err != nil {
		return core.Verdict{}, err
	}
	defer tx.Rollback()
	v, _, err := decide(ctx, tx, &db.st.decideR, &req)
	if err != nil {
		return core.Verdict{}, fail(err, "check the ticket")
	}
	v.Helpdesk = true
	return v, nil
}

// decide loads what the decision needs within tx and runs core.Decide. The
// code is resolved as a barcode, then as a container (RFID card) holding
// several tickets, then as a taxNumber (any case): the number printed on a
// ticket whose barcode no longer scans is how a steward lets its holder
// in. The control is recorded against the ticket's barcode, so a ticket
// typed in once and scanned later (or the other way round) is already used.
func decide(ctx context.Context, tx *sql.Tx, st *decideStmts, req *core.ScanRequest) (core.Verdict, time.Time, error) {
	var ticket *core.Ticket
	if req.Code != "" {
		var t core.Ticket
		err := scanTicket(tx.StmtContext(ctx, st.ticket).QueryRowContext(ctx, req.Code), &t)
		switch {
		case err == nil:
			ticket = &t
		case errors.Is(err, sql.ErrNoRows):
			ts, err := queryTickets(ctx, tx.StmtContext(ctx, st.byContainer), req.Code)
			if err == nil && len(ts) == 0 {
				ts, err = queryTickets(ctx, tx.StmtContext(ctx, st.byTaxNumber), req.Code)
			}
			if err != nil {
				return core.Verdict{}, time.Time{}, err
			}
			ticket = core.PickFromContainer(ts, &req.Checkpoint.Event)
		default:
			return core.Verdict{}, time.Time{}, err
		}
	}
	var history []core.Control
	if ticket != nil {
		rows, err := tx.StmtContext(ctx, st.history).QueryContext(ctx, ticket.Barcode)
		if err != nil {
			return core.Verdict{}, time.Time{}, err
		}
		for rows.Next() {
			var c core.Control
			if err := scanControl(rows, &c); err != nil {
				rows.Close()
				return core.Verdict{}, time.Time{}, err
			}
			history = append(history, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return core.Verdict{}, time.Time{}, err
		}
	}
	var last int64
	var zone string
	if err := tx.StmtContext(ctx, st.lastSync).QueryRowContext(ctx).Scan(&last, &zone); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return core.Verdict{}, time.Time{}, err
	}
	lastSync := fromMicros(last)
	if req.Checkpoint.Zone == nil {
		// The venue's zone is the one the sync engine stored: every
		// station and command decides in it without being told.
		req.Checkpoint.Zone = core.LoadZone(zone)
	}
	v := core.Decide(core.Decision{
		Scanned:    req.Code,
		Ticket:     ticket,
		History:    history,
		Checkpoint: req.Checkpoint,
		LastSync:   lastSync,
		Now:        req.Now,
	})
	v.Prompts = append(v.Prompts, req.Prompts...)
	return v, lastSync, nil
}

// Override admits a denied control on a supervisor's reason: a new control
// (ADMIT, reason OVERRIDE) is recorded next to the denial, which stays. A
// denial can be overridden once; a second override would let a second
// person in on it.
func (db *DB) Override(ctx context.Context, controlID, reason string, now time.Time) (core.Verdict, error) {
	return db.override(ctx, "", controlID, reason, now, false)
}

// OverrideOffVenue is Override on a station's copy of its venue, under
// the id the station chose (see ScanOffVenue).
func (db *DB) OverrideOffVenue(ctx context.Context, id, controlID, reason string, now time.Time) (core.Verdict, error) {
	return db.override(ctx, id, controlID, reason, now, true)
}

func (db *DB) override(ctx context.Context, id, controlID, reason string, now time.Time, offVenue bool) (core.Verdict, error) {
	if now.IsZero() {
		now = time.Now()
	}
	const doing = "record the override"
	db.gateScanned()
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return core.Verdict{}, err
	}
	var v core.Verdict
	err = func() error {
		var denied core.Control
		err := scanControl(tx.StmtContext(ctx, db.st.controlByID).QueryRowContext(ctx, controlID), &denied)
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ENotFound, "No recorded scan with id %s", controlID)
		}
		if err != nil {
			return err
		}
		var prior string
		err = tx.QueryRowContext(ctx, `SELECT id FROM controls WHERE override_of = ? LIMIT 1`, controlID).Scan(&prior)
		if err == nil {
			return core.Say(core.EConflict, "override.err.twice", nil)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var ticket *core.Ticket
		if denied.Barcode != "" {
			var t core.Ticket
			err := scanTicket(tx.StmtContext(ctx, db.st.decideW.ticket).QueryRowContext(ctx, denied.Barcode), &t)
			if err == nil {
				ticket = &t
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		c, err := core.Override(&denied, ticket, reason, now)
		if err != nil {
			return err
		}
		c.ID, c.OffVenue = id, offVenue
		if c.ID == "" {
			c.ID = newID()
		}
		if err := insertControl(ctx, tx.StmtContext(ctx, db.st.insertControl), &c, denied.ID); err != nil {
			return err
		}
		v = core.Verdict{Outcome: core.Admit, Reason: core.ReasonOverride, Facts: c.Facts, At: c.At, Scanned: c.Scanned, Control: &c, Ticket: ticket}
		return nil
	}()
	if err := db.commit(tx, err, doing); err != nil {
		return core.Verdict{}, err
	}
	return v, nil
}

// newID is a time-ordered UUID (v7): new controls append to the id index
// instead of landing on a random page of it.
func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}
