// Package bench is s360gate's benchmark runner (`s360gate bench`): it
// measures, on the machine it runs on, what a station does with a big
// ticket list — the first full export, the raw store limit it is compared
// with, the store's readiness after a restart, incremental sync cycles, the
// gate's decisions and the upload of controls — through the product's own
// code: the S-360 client, the sync engine and the SQLite store, against the
// in-process simulator over real loopback HTTP.
//
// The simulator is not throttled (no rate limit, no injected latency) and
// the client's own request budget is lifted (s360.Config.Unlimited): that
// is the only difference from the product's path, and it is what makes a
// 200-page export a measure of the station rather than of S-360's 60
// requests a minute. (It also spares the store committing the page being
// stored whenever a budgeted call is recorded; with a budget, pages come
// far slower than the store writes them anyway.)
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/internal/cputime"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/syncer"
	"s360gate/core/words"
)

// Defaults of Options.
const (
	DefaultTickets  = 1_000_000
	DefaultPageSize = 5000
	DefaultScans    = 10_000
	DefaultUploads  = 10_000
	// DBName and RawDBName are the files the run creates in its directory.
	DBName    = "bench.db"
	RawDBName = "bench-raw.db"
	// Gate is the bench station's gate: one of the simulator's entrances.
	Gate = "N1"
)

// Options of a run. Zero fields take the defaults.
type Options struct {
	Tickets  int   // N: initial tickets of the simulated list
	PageSize int   // exportList nbMaxResults
	Scans    int   // scans decided in the scan phase
	Uploads  int   // pending controls uploaded in the upload phase
	Seed     int64 // simulator data seed (default 1)
	// DataDir is where the databases go: bench.db is made afresh there and
	// kept after the run (the raw baseline's is removed). "" = a temporary
	// directory, removed afterwards.
	DataDir  string
	Progress io.Writer // progress lines (stderr); nil = none
}

