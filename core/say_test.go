package core

import (
	"strings"
	"testing"
	"time"

	"s360gate/core/words"
)

var sayAt = time.Date(2026, 11, 27, 19, 5, 0, 0, time.UTC)

// sampleFacts are, for every reason, facts a verdict of it may hold, and
// what its words must name.
func sampleFacts() map[Reason]struct {
	f     Facts
	names []string
} {
	used := sayAt.Add(-40 * time.Minute)
	return map[Reason]struct {
		f     Facts
		names []string
	}{
		ReasonOK:             {Facts{}, nil},
		ReasonExit:           {Facts{}, nil},
		ReasonUnknown:        {Facts{}, nil},
		ReasonRejectedByS360: {Facts{}, nil},
		ReasonInvalidated:    {Facts{}, nil},
		ReasonNotInside:      {Facts{}, nil},
		ReasonCancelled:      {Facts{Cause: "SOMETHING_ODD"}, []string{"something odd"}},
		ReasonNotThisEvent:   {Facts{Product: "MATCH02", Performance: "P7"}, []string{"MATCH02 / P7"}},
		ReasonNotValidNow:    {Facts{ValidFrom: sayAt.Add(2 * time.Hour)}, []string{"21:05"}},
		ReasonAlreadyUsed:    {Facts{UsedAt: used, UsedGate: "N1", UsedStation: "GATE_N_1"}, []string{"18:25", "N1", "GATE_N_1"}},
		ReasonWrongGate:      {Facts{Entrance: "S2"}, []string{"S2"}},
		ReasonOverride:       {Facts{Overridden: ReasonWrongGate, Was: &Facts{Entrance: "S2"}}, []string{"torn ticket", "S2"}},
	}
}

// Every reason is said in every language, with its facts, and differently
// from English (but for the codes and names in it).
func TestEveryReasonInEveryLanguage(t *testing.T) {
	utc := time.UTC
	reasons := append([]Reason{ReasonOK, ReasonExit, ReasonOverride}, DenyReasons...)
	samples := sampleFacts()
	for _, r := range reasons {
		sample, ok := samples[r]
		if !ok {
			t.Fatalf("no sample facts for %s", r)
		}
		english := Speak(words.EN, utc).Message(r, &sample.f, sayAt, "torn ticket")
		for _, l := range words.All {
			s := Speak(l, utc)
			msg := s.Message(r, &sample.f, sayAt, "torn ticket")
			if msg == "" || strings.HasPrefix(msg, "msg.") || msg == string(r) || strings.Contains(msg, "<no value>") {
				t.Errorf("%s %s: %q", l, r, msg)
			}
			for _, n := range sample.names {
				if l == words.EN || n != "something odd" { // an unknown cause is S-360's words
					if !strings.Contains(msg, n) {
						t.Errorf("%s %s: %q does not name %q", l, r, msg, n)
					}
				}
			}
			if l != words.EN && msg == english {
				t.Errorf("%s %s is English: %q", l, r, msg)
			}
			if label := s.Reason(r); label == "" || label == string(r) {
				t.Errorf("%s: no label for %s", l, r)
			}
		}
	}
	for _, l := range words.All {
		s := Speak(l, utc)
		for _, o := range []Outcome{Admit, Deny} {
			if w := s.Outcome(o); w == "" || w == "outcome."+string(o) {
				t.Errorf("%s: no word for %s", l, o)
			}
		}
		for _, c := range []string{"BLACKLISTED", "REFUND_REQUESTED", "EVENT_CHANGE", "FRAUD", "PAYMENT_FAILED"} {
			if w := s.Cause(c); w == "" || strings.Contains(w, "_") {
				t.Errorf("%s: cause %s says %q", l, c, w)
			}
		}
	}
}

