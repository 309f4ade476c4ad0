package ui

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The dispute desk. The person using it is in a hurry, with an angry fan in
// front of them and a paper ticket in hand: one field, Enter, and the
// ticket's whole story on the right — its state in big coloured words, why,
// and every scan of it. Nothing here records a control.

// Search modes. taxNumber is the default because it is what is printed on
// the paper ticket the fan holds out.
const (
	deskModeTax     = "tax"
	deskModeBarcode = "barcode"
	deskModeName    = "name"
	deskModeAny     = "any"
)

var deskModes = []string{deskModeTax, deskModeBarcode, deskModeName, deskModeAny}

// deskModeLabel is how a mode reads in the choice; deskModeOf reads it back.
func deskModeLabel(mode string) string { return T("desk.mode." + mode) }

func deskModeOf(label string) string {
	for _, m := range deskModes {
		if deskModeLabel(m) == label {
			return m
		}
	}
	return deskModeAny
}

// deskLookupLimit is how many tickets one search shows (Lookup's limit).
const deskLookupLimit = 50

// DeskScreen is the dispute desk tab.
type DeskScreen struct {
	w fyne.Window
	d Deps
	// do runs UI updates coming from worker goroutines; fyne.Do in the app,
	// a serialising runner in tests (the test driver runs fyne.Do inline,
	// which the race detector would flag against the test's reads).
	do func(func())

	mode    *choice
	query   *field
	search  *widget.Button
	message *widget.Label // hint, "Searching…", not found, fallback note

	results []core.TicketRecord
	list    *keyList
	detail  *deskDetail

	seq int // the latest search; older answers are dropped
	obj fyne.CanvasObject
}

// NewDeskScreen builds the dispute desk.
func NewDeskScreen(w fyne.Window, d Deps) *DeskScreen {
	s := &DeskScreen{w: w, d: d, do: deskDo}
	labels := make([]string, len(deskModes))
	for i, m := range deskModes {
		labels[i] = deskModeLabel(m)
	}
	s.mode = newChoice(labels, nil)
	s.mode.SetSelected(deskModeLabel(deskModeTax))
	s.query = newField()
	s.query.SetPlaceHolder(deskPlaceholder(deskModeTax))
	s.query.OnSubmitted = func(string) { s.Search() }
	s.mode.OnChanged = func(l string) { s.query.SetPlaceHolder(deskPlaceholder(deskModeOf(l))) }
	s.search = widget.NewButton(T("desk.search"), s.Search)
	s.search.Importance = widget.HighImportance
	s.message = widget.NewLabel(T("desk.start"))
	s.message.Wrapping = fyne.TextWrapWord

	s.list = newKeyList(
		func() int { return len(s.results) },
		deskResultRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(s.results) {
				deskFillResultRow(o, &s.results[id])
			}
		})
	s.list.OnSelected = func(id widget.ListItemID) {
		if id < len(s.results) {
			s.detail.show(s.results[id])
		}
	}
	s.detail = newDeskDetail(s)

	bar := container.NewBorder(nil, nil, s.mode, s.search, s.query)
	split := container.NewHSplit(s.list, s.detail.object())
	split.SetOffset(0.3)
	s.obj = container.NewBorder(container.NewVBox(bar, s.message), nil, nil, nil, split)
	return s
}

// say shows a sentence in the desk's message line.
func (s *DeskScreen) say(text string) { deskSay(s.message, text) }

// Object is the tab's content.
func (s *DeskScreen) Object() fyne.CanvasObject { return s.obj }

// Search looks up what is in the field, in the selected mode.
func (s *DeskScreen) Search() { s.lookup(s.query.Text, deskModeOf(s.mode.Selected)) }

// HandleScan looks a scanned code up as a barcode (or card). It is a desk
// look-up: no control is recorded, the gate log stays untouched.
func (s *DeskScreen) HandleScan(code string) {
	code = strings.TrimSpace(code)
	if code == "" {
		return
	}
	s.query.SetText(code)
	s.lookup(code, deskModeBarcode)
}

// lookup runs the search off the UI goroutine: the store may be large, and
// the desk must stay responsive while it answers.
func (s *DeskScreen) lookup(q, mode string) {
	q = strings.TrimSpace(q)
	if q == "" {
		deskSay(s.message, T("desk.empty"))
		return
	}
	if mode == "" {
		mode = deskModeAny
	}
	s.seq++
	seq := s.seq
	deskSay(s.message, T("desk.searching"))
	station, now := s.settings().Station, s.now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		// Every search is audited (who looked at whose ticket, when). A
		// failing audit must not leave a fan stuck at the desk: the search
		// goes on and the screen says it was not logged.
		auditErr := s.d.Store.Audit(ctx, station, q, now)
		if auditErr != nil && s.d.Log != nil {
			s.d.Log.WithError(auditErr).Error("dispute desk: audit not written")
		}
		// One more than shown, to know whether there were more.
		recs, err := s.d.Store.Lookup(ctx, q, deskLookupLimit+1)
		a := deskAnswer{q: q, mode: mode, err: err, unaudited: auditErr != nil}
		if a.more = len(recs) > deskLookupLimit; a.more {
			recs = recs[:deskLookupLimit]
		}
		a.recs = recs
		if err == nil && len(recs) == 0 {
			// A code in no ticket may still have been scanned (an unknown
			// barcode admitted by override is what a dispute is about).
			a.unlisted, a.err = deskUnlisted(ctx, s.d.Store, q)
			// An empty station explains every "not found": say so.
			c, cerr := s.d.Store.TicketCounts(ctx)
			a.empty = cerr == nil && c.Valid+c.Invalid == 0
		}
		s.do(func() {
			if seq != s.seq {
				return
			}
			s.showResults(a)
		})
	}()
}

