package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"s360gate/core"
	"s360gate/core/sqlite"
)

func newTestDesk(t *testing.T, remote core.Remote) (*uiHarness, *DeskScreen, *sqlite.DB) {
	t.Helper()
	h := newHarness(t)
	db := seedDB(t)
	d := Deps{
		Store:    db,
		Settings: testSettings,
		Now:      func() time.Time { return testNow },
	}
	if remote != nil {
		d.Remote = func() core.Remote { return remote }
	}
	var s *DeskScreen
	h.ui(func() { s = NewDeskScreen(h.w, d) })
	h.show(s.Object())
	return h, s, db
}

// search types q in the field, picks the mode and presses Enter.
func (h *uiHarness) search(s *DeskScreen, mode, q string) {
	h.ui(func() {
		s.mode.SetSelected(deskModeLabel(mode))
		s.query.SetText("")
		test.Type(s.query, q)
		s.query.TypedKey(&fyneKeyReturn)
	})
}

// shown waits until the desk shows the ticket with that barcode and its
// gate check has answered.
func (h *uiHarness) shown(s *DeskScreen, barcode string) {
	h.t.Helper()
	h.eventually("ticket "+barcode+" shown", func() bool {
		return s.detail.showing && s.detail.current == barcode &&
			strings.HasPrefix(s.detail.gateLine.Text, "If scanned")
	})
}

func TestDeskSearchByTaxNumberShowsStateCauseAndControls(t *testing.T) {
	h, s, db := newTestDesk(t, nil)
	h.search(s, deskModeTax, "T26-00013")
	h.shown(s, bcCharles)

	h.ui(func() {
		dd := s.detail
		if dd.bannerWord.Text != "CANCELLED" {
			t.Errorf("state word = %q, want CANCELLED", dd.bannerWord.Text)
		}
		if !strings.Contains(dd.bannerSub.Text, "refund requested") {
			t.Errorf("cause = %q, want the cause in words", dd.bannerSub.Text)
		}
		if got := dd.fields["taxNumber"].Text; got != "T26-00013" {
			t.Errorf("taxNumber = %q", got)
		}
		if got := dd.fields["lastName"].Text; got != "Babbage" {
			t.Errorf("last name = %q", got)
		}
		if len(dd.controls) != 1 {
			t.Fatalf("controls = %d, want 1", len(dd.controls))
		}
		c := &dd.controls[0]
		if got := deskControlCell(c, 4, testNow); !strings.HasPrefix(got, "DENY") {
			t.Errorf("verdict cell = %q", got)
		}
		if got := deskControlCell(c, 5, testNow); !strings.Contains(got, "Cancelled") {
			t.Errorf("why cell = %q", got)
		}
		if got := deskControlCell(c, 1, testNow); got != "A" {
			t.Errorf("gate cell = %q", got)
		}
		if got := deskControlCell(c, 2, testNow); got != "GATE_A_LAPTOP1" {
			t.Errorf("station cell = %q", got)
		}
		if s.message.Text != "" {
			t.Errorf("message = %q, want none for a single hit", s.message.Text)
		}
	})

	log, err := db.AuditLog(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Who != "DESK1" || log[0].Query != "T26-00013" || !log[0].At.Equal(testNow) {
		t.Errorf("audit = %+v, want one DESK1 entry for T26-00013", log)
	}
}

func TestDeskValidChildShowsHolderAgeTariffAndSeat(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeTax, "t26-00012") // typed in lower case
	h.shown(s, bcAda)
	h.ui(func() {
		f := s.detail.fields
		want := map[string]string{
			"birthDate": "2012-05-03 (age 14)",
			"tariff":    "CHILD — AGE CHECK: under 16",
			"seat":      "Sector B · Row 7 · Seat 31",
			"event":     "S26 / P1",
			"idNumber":  "X123",
			"country":   "CH",
		}
		for k, v := range want {
			if f[k].Text != v {
				t.Errorf("%s = %q, want %q", k, f[k].Text, v)
			}
		}
		// Ada was let in an hour ago: the headline says so, and the gate
		// would refuse her now.
		if s.detail.bannerWord.Text != "USED" || !strings.Contains(s.detail.bannerSub.Text, "already used: in at 12:10:00, gate A, GATE_A_LAPTOP1") {
			t.Errorf("state = %q / %q", s.detail.bannerWord.Text, s.detail.bannerSub.Text)
		}
		if !strings.Contains(s.detail.gateLine.Text, "DENY") || !strings.Contains(s.detail.gateLine.Text, "Already used") {
			t.Errorf("gate line = %q", s.detail.gateLine.Text)
		}
	})
}

