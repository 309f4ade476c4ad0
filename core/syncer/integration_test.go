package syncer

// Integration tests: the engine with the real S-360 client over loopback
// HTTP, the simulator behind it, and real SQLite files.

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/words"
)

type world struct {
	t        *testing.T
	sim      *s360sim.Sim
	client   *s360.Client
	probe    *probe
	path     string
	db       *sqlite.DB
	settings core.Settings
	sleeps   *clock // records the engine's backoff without waiting
	now      func() time.Time
}

func newWorld(t *testing.T, tickets int) *world {
	t.Helper()
	sim := s360sim.New(s360sim.Config{Tickets: tickets, Seed: 7})
	endpoint, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop() })
	cfg := sim.Config()
	client, err := s360.New(s360.Config{Endpoint: endpoint, Institution: cfg.Institution, Operator: cfg.Operator,
		Password: cfg.Password, Budget: 60, Timeout: 10 * time.Second, Log: quietLog(), Sleep: quickSleep})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, sim: sim, client: client, path: filepath.Join(t.TempDir(), "station.db"), sleeps: newClock(t0), now: time.Now}
	w.settings = core.Settings{Environment: core.EnvSim, Season: cfg.Season, Products: cfg.Products, PageSize: 100, Station: "GATE_N1_1"}.Defaults()
	w.probe = &probe{Remote: client, key: core.CursorKey(cfg.Season, cfg.Products, nil)}
	w.open()
	t.Cleanup(func() { _ = w.db.Close() })
	return w
}