// deskAnswer is what one search found.
type deskAnswer struct {
	q, mode   string
	recs      []core.TicketRecord
	more      bool           // Lookup stopped at the display limit
	unlisted  []core.Control // controls of q when no ticket has it
	err       error
	unaudited bool // the audit log could not be written
	empty     bool // the station holds no ticket at all
}

// deskUnlisted is the controls of a code that is in no ticket.
func deskUnlisted(ctx context.Context, st Store, q string) ([]core.Control, error) {
	var out []core.Control
	err := st.Controls(ctx, core.ControlFilter{Scanned: q, Limit: 500}, func(c core.Control) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

func (s *DeskScreen) showResults(a deskAnswer) {
	q, mode, recs, err := a.q, a.mode, a.recs, a.err
	s.list.UnselectAll()
	if err != nil {
		s.results = nil
		s.list.Refresh()
		deskSay(s.message, T("desk.failed", map[string]any{"Why": say().Error(err)}))
		s.detail.showNotFound(q)
		return
	}
	matching := deskFilter(mode, q, recs)
	var msg string
	switch {
	case len(recs) == 0:
		// In "any" mode, the sentence names what the query looks like.
		words := mode
		if mode == deskModeAny {
			words = deskGuessMode(q)
		}
		msg = deskNotFound(words, q)
		if len(a.unlisted) > 0 {
			msg = T("desk.unlisted", map[string]any{"Code": q, "Times": deskTimes(len(a.unlisted))})
		}
		if a.empty {
			msg += T("desk.noTickets")
		}
	case len(matching) == 0:
		// Nothing matches in the chosen mode, but the code matched
		// something else (a barcode typed in taxNumber mode): show it
		// rather than send the fan away.
		matching = recs
		msg = T("desk.otherwise", map[string]any{"Mode": deskModeWord(mode), "Query": strconv.Quote(q), "Found": deskCount(len(recs))})
	case len(matching) == 1:
		msg = ""
	case a.more:
		msg = T("desk.moreThan", map[string]any{"N": deskLookupLimit, "Query": strconv.Quote(q)})
	default:
		msg = T("desk.match", map[string]any{"Found": deskCount(len(matching)), "Query": strconv.Quote(q)})
	}
	if a.more {
		msg += T("desk.firstOnly", map[string]any{"N": deskLookupLimit})
	}
	if a.unaudited {
		msg += T("desk.notLogged")
	}
	deskSay(s.message, strings.TrimSpace(msg))
	s.results = matching
	s.list.Refresh()
	switch {
	case len(matching) == 0 && len(a.unlisted) > 0:
		s.detail.showUnlisted(q, a.unlisted)
	case len(matching) == 0:
		s.detail.showNotFound(q)
	case len(matching) == 1:
		s.list.Select(0) // shows the detail
	default:
		s.detail.showNone(T("desk.pick"))
	}
}

func (s *DeskScreen) settings() core.Settings {
	if s.d.Settings == nil {
		return core.Settings{}.Defaults()
	}
	return s.d.Settings()
}

func (s *DeskScreen) now() time.Time {
	if s.d.Now == nil {
		return time.Now()
	}
	return s.d.Now()
}

func deskPlaceholder(mode string) string {
	switch mode {
	case deskModeBarcode, deskModeName, deskModeAny:
		return T("desk.hint." + mode)
	}
	return T("desk.hint.tax")
}

// deskGuessMode is the "any" mode's guess: long digit strings are
// barcodes, letters only are names, the rest (letters and digits, like
// T26-00012) taxNumbers.
func deskGuessMode(q string) string {
	letters, digits := 0, 0
	for _, r := range q {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	switch {
	case letters == 0 && digits >= 12:
		return deskModeBarcode
	case digits == 0 && letters > 0:
		return deskModeName
	}
	return deskModeTax
}

// deskFold drops case, spaces and dashes: "t26 00012" finds "T26-00012".
func deskFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '/' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// deskFilter keeps the records that match q in the given mode.
func deskFilter(mode, q string, recs []core.TicketRecord) []core.TicketRecord {
	var out []core.TicketRecord
	for _, r := range recs {
		if deskMatches(mode, q, &r.Ticket) {
			out = append(out, r)
		}
	}
	return out
}

func deskMatches(mode, q string, t *core.Ticket) bool {
	fq := deskFold(q)
	switch mode {
	case deskModeTax:
		return fq != "" && strings.Contains(deskFold(t.TaxNumber), fq)
	case deskModeBarcode:
		return fq != "" && (strings.Contains(deskFold(t.Barcode), fq) || strings.Contains(deskFold(t.ContainerID), fq))
	case deskModeName:
		// The store matches names itself (word prefixes, accents folded:
		// "mull" finds Müller); what it found by number is not a name hit.
		return !t.Holder.IsZero() && !deskMatches(deskModeTax, q, t) && !deskMatches(deskModeBarcode, q, t)
	}
	return true
}

func deskModeWord(mode string) string {
	switch mode {
	case deskModeBarcode, deskModeName:
		return T("desk.modeWord." + mode)
	}
	return T("desk.modeWord.tax")
}

// deskNotFound says, in plain words, that nothing was found and what to do.
func deskNotFound(mode, q string) string {
	switch mode {
	case deskModeBarcode:
		return T("desk.none.barcode", map[string]any{"Code": q})
	case deskModeName:
		return T("desk.none.name", map[string]any{"Name": strconv.Quote(q)})
	}
	return T("desk.none.tax", map[string]any{"Code": q})
}

// deskTimes is "once", "5 times".
func deskTimes(n int) string { return TN("desk.times", n) }

// deskCount is "1 ticket", "5 tickets".
func deskCount(n int) string { return TN("desk.tickets", n) }
