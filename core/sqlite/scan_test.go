package sqlite

import (
	"strings"
	"sync"
	"testing"
	"time"

	"s360gate/core"
)

func TestScanReasons(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db,
		tk("100"),
		tk("101", func(t *core.Ticket) { t.State, t.CancellationCause = core.StateCancelled, "REFUND_REQUESTED" }),
		tk("102", func(t *core.Ticket) { t.State = core.StateInvalidated }),
		tk("103", func(t *core.Ticket) { t.ProductCode = "MATCH13" }),
		tk("104", func(t *core.Ticket) { t.ValidFrom = day.Add(2 * time.Hour) }),
		tk("105", func(t *core.Ticket) { t.ValidTo = day.Add(-time.Hour) }),
		tk("106", func(t *core.Ticket) { t.EntranceCode = "C" }),
		tk("107", func(t *core.Ticket) { t.EntranceCode = "D" }),
		tk("108"),
	)
	cpA := checkpoint("A")
	cpA.Rules.ExtraGates = map[string][]string{"D": {"A"}}

	v := scan(t, db, "100", cpA, time.Time{})
	wantVerdict(t, v, core.Admit, core.ReasonOK)
	if v.Control == nil || v.Control.ID == "" || v.Control.Barcode != "100" || v.Control.Upload != core.UploadPending {
		t.Fatalf("control %+v", v.Control)
	}
	if v.Ticket == nil || v.Ticket.TaxNumber != "TX-100" {
		t.Fatalf("ticket %+v", v.Ticket)
	}

	v = scan(t, db, "999", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonUnknown)
	if v.Control == nil || v.Control.Barcode != "" || v.Control.Upload != core.UploadLocal || v.Control.Scanned != "999" {
		t.Fatalf("unknown control %+v", v.Control)
	}
	// The taxNumber printed on a ticket (typed by a steward when the
	// barcode does not scan) resolves to its ticket, in any case, and the
	// control is recorded against the barcode.
	v = scan(t, db, "tx-100", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	if v.Control.Barcode != "100" || v.Control.Scanned != "tx-100" || v.Ticket.Barcode != "100" {
		t.Fatalf("taxNumber control %+v", v.Control)
	}
	wantVerdict(t, scan(t, db, "", cpA, time.Time{}), core.Deny, core.ReasonUnknown)

	v = scan(t, db, "101", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonCancelled)
	if !strings.Contains(said(&v), "refund requested") {
		t.Errorf("cancelled message %q lacks the cause", said(&v))
	}
	wantVerdict(t, scan(t, db, "102", cpA, time.Time{}), core.Deny, core.ReasonInvalidated)
	wantVerdict(t, scan(t, db, "103", cpA, time.Time{}), core.Deny, core.ReasonNotThisEvent)
	wantVerdict(t, scan(t, db, "104", cpA, time.Time{}), core.Deny, core.ReasonNotValidNow)
	wantVerdict(t, scan(t, db, "105", cpA, time.Time{}), core.Deny, core.ReasonNotValidNow)

	v = scan(t, db, "106", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonWrongGate)
	if !strings.Contains(said(&v), "gate C") {
		t.Errorf("wrong gate message %q does not name entrance C", said(&v))
	}
	// D's tickets may also use gate A (a local rule).
	wantVerdict(t, scan(t, db, "107", cpA, time.Time{}), core.Admit, core.ReasonOK)

	first := scan(t, db, "108", cpA, day.Add(-30*time.Minute))
	wantVerdict(t, first, core.Admit, core.ReasonOK)
	cpB := checkpoint("B")
	cpB.Station.Name = "laptop 2"
	cpB.Rules.ExtraGates = map[string][]string{"A": {"B"}}
	v = scan(t, db, "108", cpB, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	if v.FirstUse == nil || v.FirstUse.ID != first.Control.ID || !v.FirstUse.At.Equal(first.Control.At) ||
		v.FirstUse.Gate != "A" || v.FirstUse.Station != "GATE_A_LAPTOP1" {
		t.Fatalf("first use %+v, want %+v", v.FirstUse, first.Control)
	}
	if !strings.Contains(said(&v), "gate A") || !strings.Contains(said(&v), "GATE_A_LAPTOP1") {
		t.Errorf("already used message %q", said(&v))
	}

	// REJECTED_BY_S360 once S-360 refused a control of the ticket.
	if err := db.MarkRejected(ctx, []string{first.Control.ID}, "Failed to import controlledTickets:108", day); err != nil {
		t.Fatal(err)
	}
	v = scan(t, db, "108", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonRejectedByS360)
	if v.Ticket.RejectedByS360 == "" {
		t.Error("ticket not flagged")
	}
}

func TestScanPromptsAndOffline(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("200", func(t *core.Ticket) {
		t.AudienceSubCategoryCode = "CHILD"
		t.Holder = core.Holder{FirstName: "Ada", LastName: "Lovelace", BirthDate: "2015-03-01"}
	}))
	cp := checkpoint("A")
	cp.Rules.Tariffs = map[string]string{"CHILD": "AGE CHECK: under 16"}
	cp.Staleness = time.Hour
	req := core.ScanRequest{Code: "200", Checkpoint: cp, Now: day, Prompts: core.ScannerPrompts("azerty", "")}
	v, err := db.Scan(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, v, core.Admit, core.ReasonOK)
	kinds := map[core.PromptKind]bool{}
	for _, p := range v.Prompts {
		kinds[p.Kind] = true
	}
	if !kinds[core.PromptAgeCheck] || !kinds[core.PromptIDCheck] || !kinds[core.PromptScanner] || v.Prompts[len(v.Prompts)-1].Kind != core.PromptScanner {
		t.Fatalf("prompts %+v", v.Prompts)
	}
	// Never synced: the control is reported OFFLINE_OK.
	if !v.Control.Offline || v.Control.ControlResult() != "OFFLINE_OK" {
		t.Fatalf("control %+v should be offline", v.Control)
	}
	// Synced a minute ago: online.
	if err := db.SaveSyncState(ctx, core.SyncState{LastExportOK: day.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	apply(t, db, tk("201"))
	if v := scan(t, db, "201", cp, time.Time{}); v.Control.Offline {
		t.Fatal("control offline right after a sync")
	}
}

func TestScanContainer(t *testing.T) {
	db, _ := openTest(t)
	box := func(t *core.Ticket) { t.ContainerID = "RFID-00AB" }
	apply(t, db,
		tk("300", box, func(t *core.Ticket) { t.ProductCode = "MATCH11" }),     // other event
		tk("301", box, func(t *core.Ticket) { t.State = core.StateCancelled }), // this event, dead
		tk("302", box), // the one
		tk("303", func(t *core.Ticket) { t.ContainerID = "RFID-00CD"; t.ProductCode = "X" }), // alone, other event
	)
	cp := checkpoint("A")
	v := scan(t, db, "RFID-00AB", cp, time.Time{})
	wantVerdict(t, v, core.Admit, core.ReasonOK)
	if v.Ticket.Barcode != "302" || v.Control.Barcode != "302" || v.Control.Scanned != "RFID-00AB" {
		t.Fatalf("container resolved to %+v / %+v", v.Ticket, v.Control)
	}
	v = scan(t, db, "RFID-00AB", cp, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	wantVerdict(t, scan(t, db, "RFID-00CD", cp, time.Time{}), core.Deny, core.ReasonNotThisEvent)
}

func TestHelpdeskWritesNothing(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("400"))
	cp := checkpoint("A")
	for i := 0; i < 3; i++ {
		v, err := db.Scan(ctx, core.ScanRequest{Code: "400", Checkpoint: cp, Now: day, Helpdesk: true})
		if err != nil {
			t.Fatal(err)
		}
		wantVerdict(t, v, core.Admit, core.ReasonOK)
		if !v.Helpdesk || v.Control != nil {
			t.Fatalf("helpdesk verdict %+v", v)
		}
	}
	if n := countControls(t, db); n != 0 {
		t.Fatalf("helpdesk wrote %d controls", n)
	}
	used := scan(t, db, "400", cp, time.Time{})
	v, err := db.Scan(ctx, core.ScanRequest{Code: "400", Checkpoint: cp, Now: day, Helpdesk: true})
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	if v.FirstUse == nil || v.FirstUse.ID != used.Control.ID {
		t.Fatalf("helpdesk first use %+v", v.FirstUse)
	}
	if n := countControls(t, db); n != 1 {
		t.Fatalf("%d controls, want 1", n)
	}
}

func TestOverride(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("500", func(t *core.Ticket) { t.EntranceCode = "C" }))
	cp := checkpoint("A")
	denied := scan(t, db, "500", cp, time.Time{})
	wantVerdict(t, denied, core.Deny, core.ReasonWrongGate)

	_, err := db.Override(ctx, denied.Control.ID, " ", day)
	wantCode(t, err, core.EInvalid)
	_, err = db.Override(ctx, "no-such-id", "gate C closed", day)
	wantCode(t, err, core.ENotFound)

	v, err := db.Override(ctx, denied.Control.ID, "gate C closed", day.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, v, core.Admit, core.ReasonOverride)
	c := v.Control
	if c == nil || c.ID == "" || c.ID == denied.Control.ID || !c.Override || c.OverrideReason != "gate C closed" ||
		c.Barcode != "500" || c.Upload != core.UploadPending || !c.At.Equal(day.Add(time.Minute)) {
		t.Fatalf("override control %+v", c)
	}
	if v.Ticket == nil || v.Ticket.Barcode != "500" {
		t.Fatalf("override ticket %+v", v.Ticket)
	}
	// One override per denial; an admission cannot be overridden.
	_, err = db.Override(ctx, denied.Control.ID, "again please", day)
	wantCode(t, err, core.EConflict)
	_, err = db.Override(ctx, c.ID, "why not", day)
	wantCode(t, err, core.EConflict)

	// Both stay recorded, and the ticket is now used.
	var hist []core.Control
	db.Controls(ctx, core.ControlFilter{Barcode: "500"}, func(c core.Control) error { hist = append(hist, c); return nil })
	if len(hist) != 2 || hist[0].Outcome != core.Deny || hist[1].Reason != core.ReasonOverride {
		t.Fatalf("history %+v", hist)
	}
	wantVerdict(t, scan(t, db, "500", checkpoint("C"), day.Add(2*time.Minute)), core.Deny, core.ReasonAlreadyUsed)
}

func TestReentry(t *testing.T) {
	db, _ := openTest(t)
	apply(t, db, tk("600"), tk("601"), tk("602"))
	in := checkpoint("A")
	out := checkpoint("A")
	out.Station.Direction = core.DirectionOut
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }

	// Leaving without having entered.
	v := scan(t, db, "602", out, at(0))
	wantVerdict(t, v, core.Deny, core.ReasonNotInside)
	if v.Control.Upload != core.UploadLocal {
		t.Errorf("exit control uploads: %+v", v.Control)
	}

	// Single entry: out and in again is a second entry.
	wantVerdict(t, scan(t, db, "600", in, at(1)), core.Admit, core.ReasonOK)
	v = scan(t, db, "600", out, at(2))
	wantVerdict(t, v, core.Admit, core.ReasonExit)
	if v.Control.Upload != core.UploadLocal || v.Control.Direction != core.DirectionOut {
		t.Errorf("exit control %+v", v.Control)
	}
	wantVerdict(t, scan(t, db, "600", in, at(3)), core.Deny, core.ReasonAlreadyUsed)

	// Re-entry allowed: in, in (denied), out, in (admitted), in (denied).
	in.Rules.AllowReentry, out.Rules.AllowReentry = true, true
	wantVerdict(t, scan(t, db, "601", in, at(1)), core.Admit, core.ReasonOK)
	wantVerdict(t, scan(t, db, "601", in, at(2)), core.Deny, core.ReasonAlreadyUsed)
	wantVerdict(t, scan(t, db, "601", out, at(3)), core.Admit, core.ReasonExit)
	wantVerdict(t, scan(t, db, "601", out, at(4)), core.Deny, core.ReasonNotInside)
	wantVerdict(t, scan(t, db, "601", in, at(5)), core.Admit, core.ReasonOK)
	v = scan(t, db, "601", in, at(6))
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	if !v.FirstUse.At.Equal(at(5)) {
		t.Errorf("re-entry first use %v, want the last entry %v", v.FirstUse.At, at(5))
	}
}

