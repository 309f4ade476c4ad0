package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"s360gate/core"
)

// ticketCols reads a ticket back; NULLs come back as "" and zero times.
const ticketCols = `barcode, state, coalesce(cancellation_cause, ''),
	coalesce(audience_sub_category_code, ''), coalesce(tax_number, ''),
	coalesce(entrance_code, ''), coalesce(container_id, ''), coalesce(season_code, ''),
	coalesce(product_code, ''), coalesce(performance_code, ''), coalesce(sector, ''),
	coalesce(block, ''), coalesce(seat_row, ''), coalesce(seat, ''),
	valid_from, valid_to,
	coalesce(holder_first_name, ''), coalesce(holder_last_name, ''),
	coalesce(holder_id_number, ''), coalesce(holder_birth_date, ''),
	coalesce(holder_country_code, ''), coalesce(rejected_by_s360, ''), raw`

const (
	ticketByBarcodeSQL = `SELECT ` + ticketCols + ` FROM tickets WHERE barcode = $1`
	// arrival order is S-360's order of first arrival: a stable choice.
	ticketsByContainerSQL = `SELECT ` + ticketCols + ` FROM tickets WHERE container_id = $1 ORDER BY arrival`
)

// scanTicket reads ticketCols; extra are more destinations after them.
func scanTicket(row pgx.Row, t *core.Ticket, extra ...any) error {
	var state string
	var from, to pgtype.Timestamptz
	h := &t.Holder
	dest := []any{&t.Barcode, &state, &t.CancellationCause, &t.AudienceSubCategoryCode,
		&t.TaxNumber, &t.EntranceCode, &t.ContainerID, &t.SeasonCode, &t.ProductCode,
		&t.PerformanceCode, &t.Sector, &t.Block, &t.Row, &t.Seat, &from, &to,
		&h.FirstName, &h.LastName, &h.IDNumber, &h.BirthDate, &h.CountryCode,
		&t.RejectedByS360, &t.Raw}
	err := row.Scan(append(dest, extra...)...)
	t.State = core.TicketState(state)
	t.ValidFrom, t.ValidTo = timeOf(from), timeOf(to)
	if len(t.Raw) == 0 {
		t.Raw = nil
	}
	return err
}

// collectTickets reads rows of ticketCols.
func collectTickets(rows pgx.Rows, err error) ([]core.Ticket, error) {
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

// timeOf is a nullable timestamptz as a time (zero for NULL).
func timeOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time
}

// nt is a time as a parameter: NULL for the zero time.
func nt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// ns is s as a parameter: NULL when empty.
func ns(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Ticket returns one ticket by barcode (ENotFound if unknown).
func (db *DB) Ticket(ctx context.Context, barcode string) (core.Ticket, error) {
	var t core.Ticket
	err := scanTicket(db.pool.QueryRow(ctx, ticketByBarcodeSQL, barcode), &t)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Ticket{}, core.Errorf(core.ENotFound, "No ticket with barcode %s", barcode)
	}
	return t, fail(err, "read the ticket")
}

// Cursor is the last stored cursor for key ("" for none).
func (db *DB) Cursor(ctx context.Context, key string) (string, error) {
	var c string
	err := db.pool.QueryRow(ctx, `SELECT cursor FROM cursors WHERE key = $1`, key).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return c, fail(err, "read the export position")
}

// TicketCounts is how many tickets are held, valid (state VALID and not
// refused by S-360) and not. The total is kept by the transactions that add
// tickets (ticket_total), the invalid ones come from a partial index that
// holds only them: two small reads, whatever the list's size.
func (db *DB) TicketCounts(ctx context.Context) (core.TicketCounts, error) {
	var total, invalid int
	err := db.pool.QueryRow(ctx, `SELECT (SELECT total FROM ticket_total WHERE id = 1),
		(SELECT count(*) FROM tickets WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL)`).Scan(&total, &invalid)
	if err != nil {
		return core.TicketCounts{}, fail(err, "count the tickets")
	}
	return core.TicketCounts{Valid: total - invalid, Invalid: invalid}, nil
}
