package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/maphash"
	"math"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"s360gate/core"
)

// A bulk load is how an export fills an empty store: the first export of a
// station, on event morning, of up to a million tickets. Barcodes arrive in
// random order, and inserting each into the barcode index, at a random
// place of a B-tree, was the largest part of the store's work (s360gate
// bench: a third of the writing connection's time, plus the page splits).
// So while the table fills, the index is dropped, and it is built once at
// the end, from a sort: a million tickets stored in 5.3 s plus 1.3 s of
// index instead of 8.4 s (raw inserts, this 2-core VM).
//
// Without the index, SQLite cannot tell a barcode it already holds. S-360
// may send one again later in the same export (a ticket changed while the
// list was being paged), and the later item must replace the earlier: so
// the writer keeps where each barcode went (loadedBarcodes) and rewrites
// that row. No row is ever added twice, so the index can always be built.
//
// Who builds it, whichever comes first:
//   - the export writer, when the export run ends (Close), in whatever way;
//   - a scan at the gate, before its decision (restoreBarcodeIndex): a
//     gate does not wait for a whole export, only for the sort (1.3 s at a
//     million); the export goes on in the normal way;
//   - Open, after a crash in the middle of a bulk load.
//
// Meanwhile a lookup by barcode from a reading connection or another
// process reads the whole table: correct, slower (100–250 ms at a
// million). A bulk load starts only when the gate has been idle for
// gateBusyFor.

// barcodeIndexSQL is the barcode index of migration 0002 (TestBarcodeIndexSQL
// compares them).
const barcodeIndexSQL = `CREATE UNIQUE INDEX IF NOT EXISTS tickets_barcode ON tickets (barcode)`

// hasBarcodeIndex reports whether the barcode index exists.
func hasBarcodeIndex(ctx context.Context, q querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'tickets_barcode'`).Scan(&n)
	return n > 0, err
}

// buildBarcodeIndex creates the barcode index in tx, if it is missing. Were
// a barcode stored twice, which a bulk load never does but a second process
// exporting into the same file during one could, each barcode keeps its
// latest row (as an export would have left it) and the index is built.
func buildBarcodeIndex(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, barcodeIndexSQL)
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tickets WHERE rowid IN (
		SELECT t.rowid FROM tickets t
		JOIN (SELECT barcode, max(rowid) AS keep FROM tickets GROUP BY barcode HAVING count(*) > 1) d
		ON t.barcode = d.barcode AND t.rowid < d.keep)`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, barcodeIndexSQL)
	return err
}

const doingIndex = "index the ticket list"

// repairBarcodeIndex builds the barcode index at Open if a bulk load was
// interrupted (a crash, a power cut).
func (db *DB) repairBarcodeIndex(ctx context.Context) error {
	if ok, err := hasBarcodeIndex(ctx, db.w); err != nil || ok {
		return fail(err, doingIndex)
	}
	db.barcodeIndexDeferred.Store(true)
	return db.restoreBarcodeIndex(ctx)
}

