package ui

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/sqlite"
)

// Test harness shared by the desk, status and settings tests.
//
// The test driver runs fyne.Do inline on whichever goroutine calls it, so
// the screens' worker goroutines would touch widgets while the test reads
// them. The harness swaps deskDo for a runner holding a mutex; the test
// reads and acts under the same mutex (h.ui), and polls with a bounded
// loop (h.eventually) instead of sleeping.

type uiHarness struct {
	t  *testing.T
	mu sync.Mutex
	w  fyne.Window
}

func newHarness(t *testing.T) *uiHarness {
	t.Helper()
	h := &uiHarness{t: t}
	test.NewTempApp(t)
	prev := deskDo
	deskDo = func(f func()) {
		h.mu.Lock()
		defer h.mu.Unlock()
		f()
	}
	t.Cleanup(func() { deskDo = prev })
	h.w = test.NewWindow(widget.NewLabel(""))
	t.Cleanup(func() {
		// Not NewTempWindow: a test may close the window itself, and the
		// test driver panics on a second Close.
		for _, w := range fyne.CurrentApp().Driver().AllWindows() {
			if w == h.w {
				h.ui(h.w.Close)
			}
		}
	})
	h.w.Resize(fyne.NewSize(1200, 800))
	return h
}

// ui runs f as if on the UI goroutine (serialised with the workers).
func (h *uiHarness) ui(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

// show puts a screen in the harness window, as app.go's tab would.
func (h *uiHarness) show(o fyne.CanvasObject) { h.ui(func() { h.w.SetContent(o) }) }

// eventually polls cond (under the UI lock) until it holds or 5 s pass.
func (h *uiHarness) eventually(what string, cond func() bool) {
	h.t.Helper()
	pollUntil(h.t, 5*time.Second, what, h.ui, cond)
}

// pollUntil checks cond, run through under (the UI lock), every few
// milliseconds until it holds; the test fails after limit. Screens answer
// from goroutines, so tests wait for what they show, never a fixed time.
func pollUntil(t *testing.T, limit time.Duration, what string, under func(func()), cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		under(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// text reads a string under the UI lock.
func (h *uiHarness) text(f func() string) string {
	var s string
	h.ui(func() { s = f() })
	return s
}

// testNow is a fixed clock: 13:10 local on the event day.
var testNow = time.Date(2026, 11, 27, 13, 10, 0, 0, time.Local)

func testSettings() core.Settings {
	s := core.Settings{
		Environment: core.EnvSim,
		Season:      "S26",
		Products:    []string{"P1"},
		EventDate:   "2026-11-27",
		Station:     "DESK1",
		Direction:   core.DirectionIn,
		TariffRules: map[string]string{"CHILD": "AGE CHECK: under 16"},
	}
	return s.Defaults()
}

// Barcodes of the seeded tickets.
const (
	bcAda     = "100000000000000001"
	bcCharles = "100000000000000002"
	bcGrace   = "100000000000000003"
)

// seedDB opens a real store with three tickets: Ada (valid, child, already
// admitted once), Charles (cancelled, refused once), Grace Müller (valid,
// never scanned).
func seedDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "station.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	base := core.Ticket{SeasonCode: "S26", ProductCode: "P1", EntranceCode: "A", Sector: "B", Row: "7"}
	ada, charles, grace := base, base, base
	ada.Barcode, ada.TaxNumber, ada.State, ada.Seat = bcAda, "T26-00012", core.StateValid, "31"
	ada.AudienceSubCategoryCode = "CHILD"
	ada.Holder = core.Holder{FirstName: "Ada", LastName: "Lovelace", IDNumber: "X123", BirthDate: "2012-05-03", CountryCode: "CH"}
	charles.Barcode, charles.TaxNumber, charles.State, charles.Seat = bcCharles, "T26-00013", core.StateCancelled, "32"
	charles.CancellationCause = "REFUND_REQUESTED"
	charles.Holder = core.Holder{FirstName: "Charles", LastName: "Babbage"}
	grace.Barcode, grace.TaxNumber, grace.State, grace.Seat = bcGrace, "T26-00014", core.StateValid, "33"
	grace.Holder = core.Holder{FirstName: "Grace", LastName: "Müller"}
	page := core.ExportPage{Tickets: []core.Ticket{ada, charles, grace}, Cursor: "c1"}
	if err := db.ApplyPage(ctx, "S26|P1|", page); err != nil {
		t.Fatal(err)
	}
	gate := testSettings()
	gate.Station, gate.Gate = "GATE_A_LAPTOP1", "A"
	for _, bc := range []string{bcAda, bcCharles} {
		_, err := db.Scan(ctx, core.ScanRequest{Code: bc, Checkpoint: gate.Checkpoint(), Now: testNow.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func countControls(t *testing.T, db *sqlite.DB) int {
	t.Helper()
	n := 0
	err := db.Controls(context.Background(), core.ControlFilter{}, func(core.Control) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fakeRemote is S-360 as the desk and settings tests need it.
type fakeRemote struct {
	mu       sync.Mutex
	ticket   core.RemoteTicket
	err      error
	tz       string
	catalog  map[string][]core.CatalogEntry
	asked    []string
	released chan struct{} // when non-nil, calls wait for it
}

func (r *fakeRemote) ExportList(context.Context, core.ExportRequest) (core.ExportPage, error) {
	return core.ExportPage{}, nil
}
func (r *fakeRemote) ImportControls(context.Context, []core.Control) error { return nil }
func (r *fakeRemote) TestConnection(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tz, r.err
}
func (r *fakeRemote) ControlledTicket(_ context.Context, key string) (core.RemoteTicket, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, key)
	return r.ticket, r.err
}
func (r *fakeRemote) Catalog(_ context.Context, season string) ([]core.CatalogEntry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.catalog[season], r.err
}

// fakeSyncer publishes what the test tells it to.
type fakeSyncer struct {
	mu        sync.Mutex
	status    core.SyncStatus
	subs      map[int]func(core.SyncStatus)
	next      int
	syncErr   error
	syncCalls int
	cancelled int
}

func (f *fakeSyncer) SyncNow(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncCalls++
	return f.syncErr
}

func (f *fakeSyncer) Status() core.SyncStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeSyncer) Subscribe(fn func(core.SyncStatus)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(core.SyncStatus){}
	}
	id := f.next
	f.next++
	f.subs[id] = fn
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.subs, id)
			f.cancelled++
		})
	}
}

// publish delivers st to every subscriber, from another goroutine as the
// engine does; it returns when they have all been called.
func (f *fakeSyncer) publish(st core.SyncStatus) {
	f.mu.Lock()
	f.status = st
	fns := make([]func(core.SyncStatus), 0, len(f.subs))
	for _, fn := range f.subs {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); fn(st) }()
	}
	wg.Wait()
}

func (f *fakeSyncer) subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// fyneKeyReturn is the Enter key, as a scanner or a person sends it.
var fyneKeyReturn = fyne.KeyEvent{Name: fyne.KeyReturn}
