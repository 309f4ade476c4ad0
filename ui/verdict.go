package ui

import (
	"image/color"
	"strings"
	"time"

	"s360gate/core"
)

// panelKind is what the big panel says, and so its colour, shape and sound.
type panelKind int

const (
	kindIdle   panelKind = iota // waiting for a scan
	kindAdmit                   // let in (or out, at an exit)
	kindCheck                   // let in after a check (age, ID, scanner)
	kindDeny                    // do not let in
	kindError                   // the scan was not recorded: scan again
	kindUnread                  // the scanner's code could not be read
	kindExit                    // someone left (an exit station)
)

// colours is the panel's background and text colour.
func (k panelKind) colours(exit bool) (bg, fg color.Color) {
	switch k {
	case kindAdmit:
		return colAdmit, colOnDark
	case kindCheck, kindUnread:
		return colCheck, colOnLight
	case kindDeny:
		return colDeny, colOnDark
	case kindError:
		return colError, colOnDark
	case kindExit:
		return colExit, colOnDark
	}
	if exit {
		return colExit, colOnDark
	}
	return colIdle, colOnDark
}

// sound is the sound a panel kind makes.
func (k panelKind) sound() soundKind {
	switch k {
	case kindAdmit, kindExit:
		return soundAdmit
	case kindCheck, kindUnread:
		return soundAttention
	case kindDeny, kindError:
		return soundDeny
	}
	return soundNone
}

// fact is one labelled line under the verdict (seat, holder…).
type fact struct{ Label, Value string }

// verdictView is everything the gate shows of one scan, decided in one
// pure function so that the words are tested without a window.
type verdictView struct {
	Kind panelKind
	Word string // the huge word: ADMIT, DENY, ADMIT — CHECK… (in the GUI's language)
	// Exit: a verdict at an exit (its word is EXIT in any language).
	Exit    bool
	Sub     string // one line under it: what to do, and when
	Message string // the reason in plain words
	Prompts []string
	Facts   []fact
	// Overridable: a DENY with a recorded control a supervisor may admit.
	Overridable bool
	// Override: this is a supervisor's admission of an earlier DENY.
	Override bool
}

// viewOf turns a verdict into what the gate shows. at is the time of the
// scan, shown so that an old verdict is not taken for the current one.
func viewOf(v *core.Verdict, s *core.Settings, at time.Time) verdictView {
	exit := v.Reason == core.ReasonExit || (v.Control != nil && v.Control.Direction == core.DirectionOut)
	vw := verdictView{Message: say().Verdict(v)}
	prompts := v.Prompts
	if exit || v.Outcome == core.Deny {
		// Age, ID and tariff checks are for letting people in. On a DENY an
		// amber "AGE CHECK" box would read like "check, then let in"; at an
		// exit it would only make a leaving fan wait. Scanner trouble always
		// matters. (The tariff stays among the facts.)
		prompts = scannerPrompts(prompts)
	}
	for _, p := range prompts {
		vw.Prompts = append(vw.Prompts, promptText(p))
	}
	clock := venueClock(at, "15:04:05")
	switch {
	case exit:
		// Nobody is kept in: an exit is never a red DENY. A ticket that
		// never came in (or is unknown) is let out all the same; amber
		// says there is something to know about it.
		vw.Kind, vw.Word, vw.Sub = kindExit, T("verdict.exit"), T("verdict.sub.exit")+" · "+clock
		vw.Exit = true
		if len(vw.Prompts) > 0 { // scanner trouble
			vw.Kind = kindCheck
		}
		if v.Outcome == core.Deny {
			vw.Kind, vw.Sub = kindCheck, T("verdict.sub.letOut")+" · "+clock
		}
	case v.Outcome == core.Deny:
		vw.Kind, vw.Word, vw.Sub = kindDeny, say().Outcome(core.Deny), T("verdict.sub.deny")+" · "+clock
		vw.Overridable = v.Control != nil && v.Control.ID != ""
	case len(vw.Prompts) > 0:
		vw.Kind, vw.Word, vw.Sub = kindCheck, T("verdict.check"), T("verdict.sub.check")+" · "+clock
	default:
		vw.Kind, vw.Word, vw.Sub = kindAdmit, say().Outcome(core.Admit), T("verdict.sub.admit")+" · "+clock
	}
	if v.Reason == core.ReasonOverride {
		vw.Sub, vw.Override = T("verdict.sub.override")+" · "+clock, true
	}
	vw.Facts = factsOf(v, s)
	return vw
}

