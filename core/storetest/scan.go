package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"s360gate/core"
)

var _ = add("ScanReasons", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db,
		Ticket("100"),
		Ticket("101", func(t *core.Ticket) { t.State, t.CancellationCause = core.StateCancelled, "REFUND_REQUESTED" }),
		Ticket("102", func(t *core.Ticket) { t.State = core.StateInvalidated }),
		Ticket("103", func(t *core.Ticket) { t.ProductCode = "MATCH13" }),
		Ticket("104", func(t *core.Ticket) { t.ValidFrom = Day.Add(2 * time.Hour) }),
		Ticket("105", func(t *core.Ticket) { t.ValidTo = Day.Add(-time.Hour) }),
		Ticket("106", func(t *core.Ticket) { t.EntranceCode = "C" }),
		Ticket("107", func(t *core.Ticket) { t.EntranceCode = "D" }),
		Ticket("108"),
	)
	cpA := Checkpoint("A")
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

	first := scan(t, db, "108", cpA, Day.Add(-30*time.Minute))
	wantVerdict(t, first, core.Admit, core.ReasonOK)
	cpB := Checkpoint("B")
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
	if err := db.MarkRejected(ctx, []string{first.Control.ID}, "Failed to import controlledTickets:108", Day); err != nil {
		t.Fatal(err)
	}
	v = scan(t, db, "108", cpA, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonRejectedByS360)
	if v.Ticket.RejectedByS360 == "" {
		t.Error("ticket not flagged")
	}
})

var _ = add("ScanPromptsAndOffline", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("200", func(t *core.Ticket) {
		t.AudienceSubCategoryCode = "CHILD"
		t.Holder = core.Holder{FirstName: "Ada", LastName: "Lovelace", BirthDate: "2015-03-01"}
	}))
	cp := Checkpoint("A")
	cp.Rules.Tariffs = map[string]string{"CHILD": "AGE CHECK: under 16"}
	cp.Staleness = time.Hour
	req := core.ScanRequest{Code: "200", Checkpoint: cp, Now: Day, Prompts: core.ScannerPrompts("azerty", "")}
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
	// Synced a minute ago: online; an upload counts as much as an export.
	apply(t, db, Ticket("201"), Ticket("202"))
	for code, st := range map[string]core.SyncState{"201": {LastExportOK: Day.Add(-time.Minute)}, "202": {LastUploadOK: Day.Add(-time.Minute)}} {
		if err := db.SaveSyncState(ctx, st); err != nil {
			t.Fatal(err)
		}
		if v := scan(t, db, code, cp, time.Time{}); v.Control.Offline {
			t.Fatalf("control offline right after a sync (%+v)", st)
		}
	}
})

var _ = add("ScanContainer", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	box := func(t *core.Ticket) { t.ContainerID = "RFID-00AB" }
	apply(t, db,
		Ticket("300", box, func(t *core.Ticket) { t.ProductCode = "MATCH11" }),     // other event
		Ticket("301", box, func(t *core.Ticket) { t.State = core.StateCancelled }), // this event, dead
		Ticket("302", box), // the one
		Ticket("303", func(t *core.Ticket) { t.ContainerID = "RFID-00CD"; t.ProductCode = "X" }), // alone, other event
	)
	cp := Checkpoint("A")
	v := scan(t, db, "RFID-00AB", cp, time.Time{})
	wantVerdict(t, v, core.Admit, core.ReasonOK)
	if v.Ticket.Barcode != "302" || v.Control.Barcode != "302" || v.Control.Scanned != "RFID-00AB" {
		t.Fatalf("container resolved to %+v / %+v", v.Ticket, v.Control)
	}
	v = scan(t, db, "RFID-00AB", cp, time.Time{})
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	// The ticket itself is used too, and the other way round.
	wantVerdict(t, scan(t, db, "302", cp, time.Time{}), core.Deny, core.ReasonAlreadyUsed)
	wantVerdict(t, scan(t, db, "RFID-00CD", cp, time.Time{}), core.Deny, core.ReasonNotThisEvent)
	// A helpdesk check of the container sees the entry.
	h, err := db.Scan(ctx, core.ScanRequest{Code: "RFID-00AB", Checkpoint: cp, Now: Day, Helpdesk: true})
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, h, core.Deny, core.ReasonAlreadyUsed)
})

var _ = add("HelpdeskWritesNothing", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("400"))
	cp := Checkpoint("A")
	for range 3 {
		v, err := db.Scan(ctx, core.ScanRequest{Code: "400", Checkpoint: cp, Now: Day, Helpdesk: true})
		if err != nil {
			t.Fatal(err)
		}
		wantVerdict(t, v, core.Admit, core.ReasonOK)
		if !v.Helpdesk || v.Control != nil {
			t.Fatalf("helpdesk verdict %+v", v)
		}
	}
	if n := len(collect(t, db, core.ControlFilter{})); n != 0 {
		t.Fatalf("helpdesk wrote %d controls", n)
	}
	used := scan(t, db, "400", cp, time.Time{})
	v, err := db.Scan(ctx, core.ScanRequest{Code: "400", Checkpoint: cp, Now: Day, Helpdesk: true})
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, v, core.Deny, core.ReasonAlreadyUsed)
	if v.FirstUse == nil || v.FirstUse.ID != used.Control.ID {
		t.Fatalf("helpdesk first use %+v", v.FirstUse)
	}
	if n := len(collect(t, db, core.ControlFilter{})); n != 1 {
		t.Fatalf("%d controls, want 1", n)
	}
})