func (o *Options) fill() {
	if o.Tickets <= 0 {
		o.Tickets = DefaultTickets
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.Scans <= 0 {
		o.Scans = DefaultScans
	}
	if o.Uploads <= 0 {
		o.Uploads = DefaultUploads
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// Result is everything a run measured. Its JSON field names are a contract
// (scripts compare runs): add, never rename.
type Result struct {
	Machine   Machine   `json:"machine"`
	Tickets   int       `json:"tickets"` // N asked of the simulator
	PageSize  int       `json:"page_size"`
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"` // the whole run

	Ingest    Ingest  `json:"ingest"`
	Raw       Raw     `json:"raw"`
	IngestRaw float64 `json:"ingest_vs_raw"` // ingest tickets/s ÷ raw tickets/s
	// RawExportTxn is the raw store limit again with the export's own
	// transaction size (sqlite.ExportTxnRows) instead of one transaction
	// per page: the export commits many pages at once, so this is the
	// limit it is really up against.
	RawExportTxn       Raw        `json:"raw_export_txn"`
	IngestRawExportTxn float64    `json:"ingest_vs_raw_export_txn"`
	StoreReady         StoreReady `json:"store_ready"`
	IncrEmpty          Cycle      `json:"incremental_empty"`
	IncrChange         Cycle      `json:"incremental_changed"`
	// IncrEmptyCtl is the cycle with nothing new again at the end of the
	// run, when the store also holds the scan phase's controls (uploaded):
	// an event day's store, not just a ticket list.
	IncrEmptyCtl Cycle `json:"incremental_empty_with_controls"`
	Scan         Scan  `json:"scan"`
	// ScanDuringSync is the gate while an event-day sync stores changes:
	// scans made one after another during a cycle that brings 1% of N
	// changed tickets (the store lets a waiting scan through its export
	// transaction; see core/sqlite's exportWriter).
	ScanDuringSync Scan   `json:"scan_during_sync"`
	Upload         Upload `json:"upload"`
	Memory         Memory `json:"memory"`
	DBBytes        int64  `json:"db_bytes"` // the store's files after the run

	Targets []Target `json:"targets"`
}

// Ingest is the first full export: every page fetched, decoded, stored and
// its cursor committed, by one sync cycle of the engine.
type Ingest struct {
	Seconds      float64 `json:"seconds"`
	Tickets      int     `json:"tickets"` // ticket rows stored (barcodes)
	Items        int     `json:"items"`   // GREY items received (a barcode may come more than once)
	Pages        int     `json:"pages"`
	TicketsPerS  float64 `json:"tickets_per_s"`
	ItemsPerS    float64 `json:"items_per_s"`
	Drained      bool    `json:"drained"`
	CycleSeconds float64 `json:"cycle_seconds"` // the whole RunCycle, status refresh included
	// CPUSeconds is the process's CPU time (all threads: simulator,
	// client, store) over the cycle; CPUPerTicketUS divides it by Tickets.
	CPUSeconds     float64 `json:"cpu_seconds"`
	CPUPerTicketUS float64 `json:"cpu_us_per_ticket"`
	// What the process wrote (WAL, checkpoints, cursor, call log) per
	// ticket stored, in bytes and in write system calls (/proc/self/io).
	WriteBytesPerTicket float64 `json:"write_bytes_per_ticket"`
	WriteCallsPerTicket float64 `json:"write_calls_per_ticket"`
}

// Raw is the raw store limit: the same ticket rows inserted into an
// identical table, one prepared INSERT per page transaction, no HTTP, no
// JSON (sqlite.RawBaseline).
type Raw struct {
	Seconds     float64 `json:"seconds"`
	Tickets     int     `json:"tickets"`
	TicketsPerS float64 `json:"tickets_per_s"`
	// CPU time of the whole phase, reading the rows back included.
	CPUSeconds float64 `json:"cpu_seconds"`
}

// StoreReady is a restart with the full store: Open (schema check,
// statements), the first ticket counts, the first scan.
type StoreReady struct {
	OpenMS      float64 `json:"open_ms"`
	CountsMS    float64 `json:"counts_ms"`
	FirstScanMS float64 `json:"first_scan_ms"`
	TotalMS     float64 `json:"total_ms"`
}

// Cycle is one or more sync cycles (RunCycle, end to end).
type Cycle struct {
	MS      float64   `json:"ms"` // median
	MinMS   float64   `json:"min_ms"`
	MaxMS   float64   `json:"max_ms"`
	Runs    []float64 `json:"runs_ms"`
	Changed int       `json:"changed"` // tickets changed at the simulator before the cycle
	Items   int       `json:"items"`   // items the cycle received
	Pages   int       `json:"pages"`
}

// Scan is the gate phase.
type Scan struct {
	Scans      int            `json:"scans"`
	P50US      float64        `json:"p50_us"`
	P99US      float64        `json:"p99_us"`
	MaxUS      float64        `json:"max_us"`
	MeanUS     float64        `json:"mean_us"`
	ScansPerS  float64        `json:"scans_per_s"`
	Reasons    map[string]int `json:"reasons"`    // verdict reasons seen
	Unexpected int            `json:"unexpected"` // verdicts other than the mix planned (should be 0)
}

// Upload is the engine's upload of pending controls.
type Upload struct {
	Controls int     `json:"controls"` // pending before the cycle
	Uploaded int     `json:"uploaded"`
	Rejected int     `json:"rejected"`
	Calls    int     `json:"calls"`
	Seconds  float64 `json:"seconds"`
}

// Run runs the benchmark. It takes minutes with the default million
// tickets; ctx stops it.
func Run(ctx context.Context, o Options) (*Result, error) {
	o.fill()
	start := time.Now()
	res := &Result{Machine: machine(), Tickets: o.Tickets, PageSize: o.PageSize, StartedAt: start.UTC()}
	pr := newProgress(o.Progress)
	defer pr.done()
	mw := startMemWatch()

	dir := o.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "s360gate-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path, rawPath := filepath.Join(dir, DBName), filepath.Join(dir, RawDBName)
	for _, p := range []string{path, rawPath} {
		if err := removeDB(p); err != nil {
			return nil, err
		}
	}
	defer removeDB(rawPath)

	r := &run{o: o, res: res, pr: pr, mw: mw, path: path, log: quietLog()}
	pr.note("bench: simulating %s tickets (seed %d), pages of %s, store in %s", thousands(o.Tickets), o.Seed, thousands(o.PageSize), dir)
	r.sim = s360sim.New(s360sim.Config{Tickets: o.Tickets, Seed: o.Seed, RateLimit: -1})
	endpoint, stop, err := r.sim.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the simulator: %w", err)
	}
	defer stop()
	r.settings = settingsFor(r.sim, endpoint, o.PageSize)
	defer r.close()

	for _, ph := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"ingest", r.ingest},
		{"raw", r.raw},
		{"ready", r.ready},
		{"incremental", r.incremental},
		{"scan", r.scan},
		{"upload", r.upload},
		{"scan", r.scanDuringSync},
		{"incremental", r.incrementalAfter},
	} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := mw.phase(ph.name)
		err := ph.fn(ctx)
		end()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
	}
	r.close()
	res.DBBytes = dbBytes(path)
	res.Memory = mw.finish()
	res.Machine.LoadEnd = loadAvg()
	res.Seconds = time.Since(start).Seconds()
	res.Targets = targets(res)
	pr.note("bench: done in %.1f s", res.Seconds)
	return res, nil
}

