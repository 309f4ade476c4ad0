package syncer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"s360gate/core"
)

func scanN(s *fakeStore, n int) []string {
	var idl []string
	for i := range n {
		id := fmt.Sprintf("c%03d", i)
		s.scan(id, ticket(i, core.StateValid).Barcode, t0.Add(time.Duration(i)*time.Second))
		idl = append(idl, id)
	}
	return idl
}

func TestUploadInBatchesOnce(t *testing.T) {
	r := newRig(t, simSettings(), 10)
	r.engine.batch = 3
	want := scanN(r.store, 7)
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Uploaded != 7 || rep.Pending != 0 || r.remote.imports != 3 {
		t.Fatalf("report %+v, %d calls", rep, r.remote.imports)
	}
	// A second cycle sends nothing again.
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v", got)
	}
	if c := r.store.control("c000"); c.Upload != core.UploadDone || c.UploadedAt.IsZero() {
		t.Fatalf("control %+v", c)
	}
	if st := r.engine.Status(); st.Pending != 0 || st.LastUploadOK.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

// S-360 refuses a batch holding a control of a ticket blacklisted after
// export: that control is rejected for good, the rest lands.
func TestUploadRejectedThenRestOfBatch(t *testing.T) {
	r := newRig(t, simSettings(), 10)
	all := scanN(r.store, 6)
	black := ticket(2, core.StateValid).Barcode
	r.store.scan("c002b", black, t0.Add(time.Minute)) // a second scan of the same ticket
	r.remote.black[black] = true
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == "c002" })
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v, want %v", got, want)
	}
	for _, id := range []string{"c002", "c002b"} {
		c := r.store.control(id)
		if c.Upload != core.UploadRejected || c.UploadDetail != "Failed to import controlledTickets:"+black {
			t.Fatalf("control %s: %+v", id, c)
		}
	}
	if tk, _ := r.store.Ticket(context.Background(), black); tk.RejectedByS360 == "" {
		t.Fatal("ticket not flagged")
	}
	st := r.engine.Status()
	if len(st.Rejected) != 2 || st.Pending != 0 {
		t.Fatalf("status %+v", st)
	}
	// Never retried.
	calls := r.remote.imports
	if _, err := r.engine.RunCycle(context.Background()); err != nil || r.remote.imports != calls {
		t.Fatalf("rejected controls retried: err %v, calls %d → %d", err, calls, r.remote.imports)
	}
}

func TestUploadRefusalNamingNoneOfTheBatch(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 3)
	r.remote.failAll["importControlledTicket"] = &core.RejectedError{Barcodes: []string{"999"}, Detail: "Failed to import controlledTickets:999"}
	rep, err := r.engine.RunCycle(context.Background())
	if err == nil || rep.UploadErr == nil || rep.Pending != 3 || r.remote.imports != 1 {
		t.Fatalf("err %v report %+v calls %d", err, rep, r.remote.imports)
	}
}

func TestUploadRetriesTransientFailures(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	want := scanN(r.store, 4)
	r.remote.fail("importControlledTicket",
		core.Errorf(core.EUnavailable, "S-360 cannot be reached"),
		core.Errorf(core.ERefused, "S-360 says too many requests (509)"))
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil || rep.Uploaded != 4 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v", got)
	}
	sl := r.clock.Sleeps()
	if len(sl) != 2 || sl[0] < time.Second || sl[0] >= 2*time.Second || sl[1] < 2*time.Second || sl[1] >= 4*time.Second {
		t.Fatalf("backoff %v", sl)
	}
}

// S-360's Retry-After sets the least wait before the engine tries again
// (the client makes one attempt per call: the engine is the one to retry),
// and a caller who cannot wait that long gets the refusal at once.
func TestRetryAfterHonoured(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	want := scanN(r.store, 2)
	slow := func() error {
		return &core.Error{Code: core.ERefused, Message: "S-360 asks us to slow down", Err: &core.SlowDown{RetryAfter: 40 * time.Second}}
	}
	r.remote.fail("importControlledTicket", slow(), slow())
	if rep, err := r.engine.RunCycle(context.Background()); err != nil || rep.Uploaded != 2 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	sl := r.clock.Sleeps()
	if len(sl) != 2 || sl[0] < 40*time.Second || sl[1] < 40*time.Second || sl[0] > 41*time.Second {
		t.Fatalf("waits %v, want at least S-360's 40 s", sl)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) || r.remote.imports != 3 {
		t.Fatalf("imported %v in %d calls", got, r.remote.imports)
	}

	scanN(r.store, 1)
	r.remote.fail("importControlledTicket", slow())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.engine.RunCycle(ctx); core.ErrorCode(err) != core.ERefused || len(r.clock.Sleeps()) != 2 {
		t.Fatalf("with 10 s to go: %v, waits %v", err, r.clock.Sleeps())
	}
}

