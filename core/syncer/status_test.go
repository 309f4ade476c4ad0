package syncer

import (
	"context"
	"errors"
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
	if len(st.Rejected) != 1 || st.Pending != 1 || st.Rejected[0].ID != "c000" {
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
		r.engine.received(i)
	}
	if n := r.engine.seq - before; n > 2 {
		t.Fatalf("%d announcements", n)
	}
	if r.engine.Status().Received != 999 {
		t.Fatal("count lost")
	}
}
