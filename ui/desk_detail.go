package ui

import (
	"context"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/words"
)

// deskDetail is the right-hand side of the desk: one ticket's story, or the
// "not found" state with a way to ask S-360 about the typed number.

// deskFieldOrder is the order of the ticket and holder rows; the keys are
// also how tests read them.
var deskFieldOrder = []string{
	"taxNumber", "barcode", "container", "tariff", "entrance", "seat", "event", "validity",
	"firstName", // deskFirstHolderField
	"lastName", "idNumber", "birthDate", "country",
} // their labels: "desk.field.KEY"

// deskFirstHolderField is the index of the first holder row above.
const deskFirstHolderField = 8

type deskDetail struct {
	s *DeskScreen

	// Shown when no ticket is selected.
	noneText *widget.Label
	noneAsk  *deskAsk
	none     fyne.CanvasObject

	bannerBg   *canvas.Rectangle
	bannerWord *canvas.Text
	bannerSub  *widget.Label
	gateLine   *widget.Label // what this station's gate would say now
	double     *widget.Label // the ticket's double entries in the venue
	holderNote *widget.Label
	fields     map[string]*widget.Label
	ask        *deskAsk

	controls      []core.Control
	controlsTitle *widget.Label
	table         *keyTable
	ticket        fyne.CanvasObject

	current string // barcode shown
	showing bool   // a ticket (not the not-found state) is shown
	gateSeq int
}