func scannerPrompts(ps []core.Prompt) []core.Prompt {
	var out []core.Prompt
	for _, p := range ps {
		if p.Kind == core.PromptScanner {
			out = append(out, p)
		}
	}
	return out
}

// promptText is a prompt as the steward reads it. Tariff and ID prompts
// already start with their instruction ("AGE CHECK: …", "ID CHECK — …");
// scanner warnings do not, and must not be mistaken for a ticket problem.
func promptText(p core.Prompt) string {
	if p.Kind == core.PromptScanner {
		return T("verdict.scanner", map[string]any{"Text": say().Prompt(&p)})
	}
	return say().Prompt(&p)
}

// factsOf lists what identifies the ticket in hand. The holder is shown only
// when the venue has not chosen to keep identity off the gate screen.
func factsOf(v *core.Verdict, s *core.Settings) []fact {
	var out []fact
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			out = append(out, fact{label, value})
		}
	}
	if t := v.Ticket; t != nil {
		if !s.HideHolder && !t.Holder.IsZero() {
			parts := []string{t.Holder.Name()}
			if _, ok := t.Holder.Born(); ok {
				parts = append(parts, T("prompt.bornOn", map[string]any{"Born": Lang().Date(t.Holder.BirthDate)}))
			}
			add(T("fact.holder"), deskJoinNonEmpty(", ", parts...))
		}
		add(T("fact.seat"), say().Seat(t))
		add(T("fact.entrance"), t.EntranceCode)
		add(T("fact.tariff"), t.AudienceSubCategoryCode)
		add(T("fact.taxNumber"), t.TaxNumber)
	}
	code := v.Scanned
	if code == "" && v.Ticket != nil {
		code = v.Ticket.Barcode
	}
	add(T("fact.barcode"), tail(code))
	return out
}

// tail is the end of a code, enough to compare with the paper ticket
// without showing the whole barcode across the room.
func tail(code string) string {
	r := []rune(code)
	if len(r) <= 8 {
		return code
	}
	return "…" + string(r[len(r)-6:])
}

// errorView is a scan the store could not record: never an ADMIT.
func errorView(err error, at time.Time) verdictView {
	return verdictView{
		Kind:    kindError,
		Word:    T("verdict.notRecorded"),
		Sub:     T("verdict.sub.notRecorded") + " · " + venueClock(at, "15:04:05"),
		Message: say().Error(err),
	}
}

// unreadView is a scan the scanner package refused (too short, two codes
// run together…); its error text is already one line for the supervisor.
func unreadView(err error, raw string, at time.Time) verdictView {
	vw := verdictView{
		Kind:    kindUnread,
		Word:    T("verdict.notRead"),
		Sub:     T("verdict.sub.notRead") + " · " + venueClock(at, "15:04:05"),
		Message: say().Error(err),
	}
	if t := tail(strings.TrimSpace(raw)); t != "" && len(t) <= 40 {
		vw.Facts = []fact{{T("fact.received"), t}}
	}
	return vw
}

// idleView is the panel between verdicts. Its colour and word say which way
// the station faces, the one setting a steward must never get wrong.
func idleView(s *core.Settings) verdictView {
	if s.Direction == core.DirectionOut {
		return verdictView{Kind: kindIdle, Exit: true, Word: T("verdict.exit"), Sub: T("verdict.sub.idleExit")}
	}
	return verdictView{Kind: kindIdle, Word: T("verdict.ready"), Sub: T("verdict.sub.idleEntry")}
}

// reasonWord is a deny reason's short name, for the counters.
func reasonWord(r core.Reason) string { return say().Reason(r) }
