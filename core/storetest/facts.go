package storetest

import (
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// A control keeps its verdict's facts, not words: recorded at a gate that
// speaks French, it reads in German at the desk, as its verdict would
// have; an override keeps what it overrode.
var _ = add("ControlsKeepFactsNotWords", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("1"), Ticket("2", func(t *core.Ticket) { t.State, t.CancellationCause = core.StateCancelled, "REFUND_REQUESTED" }))
	first := scan(t, db, "1", Checkpoint("A"), Day)
	again := scan(t, db, "1", Checkpoint("B"), Day.Add(5*time.Minute))
	cancelled := scan(t, db, "2", Checkpoint("A"), Day)
	fr, de := core.Speak(words.FR, nil), core.Speak(words.DE, nil)
	hour := Day.Format("15:04")
	if got := fr.Verdict(&again); !strings.HasPrefix(got, "Déjà utilisé — "+hour+", porte A") {
		t.Errorf("at the gate, in French: %q", got)
	}
	byID := map[string]core.Control{}
	for _, c := range collect(t, db, core.ControlFilter{}) {
		byID[c.ID] = c
	}
	if len(byID) != 3 {
		t.Fatalf("%d controls", len(byID))
	}
	for _, v := range []core.Verdict{first, again, cancelled} {
		c := byID[v.Control.ID]
		if got, want := de.Control(&c), de.Verdict(&v); got != want {
			t.Errorf("stored %s reads %q in German, the verdict said %q", c.Reason, got, want)
		}
	}
	c := byID[again.Control.ID]
	if got := de.Control(&c); !strings.HasPrefix(got, "Bereits benutzt — "+hour+", Tor A, ") {
		t.Errorf("in German: %q", got)
	}
	c = byID[cancelled.Control.ID]
	if got := de.Control(&c); got != "Storniert — Rückerstattung beantragt" {
		t.Errorf("in German: %q", got)
	}
	ov, err := db.Override(ctx, again.Control.ID, "ticket torn at the gate", Day.Add(6*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range collect(t, db, core.ControlFilter{Barcode: "1"}) {
		if c.ID != ov.Control.ID {
			continue
		}
		if got := core.Speak(words.IT, nil).Control(&c); !strings.HasPrefix(got, "Ammesso dal supervisore: ticket torn at the gate (prima: Già utilizzato — "+hour+", varco A") {
			t.Errorf("override in Italian: %q", got)
		}
		return
	}
	t.Error("the override is not in the log")
})
