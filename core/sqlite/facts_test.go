package sqlite

import (
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// New controls store no words (the contract checks they read in every
// language): only an older s360gate's are kept in the message column.
func TestControlStoresNoWords(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"))
	scan(t, db, "1", checkpoint("A"), day)
	v := scan(t, db, "1", checkpoint("A"), day.Add(time.Minute))
	var stored int
	var facts string
	db.r.QueryRow(`SELECT count(*) FROM controls WHERE message <> ''`).Scan(&stored)
	db.r.QueryRow(`SELECT facts FROM controls WHERE id = ?`, v.Control.ID).Scan(&facts)
	if stored != 0 || !strings.Contains(facts, `"usedGate":"A"`) {
		t.Errorf("%d controls stored words; facts %s", stored, facts)
	}
}

func controlByID(t *testing.T, db *DB, id string) core.Control {
	t.Helper()
	var c core.Control
	if err := scanControl(db.r.QueryRow(controlByIDSQL, id), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMigrate0004: the English words an older s360gate stored are read
// back into facts, and say the same in English and something else in
// German; words it cannot read stay as they were, shown as they are.
func TestMigrate0004(t *testing.T) {
	path, old := oldStore(t, 3)
	at := time.Date(2026, 11, 27, 19, 5, 0, 0, time.UTC)
	rows := []struct{ id, reason, msg, why string }{
		{"a", "OK", "Valid ticket", ""},
		{"b", "ALREADY_USED", "Already used at 18:25, gate N1, GATE_N_1", ""},
		{"c", "CANCELLED", "Cancelled — refund requested", ""},
		{"d", "WRONG_GATE", "Wrong entrance — use gate S2", ""},
		{"e", "OVERRIDE", "Admitted by supervisor: torn ticket (was: Wrong entrance — use gate S2)", "torn ticket"},
		{"f", "NOT_VALID_NOW", "Expired — valid until 2026-11-26 22:00", ""},
		{"g", "NOT_THIS_EVENT", "Not for this event — ticket is for MATCH02 / P7", ""},
		{"h", "OK", "Something a hand-edited store said", ""},
	}
	for _, r := range rows {
		if _, err := old.Exec(`INSERT INTO controls (id, at, station, gate, direction, scanned, outcome, reason, message, override, override_reason, offline, upload_state)
			VALUES (?, ?, 'S', 'A', 'in', 'x', 'DENY', ?, ?, 0, nullif(?, ''), 0, 'local')`, r.id, at.UnixMicro(), r.reason, r.msg, r.why); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec(`UPDATE sync_state SET time_zone = 'UTC' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	en, de := core.Speak(words.EN, time.UTC), core.Speak(words.DE, time.UTC)
	for _, r := range rows {
		c := controlByID(t, db, r.id)
		if got := en.Control(&c); got != r.msg {
			t.Errorf("%s: %q reads %q in English", r.id, r.msg, got)
		}
		german := de.Control(&c)
		if r.id == "h" {
			if c.Facts.Text != r.msg || german != r.msg {
				t.Errorf("unread words: %+v, %q", c.Facts, german)
			}
			continue
		}
		if c.Facts.Text != "" || german == r.msg {
			t.Errorf("%s: not read into facts: %+v, %q", r.id, c.Facts, german)
		}
	}
	var left int
	db.r.QueryRow(`SELECT count(*) FROM controls WHERE message <> ''`).Scan(&left)
	if left != 1 {
		t.Errorf("%d controls keep their words, want 1", left)
	}
}
