package core

import (
	"s360gate/core/words"
	"strings"
	"testing"
	"time"
)

var kickoff = time.Date(2026, 11, 27, 20, 0, 0, 0, time.Local)

func testCheckpoint() Checkpoint {
	return Checkpoint{
		Station: Station{Name: "LAPTOP2", Gate: "B", Direction: DirectionIn},
		Event:   Event{Season: "SEASON26", Products: []string{"MATCH01"}, Day: kickoff},
		Rules: Rules{
			ExtraGates: map[string][]string{"N3": {"B"}},
			Tariffs:    map[string]string{"CHILD": "AGE CHECK: under 16"},
		},
		Staleness: 15 * time.Minute,
	}
}

func validTicket() *Ticket {
	return &Ticket{
		Barcode: "7401000000000000000001", State: StateValid, CancellationCause: "NOT_CANCELLED",
		AudienceSubCategoryCode: "ADULT", TaxNumber: "T26-0000001", EntranceCode: "B",
		SeasonCode: "SEASON26", ProductCode: "MATCH01", PerformanceCode: "PERF01",
		ValidFrom: kickoff.Add(-4 * time.Hour), ValidTo: kickoff.Add(4 * time.Hour),
	}
}

func decideAt(t *Ticket, history []Control, mod func(*Checkpoint), now time.Time) Verdict {
	cp := testCheckpoint()
	if mod != nil {
		mod(&cp)
	}
	return Decide(Decision{Scanned: "x", Ticket: t, History: history, Checkpoint: cp, LastSync: now, Now: now})
}

func TestDecideEveryReason(t *testing.T) {
	now := kickoff.Add(-time.Hour)
	entry := Control{At: kickoff.Add(-90 * time.Minute), Station: "LAPTOP1", Gate: "A", Direction: DirectionIn, Outcome: Admit}
	tests := []struct {
		name    string
		ticket  func(*Ticket) *Ticket
		history []Control
		mod     func(*Checkpoint)
		now     time.Time
		outcome Outcome
		reason  Reason
		words   string
	}{
		{name: "valid", outcome: Admit, reason: ReasonOK, words: "Valid ticket"},
		{name: "unknown", ticket: func(*Ticket) *Ticket { return nil }, outcome: Deny, reason: ReasonUnknown, words: "Unknown ticket"},
		{name: "cancelled with cause", ticket: func(t *Ticket) *Ticket { t.State, t.CancellationCause = StateCancelled, "REFUND_REQUESTED"; return t },
			outcome: Deny, reason: ReasonCancelled, words: "Cancelled — refund requested"},
		{name: "invalidated", ticket: func(t *Ticket) *Ticket { t.State = StateInvalidated; return t }, outcome: Deny, reason: ReasonInvalidated, words: "Invalidated"},
		{name: "rejected by S-360 wins over valid state", ticket: func(t *Ticket) *Ticket { t.RejectedByS360 = "Failed to import"; return t },
			outcome: Deny, reason: ReasonRejectedByS360, words: "Blocked by S-360"},
		{name: "other product", ticket: func(t *Ticket) *Ticket { t.ProductCode = "MATCH02"; return t }, outcome: Deny, reason: ReasonNotThisEvent, words: "MATCH02"},
		{name: "other season", ticket: func(t *Ticket) *Ticket { t.SeasonCode = "SEASON25"; return t }, outcome: Deny, reason: ReasonNotThisEvent},
		{name: "too early", now: kickoff.Add(-5 * time.Hour), outcome: Deny, reason: ReasonNotValidNow, words: "Not valid yet — valid from 16:00"},
		{name: "expired", now: kickoff.Add(5 * time.Hour), outcome: Deny, reason: ReasonNotValidNow, words: "Expired"},
		{name: "wrong gate names the entrance", ticket: func(t *Ticket) *Ticket { t.EntranceCode = "S2"; return t },
			outcome: Deny, reason: ReasonWrongGate, words: "use gate S2"},
		{name: "extra gate rule admits", ticket: func(t *Ticket) *Ticket { t.EntranceCode = "N3"; return t }, outcome: Admit, reason: ReasonOK},
		{name: "no gate set: no gate check", ticket: func(t *Ticket) *Ticket { t.EntranceCode = "S2"; return t },
			mod: func(cp *Checkpoint) { cp.Station.Gate = "" }, outcome: Admit, reason: ReasonOK},
		{name: "already used names time, gate and station", history: []Control{entry},
			outcome: Deny, reason: ReasonAlreadyUsed, words: "Already used at 18:30, gate A, LAPTOP1"},
		{name: "already used wins over wrong gate", ticket: func(t *Ticket) *Ticket { t.EntranceCode = "S2"; return t }, history: []Control{entry},
			outcome: Deny, reason: ReasonAlreadyUsed},
		{name: "a denied scan does not use the ticket", history: []Control{{Direction: DirectionIn, Outcome: Deny}}, outcome: Admit, reason: ReasonOK},
		{name: "single entry: no re-entry after exit", history: []Control{entry, {Direction: DirectionOut, Outcome: Admit}},
			outcome: Deny, reason: ReasonAlreadyUsed},
		{name: "re-entry after exit when allowed", history: []Control{entry, {Direction: DirectionOut, Outcome: Admit}},
			mod: func(cp *Checkpoint) { cp.Rules.AllowReentry = true }, outcome: Admit, reason: ReasonOK},
		{name: "re-entry still refused while inside", history: []Control{entry},
			mod: func(cp *Checkpoint) { cp.Rules.AllowReentry = true }, outcome: Deny, reason: ReasonAlreadyUsed},
		{name: "exit of someone inside", history: []Control{entry},
			mod: func(cp *Checkpoint) { cp.Station.Direction = DirectionOut }, outcome: Admit, reason: ReasonExit},
		{name: "exit of someone never in", mod: func(cp *Checkpoint) { cp.Station.Direction = DirectionOut }, outcome: Deny, reason: ReasonNotInside},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := validTicket()
			if tc.ticket != nil {
				tk = tc.ticket(tk)
			}
			at := now
			if !tc.now.IsZero() {
				at = tc.now
			}
			v := decideAt(tk, tc.history, tc.mod, at)
			if v.Outcome != tc.outcome || v.Reason != tc.reason {
				t.Fatalf("got %s %s (%q), want %s %s", v.Outcome, v.Reason, said(&v, nil), tc.outcome, tc.reason)
			}
			if !strings.Contains(said(&v, nil), tc.words) {
				t.Fatalf("message %q does not say %q", said(&v, nil), tc.words)
			}
			if tc.reason == ReasonAlreadyUsed && v.FirstUse == nil {
				t.Fatal("ALREADY_USED without the first use")
			}
		})
	}
}

