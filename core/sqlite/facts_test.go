package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// A control keeps its verdict's facts, not words: recorded at a gate that
// speaks French, it reads in German at the desk, times in the venue's
// zone; the message column stays empty.
func TestControlReadsInAnyLanguage(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("1"), tk("2", func(t *core.Ticket) { t.State, t.CancellationCause = core.StateCancelled, "REFUND_REQUESTED" }))
	first := scan(t, db, "1", checkpoint("A"), day)
	again := scan(t, db, "1", checkpoint("B"), day.Add(5*time.Minute))
	cancelled := scan(t, db, "2", checkpoint("A"), day)
	fr, de := core.Speak(words.FR, nil), core.Speak(words.DE, nil)
	if got := fr.Verdict(&again); !strings.HasPrefix(got, "Déjà utilisé — "+day.Format("15:04")+", porte A") {
		t.Errorf("at the gate, in French: %q", got)
	}
	var log []core.Control
	if err := db.Controls(ctx, core.ControlFilter{}, func(c core.Control) error { log = append(log, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("%d controls", len(log))
	}
	byID := map[string]core.Control{}
	for _, c := range log {
		byID[c.ID] = c
	}
	for _, v := range []core.Verdict{first, again, cancelled} {
		c := byID[v.Control.ID]
		if got, want := de.Control(&c), de.Verdict(&v); got != want {
			t.Errorf("stored %s reads %q in German, the verdict said %q", c.Reason, got, want)
		}
	}
	if got := de.Control(ptr(byID[again.Control.ID])); !strings.HasPrefix(got, "Bereits benutzt — "+day.Format("15:04")+", Tor A, ") {
		t.Errorf("in German: %q", got)
	}
	if got := de.Control(ptr(byID[cancelled.Control.ID])); got != "Storniert — Rückerstattung beantragt" {
		t.Errorf("in German: %q", got)
	}
	var stored int
	db.r.QueryRow(`SELECT count(*) FROM controls WHERE message <> ''`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d controls stored words", stored)
	}
	// An override keeps what it overrode.
	ov, err := db.Override(ctx, again.Control.ID, "ticket torn at the gate", day.Add(6*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c := controlByID(t, db, ov.Control.ID)
	if got := core.Speak(words.IT, nil).Control(&c); !strings.HasPrefix(got, "Ammesso dal supervisore: ticket torn at the gate (prima: Già utilizzato — ") {
		t.Errorf("override in Italian: %q", got)
	}
}

func ptr[T any](v T) *T { return &v }

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
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, old, false, ms[:3]); err != nil {
		t.Fatal(err)
	}
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
