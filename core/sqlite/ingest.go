package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strconv"
	"strings"
	"time"

	"s360gate/core"
)

// Ingest is the hot path of a first full export (a million tickets): what
// makes it fast, measured with BenchmarkApplyPage and TestBigStore, is
//   - into an empty store, a bulk load: no barcode index until the end
//     (bulk.go); what follows is about every other export;
//   - each barcode written once per page (its last item; see write);
//   - one multi-row INSERT per batchRows tickets rather than one per ticket:
//     driver overhead and the opening of cursors on the table and its
//     indexes are paid once per batch;
//   - no statement journal: INSERT OR FAIL … ON CONFLICT DO NOTHING cannot
//     abort half-way, so SQLite does not copy every page it touches
//     beforehand, as it must for an upsert's DO UPDATE (measured: 10% of
//     ingest); the tickets that already existed are then rewritten by a
//     single-row UPDATE (see ticketWriter.write);
//   - arguments bound from one reused slice, a NULL for every empty field,
//     and the same boxed value reused while a column repeats (season,
//     product, validity… are the same for thousands of tickets), handed to
//     the driver directly (rawinsert.go);
//   - synchronous=NORMAL for the export's transactions only (see
//     ingestSession);
//   - transactions of many pages (export.go): barcodes arrive in random
//     order, so each new ticket dirties its own page of the barcode index,
//     and each commit writes those pages to the WAL again (about 4 KB per
//     ticket at a million when committing every 5,000 tickets; 0.7 KB
//     every 200,000);
//   - checkpoints in the background (checkpoint.go).
//
// What remains is SQLite's own work: B-tree descents of the barcode and
// taxNumber indexes, building records, binding arguments.

// ticketInsertCols are the columns an export writes, in binder.ticket's order.
const ticketInsertCols = `barcode, state, cancellation_cause, audience_sub_category_code,
	tax_number, entrance_code, container_id, season_code, product_code, performance_code,
	sector, block, seat_row, seat, valid_from, valid_to,
	holder_first_name, holder_last_name, holder_id_number, holder_birth_date, holder_country_code,
	first_key, last_key, raw, updated_at`

const nTicketArgs = 25

// batchRows tickets are written by one execution of a multi-row INSERT.
const batchRows = 128

// insertTicketSQL is the plain insert of rows tickets. OR FAIL: a failing
// row does not undo the rows before it in the statement, which spares
// SQLite a statement journal; the whole transaction is rolled back on any
// error anyway.
func insertTicketSQL(rows int) string {
	row := "(" + strings.Repeat("?,", nTicketArgs-1) + "?)"
	return "INSERT OR FAIL INTO tickets (" + ticketInsertCols + ") VALUES " + strings.Repeat(row+",", rows-1) + row
}

// insertNewSQL inserts the tickets not stored yet and skips the others.
func insertNewSQL(rows int) string {
	return insertTicketSQL(rows) + " ON CONFLICT (barcode) DO NOTHING"
}

// updateTicketSQL rewrites a stored ticket with an exported item: every
// exported field, with the same arguments as the insert (?1 is the
// barcode), but never rejected_by_s360, which S-360 does not send: it is
// what we learned when S-360 refused a control, and a re-export must not
// wipe it.
var updateTicketSQL = updateTicketWhere("barcode = ?1")

// updateTicketAtSQL is updateTicketSQL for the row at rowid ?26 (a bulk
// load's, whose table has no barcode index).
var updateTicketAtSQL = updateTicketWhere("rowid = ?" + strconv.Itoa(nTicketArgs+1))

func updateTicketWhere(where string) string {
	cols := strings.Split(ticketInsertCols, ",")
	set := make([]string, 0, len(cols)-1)
	for i, c := range cols[1:] {
		set = append(set, strings.TrimSpace(c)+" = ?"+strconv.Itoa(i+2))
	}
	return "UPDATE OR FAIL tickets SET " + strings.Join(set, ", ") + " WHERE " + where
}