func newDeskDetail(s *DeskScreen) *deskDetail {
	dd := &deskDetail{s: s, fields: map[string]*widget.Label{}}
	dd.noneText = widget.NewLabel(T("desk.noneSelected"))
	dd.noneText.Wrapping = fyne.TextWrapWord
	dd.noneAsk = newDeskAsk(s)
	dd.none = container.NewVBox(dd.noneText, container.NewHBox(dd.noneAsk.btn), dd.noneAsk.out)

	dd.bannerBg = canvas.NewRectangle(theme.Color(theme.ColorNameDisabled))
	dd.bannerBg.CornerRadius = theme.InputRadiusSize()
	dd.bannerWord = canvas.NewText("", color.White)
	dd.bannerWord.TextSize = theme.TextHeadingSize() * 1.6
	dd.bannerWord.TextStyle = fyne.TextStyle{Bold: true}
	dd.bannerSub = widget.NewLabel("")
	dd.bannerSub.Wrapping = fyne.TextWrapWord
	dd.bannerSub.TextStyle = fyne.TextStyle{Bold: true}
	banner := container.NewStack(dd.bannerBg, container.NewPadded(dd.bannerWord))
	dd.gateLine = widget.NewLabel("")
	dd.gateLine.Wrapping = fyne.TextWrapWord
	dd.gateLine.TextStyle = fyne.TextStyle{Bold: true}
	// As large as a heading: "VALID" above is the ticket's state; whether
	// it gets in now (already used, wrong entrance) is said here.
	dd.gateLine.SizeName = theme.SizeNameSubHeadingText
	dd.holderNote = widget.NewLabel("")
	dd.double = widget.NewLabel("")
	dd.double.Wrapping = fyne.TextWrapWord
	dd.double.TextStyle = fyne.TextStyle{Bold: true}
	dd.double.Importance = widget.DangerImportance
	dd.double.Hide()
	dd.ask = newDeskAsk(s)

	// Ticket and holder side by side: the holder's rows are what staff
	// compare with an ID card, and must not be below the fold.
	ticketForm := container.New(layout.NewFormLayout())
	holderForm := container.New(layout.NewFormLayout())
	for i, f := range deskFieldOrder {
		form := ticketForm
		if i >= deskFirstHolderField {
			form = holderForm
		}
		v := widget.NewLabel("")
		v.Wrapping = fyne.TextWrapWord
		dd.fields[f] = v
		form.Add(widget.NewLabelWithStyle(T("desk.field."+f), fyne.TextAlignTrailing, fyne.TextStyle{Bold: i < 2}))
		form.Add(v)
	}
	heading := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	fields := container.NewGridWithColumns(2,
		container.NewVBox(heading(T("desk.ticket")), ticketForm),
		container.NewVBox(heading(T("desk.holder")), dd.holderNote, holderForm))

	dd.controlsTitle = widget.NewLabelWithStyle(T("desk.controlsTitle"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	dd.table = newDeskControlTable(func() []core.Control { return dd.controls }, s.now)

	// "Ask S-360 now" sits beside the gate line: both answer "what
	// happens with this ticket now?", from here and from S-360.
	gate := container.NewBorder(nil, nil, nil, container.NewCenter(dd.ask.btn), dd.gateLine)
	top := container.NewVScroll(container.NewVBox(banner, dd.bannerSub, dd.double, gate, dd.ask.out, widget.NewSeparator(), fields))
	bottom := container.NewBorder(dd.controlsTitle, nil, nil, nil, dd.table)
	split := container.NewVSplit(top, bottom)
	split.SetOffset(0.62)
	dd.ticket = split
	dd.showNone(T("desk.searchFor"))
	return dd
}

func (dd *deskDetail) object() fyne.CanvasObject { return container.NewStack(dd.none, dd.ticket) }

// showNone empties the panel with a sentence.
func (dd *deskDetail) showNone(text string) {
	dd.current, dd.showing = "", false
	dd.noneText.SetText(text)
	dd.noneAsk.setKey("")
	dd.ticket.Hide()
	dd.none.Show()
}

// showNotFound offers to ask S-360 about the typed number: the ticket may
// exist there without having reached this station yet.
func (dd *deskDetail) showNotFound(q string) {
	dd.showNone(T("desk.mayKnow", map[string]any{"Code": q}))
	dd.noneAsk.setKey(q)
}

// fitTable sizes the history's columns to what they hold.
func (dd *deskDetail) fitTable() {
	fitColumns(dd.table, deskColumns, dd.controls, dd.s.now())
}

// showUnlisted shows the controls of a code that is in no ticket of the
// list: an unknown barcode admitted by override is exactly what a dispute
// is about.
func (dd *deskDetail) showUnlisted(code string, controls []core.Control) {
	now := dd.s.now()
	dd.current, dd.showing = code, true
	dd.none.Hide()
	dd.ticket.Show()
	dd.bannerWord.Text, dd.bannerWord.Color = T("desk.notInList"), theme.Color(theme.ColorNameForegroundOnError)
	dd.bannerBg.FillColor = theme.Color(theme.ColorNameError)
	dd.bannerWord.Refresh()
	dd.bannerBg.Refresh()
	deskSay(dd.bannerSub, T("desk.notInListSub"))
	dd.bannerSub.Importance = widget.DangerImportance
	dd.bannerSub.Refresh()
	for k := range dd.fields {
		dd.fields[k].SetText(deskOr(""))
	}
	dd.fields["barcode"].SetText(code)
	deskSay(dd.holderNote, "")
	dd.controls = append([]core.Control(nil), controls...)
	sort.SliceStable(dd.controls, func(i, j int) bool { return dd.controls[i].At.Before(dd.controls[j].At) })
	dd.controlsTitle.SetText(deskControlsTitle(len(dd.controls), dd.s.d.Venue != nil))
	dd.fitTable()
	dd.ask.setKey(code)
	dd.checkGate(code, dd.s.settings(), now)
	dd.showDoubles(code)
}

// show fills the panel with one ticket and its controls.
func (dd *deskDetail) show(rec core.TicketRecord) {
	t := rec.Ticket
	now := dd.s.now()
	st := dd.s.settings()
	dd.current, dd.showing = t.Barcode, true
	dd.none.Hide()
	dd.ticket.Show()

	_, word, sub, bg, fg := deskStateBanner(&t, rec.Controls, now)
	dd.bannerWord.Text, dd.bannerWord.Color = word, fg
	dd.bannerBg.FillColor = bg
	dd.bannerWord.Refresh()
	dd.bannerBg.Refresh()
	deskSay(dd.bannerSub, sub)
	dd.bannerSub.Importance = widget.MediumImportance
	if t.State != core.StateValid || t.RejectedByS360 != "" {
		dd.bannerSub.Importance = widget.DangerImportance
	}
	dd.bannerSub.Refresh()

	set := func(k, v string) { dd.fields[k].SetText(deskOr(v)) }
	set("taxNumber", t.TaxNumber)
	set("barcode", t.Barcode)
	set("container", t.ContainerID)
	tariff := t.AudienceSubCategoryCode
	if p := deskTariffPrompt(st.TariffRules, tariff); p != "" {
		tariff += " — " + say().TariffRule(t.AudienceSubCategoryCode, p)
	}
	set("tariff", tariff)
	set("entrance", t.EntranceCode)
	set("seat", say().Seat(&t))
	set("event", deskJoinNonEmpty(" / ", t.SeasonCode, t.ProductCode, t.PerformanceCode))
	set("validity", deskValidity(t.ValidFrom, t.ValidTo, now))
	// The desk always shows identity (HideHolder only hides it at the gate):
	// checking it against an ID card is what the desk is for.
	h := t.Holder
	set("firstName", h.FirstName)
	set("lastName", h.LastName)
	set("idNumber", h.IDNumber)
	set("birthDate", deskBirth(h, now))
	set("country", h.CountryCode)
	if h.IsZero() {
		deskSay(dd.holderNote, T("desk.noIdentity"))
	} else {
		deskSay(dd.holderNote, "")
	}

	dd.controls = append([]core.Control(nil), rec.Controls...)
	sort.SliceStable(dd.controls, func(i, j int) bool { return dd.controls[i].At.Before(dd.controls[j].At) })
	dd.controlsTitle.SetText(deskControlsTitle(len(dd.controls), dd.s.d.Venue != nil))
	dd.fitTable()

	dd.ask.setKey(t.Barcode)
	dd.checkGate(t.Barcode, st, now)
	dd.showDoubles(t.Barcode)
}

// showDoubles says, on a station of a venue, that the ticket got in twice
// while stations could not see each other: beside its first admission,
// "also admitted at 19:06, gate S2, STATION7, while the venue link was
// down" (the history below lists both).
func (dd *deskDetail) showDoubles(barcode string) {
	deskSay(dd.double, "")
	v := dd.s.d.Venue
	if v == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		des, err := v.DoubleEntriesOf(ctx, barcode)
		dd.s.do(func() {
			if dd.current != barcode {
				return
			}
			dd.double.Importance = widget.DangerImportance
			if err != nil { // cut off from the venue: not known, not alarming
				dd.double.Importance = widget.MediumImportance
				deskSay(dd.double, T("desk.doubleUnknown", map[string]any{"Why": say().Error(err)}))
				return
			}
			var lines []string
			now := dd.s.now()
			for i := range des {
				lines = append(lines, T("desk.double", map[string]any{"Also": say().AlsoAdmitted(&des[i].Second, now)}))
			}
			deskSay(dd.double, strings.Join(lines, "\n"))
		})
	}()
}

// checkGate asks the store what this station's gate would answer if the
// ticket were scanned to enter now, without recording anything (helpdesk):
// "can I go back in?" is the question most fans ask.
func (dd *deskDetail) checkGate(barcode string, st core.Settings, now time.Time) {
	dd.gateSeq++
	seq := dd.gateSeq
	dd.gateLine.Importance = widget.MediumImportance
	dd.gateLine.SetText(T("desk.gateChecking"))
	cp := st.Checkpoint()
	cp.Station.Direction = core.DirectionIn
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := dd.s.d.Store.Scan(ctx, core.ScanRequest{Code: barcode, Checkpoint: cp, Helpdesk: true, Now: now})
		dd.s.do(func() {
			if seq != dd.gateSeq || barcode != dd.current {
				return
			}
			if err != nil {
				dd.gateLine.SetText(T("desk.gateUnavailable", map[string]any{"Why": say().Error(err)}))
				return
			}
			dd.gateLine.Importance = widget.SuccessImportance
			if v.Outcome != core.Admit {
				dd.gateLine.Importance = widget.DangerImportance
			}
			dd.gateLine.SetText(deskGateWords(v))
		})
	}()
}

