package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"sync"
	"time"

	"s360gate/core"
)

// ns is s, or NULL when empty.
func ns(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// micros stores a time as Unix microseconds, NULL for the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// sinceMicros is a lower bound for "at >= ?": the zero time means all.
func sinceMicros(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixMicro()
}

// fromMicros is micros' inverse (NULL is read as 0 through coalesce).
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

// Cursor is the last stored cursor for key ("" for none).
func (db *DB) Cursor(ctx context.Context, key string) (string, error) {
	var c string
	err := db.r.QueryRowContext(ctx, `SELECT cursor FROM cursors WHERE key = ?`, key).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, fail(err, "read the export position")
}

// ticketCols reads a ticket back; NULLs come back as "" and 0.
const ticketCols = `barcode, state, coalesce(cancellation_cause, ''),
	coalesce(audience_sub_category_code, ''), coalesce(tax_number, ''),
	coalesce(entrance_code, ''), coalesce(container_id, ''), coalesce(season_code, ''),
	coalesce(product_code, ''), coalesce(performance_code, ''), coalesce(sector, ''),
	coalesce(block, ''), coalesce(seat_row, ''), coalesce(seat, ''),
	coalesce(valid_from, 0), coalesce(valid_to, 0),
	coalesce(holder_first_name, ''), coalesce(holder_last_name, ''),
	coalesce(holder_id_number, ''), coalesce(holder_birth_date, ''),
	coalesce(holder_country_code, ''), coalesce(rejected_by_s360, ''), raw`

type scanner interface{ Scan(dest ...any) error }

func scanTicket(sc scanner, t *core.Ticket) error {
	var state string
	var from, to int64
	h := &t.Holder
	err := sc.Scan(&t.Barcode, &state, &t.CancellationCause, &t.AudienceSubCategoryCode,
		&t.TaxNumber, &t.EntranceCode, &t.ContainerID, &t.SeasonCode, &t.ProductCode,
		&t.PerformanceCode, &t.Sector, &t.Block, &t.Row, &t.Seat, &from, &to,
		&h.FirstName, &h.LastName, &h.IDNumber, &h.BirthDate, &h.CountryCode,
		&t.RejectedByS360, &t.Raw)
	t.State = core.TicketState(state)
	t.ValidFrom, t.ValidTo = fromMicros(from), fromMicros(to)
	return err
}

// queryTickets runs a query selecting ticketCols.
func queryTickets(ctx context.Context, q interface {
	QueryContext(context.Context, ...any) (*sql.Rows, error)
}, args ...any) ([]core.Ticket, error) {
	rows, err := q.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []core.Ticket
	for rows.Next() {
		var t core.Ticket
		if err := scanTicket(rows, &t); err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// Ticket returns one ticket by barcode (ENotFound if unknown).
func (db *DB) Ticket(ctx context.Context, barcode string) (core.Ticket, error) {
	var t core.Ticket
	err := scanTicket(db.st.ticket.QueryRowContext(ctx, barcode), &t)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Ticket{}, core.Errorf(core.ENotFound, "No ticket with barcode %s", barcode)
	}
	return t, fail(err, "read the ticket")
}

// TicketCounts is how many tickets are held, valid (state VALID and not
// refused by S-360) and not. It is on the app's startup path and after
// every sync cycle, so it never counts a million rows: tickets are never
// deleted (an export adds or rewrites them, a purge erases holder data, not
// rows) and a new row gets rowid max+1, so the largest rowid is the total —
// a few page reads at the right edge of the table (count(*) walked the
// whole barcode index: 30–80 ms at a million). The invalid ones come from
// a partial index holding only them. The GUI asks every few seconds, so
// the answer is kept while this process changes no ticket, for at most
// countsTTL (another process may have).
func (db *DB) TicketCounts(ctx context.Context) (core.TicketCounts, error) {
	cc := &db.counts
	cc.Lock()
	defer cc.Unlock()
	version := db.ticketsVersion.Load()
	if cc.ok && cc.version == version && time.Since(cc.at) < countsTTL {
		return cc.c, nil
	}
	var total, invalid int
	tx, err := db.readTx(ctx, "count the tickets")
	if err != nil {
		return core.TicketCounts{}, err
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM tickets`).Scan(&total)
	if err == nil {
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM tickets
			WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL`).Scan(&invalid)
	}
	if err != nil {
		return core.TicketCounts{}, fail(err, "count the tickets")
	}
	cc.c = core.TicketCounts{Valid: total - invalid, Invalid: invalid}
	cc.version, cc.at, cc.ok = version, time.Now(), true
	return cc.c, nil
}

const countsTTL = 10 * time.Second

// countsCache is TicketCounts' last answer.
type countsCache struct {
	sync.Mutex
	ok      bool
	version uint64
	at      time.Time
	c       core.TicketCounts
}

// ticketsChanged invalidates what is cached about tickets.
func (db *DB) ticketsChanged() { db.ticketsVersion.Add(1) }