func TestDeskHolderNameSearch(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeName, "Ada Lovelace")
	h.shown(s, bcAda)

	// Accents are folded by the store: "mull" finds Müller.
	h.search(s, deskModeName, "mull")
	h.shown(s, bcGrace)
	h.ui(func() {
		if got := s.detail.fields["lastName"].Text; got != "Müller" {
			t.Errorf("last name = %q", got)
		}
		if got := s.detail.controlsTitle.Text; !strings.Contains(got, "never scanned") {
			t.Errorf("controls title = %q", got)
		}
	})
}

func TestDeskNotFoundSaysSoInPlainWords(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeTax, "T26-99999")
	want := "No ticket with taxNumber T26-99999 on this station. Check the number, or ask S-360."
	h.eventually("not-found message", func() bool { return s.message.Text == want })
	h.ui(func() {
		if s.detail.showing || len(s.results) != 0 {
			t.Error("a ticket is shown for an unknown number")
		}
		// No S-360 configured: the button says so and cannot be pressed.
		if s.detail.noneAsk.btn.Text != "Not connected" || !s.detail.noneAsk.btn.Disabled() {
			t.Errorf("ask button = %q disabled=%v", s.detail.noneAsk.btn.Text, s.detail.noneAsk.btn.Disabled())
		}
	})
}

func TestDeskWrongModeStillShowsWhatMatches(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeTax, bcCharles) // a barcode typed in taxNumber mode
	h.shown(s, bcCharles)
	h.ui(func() {
		if !strings.Contains(s.message.Text, "No taxNumber matches") {
			t.Errorf("message = %q", s.message.Text)
		}
	})
}

