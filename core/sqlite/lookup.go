package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"s360gate/core"
)

// Lookup is the dispute desk's search. It returns, without duplicates and
// in this order: the ticket whose taxNumber is the query (any case), the
// one whose barcode is the query, those in the container it names, then
// those whose holder matches it by name: every word of the query must be
// the start of a word of the holder's first or last name (case and accents
// ignored, so "mull" finds Müller; "Silva" and "Tomás Da Silva" find Tomás
// Da Silva; a typographic apostrophe is an apostrophe, so "O’Brien" finds
// O'Brien). Each comes with its controls, oldest first (an empty list, not
// null, when it has none). limit <= 0 means 50.
func (db *DB) Lookup(ctx context.Context, query string, limit int) ([]core.TicketRecord, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	const doing = "search the tickets"
	tx, err := db.readTx(ctx, doing)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var out []core.TicketRecord
	seen := map[string]bool{}
	add := func(query string, args ...any) error {
		if len(out) >= limit {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE `+query, append(args, limit-len(out))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t core.Ticket
			if err := scanTicket(rows, &t); err != nil {
				return err
			}
			if !seen[t.Barcode] && len(out) < limit {
				seen[t.Barcode] = true
				out = append(out, core.TicketRecord{Ticket: t})
			}
		}
		return rows.Err()
	}
	err = add(`tax_number = ? ORDER BY rowid LIMIT ?`, q)
	if err == nil {
		err = add(`barcode = ? LIMIT ?`, q)
	}
	if err == nil {
		err = add(`container_id = ? ORDER BY rowid LIMIT ?`, q)
	}
	if words := strings.Fields(core.FoldName(q)); err == nil && len(words) > 0 {
		// Each word is a range on the folded names' indexes: prefix match
		// without scanning a million rows.
		var where []string
		var args []any
		for _, w := range words {
			where = append(where, `(first_key >= ? AND first_key < ? OR last_key >= ? AND last_key < ?)`)
			hi := w + string(utf8.MaxRune)
			args = append(args, w, hi, w, hi)
		}
		err = add(strings.Join(where, " AND ")+` ORDER BY last_key, first_key LIMIT ?`, args...)
		// A word inside a name of several words ("Silva" in "Da Silva",
		// "Brien" in "O'Brien"): such names are few, and each has its entry
		// in a small partial index that is scanned for them (0003).
		for _, idx := range []struct{ name, where string }{{"tickets_last_words", lastWordsWhere}, {"tickets_first_words", firstWordsWhere}} {
			if err != nil {
				break
			}
			var conds []string
			var args []any
			for _, w := range words {
				conds = append(conds, `instr(`+nameWords+`, ?) > 0`)
				args = append(args, " "+wordSeparators.Replace(w))
			}
			err = add(`rowid IN (SELECT rowid FROM tickets INDEXED BY `+idx.name+` WHERE `+idx.where+`) AND `+
				strings.Join(conds, " AND ")+` ORDER BY last_key, first_key LIMIT ?`, args...)
		}
	}
	for i := range out {
		if err != nil {
			break
		}
		out[i].Controls, err = historyOf(ctx, tx, out[i].Ticket.Barcode)
	}
	if err != nil {
		return nil, fail(err, doing)
	}
	return out, nil
}

// The partial indexes of names of several words (migration 0003: the same
// expressions), and the words of a holder's names as one string, each word
// after a space: a word of the query is at the start of a word of the names
// when " word" is in it.
const (
	lastWordsWhere  = `(instr(last_key, ' ') OR instr(last_key, '-') OR instr(last_key, ''''))`
	firstWordsWhere = `(instr(first_key, ' ') OR instr(first_key, '-') OR instr(first_key, ''''))`
	nameWords       = `' ' || replace(replace(coalesce(first_key, '') || ' ' || coalesce(last_key, ''), '-', ' '), '''', ' ')`
)

// wordSeparators split a name into words as nameWords does.
var wordSeparators = strings.NewReplacer("-", " ", "'", " ")

// historyOf is a ticket's controls, oldest first.
func historyOf(ctx context.Context, tx *sql.Tx, barcode string) ([]core.Control, error) {
	rows, err := tx.QueryContext(ctx, historySQL, barcode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := []core.Control{} // JSON says [] for none, not null
	for rows.Next() {
		var c core.Control
		if err := scanControl(rows, &c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// AuditEntry is one dispute-desk lookup.
type AuditEntry = core.AuditEntry

// Audit records that who searched for query: the dispute desk shows
// personal data, and who looked at whose is kept.
func (db *DB) Audit(ctx context.Context, who, query string, at time.Time) error {
	const doing = "record the dispute-desk search"
	tx, err := db.writeTx(ctx, doing)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit (at, who, query) VALUES (?, ?, ?)`, at.UnixMicro(), who, query)
	return db.commit(tx, err, doing)
}

// AuditLog lists recorded searches at or after since, newest first;
// limit <= 0 means all.
func (db *DB) AuditLog(ctx context.Context, since time.Time, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.r.QueryContext(ctx, `SELECT at, who, query FROM audit WHERE at >= ?
		ORDER BY at DESC, rowid DESC LIMIT ?`, sinceMicros(since), limit)
	if err != nil {
		return nil, fail(err, "read the audit log")
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Who, &e.Query); err != nil {
			return nil, fail(err, "read the audit log")
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, fail(rows.Err(), "read the audit log")
}
