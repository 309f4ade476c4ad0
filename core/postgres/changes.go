package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"s360gate/core"
)

// What a station's local copy needs of the venue (issue 16): read what
// changed since it last looked, push what it decided on its own while the
// venue could not be reached, and find the double entries that made.
//
// Every insert or update of a ticket or a control gives the row a new
// change position: the id of the transaction that wrote it, then a number
// from a sequence. Catching up reads the rows above the last position seen
// and below the oldest transaction still running (pg_snapshot_xmin): such
// rows are final, since every later transaction gets a higher id. A plain
// sequence would not do: numbers are handed out before commit, so a reader
// could pass number 7 while the transaction holding number 6 has yet to
// commit, and never see it. The cost of the horizon: a transaction left
// open holds the catch-up back until it ends (the store's own transactions
// are short).

// ChangePos is a position in the venue's changes. The zero value is the
// beginning; positions compare in the order of the changes.
type ChangePos struct {
	Xact int64 `json:"xact"` // the writing transaction's id
	Seq  int64 `json:"seq"`
}

// Less orders positions.
func (p ChangePos) Less(q ChangePos) bool {
	return p.Xact < q.Xact || p.Xact == q.Xact && p.Seq < q.Seq
}

// String is "xact.seq", for a station to store (ParseChangePos reads it).
func (p ChangePos) String() string { return fmt.Sprintf("%d.%d", p.Xact, p.Seq) }

// ParseChangePos reads ChangePos.String ("" is the beginning).
func ParseChangePos(s string) (ChangePos, error) {
	if s == "" {
		return ChangePos{}, nil
	}
	x, q, ok := strings.Cut(s, ".")
	xact, err1 := strconv.ParseInt(x, 10, 64)
	seq, err2 := strconv.ParseInt(q, 10, 64)
	if !ok || err1 != nil || err2 != nil || xact < 0 || seq < 0 {
		return ChangePos{}, core.Errorf(core.EInvalid, "%q is not a change position (xact.seq)", s)
	}
	return ChangePos{xact, seq}, nil
}

// TicketChange is a ticket as it is now, and the position of its last
// change.
type TicketChange struct {
	Ticket core.Ticket
	Pos    ChangePos
}

// VenueControl is a control as the venue holds it.
type VenueControl struct {
	core.Control
	// OffVenue: decided by its station alone, from its local copy, while
	// it could not reach this database (stored by PushControls).
	OffVenue bool `json:"offVenue,omitempty"`
	// RecordedAt is when this database received it, by its clock.
	RecordedAt time.Time `json:"recordedAt"`
	Pos        ChangePos `json:"-"`
}

// changeHorizon is the condition that a row's change is final.
const changeHorizon = `change_xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`

// TicketChanges returns up to limit tickets changed after since, in the
// order of their last change (limit <= 0: 1000). The next call passes the
// last one's Pos; fewer than limit means the caller is up to date for now.
// A ticket changed again later comes again, as it is then.
func (db *DB) TicketChanges(ctx context.Context, since ChangePos, limit int) ([]TicketChange, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.pool.Query(ctx, `SELECT `+ticketCols+`, change_xid, change_seq FROM tickets
		WHERE (change_xid, change_seq) > ($1, $2) AND `+changeHorizon+`
		ORDER BY change_xid, change_seq LIMIT $3`, since.Xact, since.Seq, limit)
	if err != nil {
		return nil, fail(err, "read the changed tickets")
	}
	defer rows.Close()
	var out []TicketChange
	for rows.Next() {
		var c TicketChange
		if err := scanTicket(rows, &c.Ticket, &c.Pos.Xact, &c.Pos.Seq); err != nil {
			return nil, fail(err, "read the changed tickets")
		}
		out = append(out, c)
	}
	return out, fail(rows.Err(), "read the changed tickets")
}

const venueControlCols = controlCols + `, off_venue, recorded_at, change_xid, change_seq`

func scanVenueControl(row pgx.Row, c *VenueControl) error {
	return scanControl(row, &c.Control, &c.OffVenue, &c.RecordedAt, &c.Pos.Xact, &c.Pos.Seq)
}