// TestConcurrentDoubleScan: the same ticket scanned at once by eight
// scanners, sharing one handle or each with its own (like separate
// processes on one file): exactly one is admitted.
func TestConcurrentDoubleScan(t *testing.T) {
	for _, separate := range []bool{false, true} {
		name := map[bool]string{false: "one handle", true: "separate handles"}[separate]
		t.Run(name, func(t *testing.T) {
			db, path := openTest(t)
			var ts []core.Ticket
			for i := range 20 {
				ts = append(ts, tk(barcodeOf(i)))
			}
			apply(t, db, ts...)
			handles := make([]*DB, 8)
			for i := range handles {
				handles[i] = db
				if separate {
					h, err := Open(path)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { h.Close() })
					handles[i] = h
				}
			}
			for _, tkt := range ts {
				var wg sync.WaitGroup
				verdicts := make([]core.Verdict, len(handles))
				errs := make([]error, len(handles))
				start := make(chan struct{})
				for i, h := range handles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						cp := checkpoint("A")
						cp.Station.Name = "scanner " + string(rune('1'+i))
						verdicts[i], errs[i] = h.Scan(ctx, core.ScanRequest{Code: tkt.Barcode, Checkpoint: cp, Now: day})
					}()
				}
				close(start)
				wg.Wait()
				admitted := 0
				for i, v := range verdicts {
					if errs[i] != nil {
						t.Fatal(errs[i])
					}
					if v.Outcome == core.Admit {
						admitted++
					} else if v.Reason != core.ReasonAlreadyUsed {
						t.Fatalf("verdict %s %s", v.Outcome, v.Reason)
					}
				}
				if admitted != 1 {
					t.Fatalf("%s admitted %d times", tkt.Barcode, admitted)
				}
			}
			if n := countControls(t, db); n != 8*len(ts) {
				t.Fatalf("%d controls recorded, want %d", n, 8*len(ts))
			}
		})
	}
}