// OnRetry hears of each retry, with the failure, the count and the wait
// the engine then sleeps.
func TestOnRetryIsTold(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 2)
	var heard []Retry
	r.engine = New(Options{Settings: simSettings(), Remote: r.remote, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep,
		Log: quietLog(), OnRetry: func(rt Retry) { heard = append(heard, rt) }})
	down := core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	r.remote.fail("importControlledTicket", down, down)
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	sl := r.clock.Sleeps()
	if len(heard) != 2 || len(sl) != 2 {
		t.Fatalf("heard %+v, slept %v", heard, sl)
	}
	for i, rt := range heard {
		if rt.Method != "importControlledTicket" || !errors.Is(rt.Err, down) || rt.Retry != i+1 || rt.Of != 3 || rt.Wait != sl[i] {
			t.Fatalf("retry %d heard as %+v (slept %v)", i+1, rt, sl[i])
		}
	}
}

// S-360 down for longer than the retries: the controls wait, then go once.
func TestUploadGivesUpThenCatchesUp(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	want := scanN(r.store, 4)
	down := core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	r.remote.failAll["importControlledTicket"] = down
	rep, err := r.engine.RunCycle(context.Background())
	if !errors.Is(err, down) || rep.ExportErr != nil || rep.Pending != 4 || r.remote.imports != 4 {
		t.Fatalf("err %v report %+v calls %d", err, rep, r.remote.imports)
	}
	st := r.engine.Status()
	if st.Online || st.LastError != "S-360 cannot be reached" || st.LastUploadOK != (time.Time{}) || st.LastExportOK.IsZero() {
		t.Fatalf("status %+v", st)
	}
	delete(r.remote.failAll, "importControlledTicket")
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v", got)
	}
}

func TestAuthIsNotRetried(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 1)
	auth := core.Errorf(core.EAuth, "401")
	r.remote.failAll["exportList"] = auth
	r.remote.failAll["importControlledTicket"] = auth
	_, err := r.engine.RunCycle(context.Background())
	if core.ErrorCode(err) != core.EAuth || len(r.remote.exportCursors()) != 1 || r.remote.imports != 1 || len(r.clock.Sleeps()) != 0 {
		t.Fatalf("err %v, %d exports, %d imports", err, len(r.remote.exportCursors()), r.remote.imports)
	}
	if st := r.engine.Status(); st.LastError != "S-360 rejected the credentials — check institution, operator and password in Settings" || !st.Online {
		t.Fatalf("status %+v", st)
	}
}

func TestUploadFailureDoesNotBlockExportNorReverse(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 2)
	r.remote.failAll["importControlledTicket"] = core.Errorf(core.EInvalid, "bad request")
	rep, _ := r.engine.RunCycle(context.Background())
	if rep.ExportErr != nil || rep.Tickets != 5 || rep.UploadErr == nil {
		t.Fatalf("report %+v", rep)
	}
	delete(r.remote.failAll, "importControlledTicket")
	r.remote.failAll["exportList"] = core.Errorf(core.EInvalid, "bad season")
	rep, _ = r.engine.RunCycle(context.Background())
	if rep.ExportErr == nil || rep.UploadErr != nil || rep.Uploaded != 2 {
		t.Fatalf("report %+v", rep)
	}
	state, _ := r.store.SyncState(context.Background())
	if state.LastUploadOK.IsZero() || state.LastError != "bad season" {
		t.Fatalf("state %+v", state)
	}
}

// Controls without an S-360 barcode (or exits) are never sent, and never
// block the queue, even when they fill whole batches.
func TestUploadSkipsControlsWithoutBarcode(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	r.engine.batch = 2
	for i := range 3 {
		r.store.scan(fmt.Sprintf("u%d", i), "", t0) // store bug: should be local
	}
	r.store.controls[1].Barcode = ticket(1, core.StateValid).Barcode
	r.store.controls[1].Direction = core.DirectionOut
	want := scanN(r.store, 3)
	rep, err := r.engine.RunCycle(context.Background())
	if err != nil || rep.Skipped != 3 || rep.Uploaded != 3 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v", got)
	}
}

// S-360 took the batch just as the station shut down: it is still recorded
// as uploaded, so it is not sent again after the restart.
func TestUploadRecordedDespiteShutdown(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	want := scanN(r.store, 2)
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelOnImport{Remote: r.remote, cancel: cancel}
	e := New(Options{Settings: simSettings(), Remote: w, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog()})
	_, _ = e.RunCycle(ctx)
	if _, err := r.newEngine(simSettings()).RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.remote.importedIDs(); !slices.Equal(got, want) {
		t.Fatalf("imported %v", got)
	}
}

type cancelOnImport struct {
	core.Remote
	cancel func()
}

func (c *cancelOnImport) ImportControls(ctx context.Context, cs []core.Control) error {
	err := c.Remote.ImportControls(ctx, cs)
	c.cancel()
	return err
}

func TestOfflineResultIsSent(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	scanN(r.store, 1)
	r.store.controls[0].Offline = true
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.remote.lastBatch[0]; got.ControlResult() != "OFFLINE_OK" {
		t.Fatalf("sent %q", got.ControlResult())
	}
}
