package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

func TestViewOfWords(t *testing.T) {
	at := time.Date(2026, 11, 27, 18, 42, 5, 0, time.Local)
	s := core.Settings{}
	ticket := &core.Ticket{Barcode: "2026110000000000000042", TaxNumber: "T-1", Sector: "B", Seat: "4",
		Holder: core.Holder{FirstName: "Ana", LastName: "Roth", BirthDate: "1990-01-02"}}
	ctl := &core.Control{ID: "c1", Direction: core.DirectionIn}
	cases := []struct {
		name string
		v    core.Verdict
		kind panelKind
		word string
		sub  string
	}{
		{"admit", core.Verdict{Outcome: core.Admit, Reason: core.ReasonOK, Control: ctl}, kindAdmit, "ADMIT", "Let in · 18:42:05"},
		{"deny", core.Verdict{Outcome: core.Deny, Reason: core.ReasonAlreadyUsed, Control: ctl}, kindDeny, "DENY", "Do not let in · 18:42:05"},
		{"check", core.Verdict{Outcome: core.Admit, Prompts: []core.Prompt{{Kind: core.PromptAgeCheck, Rule: "AGE CHECK"}}}, kindCheck, "ADMIT — CHECK", "Check first, then let in · 18:42:05"},
		{"override", core.Verdict{Outcome: core.Admit, Reason: core.ReasonOverride}, kindAdmit, "ADMIT", "Supervisor override · 18:42:05"},
		{"exit", core.Verdict{Outcome: core.Admit, Reason: core.ReasonExit, Prompts: []core.Prompt{{Kind: core.PromptAgeCheck, Rule: "AGE"}}}, kindExit, "EXIT", "Exit recorded · 18:42:05"},
		{"exit scanner warning", core.Verdict{Outcome: core.Admit, Reason: core.ReasonExit, Prompts: []core.Prompt{{Kind: core.PromptScanner, Layout: "azerty"}}}, kindCheck, "EXIT", "Exit recorded · 18:42:05"},
		// Nobody is kept in: never a red DENY at an exit.
		{"exit never in", core.Verdict{Outcome: core.Deny, Reason: core.ReasonNotInside, Control: &core.Control{ID: "x", Direction: core.DirectionOut}}, kindCheck, "EXIT", "Let out — no entry recorded · 18:42:05"},
		{"exit unknown", core.Verdict{Outcome: core.Deny, Reason: core.ReasonUnknown, Control: &core.Control{ID: "y", Direction: core.DirectionOut}}, kindCheck, "EXIT", "Let out — no entry recorded · 18:42:05"},
	}
	for _, c := range cases {
		c.v.Ticket = ticket
		vw := viewOf(&c.v, &s, at)
		if vw.Kind != c.kind || vw.Word != c.word || vw.Sub != c.sub {
			t.Errorf("%s: %v %q %q", c.name, vw.Kind, vw.Word, vw.Sub)
		}
	}
	deny := core.Verdict{Outcome: core.Deny, Control: ctl, Ticket: ticket}
	if vw := viewOf(&deny, &s, at); !vw.Overridable {
		t.Error("a recorded DENY must be overridable")
	}
	exitDeny := core.Verdict{Outcome: core.Deny, Reason: core.ReasonNotInside, Control: &core.Control{ID: "x", Direction: core.DirectionOut}}
	if vw := viewOf(&exitDeny, &s, at); vw.Overridable {
		t.Error("an exit's DENY has nothing to override")
	}
	childDeny := core.Verdict{Outcome: core.Deny, Prompts: []core.Prompt{{Kind: core.PromptAgeCheck, Rule: "AGE CHECK"}, {Kind: core.PromptScanner, Layout: "azerty"}}}
	if vw := viewOf(&childDeny, &s, at); len(vw.Prompts) != 1 || !strings.HasPrefix(vw.Prompts[0], "SCANNER: Scanner keyboard layout looks like AZERTY") {
		t.Errorf("prompts on a DENY: %q", vw.Prompts)
	}
	helpdesk := core.Verdict{Outcome: core.Deny}
	if vw := viewOf(&helpdesk, &s, at); vw.Overridable {
		t.Error("a DENY without a recorded control cannot be overridden")
	}
}

func TestViewOfFactsAndHolder(t *testing.T) {
	v := core.Verdict{Outcome: core.Admit, Scanned: "2026110000000000000042", Ticket: &core.Ticket{
		TaxNumber: "T-1", Sector: "B", Seat: "4", EntranceCode: "N3",
		Holder: core.Holder{FirstName: "Ana", LastName: "Roth", BirthDate: "1990-01-02T00:00:00"},
	}}
	s := core.Settings{}
	got := map[string]string{}
	for _, f := range viewOf(&v, &s, time.Now()).Facts {
		got[f.Label] = f.Value
	}
	want := map[string]string{"Holder": "Ana Roth, born 1990-01-02", "Seat": "Sector B · Seat 4", "Entrance": "N3", "Tax no.": "T-1", "Barcode": "…000042"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	s.HideHolder = true
	for _, f := range viewOf(&v, &s, time.Now()).Facts {
		if f.Label == "Holder" {
			t.Error("holder shown with HideHolder")
		}
	}
}

// Only a birth date known: the holder line does not start with a comma.
func TestHolderLineWithOnlyABirthDate(t *testing.T) {
	v := core.Verdict{Outcome: core.Admit, Ticket: &core.Ticket{Holder: core.Holder{BirthDate: "2001-02-03"}}}
	for _, f := range viewOf(&v, &core.Settings{}, time.Now()).Facts {
		if f.Label == "Holder" && f.Value != "born 2001-02-03" {
			t.Errorf("holder line %q", f.Value)
		}
	}
}

func TestErrorAndUnreadViewsNeverAdmit(t *testing.T) {
	e := errorView(core.Errorf(core.EUnavailable, "Disk full"), time.Now())
	if e.Kind != kindError || e.Word != "NOT RECORDED" || e.Message != "Disk full" || e.Overridable {
		t.Errorf("%+v", e)
	}
	if e := errorView(errors.New("sqlite: locked"), time.Now()); strings.Contains(e.Message, "sqlite") {
		t.Errorf("technical detail on screen: %q", e.Message)
	}
	u := unreadView(errors.New("Scan too short (2 characters): not a ticket barcode"), "12\n", time.Now())
	if u.Kind != kindUnread || u.Word != "SCAN NOT READ" || u.Kind.sound() != soundAttention {
		t.Errorf("%+v", u)
	}
}

func TestIdleViewSaysDirection(t *testing.T) {
	in, out := core.Settings{Direction: core.DirectionIn}, core.Settings{Direction: core.DirectionOut}
	if v := idleView(&in); v.Word != "READY" || !strings.HasPrefix(v.Sub, "Entry") {
		t.Errorf("entry idle %+v", v)
	}
	if v := idleView(&out); v.Word != "EXIT" {
		t.Errorf("exit idle %+v", v)
	}
	if bg, _ := kindIdle.colours(true); bg != colExit {
		t.Error("an idle exit station must be purple")
	}
}

func TestTail(t *testing.T) {
	for in, want := range map[string]string{"": "", "12345678": "12345678", "123456789": "…456789", "ABCDEFGHIJKL": "…GHIJKL"} {
		if got := tail(in); got != want {
			t.Errorf("tail(%q) = %q, want %q", in, got, want)
		}
	}
}
