package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"s360gate/core"
)

// A station of a venue keeps its store as a copy of the venue (core/venue):
// the venue's tickets and controls, brought up to date from the venue's
// change feed, and the controls the station decided on its own while the
// venue could not be reached (off_venue, unpushed), until they are pushed.
// Copying is idempotent: a row copied twice (a crash between copying and
// noting the position) is the same row.

// VenueCopy is how far this store's copy of a venue has come.
type VenueCopy struct {
	Venue  string // the venue's identity (postgres.DB.VenueID); "" when none
	Filled bool   // the first fill ended: the copy can decide
	// TicketsPos and ControlsPos are the positions in the venue's changes
	// of what was copied last (postgres.ChangePos, as text).
	TicketsPos, ControlsPos string
	// Settings are the venue's S-360 settings (JSON), and ClockOffset its
	// clock minus this machine's, for a station that starts while the
	// venue cannot be reached.
	Settings    string
	ClockOffset time.Duration
	CopiedAt    time.Time // the copy was last brought up to date (zero: never)
}

const doingCopy = "keep the copy of the venue"

// VenueCopy reads the copy's state (zero when this store is no copy).
func (db *DB) VenueCopy(ctx context.Context) (VenueCopy, error) {
	var c VenueCopy
	var off int64
	var at sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT venue, filled, tickets_pos, controls_pos, settings, clock_offset, copied_at
		FROM venue_copy WHERE id = 1`).Scan(&c.Venue, &c.Filled, &c.TicketsPos, &c.ControlsPos, &c.Settings, &off, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return VenueCopy{}, nil
	}
	c.ClockOffset = time.Duration(off)
	if at.Valid {
		c.CopiedAt = fromMicros(at.Int64)
	}
	return c, fail(err, doingCopy)
}

// SaveVenueCopy stores the copy's state.
func (db *DB) SaveVenueCopy(ctx context.Context, c VenueCopy) error {
	tx, err := db.writeTx(ctx, doingCopy)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO venue_copy (id, venue, filled, tickets_pos, controls_pos, settings, clock_offset, copied_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET venue = excluded.venue, filled = excluded.filled,
		tickets_pos = excluded.tickets_pos, controls_pos = excluded.controls_pos, settings = excluded.settings,
		clock_offset = excluded.clock_offset, copied_at = excluded.copied_at`,
		c.Venue, c.Filled, c.TicketsPos, c.ControlsPos, c.Settings, int64(c.ClockOffset), micros(c.CopiedAt))
	return db.commit(tx, err, doingCopy)
}

