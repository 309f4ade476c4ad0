package core

import (
	"errors"
	"strings"
	"time"

	"s360gate/core/words"
)

// Speaker says what s360gate shows people — verdicts, controls, prompts,
// reasons, cancellation causes, times, errors — in one language, with the
// times of one venue. It is the one renderer: the GUI, the headless
// commands and the reports all say a verdict through it, from its reason
// and facts, when they show it (never from words stored at the gate).
type Speaker struct {
	Lang words.Lang
	// Zone is the venue's (nil: the laptop's): times are the venue's,
	// followed by the zone's abbreviation when the laptop shows another.
	Zone *time.Location
}

// Speak is a Speaker of l at the venue in zone.
func Speak(l words.Lang, zone *time.Location) Speaker {
	return Speaker{Lang: l.Or(words.EN), Zone: zone}
}

// T is the words of key with data (see words.Lang.T).
func (s Speaker) T(key string, data any) string { return s.Lang.T(key, data) }

// N is the words of key for count (see words.Lang.N).
func (s Speaker) N(key string, count int, data map[string]any) string {
	return s.Lang.N(key, count, data)
}

// Outcome is the verdict's word, as big as the gate shows it: ADMIT, DENY.
func (s Speaker) Outcome(o Outcome) string { return s.T("outcome."+string(o), nil) }

// Reason is a reason's short name, for counters and lists ("Already used").
func (s Speaker) Reason(r Reason) string {
	if words.Has("reason." + string(r)) {
		return s.T("reason."+string(r), nil)
	}
	return string(r)
}

// Verdict is the verdict's message: its reason in words, with its facts.
func (s Speaker) Verdict(v *Verdict) string {
	at, why := v.At, ""
	if c := v.Control; c != nil {
		why = c.OverrideReason
		if at.IsZero() {
			at = c.At
		}
	}
	return s.Message(v.Reason, &v.Facts, at, why)
}

// Control is a recorded control's message, as its verdict said it, in
// this Speaker's language.
func (s Speaker) Control(c *Control) string {
	return s.Message(c.Reason, &c.Facts, c.At, c.OverrideReason)
}

// Message says reason r with its facts f, for a verdict given at (a time
// among the facts is told against it: the hour that day, the date too on
// another). why is the supervisor's reason of an override.
func (s Speaker) Message(r Reason, f *Facts, at time.Time, why string) string {
	if f == nil {
		f = &Facts{}
	}
	if f.Text != "" {
		return f.Text
	}
	switch r {
	case ReasonCancelled:
		if c := s.Cause(f.Cause); c != "" {
			return s.T("msg.CANCELLED.cause", map[string]any{"Cause": c})
		}
	case ReasonNotThisEvent:
		return s.T("msg.NOT_THIS_EVENT", map[string]any{"Event": s.event(f)})
	case ReasonNotValidNow:
		if !f.ValidFrom.IsZero() {
			return s.T("msg.NOT_VALID_NOW.early", map[string]any{"At": s.Clock(f.ValidFrom, at)})
		}
		if !f.ValidTo.IsZero() {
			return s.T("msg.NOT_VALID_NOW.late", map[string]any{"At": s.Clock(f.ValidTo, at)})
		}
	case ReasonAlreadyUsed:
		used := s.Clock(f.UsedAt, at)
		if f.UsedGate != "" {
			used += ", " + s.T("msg.gate", map[string]any{"Gate": f.UsedGate})
		}
		if f.UsedStation != "" {
			used += ", " + f.UsedStation
		}
		return s.T("msg.ALREADY_USED", map[string]any{"Used": used})
	case ReasonWrongGate:
		return s.T("msg.WRONG_GATE", map[string]any{"Gate": f.Entrance})
	case ReasonOverride:
		was := ""
		if f.Overridden != "" || f.Was != nil {
			was = s.Message(f.Overridden, f.Was, at, "")
		}
		return s.T("msg.OVERRIDE", map[string]any{"Why": why, "Was": was})
	}
	if words.Has("msg." + string(r)) {
		return s.T("msg."+string(r), nil)
	}
	return string(r) // a reason of a newer s360gate: its code, not a blank
}

// event names the event a ticket is for: its product and performance, or
// its season when it is of another one.
func (s Speaker) event(f *Facts) string {
	var parts []string
	for _, p := range []string{f.Product, f.Performance} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return s.T("msg.otherSeason", map[string]any{"Season": f.Season})
	}
	return strings.Join(parts, " / ")
}