// run is one benchmark run's state.
type run struct {
	o        Options
	res      *Result
	pr       *progress
	mw       *memWatch
	log      logrus.FieldLogger
	path     string
	sim      *s360sim.Sim
	settings core.Settings
	db       *sqlite.DB
	engine   *syncer.Engine
	first    string // the barcode the store-ready scan used
}

func (r *run) close() {
	if r.db != nil {
		r.db.Close()
		r.db = nil
	}
}

// settingsFor is a station pointed at the simulator, at gate N1, for the
// simulator's season and products.
func settingsFor(sim *s360sim.Sim, endpoint string, pageSize int) core.Settings {
	c := sim.Config()
	return core.Settings{
		Environment: core.EnvSim,
		Endpoint:    endpoint,
		Institution: c.Institution,
		Operator:    c.Operator,
		Password:    c.Password,
		Season:      c.Season,
		Products:    c.Products,
		PageSize:    pageSize,
		Station:     "BENCH1",
		Gate:        Gate,
		Direction:   core.DirectionIn,
	}.Defaults()
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.ErrorLevel)
	return l
}

// open opens the store and wires client and engine on it as the product
// does (cli's stack): every S-360 call is recorded in the store.
func (r *run) open() error {
	db, err := sqlite.Open(r.path)
	if err != nil {
		return err
	}
	r.db = db
	return r.wire()
}

func (r *run) wire() error {
	cfg := s360.ConfigFrom(r.settings)
	cfg.Log = r.log
	cfg.Unlimited = true
	db := r.db
	cfg.OnCall = func(c core.Call) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = db.RecordCall(ctx, c)
	}
	cl, err := s360.New(cfg)
	if err != nil {
		return err
	}
	r.engine = syncer.New(syncer.Options{Settings: r.settings, Remote: cl, Store: db, Log: r.log})
	return nil
}

// cycle runs one sync cycle and times it end to end.
func (r *run) cycle(ctx context.Context) (syncer.CycleReport, time.Duration, error) {
	t0 := time.Now()
	rep, err := r.engine.RunCycle(ctx)
	d := time.Since(t0)
	if err == nil && !rep.Drained {
		err = errors.New("the export did not reach the end of the list")
	}
	return rep, d, err
}

// ---- 1. full export ingest ------------------------------------------------

func (r *run) ingest(ctx context.Context) error {
	if err := r.open(); err != nil {
		return err
	}
	total := r.o.Tickets
	cpu0, io0 := cputime.Process(), ioNow()
	cancel := r.engine.Subscribe(func(st core.SyncStatus) {
		if st.Running && st.Phase == "export" {
			r.pr.update("ingest", st.Received, max(total, st.Received), "tickets")
		}
	})
	rep, d, err := r.cycle(ctx)
	cpu, io1 := cputime.Process()-cpu0, ioNow()
	cancel()
	if err != nil {
		return err
	}
	tc, err := r.db.TicketCounts(ctx)
	if err != nil {
		return err
	}
	in := &r.res.Ingest
	in.Seconds = rep.ExportTook.Seconds()
	in.CycleSeconds = d.Seconds()
	in.Tickets = tc.Valid + tc.Invalid
	in.Items, in.Pages, in.Drained = rep.Tickets, rep.Pages, rep.Drained
	in.TicketsPerS = float64(in.Tickets) / in.Seconds
	in.ItemsPerS = float64(in.Items) / in.Seconds
	in.CPUSeconds = cpu.Seconds()
	in.CPUPerTicketUS = float64(cpu.Microseconds()) / float64(max(in.Tickets, 1))
	in.WriteBytesPerTicket = float64(io1.wchar-io0.wchar) / float64(max(in.Tickets, 1))
	in.WriteCallsPerTicket = float64(io1.syscw-io0.syscw) / float64(max(in.Tickets, 1))
	r.pr.note("ingest: %s tickets (%s items, %d pages) in %.2f s = %s tickets/s",
		thousands(in.Tickets), thousands(in.Items), in.Pages, in.Seconds, thousands(int(in.TicketsPerS)))
	return nil
}

