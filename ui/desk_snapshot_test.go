package ui

import (
	"image/png"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"s360gate/core"
)

// TestSnapshotScreens writes PNGs of the three screens when SNAPSHOT_DIR is
// set: a designer's check, not an assertion.
func TestSnapshotScreens(t *testing.T) {
	dir := os.Getenv("SNAPSHOT_DIR")
	if dir == "" {
		t.Skip("SNAPSHOT_DIR not set")
	}
	save := func(h *uiHarness, name string) {
		var err error
		h.ui(func() {
			// The GL driver re-lays out containers whose content grew on
			// every frame; the test canvas does not, so do it here.
			snapshotLayout(h.w.Content())
			snapshotLayout(h.w.Content())
			img := h.w.Canvas().Capture()
			f, e := os.Create(dir + "/" + name + ".png")
			if e != nil {
				err = e
				return
			}
			defer f.Close()
			err = png.Encode(f, img)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := &fakeRemote{ticket: core.RemoteTicket{
		Ticket:     core.Ticket{Barcode: bcAda, State: core.StateValid},
		Operations: []core.RemoteOperation{{Result: "OK", At: testNow.Add(-time.Hour), Device: "GATE_A_LAPTOP1"}},
	}}
	h, s, _ := newTestDesk(t, r)
	h.ui(func() { h.w.Resize(fyne.NewSize(1280, 800)) })
	h.search(s, deskModeTax, "T26-00012")
	h.shown(s, bcAda)
	h.ui(func() { test.Tap(s.detail.ask.btn) })
	h.eventually("answer", func() bool { return s.detail.ask.out.Text != "" })
	save(h, "desk")
	h.search(s, deskModeTax, "T26-00013")
	h.shown(s, bcCharles)
	save(h, "desk_cancelled")
	h.search(s, deskModeTax, "T26-99999")
	h.eventually("nf", func() bool { return !s.detail.showing })
	save(h, "desk_notfound")

	eng := &fakeSyncer{status: core.SyncStatus{Environment: core.EnvProduction}}
	h2, st := newTestStatus(t, eng)
	h2.ui(func() { h2.w.Resize(fyne.NewSize(1280, 800)) })
	eng.publish(core.SyncStatus{Environment: core.EnvProduction, Online: true, Running: true, Phase: "export", Received: 124000,
		LastExportOK: testNow.Add(-3 * time.Minute), LastUploadOK: testNow.Add(-3 * time.Minute), NextAllowed: testNow.Add(55 * time.Minute),
		Tickets: core.TicketCounts{Valid: 124000, Invalid: 321}, Pending: 3,
		Rejected: []core.Control{{Barcode: "7415628301550254", At: testNow.Add(-20 * time.Minute), Station: "GATE_B_2", Gate: "B",
			Upload: core.UploadRejected, UploadDetail: "Failed to import controlledTickets:7415628301550254"}},
		LastError: "S-360 refused the controls of 1 blacklisted ticket", LastErrorAt: testNow.Add(-20 * time.Minute)})
	h2.eventually("p", func() bool { return st.pending.Text != "" })
	save(h2, "status")

	f := newTestSettings(t, sandboxSettings())
	f.h.ui(func() {
		f.h.w.Resize(fyne.NewSize(1280, 1000))
		f.s.endpoint.SetText("http://example.com")
		f.s.pageSize.SetText("abc")
	})
	f.save()
	save(f.h, "settings")
}

func snapshotLayout(o fyne.CanvasObject) {
	switch v := o.(type) {
	case *fyne.Container:
		if v.Layout != nil {
			v.Layout.Layout(v.Objects, v.Size())
		}
		for _, c := range v.Objects {
			snapshotLayout(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(v)
		r.Layout(v.Size())
		for _, c := range r.Objects() {
			snapshotLayout(c)
		}
	}
}