// ControlChanges returns up to limit controls recorded or changed (an
// upload acknowledged, a refusal) after since, in the order of their last
// change; as TicketChanges.
func (db *DB) ControlChanges(ctx context.Context, since ChangePos, limit int) ([]VenueControl, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := db.pool.Query(ctx, `SELECT `+venueControlCols+` FROM controls
		WHERE (change_xid, change_seq) > ($1, $2) AND `+changeHorizon+`
		ORDER BY change_xid, change_seq LIMIT $3`, since.Xact, since.Seq, limit)
	if err != nil {
		return nil, fail(err, "read the changed controls")
	}
	defer rows.Close()
	var out []VenueControl
	for rows.Next() {
		var c VenueControl
		if err := scanVenueControl(rows, &c); err != nil {
			return nil, fail(err, "read the changed controls")
		}
		out = append(out, c)
	}
	return out, fail(rows.Err(), "read the changed controls")
}

// PushControls stores controls a station decided on its own while it could
// not reach the venue, in their order, in one transaction, marked off
// venue. A control whose id is already stored is skipped: a push repeated
// after a crash or a lost answer stores nothing twice. Their upload state is
// kept as given (pending ones are uploaded by the venue's syncer). It
// returns how many were new. Bad controls (no id, station or time, an
// unknown outcome, direction or upload state) refuse the whole push.
func (db *DB) PushControls(ctx context.Context, cs []core.Control) (int, error) {
	for i := range cs {
		if why := checkPushed(&cs[i]); why != "" {
			return 0, core.Errorf(core.EInvalid, "Control %d of the push (%q) cannot be stored: %s; nothing was stored", i+1, cs[i].ID, why)
		}
	}
	const chunk = 500
	added := 0
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		for start := 0; start < len(cs); start += chunk {
			b := &pgx.Batch{}
			for i := start; i < min(start+chunk, len(cs)); i++ {
				b.Queue(insertControlSQL+` ON CONFLICT (id) DO NOTHING`, controlArgs(&cs[i], "", true)...).
					Exec(func(tag pgconn.CommandTag) error {
						added += int(tag.RowsAffected())
						return nil
					})
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fail(err, "store the controls decided without the venue")
	}
	return added, nil
}

func checkPushed(c *core.Control) string {
	switch {
	case c.ID == "":
		return "no id"
	case c.Station == "":
		return "no station"
	case c.At.IsZero():
		return "no time"
	case c.Outcome != core.Admit && c.Outcome != core.Deny:
		return "verdict " + strconv.Quote(string(c.Outcome))
	case c.Direction != core.DirectionIn && c.Direction != core.DirectionOut:
		return "direction " + strconv.Quote(string(c.Direction))
	}
	switch c.Upload {
	case core.UploadPending, core.UploadDone, core.UploadRejected, core.UploadLocal:
		return ""
	}
	return "upload state " + strconv.Quote(string(c.Upload))
}

// DoubleEntry is a ticket let in twice: Second would have been denied
// ALREADY_USED had its station seen First (through this database it always
// does, so these come from stations deciding on their own).
type DoubleEntry struct {
	Barcode string       `json:"barcode"`
	First   VenueControl `json:"first"`
	Second  VenueControl `json:"second"`
}

// DoubleEntries lists the venue's double entries, by the venue's entrance
// rules (re-entry allowed or not, from its settings; not allowed when none
// are stored), in the order of the second entries. With single entry, a
// ticket admitted three times makes two double entries, each against the
// first; with re-entry, an entry is double when the previous admission of
// the ticket was an entry too (no exit between). Supervisors' overrides are
// decisions, never double entries, but count as entries.
func (db *DB) DoubleEntries(ctx context.Context) ([]DoubleEntry, error) {
	const doing = "find the double entries"
	v, _, err := db.VenueSettings(ctx)
	if err != nil && core.ErrorCode(err) != core.ENotFound {
		return nil, err
	}
	view := "double_entries"
	if v.AllowReentry {
		view = "double_entries_reentry"
	}
	var out []DoubleEntry
	err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT d.barcode, d.first_id, d.second_id FROM `+view+` d
			JOIN controls s ON s.id = d.second_id ORDER BY s.at, s.n`)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var d DoubleEntry
			if err := rows.Scan(&d.Barcode, &d.First.ID, &d.Second.ID); err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
			ids = append(ids, d.First.ID, d.Second.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+venueControlCols+` FROM controls WHERE id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[string]VenueControl{}
		for rows.Next() {
			var c VenueControl
			if err := scanVenueControl(rows, &c); err != nil {
				return err
			}
			byID[c.ID] = c
		}
		for i := range out {
			out[i].First, out[i].Second = byID[out[i].First.ID], byID[out[i].Second.ID]
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fail(err, doing)
	}
	return out, nil
}