// StartVenueCopy makes this store an empty copy of venue: the tickets and
// the controls it held (a station's own, from before it joined, or another
// venue's) are dropped, except controls not pushed yet, which are never
// lost. `venue join` refuses a station holding controls not sent to S-360,
// so what is dropped is known to S-360 or to a venue already.
func (db *DB) StartVenueCopy(ctx context.Context, venue string) error {
	tx, err := db.writeTx(ctx, doingCopy)
	if err != nil {
		return err
	}
	err = func() error {
		for _, q := range []string{`DELETE FROM tickets`, `DELETE FROM controls WHERE unpushed = 0`, `DELETE FROM venue_copy`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO venue_copy (id, venue) VALUES (1, ?)`, venue)
		return err
	}()
	if err := db.commit(tx, err, doingCopy); err != nil {
		return err
	}
	db.ticketsChanged()
	return nil
}

// copyKey is the cursor key the copy's ticket pages are stored under: a
// joined station never runs an export of its own, and an empty cursor
// keeps whatever is stored.
const copyKey = "venue-copy"

// CopyFill stores the first pages of a venue's tickets into an empty copy
// in big transactions (the export's bulk path); Close the writer after.
func (db *DB) CopyFill(ctx context.Context) (core.ExportWriter, error) {
	return db.BeginExport(ctx, copyKey)
}

// CopyTickets stores tickets the venue changed (a later one for the same
// barcode wins), with the refusal flags S-360 gave them through the venue.
func (db *DB) CopyTickets(ctx context.Context, ts []core.Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	if err := db.ApplyPage(ctx, copyKey, core.ExportPage{Tickets: ts}); err != nil {
		return err
	}
	return db.CopyRefusals(ctx, ts)
}

// CopyRefusals sets the refusal flags of those of ts that have one (an
// export never carries them, see updateTicketSQL).
func (db *DB) CopyRefusals(ctx context.Context, ts []core.Ticket) error {
	var flagged []core.Ticket
	for _, t := range ts {
		if t.RejectedByS360 != "" {
			flagged = append(flagged, t)
		}
	}
	if len(flagged) == 0 {
		return nil
	}
	if err := db.restoreBarcodeIndex(ctx); err != nil {
		return err
	}
	tx, err := db.writeTx(ctx, doingCopy)
	if err != nil {
		return err
	}
	for _, t := range flagged {
		if _, err = tx.ExecContext(ctx, `UPDATE tickets SET rejected_by_s360 = ? WHERE barcode = ?`, t.RejectedByS360, t.Barcode); err != nil {
			break
		}
	}
	if err := db.commit(tx, err, doingCopy); err != nil {
		return err
	}
	db.ticketsChanged()
	return nil
}

// CopyControls stores controls as the venue holds them, by id. A control
// this station decided on its own and has not pushed yet is kept as it is:
// the venue may hold another decision under its id (a scan whose venue
// answer was lost), and the push is what settles it.
func (db *DB) CopyControls(ctx context.Context, cs []core.Control) error {
	if len(cs) == 0 {
		return nil
	}
	tx, err := db.writeTx(ctx, doingCopy)
	if err != nil {
		return err
	}
	err = func() error {
		cols := strings.Split(strings.TrimSpace(strings.SplitN(strings.SplitN(insertControlSQL, "(", 2)[1], ")", 2)[0]), ",")
		set := make([]string, 0, len(cols))
		for _, c := range cols[1:] {
			c = strings.TrimSpace(c)
			if c != "unpushed" {
				set = append(set, c+" = excluded."+c)
			}
		}
		stmt, err := tx.PrepareContext(ctx, insertControlSQL+` ON CONFLICT (id) DO UPDATE SET `+strings.Join(set, ", ")+` WHERE unpushed = 0`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range cs {
			if _, err := stmt.ExecContext(ctx, controlArgs(&cs[i], "", false)...); err != nil {
				return err
			}
		}
		return nil
	}()
	return db.commit(tx, err, doingCopy)
}

// Unpushed is a control this station decided on its own, as it is pushed.
type Unpushed struct {
	core.Control
	OverrideOf string // the denial an override admits ("" for a scan)
}

// UnpushedControls are up to limit controls decided off the venue and not
// pushed yet, in the order they were recorded.
func (db *DB) UnpushedControls(ctx context.Context, limit int) ([]Unpushed, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+controlCols+`, coalesce(override_of, '') FROM controls
		WHERE unpushed = 1 ORDER BY rowid LIMIT ?`, limit)
	if err != nil {
		return nil, fail(err, doingCopy)
	}
	defer rows.Close()
	var out []Unpushed
	for rows.Next() {
		var u Unpushed
		if err := scanControl(extra{rows, &u.OverrideOf}, &u.Control); err != nil {
			return nil, fail(err, doingCopy)
		}
		out = append(out, u)
	}
	return out, fail(rows.Err(), doingCopy)
}

// extra scans the columns after a control's into more.
type extra struct {
	sc   scanner
	more *string
}

func (e extra) Scan(dest ...any) error { return e.sc.Scan(append(dest, e.more)...) }

// CountUnpushed is how many controls wait to be pushed.
func (db *DB) CountUnpushed(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM controls WHERE unpushed = 1`).Scan(&n)
	return n, fail(err, doingCopy)
}

// MarkPushed notes that the venue stores these controls now.
func (db *DB) MarkPushed(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := db.writeTx(ctx, doingCopy)
	if err != nil {
		return err
	}
	err = func() error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE controls SET unpushed = 0 WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			if _, err := stmt.ExecContext(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}()
	return db.commit(tx, err, doingCopy)
}