// Cause is S-360's cancellation cause in words ("REFUND_REQUESTED" →
// "refund requested"), on one line whatever S-360 sent; "" for none. A
// cause the catalogue does not know is shown as S-360 wrote it, in
// lower case.
func (s Speaker) Cause(cause string) string {
	c := strings.Join(strings.Fields(cause), " ")
	if c == "" || strings.EqualFold(c, "NOT_CANCELLED") {
		return ""
	}
	if key := "cause." + strings.ToUpper(c); words.Has(key) {
		return s.T(key, nil)
	}
	return CancellationWords(c)
}

// Prompt says what a steward must check.
func (s Speaker) Prompt(p *Prompt) string {
	switch p.Kind {
	case PromptTariff, PromptAgeCheck:
		data := map[string]any{"Rule": s.TariffRule(p.Tariff, p.Rule), "Tariff": p.Tariff}
		if !p.Aged {
			return s.T("prompt.tariff", data)
		}
		data["Age"] = s.N("prompt.years", p.Age, nil)
		if p.Born == "" {
			return s.T("prompt.tariff.age", data)
		}
		data["Born"] = s.Lang.Date(p.Born)
		return s.T("prompt.tariff.born", data)
	case PromptIDCheck:
		return s.T("prompt.idCheck", map[string]any{"Who": s.Identity(p.Holder)})
	case PromptScanner:
		if p.Layout != "" && words.Has("prompt.layout."+p.Layout) {
			return s.T("prompt.layout."+p.Layout, nil)
		}
		return s.T("prompt.odd", map[string]any{"Chars": p.Odd})
	}
	return p.Rule
}

// ScannerPrompts are the prompts of a scan the scanner package mapped
// back from a wrong keyboard layout (layout), or found unusual
// characters in (odd): the steward should have the scanner set right.
func ScannerPrompts(layout, odd string) []Prompt {
	if layout == "" && odd == "" {
		return nil
	}
	return []Prompt{{Kind: PromptScanner, Layout: layout, Odd: odd}}
}

// Seat is the seat as a steward reads it out, e.g. "Sector B · Block 12 ·
// Row 7 · Seat 31", with what S-360 sent of it.
func (s Speaker) Seat(t *Ticket) string {
	var parts []string
	for _, p := range []struct{ key, v string }{{"seat.sector", t.Sector}, {"seat.block", t.Block}, {"seat.row", t.Row}, {"seat.seat", t.Seat}} {
		if p.v != "" {
			parts = append(parts, s.T(p.key, map[string]any{"V": p.v}))
		}
	}
	return strings.Join(parts, " · ")
}

// Identity is the line a steward checks an ID against: name · ID number ·
// country, or the birth date when nothing else was sent.
func (s Speaker) Identity(h Holder) string {
	var parts []string
	if n := h.Name(); n != "" {
		parts = append(parts, n)
	}
	if h.IDNumber != "" {
		parts = append(parts, s.T("prompt.idNumber", map[string]any{"ID": h.IDNumber}))
	}
	if h.CountryCode != "" {
		parts = append(parts, h.CountryCode)
	}
	if len(parts) == 0 && h.BirthDate != "" {
		parts = append(parts, s.T("prompt.bornOn", map[string]any{"Born": s.Lang.Date(h.BirthDate)}))
	}
	return strings.Join(parts, " · ")
}

// Default tariff prompts. Their words are the catalogue's ("tariff.CHILD"):
// a station's defaults are written in its language, and a prompt still
// holding the default of any language is said in the reader's.
var defaultTariffs = []string{"CHILD", "SENIOR", "STUDENT"}

// DefaultTariffRules are the tariff prompts a new station starts with, in l.
func DefaultTariffRules(l words.Lang) map[string]string {
	m := make(map[string]string, len(defaultTariffs))
	for _, t := range defaultTariffs {
		m[t] = l.T("tariff."+t, nil)
	}
	return m
}

// TariffRule is a venue's prompt for a tariff as this Speaker says it: the
// venue's own words as typed, or, when they are a default prompt in any
// language, the default in this one.
func (s Speaker) TariffRule(tariff, rule string) string {
	for _, t := range defaultTariffs {
		for _, l := range words.All {
			if rule == l.T("tariff."+t, nil) {
				return s.T("tariff."+t, nil)
			}
		}
	}
	return rule
}

