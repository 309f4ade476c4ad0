package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// Lookup is the dispute desk's search, with the venue's whole history: the
// same search as core/sqlite's (taxNumber in any case, barcode, container,
// then every word the start of a word of the first or last name, case,
// accents and the kind of apostrophe ignored), on the same folded keys (core.FoldName), and the same order;
// the store contract checks both. limit <= 0 means 50.
func (db *DB) Lookup(ctx context.Context, query string, limit int) ([]core.TicketRecord, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	const doing = "search the tickets"
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fail(err, doing)
	}
	defer rollback(tx)

	var out []core.TicketRecord
	seen := map[string]bool{}
	add := func(where string, args ...any) error {
		if len(out) >= limit {
			return nil
		}
		args = append(args, limit-len(out))
		rows, err := tx.Query(ctx, `SELECT `+ticketCols+` FROM tickets WHERE `+where+` LIMIT $`+strconv.Itoa(len(args)), args...)
		ts, err := collectTickets(rows, err)
		for _, t := range ts {
			if !seen[t.Barcode] && len(out) < limit {
				seen[t.Barcode] = true
				out = append(out, core.TicketRecord{Ticket: t})
			}
		}
		return err
	}
	err = add(`lower(tax_number) = lower($1::text COLLATE "C") AND tax_number IS NOT NULL ORDER BY arrival`, q)
	if err == nil {
		err = add(`barcode = $1`, q)
	}
	if err == nil {
		err = add(`container_id = $1 ORDER BY arrival`, q)
	}
	if words := strings.Fields(core.FoldName(q)); err == nil && len(words) > 0 {
		// Each word is a range on the folded names' indexes (COLLATE "C":
		// byte order, as in SQLite): prefix match without reading a
		// million rows.
		var where []string
		var args []any
		for _, w := range words {
			n := len(args)
			where = append(where, `(first_key >= $`+strconv.Itoa(n+1)+` AND first_key < $`+strconv.Itoa(n+2)+
				` OR last_key >= $`+strconv.Itoa(n+1)+` AND last_key < $`+strconv.Itoa(n+2)+`)`)
			args = append(args, w, w+string(utf8.MaxRune))
		}
		err = add(strings.Join(where, " AND ")+` ORDER BY last_key, first_key`, args...)
		// A word inside a name of several words ("Silva" in "Da Silva",
		// "Brien" in "O'Brien"): such names are few, and the partial index
		// tickets_name_words holds just them.
		if err == nil {
			var conds []string
			var args []any
			for i, w := range words {
				conds = append(conds, `strpos(`+nameWords+`, $`+strconv.Itoa(i+1)+`) > 0`)
				args = append(args, " "+wordSeparators.Replace(w))
			}
			err = add(nameWordsWhere+` AND `+strings.Join(conds, " AND ")+` ORDER BY last_key, first_key`, args...)
		}
	}
	for i := range out {
		if err != nil {
			break
		}
		out[i].Controls, err = collectControls(tx.Query(ctx, historySQL, out[i].Ticket.Barcode))
		if out[i].Controls == nil {
			out[i].Controls = []core.Control{} // "controls": [], not null
		}
	}
	if err != nil {
		return nil, fail(err, doing)
	}
	return out, nil
}

// The names of several words (the predicate of the partial index
// tickets_name_words, written the same), and the words of a holder's names
// as one string, each word after a space: a word of the query is at the
// start of a word of the names when " word" is in it. As core/sqlite's.
const (
	nameWordsWhere = `(first_key ~ '[ ''-]' OR last_key ~ '[ ''-]')`
	nameWords      = `' ' || translate(coalesce(first_key, '') || ' ' || coalesce(last_key, ''), '-''', '  ')`
)

// wordSeparators split a name into words as nameWords does.
var wordSeparators = strings.NewReplacer("-", " ", "'", " ")

// Audit records that who searched for query: the dispute desk shows
// personal data, and who looked at whose is kept.
func (db *DB) Audit(ctx context.Context, who, query string, at time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO audit (at, who, query) VALUES ($1, $2, $3)`, at, who, query)
	return fail(err, "record the dispute-desk search")
}

// AuditLog lists recorded searches at or after since, newest first;
// limit <= 0 means all.
func (db *DB) AuditLog(ctx context.Context, since time.Time, limit int) ([]core.AuditEntry, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := db.pool.Query(ctx, `SELECT at, who, query FROM audit
		WHERE $1::timestamptz IS NULL OR at >= $1 ORDER BY at DESC, n DESC LIMIT $2`, nt(since), lim)
	if err != nil {
		return nil, fail(err, "read the audit log")
	}
	defer rows.Close()
	var out []core.AuditEntry
	for rows.Next() {
		var e core.AuditEntry
		if err := rows.Scan(&e.At, &e.Who, &e.Query); err != nil {
			return nil, fail(err, "read the audit log")
		}
		out = append(out, e)
	}
	return out, fail(rows.Err(), "read the audit log")
}