// ---- 2. raw store limit -----------------------------------------------------

// raw copies the stored ticket rows, page by page, into a fresh database
// with plain INSERTs; only the insert transactions are timed. The store is
// closed first so that two page caches are never held at once (the peak
// memory is the station's, not the benchmark's).
func (r *run) raw(ctx context.Context) error {
	r.close()
	for _, m := range []struct {
		what  string
		rows  int // per transaction
		raw   *Raw
		ratio *float64
	}{
		{"raw", r.o.PageSize, &r.res.Raw, &r.res.IngestRaw},
		{"raw, export's transactions", sqlite.ExportTxnRows, &r.res.RawExportTxn, &r.res.IngestRawExportTxn},
	} {
		if err := r.rawOnce(ctx, m.what, m.rows, m.raw, m.ratio); err != nil {
			return err
		}
	}
	return nil
}

// rawOnce measures the raw store limit with rows tickets per transaction.
func (r *run) rawOnce(ctx context.Context, what string, rows int, rw *Raw, ratio *float64) error {
	rawPath := filepath.Join(filepath.Dir(r.path), RawDBName)
	defer removeDB(rawPath)
	cpu0 := cputime.Process()
	n, took, err := RawIngestFrom(ctx, r.path, rawPath, rows, func(done int) {
		r.pr.update(what, done, max(r.res.Ingest.Tickets, done), "tickets")
	})
	if err != nil {
		return err
	}
	rw.Tickets, rw.Seconds = n, took.Seconds()
	rw.CPUSeconds = (cputime.Process() - cpu0).Seconds()
	if rw.Seconds > 0 {
		rw.TicketsPerS = float64(n) / rw.Seconds
	}
	if rw.TicketsPerS > 0 {
		*ratio = r.res.Ingest.TicketsPerS / rw.TicketsPerS
	}
	r.pr.note("%s: %s tickets in %.2f s = %s tickets/s; ingest = %.2f × that",
		what, thousands(n), rw.Seconds, thousands(int(rw.TicketsPerS)), *ratio)
	return nil
}

// ---- 3. store ready ---------------------------------------------------------

// ready reopens the full store as the app does at startup and times it to
// the first durable scan.
func (r *run) ready(ctx context.Context) error {
	valid := ""
	for _, s := range r.sim.Samples() {
		if s.Kind == "valid" {
			valid = s.Barcode
			break
		}
	}
	t0 := time.Now()
	db, err := sqlite.Open(r.path)
	if err != nil {
		return err
	}
	r.db = db
	t1 := time.Now()
	if _, err := db.TicketCounts(ctx); err != nil {
		return err
	}
	t2 := time.Now()
	v, err := db.Scan(ctx, core.ScanRequest{Code: valid, Checkpoint: r.settings.Checkpoint(), Now: time.Now()})
	if err != nil {
		return err
	}
	t3 := time.Now()
	if v.Outcome != core.Admit {
		return fmt.Errorf("the first scan of a valid ticket was %s (%s)", v.Reason, core.Speak(words.EN, nil).Verdict(&v))
	}
	r.first = valid
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r.res.StoreReady = StoreReady{OpenMS: ms(t1.Sub(t0)), CountsMS: ms(t2.Sub(t1)), FirstScanMS: ms(t3.Sub(t2)), TotalMS: ms(t3.Sub(t0))}
	r.pr.note("ready: open %.1f ms, counts %.1f ms, first scan %.1f ms", ms(t1.Sub(t0)), ms(t2.Sub(t1)), ms(t3.Sub(t2)))
	return r.wire()
}

// ---- 4. incremental cycles --------------------------------------------------