// AgeRule reports whether a tariff prompt asks for an age check (amber,
// with the holder's age): it holds the word "age" of one of the languages
// ("tariff.ageWord": AGE, ÂGE, ALTER, ETÀ).
func AgeRule(rule string) bool {
	r := strings.ToUpper(rule)
	for _, l := range words.All {
		if w := strings.ToUpper(l.T("tariff.ageWord", nil)); w != "" && strings.Contains(r, w) {
			return true
		}
	}
	return false
}

// Clock is a time as a steward wants it, at the venue: the hour when it
// is on the day of ref, the date too otherwise.
func (s Speaker) Clock(t, ref time.Time) string {
	z := ZoneOr(s.Zone)
	y, m, d := t.In(z).Date()
	if y2, m2, d2 := ref.In(z).Date(); ref.IsZero() || y != y2 || m != m2 || d != d2 {
		return s.Time(t, words.LayoutDateTime)
	}
	return s.Time(t, "15:04")
}

// Time writes t at the venue with layout (a words.Layout* or a Go layout),
// followed by the zone's abbreviation when the laptop's clock shows
// another time (see FormatIn).
func (s Speaker) Time(t time.Time, layout string) string {
	out := s.Lang.Format(t.In(ZoneOr(s.Zone)), layout)
	if !LaptopShows(s.Zone, t) {
		out += " " + ZoneLabel(s.Zone, t)
	}
	return out
}

// Number writes n as the language groups digits.
func (s Speaker) Number(n int) string { return s.Lang.Number(n) }

// Said is words kept as a key of the catalogue and its data, to be said
// later in any language (Speaker.Said); Text is their English, or the
// words themselves when they have no key.
type Said struct {
	Key  string
	Data map[string]any
	Text string
}

// SayWords is key's words with data, kept.
func SayWords(key string, data map[string]any) Said {
	return Said{Key: key, Data: data, Text: words.EN.T(key, data)}
}

// SaidOf keeps err's words as Speaker.Error would say them.
func SaidOf(err error) Said {
	if err == nil {
		return Said{}
	}
	var sp Spoken
	if errors.As(err, &sp) {
		if key, data := sp.Words(); key != "" {
			return Said{Key: key, Data: data, Text: Speak(words.EN, nil).Error(err)}
		}
	}
	var e *Error
	if errors.As(err, &e) {
		return Said{Text: e.Message}
	}
	return SayWords("error.generic", nil)
}

// Said says kept words; several are joined by "; ".
func (s Speaker) Said(ws ...Said) string {
	var parts []string
	for _, w := range ws {
		t := w.Text
		if w.Key != "" {
			if n, ok := w.Data["Count"].(int); ok {
				t = s.N(w.Key, n, w.Data)
			} else {
				t = s.T(w.Key, w.Data)
			}
		}
		if t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "; ")
}

// UploadDetail is a control's upload detail for a person: S-360's own
// words as it wrote them, in our frame said in this language.
func (s Speaker) UploadDetail(detail string) string {
	if rest, ok := strings.CutPrefix(detail, sentOtherPrefix); ok {
		if sent, shown, ok := strings.Cut(rest, sentOtherMiddle); ok {
			return s.T("upload.sentOther", map[string]any{"Sent": sent, "Shown": s.Outcome(Outcome(shown))})
		}
	}
	why, ok := strings.CutPrefix(detail, notSentPrefix)
	if !ok || !strings.HasSuffix(why, ")") {
		return detail
	}
	why = strings.TrimSuffix(why, ")")
	if cause, ours := strings.CutPrefix(why, exportedCancelled); ours {
		why = s.T("upload.exportedCancelled", map[string]any{"Cause": s.Cause(strings.ToUpper(strings.ReplaceAll(cause, " ", "_")))})
	}
	return s.T("upload.notSent", map[string]any{"Why": why})
}

// Spoken is an error that carries its words as a key of the catalogue and
// the data of its template, so that each reader gets them in their
// language (Error with a Key, the scanner's errors).
type Spoken interface {
	Words() (key string, data map[string]any)
}

// Error is what to show a person of err: the words of the first error in
// its chain that carries a key, or of the first *Error, or a sentence that
// says the details are in the log.
func (s Speaker) Error(err error) string {
	if err == nil {
		return ""
	}
	var sp Spoken
	if errors.As(err, &sp) {
		if key, data := sp.Words(); key != "" {
			if n, ok := data["Count"].(int); ok { // words that change with a count
				return s.N(key, n, data)
			}
			return s.T(key, data)
		}
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return s.T("error.generic", nil)
}
