package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// An export is stored page by page, each page in one transaction with its
// cursor, fenced by the writer's epoch (fence.go): a crash, a lost
// connection or a handover leaves either the page and its cursor, or
// neither. Unlike SQLite there is no gain in gathering pages: a commit costs
// one WAL flush, and a short transaction keeps the rows it rewrites locked
// only briefly.
//
// A page is written with COPY, the fastest way into PostgreSQL:
//   - into an empty list (a venue's first export, up to a million tickets)
//     straight into tickets; the few barcodes of a page S-360 sends again
//     later in the run (a ticket changed while the list was being paged:
//     a few in a hundred in a GREY list) are looked up first and go the
//     second way, so that they do not send the whole run there;
//   - otherwise into a temporary table, then one INSERT … ON CONFLICT DO
//     UPDATE, which rewrites every exported field of a stored ticket but
//     never rejected_by_s360: S-360 does not send it, it is what we learned
//     when S-360 refused a control, and a re-export must not wipe it.
// Within a page, a barcode's last item wins (S-360's order rule): the
// others are dropped before the COPY (lastItems).

// ticketCopyCols are the columns an export writes, in ticketRow's order.
var ticketCopyCols = []string{"barcode", "state", "cancellation_cause", "audience_sub_category_code",
	"tax_number", "entrance_code", "container_id", "season_code", "product_code", "performance_code",
	"sector", "block", "seat_row", "seat", "valid_from", "valid_to",
	"holder_first_name", "holder_last_name", "holder_id_number", "holder_birth_date", "holder_country_code",
	"first_key", "last_key", "raw"}

// ticketRow is t as COPY values; empty strings and zero times are NULL.
func ticketRow(t *core.Ticket, row []any) []any {
	h := &t.Holder
	var raw any
	if len(t.Raw) > 0 {
		raw = t.Raw
	}
	return append(row, t.Barcode, string(t.State), ns(t.CancellationCause), ns(t.AudienceSubCategoryCode),
		ns(t.TaxNumber), ns(t.EntranceCode), ns(t.ContainerID), ns(t.SeasonCode), ns(t.ProductCode),
		ns(t.PerformanceCode), ns(t.Sector), ns(t.Block), ns(t.Row), ns(t.Seat),
		nt(t.ValidFrom), nt(t.ValidTo),
		ns(h.FirstName), ns(h.LastName), ns(h.IDNumber), ns(h.BirthDate), ns(h.CountryCode),
		ns(core.FoldName(h.FirstName)), ns(core.FoldName(h.LastName)), raw)
}

// stageSQL is the temporary table a page is copied into before the upsert.
const stageSQL = `CREATE TEMP TABLE ticket_stage (
	pos int, barcode text COLLATE "C", state text, cancellation_cause text, audience_sub_category_code text,
	tax_number text, entrance_code text, container_id text, season_code text, product_code text,
	performance_code text, sector text, block text, seat_row text, seat text,
	valid_from timestamptz, valid_to timestamptz,
	holder_first_name text, holder_last_name text, holder_id_number text, holder_birth_date text,
	holder_country_code text, first_key text, last_key text, raw bytea) ON COMMIT DROP`

// upsertSQL moves the staged page into tickets in S-360's order (new rows
// get their arrival number in it) and adds the new rows to ticket_total.
// xmax is 0 exactly on the rows the INSERT added (the usual idiom).
var upsertSQL = func() string {
	cols := strings.Join(ticketCopyCols, ", ")
	set := make([]string, 0, len(ticketCopyCols))
	for _, c := range ticketCopyCols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return `WITH up AS (INSERT INTO tickets (` + cols + `) SELECT ` + cols + ` FROM ticket_stage ORDER BY pos
		ON CONFLICT (barcode) DO UPDATE SET ` + strings.Join(set, ", ") + `, updated_at = now(), ` + bumpChange + `
		RETURNING xmax::text = '0' AS added)
	UPDATE ticket_total SET total = total + (SELECT count(*) FROM up WHERE added) WHERE id = 1`
}()

// bumpChange gives an updated row a new change position (changes.go).
const bumpChange = `change_xid = pg_current_xact_id()::text::bigint, change_seq = nextval('change_seq')`

const putCursorSQL = `INSERT INTO cursors (key, cursor, epoch, updated_at) VALUES ($1, $2, $3, now())
	ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, epoch = excluded.epoch, updated_at = now()`

const doingExport = "store the downloaded tickets"

// ApplyPage stores a page in one transaction: its tickets (when a barcode
// comes several times the later item wins, as S-360 requires), then the
// cursor. Any failure rolls back the whole page and leaves the previous
// cursor, so the page is fetched again. An empty page.Cursor keeps the
// stored one: forgetting the cursor would restart the export from the
// beginning. Refused (ErrFenced) once a syncer has been elected in this
// venue: only the syncer's handle (SyncerStore) writes the cursor then.
func (db *DB) ApplyPage(ctx context.Context, key string, page core.ExportPage) error {
	return db.applyPage(ctx, 0, key, page)
}

func (db *DB) applyPage(ctx context.Context, epoch int64, key string, page core.ExportPage) error {
	w, err := db.beginExport(ctx, key, epoch)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Apply(ctx, page)
}

// BeginExport opens the ExportWriter of an export run: it commits every
// page with its cursor (Commit has nothing left to do). Refused pages are
// as ApplyPage's.
func (db *DB) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	return db.beginExport(ctx, key, 0)
}