// A verdict is said the way the gate used to write it, in English: the
// words scripts and people already know.
func TestEnglishWordsUnchanged(t *testing.T) {
	s := Speak(words.EN, time.UTC)
	for _, c := range []struct {
		r    Reason
		f    Facts
		want string
	}{
		{ReasonCancelled, Facts{Cause: "REFUND_REQUESTED"}, "Cancelled — refund requested"},
		{ReasonCancelled, Facts{Cause: "NOT_CANCELLED"}, "Cancelled"},
		{ReasonWrongGate, Facts{Entrance: "S2"}, "Wrong entrance — use gate S2"},
		{ReasonAlreadyUsed, Facts{UsedAt: sayAt.Add(-time.Hour), UsedGate: "N1", UsedStation: "GATE_N_1"}, "Already used at 18:05, gate N1, GATE_N_1"},
		{ReasonAlreadyUsed, Facts{UsedAt: sayAt.Add(-24 * time.Hour)}, "Already used at 2026-11-26 19:05"},
		{ReasonNotValidNow, Facts{ValidTo: sayAt.Add(-time.Hour)}, "Expired — valid until 18:05"},
		{ReasonNotThisEvent, Facts{Season: "SEASON25"}, "Not for this event — ticket is for another season (SEASON25)"},
		{ReasonOverride, Facts{Overridden: ReasonUnknown, Was: &Facts{}}, "Admitted by supervisor: ok (was: Unknown ticket — not in this event's list)"},
		{ReasonOverride, Facts{Overridden: ReasonAlreadyUsed, Was: &Facts{Text: "Already used at 07:32"}}, "Admitted by supervisor: ok (was: Already used at 07:32)"},
		{ReasonOK, Facts{Text: "Valid ticket (old words)"}, "Valid ticket (old words)"},
	} {
		if got := s.Message(c.r, &c.f, sayAt, "ok"); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.r, c.f, got, c.want)
		}
	}
}

// Words an older s360gate stored read back into the same facts: the
// English said now is what it wrote then.
func TestReadOldMessages(t *testing.T) {
	en := Speak(words.EN, time.UTC)
	for r, sample := range sampleFacts() {
		if r == ReasonNotValidNow { // the late bound too
			late := Facts{ValidTo: sayAt.Add(-26 * time.Hour)}
			old := en.Message(r, &late, sayAt, "")
			if f, ok := ReadOldMessage(r, old, "", sayAt, time.UTC); !ok || !f.ValidTo.Equal(late.ValidTo) {
				t.Errorf("%q read as %+v %v", old, f, ok)
			}
		}
		old := en.Message(r, &sample.f, sayAt, "torn ticket")
		f, ok := ReadOldMessage(r, old, "torn ticket", sayAt, time.UTC)
		if !ok {
			t.Errorf("%s: %q not read", r, old)
			continue
		}
		if got := en.Message(r, &f, sayAt, "torn ticket"); got != old {
			t.Errorf("%s: %q read as %+v, said again %q", r, old, f, got)
		}
		if f.Text != "" {
			t.Errorf("%s: read into text: %+v", r, f)
		}
		de := Speak(words.DE, time.UTC).Message(r, &f, sayAt, "torn ticket")
		if de == old {
			t.Errorf("%s: still English in German: %q", r, de)
		}
	}
	for _, c := range []struct {
		r   Reason
		msg string
	}{
		{ReasonAlreadyUsed, "Valid ticket"},                                   // not this reason's words
		{ReasonAlreadyUsed, "Already used at 18:05 PST, gate N1"},             // another zone than the venue's
		{ReasonOK, "Billet valable"},                                          // never written by s360gate
		{ReasonOverride, "Admitted by supervisor: other (was: Valid ticket)"}, // not its supervisor's words
	} {
		if f, ok := ReadOldMessage(c.r, c.msg, "torn ticket", sayAt, time.UTC); ok {
			t.Errorf("%s %q read as %+v", c.r, c.msg, f)
		}
	}
	// The venue's zone as the laptop showed it beside the time.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if f, ok := ReadOldMessage(ReasonAlreadyUsed, "Already used at 04:05 JST, gate N1", "", sayAt, tokyo); !LaptopShows(tokyo, sayAt) && (!ok || !f.UsedAt.Equal(sayAt)) {
		t.Errorf("a time with its zone: %+v %v", f, ok)
	}
}

// Facts survive their JSON, and none is written for a verdict without.
func TestFactsEncode(t *testing.T) {
	f := Facts{UsedAt: sayAt, UsedGate: "N1", Overridden: ReasonWrongGate, Was: &Facts{Entrance: "S2"}}
	back := DecodeFacts(f.Encode(), "")
	if !back.UsedAt.Equal(sayAt) || back.UsedGate != "N1" || back.Was == nil || back.Was.Entrance != "S2" || back.Overridden != ReasonWrongGate {
		t.Errorf("%+v", back)
	}
	if (&Facts{}).Encode() != "" {
		t.Error("empty facts are stored as nothing")
	}
	if got := DecodeFacts("", "Old words"); got.Text != "Old words" {
		t.Errorf("legacy words: %+v", got)
	}
	if got := DecodeFacts("{not json", ""); !got.IsZero() {
		t.Errorf("damaged facts: %+v", got)
	}
}