func deskGateWords(v core.Verdict) string {
	// The gate's prompts (age check, identity) are left out: the desk
	// shows all of that already, in its own rows.
	s := T("desk.gateWould", map[string]any{"Verdict": say().Outcome(v.Outcome)})
	if m := say().Verdict(&v); m != "" {
		s += " — " + m
	}
	return s + T("desk.checkOnly")
}

// deskStateBanner is the big coloured word and the sentence under it: the
// ticket's state, and for a valid ticket whether it was already used here.
// state is its code (used, blocked, valid, cancelled, invalidated), word
// the state's word in the GUI's language.
func deskStateBanner(t *core.Ticket, controls []core.Control, now time.Time) (state, word, sub string, bg, fg color.Color) {
	bad, onBad := theme.Color(theme.ColorNameError), theme.Color(theme.ColorNameForegroundOnError)
	if t.State == core.StateValid && t.RejectedByS360 == "" {
		if in, out := deskLastUse(controls); in != nil {
			sub = T("desk.usedIn", map[string]any{"At": deskClock(in.At, now), "Where": deskWhere(in)})
			if out != nil {
				sub += T("desk.usedOut", map[string]any{"At": deskClock(out.At, now), "Where": deskWhere(out)})
			}
			return "used", T("desk.state.used"), sub, theme.Color(theme.ColorNameWarning), theme.Color(theme.ColorNameForegroundOnWarning)
		}
	}
	switch {
	case t.RejectedByS360 != "":
		return "blocked", T("desk.state.blocked"), T("desk.blockedSub", map[string]any{"Why": t.RejectedByS360}), bad, onBad
	case t.State == core.StateValid:
		return "valid", T("desk.state.valid"), "", theme.Color(theme.ColorNameSuccess), theme.Color(theme.ColorNameForegroundOnSuccess)
	case t.State == core.StateCancelled:
		if w := say().Cause(t.CancellationCause); w != "" {
			return "cancelled", T("desk.state.cancelled"), T("desk.cancelledSub", map[string]any{"Cause": w}), bad, onBad
		}
		return "cancelled", T("desk.state.cancelled"), T("desk.cancelledNoCause"), bad, onBad
	}
	return "invalidated", T("desk.state.invalidated"), T("desk.invalidatedSub"), bad, onBad
}