// restoreBarcodeIndex builds the barcode index a bulk load of this process
// deferred, in a transaction of its own, before something reads by barcode
// on the writing connection (a scan). An export writer in the middle of the
// load is let through like any waiting writer, and goes on without it.
func (db *DB) restoreBarcodeIndex(ctx context.Context) error {
	if !db.barcodeIndexDeferred.Load() {
		return nil
	}
	db.writers.Add(1) // an export writer lets it through like a scan
	conn, err := db.w.Conn(ctx)
	db.writers.Add(-1)
	if err != nil {
		return fail(err, doingIndex)
	}
	defer conn.Close()
	if !db.barcodeIndexDeferred.Load() {
		return nil // built by another writer while this one waited
	}
	// SQLite sorts in memory up to the page cache's size (cache_size)
	// before it spills sorted runs to temporary files: with the writer's
	// 64 MiB, a million barcodes were sorted in memory on top of a full
	// page cache (s360gate bench: peak RSS 291 MB, over the station's
	// budget). A small cache for the build keeps the sort's memory small;
	// spilling costs little (the runs are read back once, in order).
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, indexBuildCacheKiB)); err != nil {
		return fail(err, doingIndex)
	}
	defer func() {
		if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = -%d`, db.cacheKiB)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn }) // drop it: the next one gets the DSN's cache
		}
	}()
	// Once begun, the build is finished even if the scan that asked for it
	// gives up: it is never wasted, and at most a second or two.
	ctx = context.WithoutCancel(ctx)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fail(err, doingIndex)
	}
	defer db.ticketsChanged()
	if err := db.commit(tx, buildBarcodeIndex(ctx, tx), doingIndex); err != nil {
		return err
	}
	db.barcodeIndexDeferred.Store(false)
	return nil
}

// indexBuildCacheKiB is the writer's page cache while it builds the
// barcode index (measured at a million tickets: 8 MiB and 64 MiB build it
// in the same 1.3 s; 64 MiB took the station's peak RSS from 216 to 270 MB).
const indexBuildCacheKiB = 8 << 10

// bulkCacheKiB is the writer's page cache during a bulk load (measured at
// a million tickets, interleaved: as fast as with 64 MiB, and the station's
// peak RSS 183 MB instead of 215; 16 MiB was slower).
const bulkCacheKiB = 32 << 10

// startBulk runs in an export's first transaction: it drops the barcode
// index and starts a bulk load if the store holds no ticket and the gate is
// idle; otherwise it makes sure the index is there (another process may
// have been interrupted in a bulk load since this one opened the file).
func (w *exportWriter) startBulk(ctx context.Context) error {
	tx := w.s.tx
	empty := false
	if w.registered && !w.db.gateBusy() && w.db.writers.Load() == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM tickets)`).Scan(&empty); err != nil {
			return err
		}
	}
	if !empty {
		return buildBarcodeIndex(ctx, tx)
	}
	if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS tickets_barcode`); err != nil {
		return err
	}
	// Without the barcode index the load touches little but the table's
	// last pages: a smaller page cache costs it nothing, and leaves room
	// for loadedBarcodes. restoreBarcodeIndex gives the cache back.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
		return err
	}
	// Set before the commit: if this transaction rolls back, building the
	// index that is still there costs nothing.
	w.db.barcodeIndexDeferred.Store(true)
	w.bulk = newLoadedBarcodes(nil)
	return nil
}

// writeBulk writes todo (a page's last items) during a bulk load and
// reports how many it wrote: fewer than all when the load ended on the way
// (a scan let through at a yield built the index), the rest being for the
// normal writer.
func (w *exportWriter) writeBulk(ctx context.Context, todo []*core.Ticket, yield func() error) (int, error) {
	b := newBinder()
	fresh := make([]*core.Ticket, 0, batchRows)
	bg := context.WithoutCancel(ctx) // see ticketWriter.write
	i := 0
	for i < len(todo) {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		if i > 0 {
			if err := yield(); err != nil {
				return i, err
			}
			if w.bulk == nil {
				return i, nil
			}
		}
		fresh = fresh[:0]
		for i < len(todo) && len(fresh) < batchRows {
			t := todo[i]
			i++
			rowid, ok, err := w.bulk.find(t.Barcode, func(rowid int64) (bool, error) {
				return w.storedAt(bg, rowid, t.Barcode)
			})
			if err != nil {
				return i, err
			}
			if ok {
				if err := w.rewriteAt(bg, &b, t, rowid); err != nil {
					return i, err
				}
				continue
			}
			fresh = append(fresh, t)
		}
		if err := w.insertFresh(bg, &b, fresh); err != nil {
			return i, err
		}
	}
	return i, nil
}

// insertFresh inserts tickets whose barcodes are not stored yet and notes
// their rowids: a new row gets rowid max+1, so the rows of one statement
// are the last ones up to last_insert_rowid.
func (w *exportWriter) insertFresh(ctx context.Context, b *binder, fresh []*core.Ticket) error {
	ins, n := w.db.ins.plainBatch, batchRows
	if len(fresh) < batchRows {
		ins, n = w.db.ins.plainOne, 1
	}
	for i := 0; i < len(fresh); i += n {
		for j := range n {
			b.ticket(b.args[j*nTicketArgs:], fresh[i+j])
		}
		res, err := ins.exec(ctx, w.s.conn, b.args[:n*nTicketArgs])
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for j := range n {
			if !w.bulk.add(fresh[i+j].Barcode, last-int64(n-1-j)) {
				return core.Errorf(core.EInternal, "the ticket list is too large for a bulk load (rowid %d)", last)
			}
		}
	}
	return nil
}

// storedAt reports whether the row at rowid holds barcode (a hash tag
// matched).
func (w *exportWriter) storedAt(ctx context.Context, rowid int64, barcode string) (bool, error) {
	var code string
	err := w.s.tx.StmtContext(ctx, w.db.st.barcodeAt).QueryRowContext(ctx, rowid).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return code == barcode, err
}

// rewriteAt replaces the row at rowid with t, a later item of its barcode.
func (w *exportWriter) rewriteAt(ctx context.Context, b *binder, t *core.Ticket, rowid int64) error {
	args := make([]driver.NamedValue, nTicketArgs)
	b.ticket(args, t)
	vals := make([]any, nTicketArgs+1)
	for k := range args {
		vals[k] = args[k].Value
	}
	vals[nTicketArgs] = rowid
	_, err := w.s.tx.StmtContext(ctx, w.db.st.updateTicketAt).ExecContext(ctx, vals...)
	return err
}

// loadedBarcodes remembers, during a bulk load, the rowid each barcode was
// stored at, in 8 bytes per ticket rather than the barcodes themselves
// (16 MiB at a million tickets, the table being at most half full): a slot
// holds 32 bits of the barcode's hash, its tag, and the rowid. A matching
// tag is confirmed by reading the stored barcode; at a million tickets
// about one new barcode in 4,000 meets a false match.
type loadedBarcodes struct {
	hash  func(string) uint64
	slots []uint64 // tag<<32 | rowid; 0 is empty (rowids start at 1)
	n     int
}

// newLoadedBarcodes uses hash, or a seeded maphash if nil (tests collide
// on purpose).
func newLoadedBarcodes(hash func(string) uint64) *loadedBarcodes {
	if hash == nil {
		seed := maphash.MakeSeed()
		hash = func(s string) uint64 { return maphash.String(seed, s) }
	}
	return &loadedBarcodes{hash: hash, slots: make([]uint64, 1<<16)}
}

func tagOf(h uint64) uint32 { return uint32(h >> 32) }

// find returns the rowid barcode was stored at, asking is to confirm each
// candidate.
func (l *loadedBarcodes) find(barcode string, is func(rowid int64) (bool, error)) (int64, bool, error) {
	tag := tagOf(l.hash(barcode))
	mask := len(l.slots) - 1
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := l.slots[i]
		if s == 0 {
			return 0, false, nil
		}
		if uint32(s>>32) != tag {
			continue
		}
		rowid := int64(uint32(s))
		ok, err := is(rowid)
		if err != nil || ok {
			return rowid, ok, err
		}
	}
}

// add notes that barcode (not stored yet) went to rowid; false if rowid
// does not fit in a slot (beyond 4 billion tickets).
func (l *loadedBarcodes) add(barcode string, rowid int64) bool {
	if rowid <= 0 || rowid > math.MaxUint32 {
		return false
	}
	if 2*(l.n+1) > len(l.slots) {
		l.grow()
	}
	l.put(uint64(tagOf(l.hash(barcode)))<<32 | uint64(rowid))
	l.n++
	return true
}

// put stores a slot at the first free place from its tag's.
func (l *loadedBarcodes) put(s uint64) {
	mask := len(l.slots) - 1
	i := int(uint32(s>>32)) & mask
	for l.slots[i] != 0 {
		i = (i + 1) & mask
	}
	l.slots[i] = s
}

// grow doubles the table. A slot's place derives from its tag alone, so no
// barcode has to be hashed again.
func (l *loadedBarcodes) grow() {
	old := l.slots
	l.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			l.put(s)
		}
	}
}
