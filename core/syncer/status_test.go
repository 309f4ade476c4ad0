package syncer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// A subscriber that does not return does not hold up the engine, and once
// it does, it gets the latest status rather than every intermediate one.
func TestSlowSubscriberDoesNotBlock(t *testing.T) {
	r := newRig(t, simSettings(), 50)
	scanN(r.store, 3)
	block := make(chan struct{})
	got := make(chan core.SyncStatus, 100)
	cancel := r.engine.Subscribe(func(st core.SyncStatus) {
		got <- st
		<-block
	})
	defer cancel()
	first := <-got // the status at subscription time; the subscriber is now stuck
	if first.Running {
		t.Fatalf("first %+v", first)
	}
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(block)
	timeout := time.After(10 * time.Second)
	for n := 0; ; n++ {
		select {
		case st := <-got:
			if !st.Running && st.LastUploadOK.Equal(t0) && st.Tickets.Valid == 50 && st.Pending == 0 {
				if n > 2 {
					t.Fatalf("%d intermediate states delivered; they should merge", n)
				}
				return
			}
		case <-timeout:
			t.Fatal("final status never delivered")
		}
	}
}

func TestSubscribeAndCancel(t *testing.T) {
	r := newRig(t, simSettings(), 25)
	got := make(chan core.SyncStatus, 1000)
	cancel := r.engine.Subscribe(func(st core.SyncStatus) { got <- st })
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Intermediate states may merge; the last one always arrives.
	for done := false; !done; {
		select {
		case st := <-got:
			done = !st.Running && st.Received == 25 && st.Tickets.Valid == 25
		case <-time.After(10 * time.Second):
			t.Fatal("no final status")
		}
	}
	cancel()
	cancel() // twice is harmless
	r.engine.UpdateSettings(prodSettings())
	if r.engine.Status().Environment != core.EnvProduction {
		t.Fatal("status not updated")
	}
	select {
	case st := <-got:
		if st.Environment == core.EnvProduction {
			t.Fatal("called after cancel")
		}
	case <-time.After(50 * time.Millisecond):
	}
}

func TestStatusListsRejected(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 2)
	r.store.controls[0].Upload = core.UploadRejected
	if err := r.engine.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := r.engine.Status()
	if len(st.Rejected) != 1 || st.RejectedCount != 1 || st.Pending != 1 || st.Rejected[0].ID != "c000" {
		t.Fatalf("status %+v", st)
	}
	st.Rejected[0].ID = "changed"
	if r.engine.Status().Rejected[0].ID != "c000" {
		t.Fatal("Status shares its slice")
	}
}

func TestPreflight(t *testing.T) {
	r := newFakeRemote(0)
	if got, err := Preflight(context.Background(), r); err != nil || got != "Connected — S-360 answers, time zone Europe/Zurich" {
		t.Fatalf("%q %v", got, err)
	}
	r.fail("getTimeZone", core.Errorf(core.EAuth, "401 Unauthorized"))
	if got, err := Preflight(context.Background(), r); err == nil || got != "S-360 rejected the credentials — check institution, operator and password in Settings" {
		t.Fatalf("%q %v", got, err)
	}
	r.fail("getTimeZone", core.Wrap(core.EUnavailable, errors.New("dial tcp: refused"), "S-360 cannot be reached at this address"))
	if got, _ := Preflight(context.Background(), r); got != "S-360 cannot be reached at this address" {
		t.Fatalf("%q", got)
	}
}

func TestPlainWords(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{core.Errorf(core.EAuth, "S-360 rejected the credentials (operator gate)"), "S-360 rejected the credentials (operator gate)"},
		{core.Errorf(core.EAuth, "HTTP 401"), "S-360 rejected the credentials — check institution, operator and password in Settings"},
		{&core.RejectedError{Barcodes: []string{"1"}}, "S-360 refused controls of blacklisted tickets; they are listed for the dispute desk"},
		{context.DeadlineExceeded, "S-360 did not answer in time; the station will try again"},
		{errors.New("boom"), "Something went wrong; the details are in the log."},
	} {
		if got := plainWords(c.err); got != c.want {
			t.Errorf("%v: %q", c.err, got)
		}
	}
	// Both halves of a cycle failing the same way say it once.
	down := core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	if got, said := shownError(context.Background(), errors.Join(down, down)); got != "S-360 cannot be reached" || len(said) != 1 {
		t.Errorf("%q %+v", got, said)
	}
	// Words of the catalogue are kept with their key, for every language.
	slow := core.Say(core.ERefused, "s360.err.slowDown", nil)
	got, said := shownError(context.Background(), errors.Join(slow, errors.New("boom")))
	if fr := core.Speak(words.FR, nil).Said(said...); got != plainWords(slow)+"; Something went wrong; the details are in the log." ||
		fr != "S-360 demande de ralentir (trop de requêtes) ; réessayez dans une minute; Une erreur s'est produite ; les détails sont dans le journal." {
		t.Errorf("%q / %q", got, fr)
	}
}

