package postgres

import (
	"context"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// VenueID is the venue's identity, made with its database: a station's
// local copy belongs to one venue, and one made of another is started
// afresh.
func (db *DB) VenueID(ctx context.Context) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `SELECT venue_id FROM venue_identity WHERE id = 1`).Scan(&id)
	return id, fail(err, "read the venue's identity")
}

// Snapshot reads the whole venue as of one moment, for a station's first
// fill of its local copy, faster than paging through the changes: every
// ticket in S-360's order of arrival, in slices of up to batch (<= 0:
// 5000) given to tickets as they are read, then every control in the
// order they happened, to controls. It returns the positions from which
// TicketChanges and ControlChanges go on: what changes after the snapshot
// comes from there, what it read never again (except rows changed again).
//
// The snapshot reads the rows whose change is final (below the oldest
// transaction running when it began, as the change feed does), so its
// positions are exact: (that transaction's id - 1, the largest sequence).
// The callbacks run while the snapshot is open: they should hand the rows
// on rather than wait for long.
func (db *DB) Snapshot(ctx context.Context, batch int, tickets func([]core.Ticket) error,
	controls func([]VenueControl) error) (tpos, cpos ChangePos, err error) {
	if batch <= 0 {
		batch = 5000
	}
	const doing = "read the venue's list"
	var stop error // a callback's error, returned as is
	err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var xmin int64
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&xmin); err != nil {
			return err
		}
		tpos = ChangePos{Xact: xmin - 1, Seq: math.MaxInt64}
		cpos = tpos
		rows, err := tx.Query(ctx, `SELECT `+ticketCols+` FROM tickets WHERE change_xid < $1 ORDER BY arrival`, xmin)
		if err != nil {
			return err
		}
		page := make([]core.Ticket, 0, batch)
		for rows.Next() {
			page = append(page, core.Ticket{})
			if err := scanTicket(rows, &page[len(page)-1]); err != nil {
				rows.Close()
				return err
			}
			if len(page) == batch {
				if stop = tickets(page); stop != nil {
					rows.Close()
					return stop
				}
				page = make([]core.Ticket, 0, batch)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) > 0 {
			if stop = tickets(page); stop != nil {
				return stop
			}
		}
		rows, err = tx.Query(ctx, `SELECT `+venueControlCols+` FROM controls WHERE change_xid < $1 ORDER BY at, n`, xmin)
		if err != nil {
			return err
		}
		defer rows.Close()
		cs := make([]VenueControl, 0, batch)
		for rows.Next() {
			cs = append(cs, VenueControl{})
			if err := scanVenueControl(rows, &cs[len(cs)-1]); err != nil {
				return err
			}
			if len(cs) == batch {
				if stop = controls(cs); stop != nil {
					return stop
				}
				cs = make([]VenueControl, 0, batch)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(cs) > 0 {
			stop = controls(cs)
		}
		return stop
	})
	if err != nil {
		if stop != nil && errors.Is(err, stop) {
			return ChangePos{}, ChangePos{}, stop
		}
		return ChangePos{}, ChangePos{}, fail(err, doing)
	}
	return tpos, cpos, nil
}
