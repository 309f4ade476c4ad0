package sqlite

import (
	"context"
	"database/sql"
)

// stmts are the hot statements, prepared once at Open. Used inside a
// transaction through tx.StmtContext, which reuses the statement already
// prepared on that connection instead of compiling the SQL again: for a
// scan, compiling would cost more than running.
type stmts struct {
	updateTicket *sql.Stmt // one known ticket
	// a bulk load's (bulk.go): rewrite the row at a rowid, read its barcode
	updateTicketAt, barcodeAt *sql.Stmt
	insertedSince             *sql.Stmt // barcodes above a rowid
	putCursor                 *sql.Stmt
	insertControl             *sql.Stmt
	controlByID               *sql.Stmt
	ticket                    *sql.Stmt // on the readers, for DB.Ticket
	// decide is prepared twice: on the writer for scans, on the readers
	// for helpdesk checks (a statement belongs to one *sql.DB).
	decideW, decideR decideStmts
}

// inserts are the export's multi-row INSERTs, run on the driver (see
// rawinsert.go).
type inserts struct {
	batch, one *driverInsert
	// plain ones, for a bulk load: with the barcode index dropped there is
	// no conflict to look for (bulk.go)
	plainBatch, plainOne *driverInsert
}

// decideStmts are the reads a decision needs.
type decideStmts struct {
	ticket      *sql.Stmt
	byContainer *sql.Stmt
	byTaxNumber *sql.Stmt
	history     *sql.Stmt
	lastSync    *sql.Stmt
}

const (
	ticketByBarcodeSQL = `SELECT ` + ticketCols + ` FROM tickets WHERE barcode = ?`
	// rowid order is S-360's order of first arrival: a stable choice.
	ticketsByContainerSQL = `SELECT ` + ticketCols + ` FROM tickets WHERE container_id = ? ORDER BY rowid`
	// tax_number is COLLATE NOCASE: typed as printed, in any case
	ticketsByTaxNumberSQL = `SELECT ` + ticketCols + ` FROM tickets WHERE tax_number = ? ORDER BY rowid`
	historySQL            = `SELECT ` + controlCols + ` FROM controls WHERE barcode = ? ORDER BY at, rowid`
	// the last contact with S-360, and the venue's zone (core.Checkpoint.Zone)
	lastSyncSQL  = `SELECT max(coalesce(last_export_ok, 0), coalesce(last_upload_ok, 0)), time_zone FROM sync_state WHERE id = 1`
	putCursorSQL = `INSERT INTO cursors (key, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`
)

func (db *DB) prepare(ctx context.Context) error {
	var err error
	p := func(on *sql.DB, query string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = on.PrepareContext(ctx, query)
		return s
	}
	st := &db.st
	if !db.readOnly {
		db.ins = inserts{batch: &driverInsert{query: insertNewSQL(batchRows)}, one: &driverInsert{query: insertNewSQL(1)},
			plainBatch: &driverInsert{query: insertTicketSQL(batchRows)}, plainOne: &driverInsert{query: insertTicketSQL(1)}}
		st.updateTicket = p(db.w, updateTicketSQL)
		st.updateTicketAt = p(db.w, updateTicketAtSQL)
		st.barcodeAt = p(db.w, `SELECT barcode FROM tickets WHERE rowid = ?`)
		st.insertedSince = p(db.w, `SELECT barcode FROM tickets WHERE rowid > ?`)
		st.putCursor = p(db.w, putCursorSQL)
		st.insertControl = p(db.w, insertControlSQL)
	}
	st.controlByID = p(db.w, controlByIDSQL)
	st.ticket = p(db.r, ticketByBarcodeSQL)
	for _, d := range []struct {
		on  *sql.DB
		set *decideStmts
	}{{db.w, &st.decideW}, {db.r, &st.decideR}} {
		d.set.ticket = p(d.on, ticketByBarcodeSQL)
		d.set.byContainer = p(d.on, ticketsByContainerSQL)
		d.set.byTaxNumber = p(d.on, ticketsByTaxNumberSQL)
		d.set.history = p(d.on, historySQL)
		d.set.lastSync = p(d.on, lastSyncSQL)
	}
	return fail(err, "prepare the ticket database")
}

func (st *stmts) close() {
	for _, s := range []*sql.Stmt{st.updateTicket, st.updateTicketAt, st.barcodeAt, st.insertedSince, st.putCursor, st.insertControl, st.controlByID, st.ticket,
		st.decideW.ticket, st.decideW.byContainer, st.decideW.byTaxNumber, st.decideW.history, st.decideW.lastSync,
		st.decideR.ticket, st.decideR.byContainer, st.decideR.byTaxNumber, st.decideR.history, st.decideR.lastSync} {
		if s != nil {
			s.Close()
		}
	}
}