// deskLastUse is the ticket's last admission in (nil: never used here) and
// the exit recorded after it, if any.
func deskLastUse(controls []core.Control) (in, out *core.Control) {
	for i := range controls {
		c := &controls[i]
		switch {
		case !c.Admitted():
		case c.Direction == core.DirectionOut:
			if in != nil && !c.At.Before(in.At) {
				out = c
			}
		case in == nil || !c.At.Before(in.At):
			in, out = c, nil
		}
	}
	return in, out
}

// deskWhere is ", gate A, GATE_A_LAPTOP1".
func deskWhere(c *core.Control) string {
	s := ""
	if c.Gate != "" {
		s += T("desk.where", map[string]any{"Gate": c.Gate})
	}
	if c.Station != "" {
		s += ", " + c.Station
	}
	return s
}

func deskTariffPrompt(rules map[string]string, code string) string {
	for k, v := range rules {
		if code != "" && strings.EqualFold(k, code) {
			return v
		}
	}
	return ""
}

func deskValidity(from, to, now time.Time) string {
	switch {
	case from.IsZero() && to.IsZero():
		return T("desk.noLimit")
	case to.IsZero():
		return T("desk.from", map[string]any{"At": deskShortClock(from, now)})
	case from.IsZero():
		return T("desk.until", map[string]any{"At": deskShortClock(to, now)})
	}
	return T("desk.validRange", map[string]any{"From": deskShortClock(from, now), "To": deskShortClock(to, now)})
}

func deskBirth(h core.Holder, now time.Time) string {
	if h.BirthDate == "" {
		return ""
	}
	born, ok := h.Born()
	if !ok {
		return h.BirthDate
	}
	s := Lang().Format(born, words.LayoutDate)
	if age, ok := h.AgeAt(now); ok {
		s += T("desk.age", map[string]any{"N": deskThousands(age)})
	}
	return s
}

func deskJoinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func deskControlsTitle(n int, venue bool) string {
	if venue { // a station of a venue sees the venue's history
		if n == 0 {
			return T("desk.venueControlsNone")
		}
		return T("desk.venueControlsN", map[string]any{"N": deskThousands(n)})
	}
	if n == 0 {
		return T("desk.controlsNone")
	}
	return T("desk.controlsN", map[string]any{"N": deskThousands(n)})
}

// deskResultRow is the template of one search result: the state word,
// coloured, then what tells tickets apart at a glance.
func deskResultRow() fyne.CanvasObject {
	state := widget.NewLabelWithStyle(T("desk.state.invalidated"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel("")
	text.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, state, nil, text)
}

func deskFillResultRow(o fyne.CanvasObject, rec *core.TicketRecord) {
	t, controls := &rec.Ticket, rec.Controls
	c := o.(*fyne.Container)
	text, state := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Label)
	code, word, _, _, _ := deskStateBanner(t, controls, time.Now())
	if code == "blocked" {
		word = T("desk.state.blockedShort")
	}
	state.Text = word
	switch code {
	case "valid":
		state.Importance = widget.SuccessImportance
	case "used":
		state.Importance = widget.WarningImportance
	default:
		state.Importance = widget.DangerImportance
	}
	state.Refresh()
	text.SetText(deskJoinNonEmpty(" · ", deskOr(t.TaxNumber), t.Holder.Name(), say().Seat(t)))
}