func TestDeskHandleScanRecordsNoControl(t *testing.T) {
	h, s, db := newTestDesk(t, nil)
	before := countControls(t, db)
	h.ui(func() { s.HandleScan(" " + bcAda + "\n") })
	h.shown(s, bcAda)
	if after := countControls(t, db); after != before {
		t.Errorf("controls %d → %d: a desk look-up recorded a control", before, after)
	}
	log, err := db.AuditLog(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Query != bcAda {
		t.Errorf("audit = %+v", log)
	}
}

func TestDeskAskS360(t *testing.T) {
	at := testNow.Add(-time.Hour)
	yes, no := true, false
	r := &fakeRemote{ticket: core.RemoteTicket{
		Ticket:    core.Ticket{Barcode: bcAda, State: core.StateCancelled, CancellationCause: "FRAUD", ContainerID: "RFID-9"},
		Duplicate: &yes, ContainerTicket: &no, TicketKind: "TICKET", TicketMedium: "THERMAL", PrintedAt: testNow.Add(-48 * time.Hour),
		Operations: []core.RemoteOperation{{Result: "OK", At: at, Device: "GATE_A_LAPTOP1"}, {Result: "CANCELLED_TICKET", At: at.Add(time.Minute)}},
	}}
	h, s, _ := newTestDesk(t, r)
	h.search(s, deskModeTax, "T26-00012")
	h.shown(s, bcAda)
	h.ui(func() { test.Tap(s.detail.ask.btn) })
	h.eventually("S-360's answer", func() bool { return strings.Contains(s.detail.ask.out.Text, "S-360 answered") })
	h.ui(func() {
		out := s.detail.ask.out.Text
		for _, want := range []string{"State: CANCELLED — fraud", "still has VALID", "OK (admitted)", "GATE_A_LAPTOP1",
			"Reprint: yes", "Medium: thermal", "Kind: TICKET", "Printed at: " + deskClock(testNow.Add(-48*time.Hour), testNow),
			"On card: RFID-9", "CANCELLED_TICKET (ticket cancelled)"} {
			if !strings.Contains(out, want) {
				t.Errorf("answer %q lacks %q", out, want)
			}
		}
		if s.detail.ask.btn.Text != "Ask S-360 now" || s.detail.ask.btn.Disabled() {
			t.Error("button not back after the answer")
		}
	})
	if len(r.asked) != 1 || r.asked[0] != bcAda {
		t.Errorf("asked %v, want the barcode", r.asked)
	}

	// S-360 unreachable: the desk says so and keeps the station's view.
	r.mu.Lock()
	r.err = core.Wrap(core.EUnavailable, errors.New("dial tcp: timeout"), "S-360 cannot be reached")
	r.mu.Unlock()
	h.ui(func() { test.Tap(s.detail.ask.btn) })
	h.eventually("unreachable message", func() bool { return s.detail.ask.out.Text == T("remote.down") })
	h.ui(func() {
		if s.detail.bannerWord.Text != "USED" {
			t.Error("the station's view was lost")
		}
	})
}

func TestDeskAskS360AboutUnknownNumber(t *testing.T) {
	r := &fakeRemote{err: core.Errorf(core.ENotFound, "no such ticket")}
	h, s, _ := newTestDesk(t, r)
	h.search(s, deskModeTax, "T26-77777")
	h.eventually("not found", func() bool { return strings.HasPrefix(s.message.Text, "No ticket") })
	h.ui(func() { test.Tap(s.detail.noneAsk.btn) })
	h.eventually("S-360 does not know", func() bool { return s.detail.noneAsk.out.Text == "S-360 does not know T26-77777." })
}

func TestDeskGuessMode(t *testing.T) {
	for q, want := range map[string]string{
		"T26-00012":            deskModeTax,
		"100000000000000001":   deskModeBarcode,
		"Lovelace":             deskModeName,
		"Ada Lovelace":         deskModeName,
		"00012":                deskModeTax,
		"7415628301550254 ":    deskModeBarcode,
		"Müller-Lüdenscheidt ": deskModeName,
	} {
		if got := deskGuessMode(strings.TrimSpace(q)); got != want {
			t.Errorf("guess(%q) = %s, want %s", q, got, want)
		}
	}
}

func TestDeskFormat(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.Local)
	cases := map[string]string{
		deskAgo(now.Add(-3*time.Minute), now):  "3 min ago",
		deskAgo(now.Add(12*time.Minute), now):  "in 12 min",
		deskAgo(now.Add(-10*time.Second), now): "just now",
		deskThousands(124000):                  "124,000",
		deskThousands(999):                     "999",
		deskThousands(1234567):                 "1,234,567",
		deskWhenAgo(time.Time{}, now):          "never",
		deskClock(now.Add(-time.Minute), now):  "13:59:00",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestDeskAnyModeShowsEverythingFound(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeAny, bcGrace)
	h.shown(s, bcGrace)
	h.search(s, deskModeAny, "Nobody")
	h.eventually("not found as a name", func() bool {
		return strings.HasPrefix(s.message.Text, `No ticket held by "Nobody"`)
	})
}

// An exit is not an admission, nor a denial, in a ticket's history.
func TestDeskHistorySaysExit(t *testing.T) {
	out := core.Control{Direction: core.DirectionOut, Outcome: core.Admit, Reason: core.ReasonExit}
	never := core.Control{Direction: core.DirectionOut, Outcome: core.Deny, Reason: core.ReasonNotInside}
	in := core.Control{Direction: core.DirectionIn, Outcome: core.Admit}
	for _, c := range []struct {
		c    core.Control
		want string
	}{{out, "EXIT"}, {never, "EXIT (no entry)"}, {in, "ADMIT"}} {
		if got := deskVerdictCell(&c.c, testNow); got != c.want {
			t.Errorf("%+v: %q, want %q", c.c, got, c.want)
		}
	}
}

// An unknown barcode admitted by override is what a dispute is about: the
// desk shows its controls although no ticket has it.
func TestDeskShowsControlsOfACodeInNoTicket(t *testing.T) {
	h, s, db := newTestDesk(t, nil)
	const unknown = "999000111222333444"
	gate := testSettings()
	gate.Station, gate.Gate = "GATE_A_LAPTOP1", "A"
	ctx := context.Background()
	v, err := db.Scan(ctx, core.ScanRequest{Code: unknown, Checkpoint: gate.Checkpoint(), Now: testNow.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Override(ctx, v.Control.ID, "printed at home, box office confirmed", testNow.Add(-59*time.Minute)); err != nil {
		t.Fatal(err)
	}
	h.search(s, deskModeBarcode, unknown)
	h.eventually("the controls", func() bool { return s.detail.showing && len(s.detail.controls) == 2 })
	h.ui(func() {
		if s.detail.bannerWord.Text != "NOT IN THE LIST" || !strings.Contains(s.message.Text, "scanned here twice") {
			t.Errorf("banner %q, message %q", s.detail.bannerWord.Text, s.message.Text)
		}
		c := s.detail.controls
		if !strings.HasPrefix(deskVerdictCell(&c[1], testNow), "ADMIT (override)") || deskControlCell(&c[1], 6, testNow) != "printed at home, box office confirmed" {
			t.Errorf("rows %q / %q", deskVerdictCell(&c[1], testNow), deskControlCell(&c[1], 6, testNow))
		}
	})
}

// More hits than shown: the desk says "more than 50", not "50".
func TestDeskSaysMoreThanTheLimit(t *testing.T) {
	h, s, db := newTestDesk(t, nil)
	var many []core.Ticket
	for i := range deskLookupLimit + 5 {
		many = append(many, core.Ticket{Barcode: fmt.Sprintf("5550000000%08d", i), TaxNumber: fmt.Sprintf("T26-7%04d", i),
			State: core.StateValid, SeasonCode: "S26", ProductCode: "P1",
			Holder: core.Holder{FirstName: "Jo", LastName: "Meier"}})
	}
	if err := db.ApplyPage(context.Background(), "S26|P1|", core.ExportPage{Tickets: many, Cursor: "c2"}); err != nil {
		t.Fatal(err)
	}
	h.search(s, deskModeName, "Meier")
	h.eventually("the answer", func() bool { return strings.Contains(s.message.Text, "match") })
	h.ui(func() {
		if !strings.HasPrefix(s.message.Text, "More than 50 tickets match") || len(s.results) != deskLookupLimit {
			t.Errorf("%d results, message %q", len(s.results), s.message.Text)
		}
	})
}

// The history's columns are as wide as what they hold.
func TestDeskColumnsFitTheirText(t *testing.T) {
	h, s, _ := newTestDesk(t, nil)
	h.search(s, deskModeTax, "T26-00013")
	h.shown(s, bcCharles)
	h.ui(func() {
		c := s.detail.controls[0]
		c.Override, c.Offline = true, true // "DENY (override) offline"
		s.detail.controls[0] = c
		s.detail.fitTable()
		for col, cc := range deskColumns {
			text := deskControlCell(&c, col, testNow)
			need := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width
			head := fyne.MeasureText(T(cc.title), theme.TextSize(), fyne.TextStyle{Bold: true}).Width
			w := s.detail.table.columnWidth(col)
			if w < min(max(need, head)+2*theme.InnerPadding(), maxColumn) {
				t.Errorf("column %q is %v wide for %q", cc.title, w, text)
			}
		}
	})
}