func TestPromptsTravelWithoutChangingTheVerdict(t *testing.T) {
	tk := validTicket()
	tk.AudienceSubCategoryCode = "child"
	tk.Holder = Holder{FirstName: "Ada", LastName: "Lovelace", IDNumber: "X123", BirthDate: "2014-11-28T00:00:00", CountryCode: "CH"}
	v := decideAt(tk, nil, nil, kickoff.Add(-time.Hour))
	en := Speak(words.EN, nil)
	if v.Outcome != Admit || !v.Attention() {
		t.Fatalf("want an ADMIT needing attention, got %+v", v)
	}
	if len(v.Prompts) != 2 || v.Prompts[0].Kind != PromptAgeCheck || v.Prompts[1].Kind != PromptIDCheck {
		t.Fatalf("prompts %+v", v.Prompts)
	}
	// Born 2014-11-28: still 11 on the eve of the 12th birthday.
	if want := "AGE CHECK: under 16 — child tariff — born 2014-11-28, 11 years"; en.Prompt(&v.Prompts[0]) != want {
		t.Fatalf("age prompt %q, want %q", en.Prompt(&v.Prompts[0]), want)
	}
	if want := "ID CHECK — Ada Lovelace · ID X123 · CH"; en.Prompt(&v.Prompts[1]) != want {
		t.Fatalf("identity prompt %q", en.Prompt(&v.Prompts[1]))
	}
	hidden := decideAt(tk, nil, func(cp *Checkpoint) { cp.Rules.HideHolder = true }, kickoff.Add(-time.Hour))
	for _, p := range hidden.Prompts {
		if p.Kind == PromptIDCheck || strings.Contains(en.Prompt(&p), "2014") {
			t.Fatalf("holder identity shown at the gate although hidden by setting: %q", en.Prompt(&p))
		}
	}
	if len(hidden.Prompts) != 1 || !strings.HasSuffix(en.Prompt(&hidden.Prompts[0]), "— 11 years") {
		t.Fatalf("the age check must still give the age: %+v", hidden.Prompts)
	}
}