// emptyRuns is how many cycles with nothing new are timed (the median is
// the figure; min and max show the spread).
const emptyRuns = 7

// empty times emptyRuns cycles with nothing to export or upload.
func (r *run) empty(ctx context.Context, ie *Cycle, what string) error {
	for i := 0; i < emptyRuns; i++ {
		r.pr.update("incremental ("+what+")", i, emptyRuns, "cycles")
		rep, d, err := r.cycle(ctx)
		if err != nil {
			return err
		}
		if rep.Tickets != 0 || rep.Uploaded != 0 {
			return fmt.Errorf("a cycle with nothing new received %d items and uploaded %d controls", rep.Tickets, rep.Uploaded)
		}
		ie.Runs = append(ie.Runs, float64(d.Microseconds())/1000)
		ie.Pages += rep.Pages
	}
	ie.MS, ie.MinMS, ie.MaxMS = spread(ie.Runs)
	r.pr.note("incremental, %s: median %.1f ms (%.1f–%.1f ms over %d cycles)", what, ie.MS, ie.MinMS, ie.MaxMS, emptyRuns)
	return nil
}

// incrementalAfter: nothing new again, on the event day's store.
func (r *run) incrementalAfter(ctx context.Context) error {
	return r.empty(ctx, &r.res.IncrEmptyCtl, "nothing new, with the controls")
}

func (r *run) incremental(ctx context.Context) error {
	// One cycle untimed: it uploads the store-ready scan's control and
	// opens the client's connection, as a running station's engine has.
	if _, _, err := r.cycle(ctx); err != nil {
		return err
	}
	if err := r.empty(ctx, &r.res.IncrEmpty, "nothing new"); err != nil {
		return err
	}

	// 1% of N changes: half cancelled, half newly sold.
	changes := max(2, r.o.Tickets/100)
	cancels := changes / 2
	r.pr.update("incremental (1% changed)", 0, changes, "changes")
	targets := r.pickValid(cancels)
	for _, b := range targets {
		if err := r.sim.Cancel(b, "REFUND_REQUESTED"); err != nil {
			return fmt.Errorf("cancel %s at the simulator: %w", b, err)
		}
	}
	sold := r.sim.Sell(changes-len(targets), "")
	ic := &r.res.IncrChange
	ic.Changed = len(targets) + len(sold)
	rep, d, err := r.cycle(ctx)
	if err != nil {
		return err
	}
	ic.Runs = []float64{float64(d.Microseconds()) / 1000}
	ic.MS, ic.MinMS, ic.MaxMS = spread(ic.Runs)
	ic.Items, ic.Pages = rep.Tickets, rep.Pages
	r.pr.note("incremental, %s changed: %.1f ms (%s items, %d pages)", thousands(ic.Changed), ic.MS, thousands(ic.Items), ic.Pages)
	return nil
}

// pickValid picks n valid barcodes spread over the whole list.
func (r *run) pickValid(n int) []string {
	if n <= 0 {
		return nil
	}
	stride := max(1, r.o.Tickets/n/2)
	out := make([]string, 0, n)
	i := 0
	r.sim.AllItems(func(it s360sim.Item) bool {
		i++
		if i%stride == 0 && it.State == "VALID" && it.Barcode != r.first {
			out = append(out, it.Barcode)
		}
		return len(out) < n
	})
	return out
}

func spread(ms []float64) (median, lo, hi float64) {
	if len(ms) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	return s[len(s)/2], s[0], s[len(s)-1]
}

// ---- 5. scans ---------------------------------------------------------------

// The scan mix, in percent: what a gate meets.
const (
	mixAdmit     = 50 // valid ticket of this event at this gate, first scan
	mixUsed      = 15 // a ticket admitted earlier in the run, again
	mixDead      = 10 // cancelled or invalidated
	mixUnknown   = 10 // not in the list
	mixWrongGate = 15 // valid, another entrance
)

type scanKind int

const (
	kAdmit scanKind = iota
	kUsed
	kDead
	kUnknown
	kWrongGate
)

var expected = map[scanKind][]core.Reason{
	kAdmit:     {core.ReasonOK},
	kUsed:      {core.ReasonAlreadyUsed},
	kDead:      {core.ReasonCancelled, core.ReasonInvalidated},
	kUnknown:   {core.ReasonUnknown},
	kWrongGate: {core.ReasonWrongGate},
}