// ApplyPage stores a page in one immediate transaction: its tickets (when
// a barcode comes several times the later item wins, as S-360 requires),
// then the cursor. Any failure rolls back the whole page and leaves the
// previous cursor, so the page is fetched again. An empty page.Cursor keeps
// the stored one: forgetting the cursor would restart the export from the
// beginning. It is an exportWriter of one page (see export.go): a scan
// waiting for the writer is let through between multi-row INSERTs.
func (db *DB) ApplyPage(ctx context.Context, key string, page core.ExportPage) error {
	w := db.newExportWriter(key)
	defer w.Close()
	if err := w.Apply(ctx, page); err != nil {
		return err
	}
	return w.Commit(ctx)
}

// ingestSession is an ingest's hold on the writing connection: an
// immediate transaction committed with synchronous=NORMAL, the connection
// put back to FULL before anyone else can use it.
//
// NORMAL: a power cut may lose the last commits, but always tickets
// together with their cursor, so they are simply downloaded again; the
// database is never damaged. Skipping the fsync per commit is worth it on a
// million tickets. A control's commit is always fsync'ed, and that fsync
// also makes every earlier ingest commit durable (the WAL is one file
// written in order).
type ingestSession struct {
	db   *DB
	ctx  context.Context
	conn *sql.Conn
	tx   *sql.Tx // nil after a commit or a yield that failed
}

// ingestTx runs fn in an ingestSession and commits (or, on error, rolls
// back) its last transaction.
func (db *DB) ingestTx(ctx context.Context, doing string, fn func(*ingestSession) error) error {
	s, err := db.beginIngest(ctx, doing)
	if err != nil {
		return err
	}
	defer s.release()
	err = fn(s)
	if s.tx == nil {
		return fail(err, doing) // a yield failed: what it committed stays
	}
	if err != nil {
		s.rollback()
		return fail(err, doing)
	}
	return fail(s.commit(), doing)
}

// beginIngest takes the writing connection and starts a transaction on it.
func (db *DB) beginIngest(ctx context.Context, doing string) (*ingestSession, error) {
	if db.readOnly {
		return nil, core.Errorf(core.EUnavailable, "The ticket database cannot be written (opened read-only); could not %s", doing)
	}
	s := &ingestSession{db: db, ctx: ctx}
	if err := s.begin(); err != nil {
		return nil, fail(err, doing)
	}
	return s, nil
}

// begin takes the writing connection and starts a transaction on it.
func (s *ingestSession) begin() error {
	conn, err := s.db.w.Conn(s.ctx)
	if err != nil {
		return err
	}
	s.conn = conn
	if _, err := conn.ExecContext(s.ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		s.release()
		return err
	}
	tx, err := conn.BeginTx(s.ctx, nil)
	if err != nil {
		s.release()
		return err
	}
	s.tx = tx
	return nil
}

// commit commits the transaction, with the S-360 calls queued meanwhile
// (see callQueue).
func (s *ingestSession) commit() error {
	tx := s.tx
	s.tx = nil
	calls := s.db.calls.take()
	err := insertCalls(s.ctx, tx, calls)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if err != nil {
		s.db.calls.putBack(calls)
		return err
	}
	s.db.wrote()
	s.db.ticketsChanged()
	return nil
}

// rollback abandons the transaction.
func (s *ingestSession) rollback() {
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
}

