package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"s360gate/core"
)

// An export's transactions are bounded by size and by age. Bigger ones
// write each random page of the barcode index fewer times (measured on a
// million tickets: 47,000 tickets/s committed every 5,000, 94,000 every
// 50,000, 106,000 every 200,000; beyond, the gain is lost in the noise).
// The age bound keeps what a crash can lose (work that is simply fetched
// again) to a few seconds.
//
// But a scan that needs the writer while a big transaction is open waits
// for its commit: writing 200,000 tickets' dirty pages takes a good
// hundred milliseconds. So while the gate is busy (a scan or an override
// in the last gateBusyFor), the export commits every page, as small as the
// engine's pages, and a scan waits one 128-row INSERT at most. Big
// transactions are for an idle gate: the first export before the doors
// open, a night's resync.
const (
	// ExportTxnRows is the most tickets an export commits at once.
	ExportTxnRows = 200_000
	exportTxnAge  = 3 * time.Second
	gateBusyFor   = 10 * time.Second
)

// gateScanned notes that the gate is recording a scan or an override.
func (db *DB) gateScanned() { db.lastScan.Store(time.Now().UnixNano()) }

// gateBusy reports whether the gate recorded something lately.
func (db *DB) gateBusy() bool {
	last := db.lastScan.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < gateBusyFor
}

// exportWriter is core.ExportWriter on the single writing connection. Its
// transaction stays open from page to page until a bound is reached, a
// writer of this process (a scan, an override) waits for the connection,
// the gate is busy, or the engine commits (it does whenever it has no next
// page in hand, so the connection is never held while S-360 is being
// waited for).
type exportWriter struct {
	db  *DB
	key string
	// registered: BeginExport's writer, the one RecordCall queues for.
	registered bool

	s      *ingestSession // the open transaction; nil between two
	rows   int            // tickets written in it
	began  time.Time
	err    error // the writer is spent
	closed bool

	started bool            // its first transaction began (startBulk ran)
	bulk    *loadedBarcodes // during a bulk load (bulk.go)
}

const doingExport = "store the downloaded tickets"

// BeginExport opens the ExportWriter of an export run. One at a time: a
// store has one sync engine.
func (db *DB) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	if db.readOnly {
		return nil, core.Errorf(core.EUnavailable, "The ticket database cannot be written (opened read-only); could not %s", doingExport)
	}
	if !db.calls.open() {
		return nil, core.Errorf(core.EConflict, "Another export is already being stored in this ticket database")
	}
	w := db.newExportWriter(key)
	w.registered = true
	return w, nil
}

func (db *DB) newExportWriter(key string) *exportWriter {
	return &exportWriter{db: db, key: key}
}

func (w *exportWriter) Apply(ctx context.Context, page core.ExportPage) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return core.Errorf(core.EInternal, "the export writer is closed")
	}
	if w.s == nil {
		s, err := w.db.beginIngest(ctx, doingExport)
		if err != nil {
			return w.spend(err)
		}
		w.s, w.rows, w.began = s, 0, time.Now()
		if err := w.begun(ctx); err != nil {
			return w.spend(fail(err, doingExport))
		}
	}
	if err := w.write(ctx, page); err != nil {
		return w.spend(fail(err, doingExport))
	}
	w.rows += len(page.Tickets)
	if w.rows >= ExportTxnRows || time.Since(w.began) >= exportTxnAge ||
		w.db.writers.Load() > 0 || w.db.gateBusy() || w.db.calls.holdsBudgeted() {
		return w.Commit(ctx)
	}
	return nil
}

// begun runs at the start of each of the export's transactions.
func (w *exportWriter) begun(ctx context.Context) error {
	if !w.started {
		w.started = true
		return w.startBulk(ctx)
	}
	if w.bulk != nil && !w.db.barcodeIndexDeferred.Load() {
		w.bulk = nil // a scan built the index meanwhile: the load goes on the normal way
	}
	return nil
}