func TestTransient(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{core.Errorf(core.EUnavailable, "503"), true},
		{core.Errorf(core.ERefused, "509"), true},
		{context.DeadlineExceeded, true},
		{core.Errorf(core.EAuth, "401"), false},
		{core.Errorf(core.EInvalid, "400"), false},
		{&core.RejectedError{}, false},
		{errors.New("decode"), false},
	} {
		if got := transient(ctx, c.err); got != c.want {
			t.Errorf("%v: %v", c.err, got)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if transient(done, core.Errorf(core.EUnavailable, "503")) {
		t.Error("retrying after shutdown")
	}
}

// Progress is announced at most every progressEvery, however fast pages come.
func TestProgressThrottled(t *testing.T) {
	r := newRig(t, simSettings(), 0)
	before := r.engine.seq
	for i := range 1000 {
		r.engine.received(i, i/10)
	}
	if n := r.engine.seq - before; n > 2 {
		t.Fatalf("%d announcements", n)
	}
	if r.engine.Status().Received != 999 {
		t.Fatal("count lost")
	}
}

// budgetedRemote is a remote with a request budget that is used up until
// next.
type budgetedRemote struct {
	*fakeRemote
	next time.Time
}

func (b *budgetedRemote) NextSlot() time.Time { return b.next }
func (b *budgetedRemote) Budget() int         { return 50 }

// While the export waits for the client's request budget, the status says
// until when (not "next call allowed: now"), and it counts the pages.
func TestStatusShowsTheBudgetAnExportWaitsFor(t *testing.T) {
	r := newRig(t, simSettings(), 35)
	br := &budgetedRemote{fakeRemote: r.remote, next: t0.Add(40 * time.Second)}
	r.engine = New(Options{Settings: simSettings(), Remote: br, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
	var seen []core.SyncStatus
	r.remote.onExport = func(core.ExportRequest) { seen = append(seen, r.engine.Status()) }
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 5 {
		t.Fatalf("%d exportList calls", len(seen))
	}
	for i, st := range seen {
		if !st.BudgetWait.Equal(br.next) || st.Budget != 50 || st.PageSize != 10 || st.ExportStart.IsZero() || !st.Running {
			t.Errorf("call %d: status %+v", i, st)
		}
	}
	if seen[4].Pages < 3 {
		t.Errorf("pages %d before the last call", seen[4].Pages)
	}
	st := r.engine.Status()
	if !st.BudgetWait.IsZero() || !st.ExportStart.IsZero() || st.Tickets.Valid != 35 {
		t.Errorf("after the cycle: %+v", st)
	}
}

// During an export, Tickets held is what the store holds, not what it held
// before the export began.
func TestStoredTicketsCountedDuringAnExport(t *testing.T) {
	r := newRig(t, simSettings(), 0)
	ctx := context.Background()
	if err := r.store.ApplyPage(ctx, "k", core.ExportPage{Tickets: []core.Ticket{ticket(1, core.StateValid), ticket(2, core.StateCancelled)}, Cursor: "2"}); err != nil {
		t.Fatal(err)
	}
	r.engine.stored(ctx)
	if tc := r.engine.Status().Tickets; tc.Valid != 1 || tc.Invalid != 1 {
		t.Fatalf("tickets %+v", tc)
	}
}

// While a cycle retries a call that did not reach S-360, the status says
// offline and why: never "Offline" beside "Last error: none".
func TestOfflineSaysWhyWhileRetrying(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	if st := r.engine.Status(); st.Called {
		t.Fatal("a call is recorded before any was made")
	}
	r.remote.fail("exportList", core.Errorf(core.EUnavailable, "connection refused"))
	var during core.SyncStatus
	calls := 0
	r.remote.onExport = func(core.ExportRequest) {
		if calls++; calls == 2 {
			during = r.engine.Status()
		}
	}
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if during.Online || !during.Called || during.LastError == "" {
		t.Errorf("while retrying: online %v, called %v, last error %q", during.Online, during.Called, during.LastError)
	}
	if st := r.engine.Status(); !st.Online || !st.Called {
		t.Errorf("after: %+v", st)
	}
}

// A station whose settings allow no S-360 client (no password) made no
// call: the status is not "Online" beside "S-360 is not configured", even
// after an earlier call reached S-360.
func TestNotConfiguredIsNotOnline(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := r.engine.Status(); !st.Online {
		t.Fatalf("after a call that reached S-360: %+v", st)
	}
	noClient := core.Wrap(core.EInvalid, fmt.Errorf("%w: password required", core.ErrNoRemote), "S-360 is not configured")
	r.remote.fail("exportList", noClient)
	r.remote.fail("importControlledTicket", noClient)
	r.remote.fail("getTimeZone", noClient)
	r.engine.RunCycle(context.Background()) // fails: there is no client
	if st := r.engine.Status(); st.Online || st.LastError == "" {
		t.Errorf("without a client: online %v, last error %q", st.Online, st.LastError)
	}
}