// open (re)opens the store, as a restarted station does.
func (w *world) open() {
	w.t.Helper()
	if w.db != nil {
		if err := w.db.Close(); err != nil {
			w.t.Fatal(err)
		}
	}
	db, err := sqlite.Open(w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	w.db = db
	w.probe.setStore(db)
}

func (w *world) engine() *Engine {
	return New(Options{Settings: w.settings, Remote: w.probe, Store: w.db, Now: w.now, Sleep: w.sleeps.Sleep, Log: quietLog()})
}

func (w *world) cycle() CycleReport {
	w.t.Helper()
	rep, err := w.engine().RunCycle(context.Background())
	if err != nil {
		w.t.Fatalf("cycle: %v (report %+v)", err, rep)
	}
	return rep
}

// sameAsSim checks that the store holds exactly S-360's current truth.
func (w *world) sameAsSim() {
	w.t.Helper()
	ctx := context.Background()
	n := 0
	w.sim.AllItems(func(it s360sim.Item) bool {
		n++
		tk, err := w.db.Ticket(ctx, it.Barcode)
		if err != nil {
			w.t.Errorf("%s: %v", it.Barcode, err)
			return false
		}
		if tk.State != core.ParseState(it.State) || core.CancellationWords(tk.CancellationCause) != core.CancellationWords(it.CancellationCause) ||
			tk.TaxNumber != it.TaxNumber || tk.ProductCode != it.ProductCode || tk.EntranceCode != it.EntranceCode {
			w.t.Errorf("%s: store %+v, S-360 %+v", it.Barcode, tk, it)
			return false
		}
		return true
	})
	c, err := w.db.TicketCounts(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if c.Valid+c.Invalid != n {
		w.t.Fatalf("store holds %d tickets, S-360 %d", c.Valid+c.Invalid, n)
	}
}

// scanValid admits n valid tickets at the gate and returns their controls.
func (w *world) scanValid(n int) []core.Control {
	w.t.Helper()
	ctx := context.Background()
	var out []core.Control
	cp := w.settings.Checkpoint()
	w.sim.AllItems(func(it s360sim.Item) bool {
		if it.State != "VALID" || len(out) == n {
			return len(out) < n
		}
		at := time.Now()
		if !it.ValidFrom.IsZero() {
			at = it.ValidFrom.Add(time.Minute)
		}
		v, err := w.db.Scan(ctx, core.ScanRequest{Code: it.Barcode, Checkpoint: cp, Now: at})
		if err != nil {
			w.t.Fatal(err)
		}
		if v.Outcome == core.Admit && v.Control != nil {
			out = append(out, *v.Control)
		}
		return true
	})
	if len(out) != n {
		w.t.Fatalf("admitted %d, want %d", len(out), n)
	}
	return out
}

// quickSleep skips the client's own short retry waits (its limiter's longer
// waits stay real; these tests stay far under its budget).
func quickSleep(ctx context.Context, d time.Duration) error {
	if d > 3*time.Second {
		return core.Sleep(ctx, d)
	}
	return ctx.Err()
}

// probe sits between the engine and the client: it checks that every export
// request starts from the committed cursor or from the paginationEnd of the
// answer just before it (the engine asks for the next page while it stores
// the current one), counts pages, records what S-360 acknowledged, and can
// fail or cancel on demand.
type probe struct {
	core.Remote
	key string

	mu          sync.Mutex
	store       core.TicketStore
	cursors     []string // paginationStart of every request
	stale       []string // requests from neither the committed cursor nor the last answer's
	lastEnd     *string  // paginationEnd of the last answer since the store was (re)opened
	pages       int
	cancelAfter int // cancel once this many pages were answered (0: never)
	cancel      func()
	exportErr   error
	importErr   error
	acked       []string // ids of controls in acknowledged imports
}

func (p *probe) setStore(s core.TicketStore) {
	p.mu.Lock()
	p.store = s
	p.lastEnd = nil // a restart starts from the committed cursor
	p.mu.Unlock()
}

func (p *probe) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	p.mu.Lock()
	committed, err := p.store.Cursor(ctx, p.key)
	if err == nil && committed != req.Cursor && (p.lastEnd == nil || *p.lastEnd != req.Cursor) {
		p.stale = append(p.stale, req.Cursor)
	}
	p.cursors = append(p.cursors, req.Cursor)
	fail := p.exportErr
	p.mu.Unlock()
	if fail != nil {
		return core.ExportPage{}, fail
	}
	page, err := p.Remote.ExportList(ctx, req)
	if err == nil {
		p.mu.Lock()
		p.pages++
		p.lastEnd = &page.Cursor
		if p.pages == p.cancelAfter {
			p.cancel()
		}
		p.mu.Unlock()
	}
	return page, err
}

func (p *probe) ImportControls(ctx context.Context, cs []core.Control) error {
	p.mu.Lock()
	fail := p.importErr
	p.mu.Unlock()
	if fail != nil {
		return fail
	}
	err := p.Remote.ImportControls(ctx, cs)
	if err == nil {
		p.mu.Lock()
		p.acked = append(p.acked, ids(cs)...)
		p.mu.Unlock()
	}
	return err
}

// ackedOnce checks that each of want was acknowledged exactly once, and
// nothing else.
func (p *probe) ackedOnce(t *testing.T, want []core.Control) {
	t.Helper()
	p.mu.Lock()
	got := slices.Clone(p.acked)
	p.mu.Unlock()
	slices.Sort(got)
	w := ids(want)
	slices.Sort(w)
	if !slices.Equal(got, w) {
		t.Fatalf("acknowledged %d controls %v, want each of %d once", len(got), got, len(w))
	}
}

// A full export interrupted by a shutdown resumes from its committed cursor
// in a reopened store, asks for no page twice, and ends equal to S-360; then
// an incremental export brings only the changes.
func TestIntegrationExportResumesAcrossRestart(t *testing.T) {
	w := newWorld(t, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	w.probe.cancelAfter, w.probe.cancel = 4, cancel
	if _, err := w.engine().RunCycle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted cycle: %v", err)
	}
	w.open() // restart
	rep := w.cycle()
	if !rep.Drained || rep.Pages < 10 {
		t.Fatalf("report %+v", rep)
	}
	w.sameAsSim()

	p := w.probe
	if len(p.stale) > 0 {
		t.Fatalf("requests not from the committed cursor: %q", p.stale)
	}
	seen := map[string]bool{}
	for _, c := range p.cursors {
		if seen[c] {
			t.Fatalf("cursor %q asked twice", c)
		}
		seen[c] = true
	}
	if got := w.sim.Stats().Requests["exportList"]; got != int64(len(p.cursors)) {
		t.Fatalf("S-360 served %d exportList, the engine asked %d", got, len(p.cursors))
	}

	// Incremental: only what changed since.
	sold := w.sim.Sell(3, "")
	if err := w.sim.Cancel(sold[0], "PAYMENT_FAILED"); err != nil {
		t.Fatal(err)
	}
	before := len(p.cursors)
	rep = w.cycle()
	if rep.Pages != 2 || rep.Tickets != 4 || len(p.cursors) != before+2 {
		t.Fatalf("incremental report %+v", rep)
	}
	w.sameAsSim()
	if !slices.Contains(p.cursors[:before], p.cursors[before]) {
		t.Fatal("the incremental export did not start from the stored cursor")
	}
}

// A ticket cancelled in S-360 after export is denied, with its cause, once
// the next sync brought the change.
func TestIntegrationCancelledAfterExportIsDenied(t *testing.T) {
	w := newWorld(t, 300)
	w.cycle()
	var target s360sim.Item
	w.sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" && it.ProductCode == w.settings.Products[0] && it.TaxNumber != "" {
			target = it
		}
		return target.Barcode == ""
	})
	if err := w.sim.Cancel(target.Barcode, "EVENT_POSTPONED"); err != nil {
		t.Fatal(err)
	}
	w.cycle()
	v, err := w.db.Scan(context.Background(), core.ScanRequest{Code: target.Barcode, Checkpoint: w.settings.Checkpoint(), Now: target.ValidFrom.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Outcome != core.Deny || v.Reason != core.ReasonCancelled || !strings.Contains(core.Speak(words.EN, nil).Verdict(&v), "event postponed") {
		t.Fatalf("verdict %+v", v)
	}
}

// A ticket blacklisted after it was admitted: S-360 refuses its control,
// which is kept as rejected and never sent again, while the rest of its
// batch lands.
func TestIntegrationBlacklistedAfterAdmit(t *testing.T) {
	w := newWorld(t, 300)
	w.cycle()
	admitted := w.scanValid(6)
	black := admitted[2]
	if err := w.sim.Blacklist(black.Barcode); err != nil {
		t.Fatal(err)
	}
	e := w.engine()
	rep, err := e.RunCycle(context.Background())
	if err != nil || rep.Uploaded != 5 || rep.Rejected != 1 || rep.Pending != 0 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	rest := slices.DeleteFunc(slices.Clone(admitted), func(c core.Control) bool { return c.ID == black.ID })
	w.probe.ackedOnce(t, rest)
	got := w.sim.Controls()
	if len(got) != 5 || slices.ContainsFunc(got, func(c s360sim.ReceivedControl) bool { return c.Barcode == black.Barcode }) {
		t.Fatalf("S-360 received %+v", got)
	}
	st := e.Status()
	if len(st.Rejected) != 1 || st.Rejected[0].ID != black.ID || !strings.Contains(st.Rejected[0].UploadDetail, black.Barcode) {
		t.Fatalf("status rejected %+v", st.Rejected)
	}

	imports := w.sim.Stats().Requests["importControlledTicket"]
	w.cycle()
	if n := w.sim.Stats().Requests["importControlledTicket"]; n != imports {
		t.Fatalf("the rejected control was sent again (%d → %d calls)", imports, n)
	}
	v, err := w.db.Scan(context.Background(), core.ScanRequest{Code: black.Barcode, Checkpoint: w.settings.Checkpoint(), Now: black.At.Add(time.Minute)})
	if err != nil || v.Outcome != core.Deny {
		t.Fatalf("blacklisted ticket at the gate: %+v %v", v, err)
	}
	// Its denial (and a supervisor's override of it) costs S-360 no
	// import call: S-360 is known to refuse it.
	if _, err := w.db.Override(context.Background(), v.Control.ID, "holder shows a receipt", black.At.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rep := w.cycle(); rep.Uploaded+rep.Rejected != 0 || rep.Pending != 0 {
		t.Fatalf("report %+v", rep)
	}
	if n := w.sim.Stats().Requests["importControlledTicket"]; n != imports {
		t.Fatalf("controls of the blacklisted ticket were sent (%d → %d calls)", imports, n)
	}
}

// Controls reach S-360 exactly once across shutdowns and restarts.
func TestIntegrationUploadOnceAcrossRestarts(t *testing.T) {
	w := newWorld(t, 300)
	w.cycle()
	admitted := w.scanValid(7)

	// The station stops right after S-360 acknowledged the first batch.
	ctx, cancel := context.WithCancel(context.Background())
	e := New(Options{Settings: w.settings, Remote: &cancelOnImport{Remote: w.probe, cancel: cancel}, Store: w.db,
		Sleep: w.sleeps.Sleep, Log: quietLog(), UploadBatch: 3})
	if _, err := e.RunCycle(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted cycle: %v", err)
	}
	w.probe.ackedOnce(t, admitted[:3])
	w.open()
	w.cycle()
	w.open()
	w.cycle()
	w.probe.ackedOnce(t, admitted)
	if got := w.sim.Controls(); len(got) != 7 {
		t.Fatalf("S-360 holds %d controls", len(got))
	}
	if c, _ := w.db.ControlCounts(context.Background(), time.Time{}); c.Pending != 0 {
		t.Fatalf("counts %+v", c)
	}
}

// The call policy holds with the real store: one production cycle an hour,
// across a restart; one a minute on event day.
func TestIntegrationPolicy(t *testing.T) {
	w := newWorld(t, 100)
	clk := newClock(time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local))
	w.now = clk.Now
	w.settings.Environment = core.EnvProduction
	w.settings.EventDate = "2026-12-24"
	start := clk.Now()
	w.cycle()
	served := w.sim.Stats().Requests["exportList"]

	clk.Advance(10 * time.Minute)
	w.open()
	_, err := w.engine().RunCycle(context.Background())
	refusedUntil(t, err, start.Add(time.Hour))
	if n := w.sim.Stats().Requests["exportList"]; n != served {
		t.Fatalf("S-360 called while refused (%d → %d)", served, n)
	}
	clk.Set(start.Add(time.Hour))
	w.cycle()

	w.settings.EventDay = true
	clk.Advance(30 * time.Second)
	_, err = w.engine().RunCycle(context.Background())
	refusedUntil(t, err, start.Add(time.Hour+time.Minute))
	clk.Advance(30 * time.Second)
	w.cycle()
}

// S-360 failing now and then (HTTP 500/502/503): retried within the cycle,
// and in the end every control is uploaded once and the store equals S-360.
func TestIntegrationTransientFailures(t *testing.T) {
	w := newWorld(t, 1500)
	w.cycle()
	admitted := w.scanValid(80)
	w.sim.Sell(50, "")
	w.sim.SetFaults(s360sim.Faults{ErrorRate: 0.35, Seed: 3})
	cycles, failed := 0, 0
	for ; cycles < 30; cycles++ {
		// One retry only, so that some cycles give up and the next catches up.
		e := New(Options{Settings: w.settings, Remote: w.probe, Store: w.db, Sleep: w.sleeps.Sleep, Log: quietLog(), UploadBatch: 5, Retries: 1})
		rep, err := e.RunCycle(context.Background())
		if err != nil {
			failed++
			if core.ErrorCode(err) != core.EUnavailable {
				t.Fatalf("not a transient error: %v", err)
			}
			continue
		}
		if rep.Pending == 0 && rep.Drained {
			break
		}
	}
	if failed == 0 || len(w.sleeps.Sleeps()) == 0 {
		t.Fatalf("no cycle gave up, or nothing was retried: %+v", w.sim.Stats())
	}
	w.sim.SetFaults(s360sim.Faults{})
	w.cycle()
	w.probe.ackedOnce(t, admitted)
	if got := w.sim.Controls(); len(got) != len(admitted) {
		t.Fatalf("S-360 holds %d controls", len(got))
	}
	w.sameAsSim()
	t.Logf("%d cycles (%d with errors), %d retries, %d faults", cycles+1, failed, len(w.sleeps.Sleeps()), w.sim.Stats().Faults)
}

// Damaged answers (cut, malformed) on the export are retried; the list ends
// equal to S-360's.
func TestIntegrationDamagedExportAnswers(t *testing.T) {
	w := newWorld(t, 1500)
	w.sim.SetFaults(s360sim.Faults{TruncateRate: 0.15, MalformRate: 0.15, Seed: 5})
	for range 20 {
		if rep, err := w.engine().RunCycle(context.Background()); err == nil && rep.Drained {
			break
		}
	}
	if w.sim.Stats().Faults == 0 {
		t.Fatal("no fault drawn")
	}
	w.sim.SetFaults(s360sim.Faults{})
	w.cycle()
	w.sameAsSim()
	if len(w.probe.stale) > 0 {
		t.Fatalf("requests not from the committed cursor: %q", w.probe.stale)
	}
}

// One half failing does not keep the other from working.
func TestIntegrationUploadFailureDoesNotBlockExport(t *testing.T) {
	w := newWorld(t, 300)
	w.cycle()
	admitted := w.scanValid(3)
	w.sim.Sell(5, "")
	w.probe.importErr = core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	rep, err := w.engine().RunCycle(context.Background())
	if err == nil || rep.UploadErr == nil || rep.ExportErr != nil || rep.Tickets != 5 || rep.Pending != 3 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	w.sameAsSim()

	w.probe.importErr = nil
	w.probe.exportErr = core.Errorf(core.EUnavailable, "S-360 cannot be reached")
	rep, err = w.engine().RunCycle(context.Background())
	if err == nil || rep.ExportErr == nil || rep.UploadErr != nil || rep.Uploaded != 3 {
		t.Fatalf("err %v report %+v", err, rep)
	}
	w.probe.ackedOnce(t, admitted)
}

// Wrong credentials: not retried, said in words.
func TestIntegrationAuth(t *testing.T) {
	w := newWorld(t, 50)
	msg, err := Preflight(context.Background(), w.client)
	if err != nil || msg != "Connected — S-360 answers, time zone "+s360sim.TimeZone {
		t.Fatalf("%q %v", msg, err)
	}
	w.cycle()
	w.scanValid(1)
	w.sim.SetPassword("changed")
	served := w.sim.Stats().Requests
	e := w.engine()
	_, err = e.RunCycle(context.Background())
	if core.ErrorCode(err) != core.EAuth {
		t.Fatalf("err %v", err)
	}
	st := w.sim.Stats()
	if st.Requests["exportList"] != served["exportList"]+1 || st.Requests["importControlledTicket"] != served["importControlledTicket"]+1 || len(w.sleeps.Sleeps()) != 0 {
		t.Fatalf("credentials retried: %+v", st)
	}
	if s := e.Status(); !strings.HasPrefix(s.LastError, "S-360 rejected the credentials") || s.Pending != 1 {
		t.Fatalf("status %+v", s)
	}
	if msg, err := Preflight(context.Background(), w.client); err == nil || !strings.HasPrefix(msg, "S-360 rejected the credentials") {
		t.Fatalf("%q %v", msg, err)
	}
}