// Prompts in every language, and a default prompt typed in one language
// is said in the reader's.
func TestPromptsInEveryLanguage(t *testing.T) {
	fr := Speak(words.FR, nil)
	p := Prompt{Kind: PromptAgeCheck, Rule: words.DE.T("tariff.CHILD", nil), Tariff: "CHILD", Age: 12, Aged: true, Born: "2014-05-02"}
	if got, want := fr.Prompt(&p), "CONTRÔLE D'ÂGE : moins de 16 ans — tarif CHILD — né(e) le 02/05/2014, 12 ans"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	p.Rule = "Bracelet vert"
	if got := fr.Prompt(&p); !strings.HasPrefix(got, "Bracelet vert — tarif CHILD") {
		t.Errorf("the venue's own words: %q", got)
	}
	for _, l := range words.All {
		if !AgeRule(l.T("tariff.CHILD", nil)) || AgeRule(l.T("tariff.STUDENT", nil)) {
			t.Errorf("%s: the age check is not told apart", l)
		}
		s := Speak(l, nil)
		for _, pr := range []Prompt{
			{Kind: PromptIDCheck, Holder: Holder{FirstName: "Ada", LastName: "Lovelace", IDNumber: "X1"}},
			{Kind: PromptScanner, Layout: "azerty"}, {Kind: PromptScanner, Layout: "qwertz"},
			{Kind: PromptScanner, Layout: "azerty-be"}, {Kind: PromptScanner, Layout: "qwerty-shift"},
			{Kind: PromptScanner, Odd: "§"},
		} {
			if got := s.Prompt(&pr); got == "" || strings.HasPrefix(got, "prompt.") {
				t.Errorf("%s %+v: %q", l, pr, got)
			}
		}
	}
	if rules := DefaultTariffRules(words.IT); rules["SENIOR"] != "CONTROLLO ETÀ: 65 anni o più" {
		t.Errorf("%v", rules)
	}
}

// An error with words of the catalogue is said in each language; one
// without, in its English.
func TestErrorsSaid(t *testing.T) {
	err := Say(EInvalid, "settings.err.https", nil)
	if got := Speak(words.IT, nil).Error(err); got != "usare un indirizzo https://" {
		t.Errorf("%q", got)
	}
	if err.Message != "use an https:// address" || ErrorMessage(err) != err.Message {
		t.Errorf("English %q", err.Message)
	}
	if got := Speak(words.DE, nil).Error(Errorf(EInvalid, "plain")); got != "plain" {
		t.Errorf("%q", got)
	}
}

// Our words around S-360's in an upload detail are said in each language;
// S-360's stay as it wrote them.
func TestUploadDetail(t *testing.T) {
	c := Control{Barcode: "1", Direction: DirectionIn, Upload: UploadPending}
	c.SkipBlacklisted(&Ticket{State: StateCancelled, CancellationCause: "BLACKLISTED"})
	if c.UploadDetail != "Not sent: S-360 refuses controls of blacklisted tickets (exported cancelled: blacklisted)" {
		t.Fatalf("%q", c.UploadDetail)
	}
	if got := Speak(words.DE, nil).UploadDetail(c.UploadDetail); got != "Nicht gesendet: S-360 lehnt Kontrollen gesperrter Tickets ab (als storniert exportiert: gesperrt)" {
		t.Errorf("%q", got)
	}
	s360 := NotSentDetail("Failed to import controlledTickets:1")
	if got := Speak(words.FR, nil).UploadDetail(s360); got != "Non envoyé : S-360 refuse les contrôles des billets sur liste noire (Failed to import controlledTickets:1)" {
		t.Errorf("%q", got)
	}
	if got := Speak(words.IT, nil).UploadDetail("Failed to import controlledTickets:1"); got != "Failed to import controlledTickets:1" {
		t.Errorf("S-360's words changed: %q", got)
	}
	// A scan the venue decided and S-360 heard of, which its station,
	// cut off, showed otherwise.
	other := SentOtherDetail("OK", Deny)
	if got := Speak(words.EN, nil).UploadDetail(other); got != other {
		t.Errorf("in English: %q, stored %q", got, other)
	}
	if got := Speak(words.FR, nil).UploadDetail(other); got != "S-360 avait reçu OK pour ce scan, décidé par le site mais jamais affiché à la porte ; la porte a affiché "+Speak(words.FR, nil).Outcome(Deny) {
		t.Errorf("in French: %q", got)
	}
}