func (db *DB) beginExport(ctx context.Context, key string, epoch int64) (*exportWriter, error) {
	var total int64
	if err := db.pool.QueryRow(ctx, `SELECT total FROM ticket_total WHERE id = 1`).Scan(&total); err != nil {
		return nil, fail(err, doingExport)
	}
	return &exportWriter{db: db, key: key, epoch: epoch, bulk: total == 0}, nil
}

// exportWriter is core.ExportWriter: a transaction per page.
type exportWriter struct {
	db    *DB
	key   string
	epoch int64 // the syncer's; 0 for a store without an elected syncer
	// bulk: the list was empty when the run began: its new barcodes are
	// copied straight into tickets (store).
	bulk   bool
	err    error // the writer is spent
	closed bool
}

func (w *exportWriter) Apply(ctx context.Context, page core.ExportPage) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return core.Errorf(core.EInternal, "the export writer is closed")
	}
	todo, err := lastItems(page.Tickets)
	if err == nil {
		err = w.store(ctx, todo, page.Cursor)
	}
	if err != nil {
		w.err = fail(err, doingExport)
		return w.err
	}
	return nil
}

// store writes one page and its cursor in one fenced transaction.
func (w *exportWriter) store(ctx context.Context, todo []*core.Ticket, cursor string) error {
	if !w.bulk {
		return w.tx(ctx, func(tx pgx.Tx) error { return upsert(ctx, tx, todo) }, cursor)
	}
	return w.tx(ctx, func(tx pgx.Tx) error {
		fresh, again, err := splitStored(ctx, tx, todo)
		if err == nil {
			err = copyNew(ctx, tx, fresh)
		}
		if err == nil {
			err = upsert(ctx, tx, again)
		}
		return err
	}, cursor)
}

// splitStored separates the tickets of a page that are not stored yet from
// those stored by an earlier page of the run. Only the syncer writes
// tickets (fenced): none can be added between the look and the COPY.
func splitStored(ctx context.Context, tx pgx.Tx, todo []*core.Ticket) (fresh, again []*core.Ticket, err error) {
	if len(todo) == 0 {
		return nil, nil, nil
	}
	barcodes := make([]string, len(todo))
	for i, t := range todo {
		barcodes[i] = t.Barcode
	}
	rows, err := tx.Query(ctx, `SELECT barcode FROM tickets WHERE barcode = ANY($1)`, barcodes)
	if err != nil {
		return nil, nil, err
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(stored) == 0 {
		return todo, nil, err
	}
	known := make(map[string]bool, len(stored))
	for _, b := range stored {
		known[b] = true
	}
	for _, t := range todo {
		if known[t.Barcode] {
			again = append(again, t)
		} else {
			fresh = append(fresh, t)
		}
	}
	return fresh, again, nil
}

// tx runs write, stores the cursor and commits, if the writer's epoch is
// still current.
func (w *exportWriter) tx(ctx context.Context, write func(pgx.Tx) error, cursor string) error {
	return w.db.fencedTx(ctx, w.epoch, func(tx pgx.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		if cursor == "" {
			return nil
		}
		_, err := tx.Exec(ctx, putCursorSQL, w.key, cursor, w.epoch)
		return err
	})
}

// copyNew copies tickets that are not stored yet straight into tickets.
func copyNew(ctx context.Context, tx pgx.Tx, todo []*core.Ticket) error {
	if len(todo) == 0 {
		return nil
	}
	row := make([]any, 0, len(ticketCopyCols))
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"tickets"}, ticketCopyCols,
		pgx.CopyFromSlice(len(todo), func(i int) ([]any, error) { return ticketRow(todo[i], row[:0]), nil }))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE ticket_total SET total = total + $1 WHERE id = 1`, n)
	return err
}

// upsert stages the tickets and moves them into tickets.
func upsert(ctx context.Context, tx pgx.Tx, todo []*core.Ticket) error {
	if len(todo) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, stageSQL); err != nil {
		return err
	}
	row := make([]any, 0, len(ticketCopyCols)+1)
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"ticket_stage"}, append([]string{"pos"}, ticketCopyCols...),
		pgx.CopyFromSlice(len(todo), func(i int) ([]any, error) { return ticketRow(todo[i], append(row[:0], int32(i))), nil }))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, upsertSQL)
	return err
}

// Commit has nothing to do: every page was committed by its Apply.
func (w *exportWriter) Commit(context.Context) error { return w.err }

// Close ends the run. It is safe after Commit, and more than once.
func (w *exportWriter) Close() error {
	w.closed = true
	return nil
}

// lastItems is ts without the items a later one for the same barcode
// replaces, in page order.
func lastItems(ts []core.Ticket) ([]*core.Ticket, error) {
	last := make(map[string]int, len(ts))
	for i := range ts {
		if ts[i].Barcode == "" {
			// The CHECK constraint would refuse it too; saying which item
			// is more useful than PostgreSQL's words.
			return nil, core.Errorf(core.EInvalid, "S-360 sent a ticket without a barcode (item %d of the page); the page was not stored", i+1)
		}
		last[ts[i].Barcode] = i
	}
	out := make([]*core.Ticket, 0, len(last))
	for i := range ts {
		if last[ts[i].Barcode] == i {
			out = append(out, &ts[i])
		}
	}
	return out, nil
}