var _ = add("Override", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("500", func(t *core.Ticket) { t.EntranceCode = "C" }))
	cp := Checkpoint("A")
	denied := scan(t, db, "500", cp, time.Time{})
	wantVerdict(t, denied, core.Deny, core.ReasonWrongGate)

	_, err := db.Override(ctx, denied.Control.ID, " ", Day)
	wantCode(t, err, core.EInvalid)
	_, err = db.Override(ctx, "no-such-id", "gate C closed", Day)
	wantCode(t, err, core.ENotFound)

	v, err := db.Override(ctx, denied.Control.ID, "gate C closed", Day.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, v, core.Admit, core.ReasonOverride)
	c := v.Control
	if c == nil || c.ID == "" || c.ID == denied.Control.ID || !c.Override || c.OverrideReason != "gate C closed" ||
		c.Barcode != "500" || c.Upload != core.UploadPending || !c.At.Equal(Day.Add(time.Minute)) {
		t.Fatalf("override control %+v", c)
	}
	if v.Ticket == nil || v.Ticket.Barcode != "500" {
		t.Fatalf("override ticket %+v", v.Ticket)
	}
	// One override per denial; an admission cannot be overridden.
	_, err = db.Override(ctx, denied.Control.ID, "again please", Day)
	wantCode(t, err, core.EConflict)
	_, err = db.Override(ctx, c.ID, "why not", Day)
	wantCode(t, err, core.EConflict)

	// Both stay recorded, and the ticket is now used.
	hist := collect(t, db, core.ControlFilter{Barcode: "500"})
	if len(hist) != 2 || hist[0].Outcome != core.Deny || hist[1].Reason != core.ReasonOverride {
		t.Fatalf("history %+v", hist)
	}
	wantVerdict(t, scan(t, db, "500", Checkpoint("C"), Day.Add(2*time.Minute)), core.Deny, core.ReasonAlreadyUsed)

	// An unknown code's denial can be overridden (a ticket S-360 never
	// sent): recorded, never uploaded.
	unknown := scan(t, db, "NOPE-1", cp, time.Time{})
	v, err = db.Override(ctx, unknown.Control.ID, "printed by the box office", Day)
	if err != nil || v.Control.Upload != core.UploadLocal || v.Ticket != nil {
		t.Fatalf("override of an unknown code: %+v %v", v.Control, err)
	}
})

// Two supervisors at two stations override one denial at once: one person
// goes in.
var _ = add("OverrideOnceAcrossHandles", func(t *testing.T, b Backend) {
	db, o := open(t, b)
	apply(t, db, Ticket("510", func(t *core.Ticket) { t.EntranceCode = "C" }), Ticket("511", func(t *core.Ticket) { t.EntranceCode = "C" }))
	handles := []Store{db, o(t), o(t), o(t)}
	for _, code := range []string{"510", "511", "UNKNOWN-9"} {
		denied := scan(t, db, code, Checkpoint("A"), time.Time{})
		var wg sync.WaitGroup
		errs := make([]error, len(handles))
		start := make(chan struct{})
		for i, h := range handles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = h.Override(ctx, denied.Control.ID, "gate C closed", Day)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch core.ErrorCode(err) {
			case "":
				ok++
			case core.EConflict:
			default:
				t.Fatalf("override: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%s: %d overrides of one denial went through", code, ok)
		}
	}
})

var _ = add("Reentry", func(t *testing.T, b Backend) {
	db, _ := open(t, b)
	apply(t, db, Ticket("600"), Ticket("601"), Ticket("602"))
	in := Checkpoint("A")
	out := Checkpoint("A")
	out.Station.Direction = core.DirectionOut
	at := func(m int) time.Time { return Day.Add(time.Duration(m) * time.Minute) }

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
})

// The same ticket scanned at once by eight scanners, sharing one handle or
// each with its own (like separate processes or stations): exactly one is
// admitted.
var _ = add("ConcurrentDoubleScan", func(t *testing.T, b Backend) {
	for _, separate := range []bool{false, true} {
		name := map[bool]string{false: "one handle", true: "separate handles"}[separate]
		t.Run(name, func(t *testing.T) {
			db, o := open(t, b)
			var codes []string
			var ts []core.Ticket
			for i := range 20 {
				ts = append(ts, Ticket(BarcodeOf(i)))
				codes = append(codes, BarcodeOf(i))
			}
			apply(t, db, ts...)
			// and an unknown code, and a container
			apply(t, db, Ticket("BOXED", func(t *core.Ticket) { t.ContainerID = "RFID-BOX" }))
			codes = append(codes, "NOT-A-TICKET", "RFID-BOX")
			stations := make([]Station, 8)
			for i := range stations {
				h := db
				if separate {
					h = o(t)
				}
				cp := Checkpoint("A")
				cp.Station.Name = "scanner " + string(rune('1'+i))
				stations[i] = StoreStation(h, cp)
			}
			admitted := AdmitOnce(t, stations, codes, true)
			for _, code := range codes[:len(codes)-2] {
				if admitted[code] != 1 {
					t.Fatalf("%s admitted %d times", code, admitted[code])
				}
			}
			if admitted["NOT-A-TICKET"] != 0 || admitted["RFID-BOX"] != 1 {
				t.Fatalf("admitted %v", admitted)
			}
			if n := len(collect(t, db, core.ControlFilter{})); n != 8*len(codes) {
				t.Fatalf("%d controls recorded, want %d", n, 8*len(codes))
			}
		})
	}
})