// samples are tickets of the simulator's current truth (which the store
// now holds) sorted by what a scan of them must answer.
type samples struct {
	admit, wrongGate, dead []string
}

func (r *run) samples(n int) samples {
	want := func(pct int) int { return n*pct/100 + 1 }
	var s samples
	p0 := r.settings.Products[0] // the other products play on later days
	r.sim.AllItems(func(it s360sim.Item) bool {
		switch {
		case it.Barcode == r.first:
		case it.State == "VALID" && it.ProductCode == p0 && it.EntranceCode == Gate:
			if len(s.admit) < want(mixAdmit) {
				s.admit = append(s.admit, it.Barcode)
			}
		case it.State == "VALID" && it.ProductCode == p0:
			if len(s.wrongGate) < want(mixWrongGate) {
				s.wrongGate = append(s.wrongGate, it.Barcode)
			}
		case it.State != "VALID" && it.CancellationCause != "BLACKLISTED":
			// S-360 refuses controls of blacklisted tickets: they would
			// measure the refusal handling, not the upload.
			if len(s.dead) < want(mixDead) {
				s.dead = append(s.dead, it.Barcode)
			}
		}
		return len(s.admit) < want(mixAdmit) || len(s.wrongGate) < want(mixWrongGate) || len(s.dead) < want(mixDead)
	})
	return s
}

func (r *run) scan(ctx context.Context) error {
	n := r.o.Scans
	s := r.samples(n)
	rng := rand.New(rand.NewPCG(uint64(r.o.Seed), 0x5CA7))
	type planned struct {
		code string
		kind scanKind
	}
	var admitted []string
	plan := make([]planned, 0, n)
	for len(plan) < n {
		k := kUnknown
		switch x := rng.IntN(100); {
		case x < mixAdmit:
			k = kAdmit
		case x < mixAdmit+mixUsed:
			k = kUsed
		case x < mixAdmit+mixUsed+mixDead:
			k = kDead
		case x < mixAdmit+mixUsed+mixDead+mixWrongGate:
			k = kWrongGate
		}
		// A small list runs out of some kinds: scan an admitted ticket again.
		switch {
		case k == kAdmit && len(s.admit) == 0, k == kDead && len(s.dead) == 0, k == kWrongGate && len(s.wrongGate) == 0:
			k = kUsed
		}
		if k == kUsed && len(admitted) == 0 {
			if len(s.admit) == 0 {
				k = kUnknown
			} else {
				k = kAdmit
			}
		}
		var code string
		switch k {
		case kAdmit:
			code, s.admit = s.admit[0], s.admit[1:]
			admitted = append(admitted, code)
		case kUsed:
			code = admitted[rng.IntN(len(admitted))]
		case kDead:
			code, s.dead = s.dead[0], s.dead[1:]
		case kWrongGate:
			code, s.wrongGate = s.wrongGate[0], s.wrongGate[1:]
		case kUnknown:
			code = fmt.Sprintf("99%020d", rng.Uint64()%1e18)
		}
		plan = append(plan, planned{code, k})
	}

	cp := r.settings.Checkpoint()
	lat := make([]time.Duration, 0, n)
	sc := &r.res.Scan
	sc.Reasons = map[string]int{}
	t0 := time.Now()
	for i, p := range plan {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			r.pr.update("scan", i, n, "scans")
		}
		s0 := time.Now()
		v, err := r.db.Scan(ctx, core.ScanRequest{Code: p.code, Checkpoint: cp, Now: s0})
		lat = append(lat, time.Since(s0))
		if err != nil {
			return err
		}
		sc.Reasons[string(v.Reason)]++
		if !slices.Contains(expected[p.kind], v.Reason) {
			sc.Unexpected++
		}
	}
	summarize(sc, lat, time.Since(t0))
	r.pr.note("scan: %s scans, p50 %.0f µs, p99 %.0f µs, max %.0f µs, %s scans/s",
		thousands(n), sc.P50US, sc.P99US, sc.MaxUS, thousands(int(sc.ScansPerS)))
	return nil
}