func TestPickFromContainer(t *testing.T) {
	ev := testCheckpoint().Event
	other, used, good := *validTicket(), *validTicket(), *validTicket()
	other.Barcode, other.ProductCode = "1", "MATCH02"
	used.Barcode, used.State = "2", StateInvalidated
	good.Barcode = "3"
	if got := PickFromContainer([]Ticket{other, used, good}, &ev); got.Barcode != "3" {
		t.Fatalf("picked %s, want the valid ticket of the event", got.Barcode)
	}
	if got := PickFromContainer([]Ticket{other, used}, &ev); got.Barcode != "2" {
		t.Fatalf("picked %s, want the event's ticket so the denial names its real problem", got.Barcode)
	}
	if got := PickFromContainer(nil, &ev); got != nil {
		t.Fatal("empty container must give no ticket")
	}
}

func TestOverride(t *testing.T) {
	first := kickoff.Add(-time.Hour)
	denied := NewControl(&Verdict{Outcome: Deny, Reason: ReasonAlreadyUsed, Ticket: validTicket(), Scanned: "x",
		Facts: Facts{UsedAt: first, UsedGate: "A", UsedStation: "L2"}},
		&Checkpoint{Station: Station{Name: "L1", Direction: DirectionIn}}, kickoff, kickoff)
	if _, err := Override(&denied, nil, "  ", kickoff); ErrorCode(err) != EInvalid {
		t.Fatalf("override without a reason: %v", err)
	}
	c, err := Override(&denied, nil, "steward saw the ticket torn", kickoff.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.Outcome != Admit || !c.Override || c.Reason != ReasonOverride || c.Upload != UploadPending || c.ControlResult() != "OK" {
		t.Fatalf("override control %+v", c)
	}
	// The override keeps what it overrode, said in any language.
	hour := first.In(time.Local).Format("15:04")
	if got, want := Speak(words.EN, nil).Control(&c), "Admitted by supervisor: steward saw the ticket torn (was: Already used at "+hour+", gate A, L2)"; got != want {
		t.Errorf("override says %q, want %q", got, want)
	}
	if got, want := Speak(words.DE, nil).Control(&c), "Vom Supervisor eingelassen: steward saw the ticket torn (vorher: Bereits benutzt — "+hour+", Tor A, L2)"; got != want {
		t.Errorf("override says %q, want %q", got, want)
	}
	if _, err := Override(&c, nil, "again", kickoff); ErrorCode(err) != EConflict {
		t.Fatalf("override of an ADMIT: %v", err)
	}
}

func TestNewControlOfflineAndUpload(t *testing.T) {
	cp := testCheckpoint()
	v := Verdict{Outcome: Deny, Reason: ReasonCancelled, Ticket: validTicket()}
	c := NewControl(&v, &cp, kickoff.Add(-time.Hour), kickoff)
	if !c.Offline || c.ControlResult() != "OFFLINE_FAIL" {
		t.Fatalf("stale station must report OFFLINE_FAIL, got %s", c.ControlResult())
	}
	c = NewControl(&v, &cp, kickoff.Add(-time.Minute), kickoff)
	if c.Offline || c.ControlResult() != "FAIL" || c.Upload != UploadPending {
		t.Fatalf("fresh station: %s %s", c.ControlResult(), c.Upload)
	}
	unknown := NewControl(&Verdict{Outcome: Deny, Reason: ReasonUnknown}, &cp, kickoff, kickoff)
	if unknown.Upload != UploadLocal {
		t.Fatal("an unknown barcode must never be sent to S-360")
	}
	cp.Station.Direction = DirectionOut
	exit := NewControl(&Verdict{Outcome: Admit, Reason: ReasonExit, Ticket: validTicket()}, &cp, kickoff, kickoff)
	if exit.Upload != UploadLocal {
		t.Fatal("exits are not S-360 controls")
	}
}

// said is a verdict's message in English at the venue in zone.
func said(v *Verdict, zone *time.Location) string { return Speak(words.EN, zone).Verdict(v) }