// write adds page to the open transaction: its tickets, then its cursor.
func (w *exportWriter) write(ctx context.Context, page core.ExportPage) error {
	db := w.db
	defer db.ticketsChanged() // also after a failure: the cache is then merely redone
	todo, err := lastItems(page.Tickets, true)
	if err != nil {
		return err
	}
	var tw ticketWriter
	use := func() {
		tx := w.s.tx
		tw.conn, tw.batch, tw.one = w.s.conn, db.ins.batch, db.ins.one
		tw.update, tw.since = tx.StmtContext(ctx, db.st.updateTicket), tx.StmtContext(ctx, db.st.insertedSince)
	}
	use()
	// A scan never waits for a whole page: when another writer of this
	// process waits for the connection, what was written so far is
	// committed (a prefix of S-360's order under the previous cursor, which
	// is what a smaller page would have left), the waiting writer goes
	// through, and the page goes on in a new transaction. So a scan waits
	// at most one multi-row INSERT.
	tw.yield = func() error {
		if db.writers.Load() == 0 {
			return nil
		}
		if err := w.s.yield(); err != nil {
			return err
		}
		w.rows, w.began = 0, time.Now() // a new transaction
		if err := w.begun(ctx); err != nil {
			return err
		}
		use()
		return nil
	}
	if w.bulk != nil {
		n, err := w.writeBulk(ctx, todo, tw.yield)
		if err != nil {
			return err
		}
		todo = todo[n:] // what remains if a scan ended the bulk load
	}
	if err := tw.writeItems(ctx, todo); err != nil || page.Cursor == "" {
		return err
	}
	_, err = w.s.tx.StmtContext(ctx, db.st.putCursor).ExecContext(ctx, w.key, page.Cursor, time.Now().UnixMicro())
	return err
}

// spend ends the writer after a failure: what is not committed is rolled
// back (the pages are fetched again from the committed cursor).
func (w *exportWriter) spend(err error) error {
	if w.s != nil {
		w.s.release()
		w.s = nil
	}
	w.err = err
	return err
}

func (w *exportWriter) Commit(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if w.s == nil {
		return w.db.flushCalls(ctx)
	}
	s := w.s
	w.s = nil
	err := s.commit()
	s.release()
	if err != nil {
		w.err = fail(err, doingExport)
		return w.err
	}
	return nil
}

func (w *exportWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.s != nil {
		w.s.release()
		w.s = nil
	}
	if !w.registered {
		return nil
	}
	w.db.calls.close()
	// The end of a bulk load, whatever ended the export: the gate needs
	// the barcode index, and so does the next export.
	w.bulk = nil
	err := w.db.restoreBarcodeIndex(context.Background())
	return errors.Join(err, w.db.flushCalls(context.Background()))
}

// callQueue holds the S-360 calls recorded while an export writer is open.
// The next page is fetched while the current one is being stored, and
// recording its call in a transaction of its own would cut the export's
// transaction at every page (a waiting writer is let through), losing the
// gain of big transactions. The calls are committed with the export
// instead: a call that counts against the client's request budget with the
// page being stored when it was made (Apply then commits), so a crash
// forgets no more of them than before; an unbudgeted one (the simulator on
// this machine) with the next commit, whenever that is.
type callQueue struct {
	mu     sync.Mutex
	isOpen bool
	calls  []core.Call
}

// open starts queueing; false if it already is.
func (q *callQueue) open() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.isOpen {
		return false
	}
	q.isOpen = true
	return true
}

// close stops queueing; what is queued stays, for take.
func (q *callQueue) close() {
	q.mu.Lock()
	q.isOpen = false
	q.mu.Unlock()
}

// add queues c if an export writer is open.
func (q *callQueue) add(c core.Call) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.isOpen {
		return false
	}
	q.calls = append(q.calls, c)
	return true
}

// holdsBudgeted reports whether a budgeted call waits for a commit.
func (q *callQueue) holdsBudgeted() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, c := range q.calls { // a few dozen at most: one per page fetched since the last commit
		if c.Budgeted {
			return true
		}
	}
	return false
}

func (q *callQueue) take() []core.Call {
	q.mu.Lock()
	defer q.mu.Unlock()
	cs := q.calls
	q.calls = nil
	return cs
}

// putBack returns calls whose commit failed to the head of the queue.
func (q *callQueue) putBack(cs []core.Call) {
	if len(cs) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(cs, q.calls...)
}

// flushCalls commits the queued calls in a transaction of their own.
func (db *DB) flushCalls(ctx context.Context) error {
	calls := db.calls.take()
	if len(calls) == 0 {
		return nil
	}
	const doing = "record the S-360 calls"
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		db.calls.putBack(calls)
		return err
	}
	err = insertCalls(ctx, tx, calls)
	if err = db.commit(tx, err, doing); err != nil {
		db.calls.putBack(calls)
	}
	return err
}

func insertCalls(ctx context.Context, tx *sql.Tx, calls []core.Call) error {
	for _, c := range calls {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calls (method, at, ok, detail, duration) VALUES (?, ?, ?, ?, ?)`,
			c.Method, c.At.UnixMicro(), c.OK, c.Detail, int64(c.Duration)); err != nil {
			return err
		}
	}
	return nil
}