// release rolls back what is not committed and puts the connection back,
// durable again.
func (s *ingestSession) release() {
	s.rollback()
	if s.conn == nil {
		return
	}
	if _, err := s.conn.ExecContext(context.Background(), `PRAGMA synchronous = FULL`); err != nil {
		// Never hand a non-durable connection to a scan: drop it, the
		// next one is opened with the DSN's FULL.
		s.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	s.conn.Close()
	s.conn = nil
}

// yield commits what was written so far, hands the connection to a writer
// waiting for it (database/sql gives a released connection to a waiting
// request before anyone new) and starts a new transaction when it is free
// again.
func (s *ingestSession) yield() error {
	if err := s.commit(); err != nil {
		return err
	}
	s.release()
	return s.begin()
}

// ticketWriter writes tickets with prepared statements: batch inserts
// batchRows tickets, one a single ticket. With update nil they are plain
// inserts (the bulk load's fresh tickets, the tests' raw baseline); otherwise they skip tickets already stored,
// and update then rewrites those (see write).
type ticketWriter struct {
	conn       *sql.Conn // holding the transaction
	batch, one *driverInsert
	update     *sql.Stmt
	// since lists the barcodes of the rows with a rowid above its argument.
	since *sql.Stmt
	// yield (may be nil) is called between statements: it may commit and
	// replace the statements with ones of a new transaction.
	yield func() error
}

// write stores ts. A page may name a barcode several times (a valid ticket
// followed by its invalid counterpart): only its last item matters, since
// it replaces every field the earlier ones set, so the others are dropped
// first. Each barcode is then written once: inserted if new, otherwise
// skipped by the insert and rewritten by update. To find the skipped ones
// of a batch cheaply: rows get rowid max+1, so the k rows the insert added
// are the k rows above last_insert_rowid-k.
func (w *ticketWriter) write(ctx context.Context, ts []core.Ticket) error {
	todo, err := lastItems(ts, w.update != nil)
	if err != nil {
		return err
	}
	return w.writeItems(ctx, todo)
}

// writeItems is write after lastItems.
func (w *ticketWriter) writeItems(ctx context.Context, todo []*core.Ticket) error {
	b := newBinder()
	// The statements run with a context that cannot be cancelled: the
	// driver watches a cancellable one with a goroutine per execution,
	// which would cost more than the insert. Cancellation is checked
	// between batches instead.
	bg := context.WithoutCancel(ctx)
	for i := 0; i < len(todo); {
		if err := ctx.Err(); err != nil {
			return err
		}
		ins, n := w.batch, batchRows
		if len(todo)-i < batchRows {
			ins, n = w.one, 1
		}
		for j := range n {
			b.ticket(b.args[j*nTicketArgs:], todo[i+j])
		}
		res, err := ins.exec(bg, w.conn, b.args[:n*nTicketArgs])
		if err != nil {
			return err
		}
		if w.update != nil {
			if err := w.rewriteSkipped(bg, res, todo[i:i+n], b.args); err != nil {
				return err
			}
		}
		i += n
		if w.yield != nil && i < len(todo) {
			if err := w.yield(); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewriteSkipped updates the tickets of a batch that its insert skipped.
func (w *ticketWriter) rewriteSkipped(ctx context.Context, res driver.Result, batch []*core.Ticket, args []driver.NamedValue) error {
	inserted, err := res.RowsAffected()
	if err != nil || inserted == int64(len(batch)) {
		return err
	}
	var added map[string]bool
	if inserted > 0 {
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		rows, err := w.since.QueryContext(ctx, last-inserted)
		if err != nil {
			return err
		}
		added = make(map[string]bool, inserted)
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				rows.Close()
				return err
			}
			added[code] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	updated := 0
	for j, t := range batch {
		if added[t.Barcode] {
			continue
		}
		// An update costs as much as a dozen inserted rows: a scan waiting
		// for the writer goes through every updateRun of them rather than
		// after the whole batch. Committing part of a batch is harmless:
		// each barcode comes once per page, so no ticket is ever older
		// than it was, and the cursor moves only with the whole page.
		if updated > 0 && updated%updateRun == 0 && w.yield != nil {
			if err := w.yield(); err != nil {
				return err
			}
		}
		var vals [nTicketArgs]any
		for k := range vals {
			vals[k] = args[j*nTicketArgs+k].Value
		}
		if _, err := w.update.ExecContext(ctx, vals[:]...); err != nil {
			return err
		}
		updated++
	}
	return nil
}

// updateRun is how many single-row UPDATEs run between two chances for a
// waiting scan to go through.
const updateRun = 16

// lastItems is ts without the items a later one for the same barcode
// replaces (all of them when dedupe is false), in page order.
func lastItems(ts []core.Ticket, dedupe bool) ([]*core.Ticket, error) {
	out := make([]*core.Ticket, 0, len(ts))
	var last map[string]int
	if dedupe {
		last = make(map[string]int, len(ts))
	}
	for i := range ts {
		if ts[i].Barcode == "" {
			// The CHECK constraint would refuse it too; saying which item
			// is more useful than SQLite's words.
			return nil, core.Errorf(core.EInvalid, "S-360 sent a ticket without a barcode (item %d of the page); the page was not stored", i+1)
		}
		if dedupe {
			last[ts[i].Barcode] = i
		}
	}
	for i := range ts {
		if !dedupe || last[ts[i].Barcode] == i {
			out = append(out, &ts[i])
		}
	}
	return out, nil
}

// binder turns tickets into statement arguments. Empty strings and zero
// times become NULL: they bind without a copy into C memory and keep the
// partial indexes small. Putting a string or an int64 in an interface
// allocates, so a column's boxed value is reused while it repeats.
type binder struct {
	args  []driver.NamedValue // Ordinal set once, Value per row
	now   int64
	nowV  any
	last  [nTicketArgs]string
	lastV [nTicketArgs]any
	lastI [2]int64
	lastT [2]any
}

// newBinder has room for a batch of batchRows tickets.
func newBinder() binder {
	b := binder{args: make([]driver.NamedValue, nTicketArgs*batchRows), now: time.Now().UnixMicro()}
	for k := range b.args {
		b.args[k].Ordinal = k + 1
	}
	return b
}

// str is column k's argument for s.
func (b *binder) str(k int, s string) any {
	if s == "" {
		return nil
	}
	if b.lastV[k] != nil && b.last[k] == s {
		return b.lastV[k]
	}
	v := any(s)
	b.last[k], b.lastV[k] = s, v
	return v
}

// time is the argument for time k (0: valid_from, 1: valid_to).
func (b *binder) time(k int, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	us := t.UnixMicro()
	if b.lastT[k] != nil && b.lastI[k] == us {
		return b.lastT[k]
	}
	v := any(us)
	b.lastI[k], b.lastT[k] = us, v
	return v
}

func (b *binder) ticket(args []driver.NamedValue, t *core.Ticket) {
	// args[0] is the barcode: ?1 of updateTicketSQL.
	args[0].Value = t.Barcode
	args[1].Value = b.str(1, string(t.State))
	args[2].Value = b.str(2, t.CancellationCause)
	args[3].Value = b.str(3, t.AudienceSubCategoryCode)
	args[4].Value = ns(t.TaxNumber)
	args[5].Value = b.str(5, t.EntranceCode)
	args[6].Value = b.str(6, t.ContainerID)
	args[7].Value = b.str(7, t.SeasonCode)
	args[8].Value = b.str(8, t.ProductCode)
	args[9].Value = b.str(9, t.PerformanceCode)
	args[10].Value = b.str(10, t.Sector)
	args[11].Value = b.str(11, t.Block)
	args[12].Value = b.str(12, t.Row)
	args[13].Value = b.str(13, t.Seat)
	args[14].Value = b.time(0, t.ValidFrom)
	args[15].Value = b.time(1, t.ValidTo)
	if h := &t.Holder; h.IsZero() {
		for k := 16; k < 23; k++ {
			args[k].Value = nil
		}
	} else {
		args[16].Value = ns(h.FirstName)
		args[17].Value = ns(h.LastName)
		args[18].Value = ns(h.IDNumber)
		args[19].Value = b.str(19, h.BirthDate)
		args[20].Value = b.str(20, h.CountryCode)
		args[21].Value = ns(core.FoldName(h.FirstName))
		args[22].Value = ns(core.FoldName(h.LastName))
	}
	if len(t.Raw) > 0 {
		args[23].Value = t.Raw
	} else {
		args[23].Value = nil
	}
	if b.nowV == nil {
		b.nowV = b.now
	}
	args[24].Value = b.nowV
}
