package syncer

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"s360gate/core"
)

// A cycle that reached nobody is no contact with S-360, even when there was
// nothing to upload: otherwise a station cut off from S-360 before the
// gates open stays "fresh", and its controls are never reported OFFLINE_*.
func TestUnreachableCycleIsNoContact(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	before, _ := r.store.SyncState(context.Background())
	if before.LastSuccess().IsZero() {
		t.Fatalf("state after a good cycle %+v", before)
	}

	r.clock.Advance(time.Hour)
	r.remote.failAll["exportList"] = core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	rep, err := r.engine.RunCycle(context.Background())
	if err == nil || rep.UploadErr != nil || rep.Uploaded != 0 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	after, _ := r.store.SyncState(context.Background())
	if !after.LastSuccess().Equal(before.LastSuccess()) || !after.LastUploadOK.Equal(before.LastUploadOK) {
		t.Fatalf("a cycle that reached nobody moved the last contact: %+v → %+v", before, after)
	}
	if st := r.engine.Status(); st.Online || !st.LastUploadOK.Equal(before.LastUploadOK) {
		t.Fatalf("status %+v", st)
	}

	// Controls do reach S-360 while the export fails: that is contact.
	scanN(r.store, 2)
	r.clock.Advance(time.Minute)
	if rep, _ := r.engine.RunCycle(context.Background()); rep.Uploaded != 2 {
		t.Fatalf("report %+v", rep)
	}
	if st, _ := r.store.SyncState(context.Background()); !st.LastUploadOK.Equal(r.clock.Now()) {
		t.Fatalf("upload to S-360 not recorded as contact: %+v", st)
	}
}

// A certificate S-360's address cannot vouch for (a proxy intercepting TLS,
// a wrong address) is no contact: the status says offline, not online with
// an error.
func TestRefusedCertificateIsOffline(t *testing.T) {
	r := newRig(t, simSettings(), 5)
	if _, err := r.engine.RunCycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !r.engine.Status().Online {
		t.Fatal("not online after a good cycle")
	}
	r.clock.Advance(time.Hour)
	r.remote.failAll["exportList"] = core.Wrap(core.EInvalid, x509.UnknownAuthorityError{},
		"The S-360 server's certificate is not trusted")
	if _, err := r.engine.RunCycle(context.Background()); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("err %v", err)
	}
	if st := r.engine.Status(); st.Online {
		t.Fatalf("online after a refused certificate: %+v", st)
	}
}