// scanDuringSync scans while a cycle stores 1% of N changes.
func (r *run) scanDuringSync(ctx context.Context) error {
	changes := max(2, r.o.Tickets/100)
	picked := r.pickValid(changes/2 + 4000)
	cancels := min(changes/2, len(picked)/2)
	for _, b := range picked[:cancels] {
		if err := r.sim.Cancel(b, "REFUND_REQUESTED"); err != nil {
			return fmt.Errorf("cancel %s at the simulator: %w", b, err)
		}
	}
	r.sim.Sell(changes-cancels, "")
	codes := picked[cancels:]
	type result struct {
		rep syncer.CycleReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, _, err := r.cycle(ctx)
		done <- result{rep, err}
	}()
	cp := r.settings.Checkpoint()
	var lat []time.Duration
	sc := &r.res.ScanDuringSync
	sc.Reasons = map[string]int{}
	t0 := time.Now()
	var res result
loop:
	for i := 0; ; i++ {
		select {
		case res = <-done:
			break loop
		default:
		}
		s0 := time.Now()
		v, err := r.db.Scan(ctx, core.ScanRequest{Code: codes[i%len(codes)], Checkpoint: cp, Now: s0})
		lat = append(lat, time.Since(s0))
		if err != nil {
			<-done
			return err
		}
		sc.Reasons[string(v.Reason)]++
	}
	if res.err != nil {
		return res.err
	}
	if res.rep.Tickets < changes {
		return fmt.Errorf("the cycle received %d items for %d changes", res.rep.Tickets, changes)
	}
	summarize(sc, lat, time.Since(t0))
	r.pr.note("scan during a sync of %s changes: %s scans, p50 %.0f µs, p99 %.0f µs, max %.0f µs",
		thousands(changes), thousands(sc.Scans), sc.P50US, sc.P99US, sc.MaxUS)
	// The controls just made are uploaded by a cycle of their own, so that
	// the cycles timed next have nothing to send.
	_, _, err := r.cycle(ctx)
	return err
}

// summarize fills the latency figures of sc.
func summarize(sc *Scan, lat []time.Duration, wall time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	sc.Scans = len(lat)
	sc.P50US = us(lat[len(lat)/2])
	sc.P99US = us(lat[min(len(lat)-1, len(lat)*99/100)])
	sc.MaxUS = us(lat[len(lat)-1])
	sc.MeanUS = us(sum / time.Duration(len(lat)))
	sc.ScansPerS = float64(len(lat)) / wall.Seconds()
}

// ---- 6. upload --------------------------------------------------------------

func (r *run) upload(ctx context.Context) error {
	cc, err := r.db.ControlCounts(ctx, time.Time{})
	if err != nil {
		return err
	}
	// Top up to the planned number with scans of tickets already in
	// (ALREADY_USED, which S-360 is told of too). Untimed.
	if cc.Pending < r.o.Uploads {
		var again []string
		r.sim.AllItems(func(it s360sim.Item) bool {
			if it.State == "VALID" && it.CancellationCause != "BLACKLISTED" {
				again = append(again, it.Barcode)
			}
			return len(again) < 64
		})
		cp := r.settings.Checkpoint()
		for i := cc.Pending; i < r.o.Uploads; i++ {
			r.pr.update("upload (preparing)", i, r.o.Uploads, "controls")
			if _, err := r.db.Scan(ctx, core.ScanRequest{Code: again[i%len(again)], Checkpoint: cp, Now: time.Now()}); err != nil {
				return err
			}
		}
		if cc, err = r.db.ControlCounts(ctx, time.Time{}); err != nil {
			return err
		}
	}
	before := r.sim.Stats().Requests["importControlledTicket"]
	r.pr.update("upload", 0, cc.Pending, "controls")
	rep, _, err := r.cycle(ctx)
	if err != nil {
		return err
	}
	up := &r.res.Upload
	up.Controls, up.Uploaded, up.Rejected = cc.Pending, rep.Uploaded, rep.Rejected
	up.Calls = int(r.sim.Stats().Requests["importControlledTicket"] - before)
	up.Seconds = rep.UploadTook.Seconds()
	if rep.Pending != 0 {
		return fmt.Errorf("%d controls still pending after the upload", rep.Pending)
	}
	r.pr.note("upload: %s controls in %d calls, %.2f s", thousands(up.Uploaded), up.Calls, up.Seconds)
	return nil
}

// ---- files --------------------------------------------------------------------

func removeDB(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func dbBytes(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}
