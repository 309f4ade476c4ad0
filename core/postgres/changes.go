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

// VenueControl is a control as the venue holds it (Control.OffVenue:
// decided by its station alone, from its local copy, while it could not
// reach this database, and stored by Push).
type VenueControl struct {
	core.Control
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

const venueControlCols = controlCols + `, recorded_at, change_xid, change_seq`

func scanVenueControl(row pgx.Row, c *VenueControl) error {
	return scanControl(row, &c.Control, &c.RecordedAt, &c.Pos.Xact, &c.Pos.Seq)
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

// Pushed is a control a station decided on its own, as it pushes it.
type Pushed struct {
	core.Control
	// OverrideOf is the denied control an override admits ("" for a
	// scan): a denial is overridden once, venue-wide.
	OverrideOf string
}

// PushControls is Push for controls that are no overrides of a denial.
func (db *DB) PushControls(ctx context.Context, cs []core.Control) (int, error) {
	ps := make([]Pushed, len(cs))
	for i := range cs {
		ps[i].Control = cs[i]
	}
	return db.Push(ctx, ps)
}

// Push stores controls a station decided on its own while it could not
// reach the venue, in their order, in one transaction, marked off venue.
// Their upload state is kept as given (pending ones are uploaded by the
// venue's syncer). Bad controls (no id, station or time, an unknown
// outcome, direction or upload state) refuse the whole push. It returns
// how many it stored or corrected.
//
// It is idempotent by control id: a push repeated after a crash or a lost
// answer stores nothing twice, and changes nothing of what it stored.
//
// One id may already be held as decided through the venue: the station
// asked the venue first, under the same id (core.ScanRequest.ControlID),
// and the venue committed the scan but its answer did not reach the
// station in time, so the station decided alone and showed that verdict.
// What the gate showed is what happened, so the station's control is
// kept, marked off venue (correct): the same outcome changes nothing else
// (what S-360 may already have been sent stays as it is); another one
// replaces the venue's decision, and the control goes to S-360 again with
// its real result unless S-360 refuses that ticket. Either way the venue
// holds one control for the scan, and a double entry it makes is found.
func (db *DB) Push(ctx context.Context, ps []Pushed) (int, error) {
	for i := range ps {
		if why := checkPushed(&ps[i].Control); why != "" {
			return 0, core.Errorf(core.EInvalid, "Control %d of the push (%q) cannot be stored: %s; nothing was stored", i+1, ps[i].ID, why)
		}
	}
	const chunk = 500
	stored := 0
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		stored = 0
		var held []*Pushed // ids the venue already holds
		for start := 0; start < len(ps); start += chunk {
			b := &pgx.Batch{}
			for i := start; i < min(start+chunk, len(ps)); i++ {
				p := &ps[i]
				p.OffVenue = true
				b.Queue(insertControlSQL+` ON CONFLICT (id) DO NOTHING`, controlArgs(&p.Control, p.OverrideOf)...).
					Exec(func(tag pgconn.CommandTag) error {
						if tag.RowsAffected() == 0 {
							held = append(held, p)
						} else {
							stored++
						}
						return nil
					})
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		n, err := correct(ctx, tx, held)
		stored += n
		return err
	})
	if err != nil {
		return 0, fail(err, "store the controls decided without the venue")
	}
	return stored, nil
}

// correct keeps the station's verdict for the pushed controls whose id the
// venue held already, decided through it (see Push). Those it holds off
// venue were pushed before: nothing changes.
func correct(ctx context.Context, tx pgx.Tx, held []*Pushed) (int, error) {
	if len(held) == 0 {
		return 0, nil
	}
	ids := make([]string, len(held))
	for i, p := range held {
		ids[i] = p.ID
	}
	rows, err := tx.Query(ctx, `SELECT `+controlCols+` FROM controls WHERE id = ANY($1) AND NOT off_venue FOR UPDATE`, ids)
	if err != nil {
		return 0, err
	}
	venue := map[string]core.Control{}
	for rows.Next() {
		var c core.Control
		if err := scanControl(rows, &c); err != nil {
			rows.Close()
			return 0, err
		}
		venue[c.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range held {
		v, ok := venue[p.ID]
		if !ok {
			continue
		}
		var err error
		if v.Outcome == p.Outcome {
			_, err = tx.Exec(ctx, `UPDATE controls SET off_venue = true, reason = $2, facts = $3, message = '', `+bumpChange+`
				WHERE id = $1`, p.ID, string(p.Reason), ns(p.Facts.Encode()))
		} else {
			c := p.Control
			if v.Upload == core.UploadRejected {
				c.Upload, c.UploadDetail = v.Upload, v.UploadDetail
			} else if v.Upload == core.UploadDone {
				c.UploadDetail = core.SentOtherDetail(v.ControlResult(), p.Outcome)
			}
			_, err = tx.Exec(ctx, `UPDATE controls SET off_venue = true, barcode = $2, outcome = $3, reason = $4,
				facts = $5, message = '', offline = $6, upload_state = $7, upload_detail = $8, uploaded_at = $9, upload_epoch = NULL, `+bumpChange+`
				WHERE id = $1`, p.ID, ns(c.Barcode), string(c.Outcome), string(c.Reason), ns(c.Facts.Encode()), c.Offline,
				string(c.Upload), ns(c.UploadDetail), nt(c.UploadedAt))
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
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

// DoubleEntry is a ticket let in twice (core.DoubleEntry).
type DoubleEntry = core.DoubleEntry

// DoubleEntries lists the venue's double entries, by the venue's entrance
// rules (re-entry allowed or not, from its settings; not allowed when none
// are stored), in the order of the second entries. With single entry, a
// ticket admitted three times makes two double entries, each against the
// first; with re-entry, an entry is double when the previous admission of
// the ticket was an entry too (no exit between). Supervisors' overrides are
// decisions, never double entries, but count as entries.
func (db *DB) DoubleEntries(ctx context.Context) ([]DoubleEntry, error) {
	return db.doubleEntries(ctx, "")
}

// DoubleEntriesOf lists the double entries of one ticket (the dispute
// desk), as DoubleEntries.
func (db *DB) DoubleEntriesOf(ctx context.Context, barcode string) ([]DoubleEntry, error) {
	if barcode == "" {
		return nil, nil
	}
	return db.doubleEntries(ctx, barcode)
}

// doubleEntries reads the views of the schema for the tickets that may
// have double entries: those admitted by a station deciding on its own
// (through the venue, a second entry is always denied), or barcode only.
// So a venue whose link never failed pays for an empty index scan, not for
// a window over every admission, at each station's status refresh.
func (db *DB) doubleEntries(ctx context.Context, barcode string) ([]DoubleEntry, error) {
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
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT d.barcode, d.first_id, d.second_id FROM `+view+` d
			JOIN controls s ON s.id = d.second_id
			WHERE d.barcode IN (SELECT barcode FROM controls WHERE off_venue AND outcome = 'ADMIT' AND barcode IS NOT NULL
				AND ($1 = '' OR barcode = $1))
			ORDER BY s.at, s.n`, barcode)
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
		byID := map[string]core.Control{}
		cs, err := collectControls(tx.Query(ctx, `SELECT `+controlCols+` FROM controls WHERE id = ANY($1)`, ids))
		if err != nil {
			return err
		}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for i := range out {
			out[i].First, out[i].Second = byID[out[i].First.ID], byID[out[i].Second.ID]
		}
		return nil
	})
	if err != nil {
		return nil, fail(err, doing)
	}
	return out, nil
}
