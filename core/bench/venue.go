package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
	"s360gate/core/bench/scanload"
	"s360gate/core/config"
	"s360gate/core/internal/cputime"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgserver"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/syncer"
)

// The venue's bench (`s360gate bench --venue`): the venue's PostgreSQL
// store under the load of a stadium, and the election of its S-360 client.
//
//   - export: a first export of N tickets from the simulator into the
//     venue's database, through the product's path (client, engine, the
//     syncer's fenced store, COPY), and a raw COPY of the same rows into an
//     identical table in the same run;
//   - scan: stations, each with its own connections, scanning at once as
//     fast as they can, each scan decided and committed durably
//     (core/bench/scanload, as the store's Go benchmark);
//   - failover: two stations running the real `s360gate sync` (the binary
//     the bench runs in), the venue's syncer killed (SIGKILL) several times:
//     the time from its death to the next S-360 call by the other.

// Defaults of VenueOptions.
const (
	DefaultVenueStations  = 20
	DefaultVenueScans     = 20_000
	DefaultVenueFailovers = 3
)

// Targets of the venue (issue 15), on the venue server.
const (
	TargetVenueScanP99MS   = 5
	TargetVenueScansPerS   = 2000
	TargetVenueExportPerS  = 50_000
	TargetVenueFailoverMax = 15 // seconds
)

// VenueOptions of a venue run. Zero fields take the defaults.
type VenueOptions struct {
	// DB is an empty database to measure on; "" starts a throw-away
	// PostgreSQL server (pgserver: needs its server binaries), removed at
	// the end.
	DB        string
	Tickets   int
	PageSize  int
	Stations  int
	Scans     int // in all, shared by the stations
	Failovers int
	// Exe is the s360gate binary the failover runs as stations ("": the
	// failover is not measured).
	Exe      string
	Progress io.Writer
}

// VenueResult is what a venue run measured. Its JSON names are a contract:
// add, never rename.
type VenueResult struct {
	Machine       Machine       `json:"machine"`
	Database      string        `json:"database"` // where: user@host:port/db
	ServerVersion string        `json:"server_version"`
	StartedServer bool          `json:"started_server"` // a throw-away server the bench started
	Tickets       int           `json:"tickets"`
	PageSize      int           `json:"page_size"`
	StartedAt     time.Time     `json:"started_at"`
	Seconds       float64       `json:"seconds"`
	Export        VenueExport   `json:"export"`
	RawCopy       Raw           `json:"raw_copy"`
	ExportVsRaw   float64       `json:"export_vs_raw_copy"`
	Scan          VenueScan     `json:"scan"`
	Failover      VenueFailover `json:"failover"`
	Split         VenueSplit    `json:"split"`
	Targets       []Target      `json:"targets"`
}

// VenueExport is the first export into the venue's database: every page
// fetched from the simulator, decoded, stored with COPY and its cursor
// committed (fenced), by one sync cycle of the syncer's engine.
type VenueExport struct {
	Seconds      float64 `json:"seconds"`
	Tickets      int     `json:"tickets"` // ticket rows stored (barcodes)
	Items        int     `json:"items"`   // GREY items received
	Pages        int     `json:"pages"`
	TicketsPerS  float64 `json:"tickets_per_s"`
	Drained      bool    `json:"drained"`
	CycleSeconds float64 `json:"cycle_seconds"` // the whole cycle, status refresh included
	// CPUSeconds is this process's CPU time over the cycle (simulator,
	// client, engine; the database server's is not in it).
	CPUSeconds float64 `json:"cpu_seconds"`
}

// VenueScan is the stations scanning at once.
type VenueScan struct {
	Stations  int     `json:"stations"`
	Scans     int     `json:"scans"`
	P50MS     float64 `json:"p50_ms"`
	P99MS     float64 `json:"p99_ms"`
	MaxMS     float64 `json:"max_ms"`
	ScansPerS float64 `json:"scans_per_s"`
}

// VenueFailover is the syncer's deaths and the takeovers.
type VenueFailover struct {
	Runs      []float64 `json:"runs_s"` // death → next S-360 call by another station
	MinS      float64   `json:"min_s"`
	MedianS   float64   `json:"median_s"`
	MaxS      float64   `json:"max_s"`
	LeaseTTLS float64   `json:"lease_ttl_s"`
	Skipped   string    `json:"skipped,omitempty"` // why it was not measured
}

func (o *VenueOptions) fill() {
	if o.Tickets <= 0 {
		o.Tickets = DefaultTickets
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.Stations <= 0 {
		o.Stations = DefaultVenueStations
	}
	if o.Scans <= 0 {
		o.Scans = DefaultVenueScans
	}
	if o.Failovers <= 0 {
		o.Failovers = DefaultVenueFailovers
	}
}

// venueRun is one venue run's state.
type venueRun struct {
	o        VenueOptions
	res      *VenueResult
	pr       *progress
	dsn      string
	db       *postgres.DB
	sim      *s360sim.Sim
	endpoint string
	settings core.Settings
	calls    *callLog
}

// RunVenue runs the venue's bench.
func RunVenue(ctx context.Context, o VenueOptions) (*VenueResult, error) {
	o.fill()
	start := time.Now()
	res := &VenueResult{Machine: machine(), Tickets: o.Tickets, PageSize: o.PageSize, StartedAt: start.UTC()}
	pr := newProgress(o.Progress)
	defer pr.done()
	r := &venueRun{o: o, res: res, pr: pr, dsn: o.DB}
	if r.dsn == "" {
		pr.note("bench: starting a PostgreSQL server of its own (fsync on, loopback)")
		srv, err := pgserver.Start()
		if err != nil {
			return nil, fmt.Errorf("start PostgreSQL (give --venue-db DSN to measure a server of yours): %w", err)
		}
		defer srv.Stop()
		dsn, _, err := srv.CreateDatabase(ctx)
		if err != nil {
			return nil, err
		}
		r.dsn, res.StartedServer = dsn, true
	}
	if err := r.open(ctx); err != nil {
		return nil, err
	}
	defer r.db.Close()

	r.sim = s360sim.New(s360sim.Config{Tickets: o.Tickets, Seed: 1, RateLimit: -1})
	r.calls = &callLog{}
	stop, err := r.serveSim()
	if err != nil {
		return nil, err
	}
	defer stop()
	c := r.sim.Config()
	r.settings = core.Settings{Environment: core.EnvSandbox, Endpoint: r.endpoint, Institution: c.Institution, Operator: c.Operator,
		Password: c.Password, Season: c.Season, Products: c.Products, PageSize: o.PageSize, Station: "BENCH"}.Defaults()

	for _, ph := range []struct {
		name string
		fn   func(context.Context) error
	}{{"export", r.export}, {"raw copy", r.rawCopy}, {"failover", r.failover}, {"scan", r.scan}, {"split", r.split}} {
		// (The failover runs before the scans: their controls would keep
		// the stations' syncer uploading, within the request budget, and
		// the budget, not the election, would decide when it next calls.)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := ph.fn(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
	}
	res.Machine.LoadEnd = loadAvg()
	res.Seconds = time.Since(start).Seconds()
	res.Targets = venueTargets(res)
	pr.note("bench: done in %.1f s", res.Seconds)
	return res, nil
}

// open connects to the venue database, which must be empty: the run
// writes a list and controls into it.
func (r *venueRun) open(ctx context.Context) error {
	a, _, err := postgres.CheckDSN(r.dsn, false)
	if err != nil {
		return err
	}
	r.res.Database = a.String()
	db, err := postgres.Open(ctx, r.dsn, postgres.AsStation("BENCH"))
	if err != nil {
		return err
	}
	if tc, err := db.TicketCounts(ctx); err != nil || tc.Valid+tc.Invalid > 0 {
		db.Close()
		if err == nil {
			err = errors.New("the venue database given holds tickets: give the bench an empty database of its own")
		}
		return err
	}
	r.db = db
	if c, err := pgx.Connect(ctx, r.dsn); err == nil {
		c.QueryRow(ctx, `SHOW server_version`).Scan(&r.res.ServerVersion)
		c.Close(ctx)
	}
	return nil
}

// serveSim serves the simulator on loopback, noting who calls it when.
func (r *venueRun) serveSim() (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.URL.Path, "/v1_6/") {
			r.calls.add(req.UserAgent())
		}
		r.sim.ServeHTTP(w, req)
	})}
	go srv.Serve(ln)
	r.endpoint = "http://" + ln.Addr().String() + s360sim.ServicePath
	return func() { srv.Close() }, nil
}

// ---- export -----------------------------------------------------------------

// export is a first export into the venue's database as its syncer does
// it: the lease, the fenced store, the engine, COPY. The client's request
// budget is lifted (the simulator on this machine), as in the station's
// bench.
func (r *venueRun) export(ctx context.Context) error {
	l, err := r.db.TryAcquireLease(ctx, "BENCH", time.Hour)
	if err != nil || l == nil {
		return fmt.Errorf("cannot take the syncer's lease: %v", err)
	}
	defer r.db.ReleaseLease(context.WithoutCancel(ctx), l)
	cfg := s360.ConfigFrom(r.settings)
	cfg.Log, cfg.Unlimited = quietLog(), true
	cfg.OnCall = func(c core.Call) { r.db.RecordCall(context.WithoutCancel(ctx), c) }
	cl, err := s360.New(cfg)
	if err != nil {
		return err
	}
	engine := syncer.New(syncer.Options{Settings: r.settings, Remote: cl, Store: r.db.Syncer(l), Log: quietLog()})
	total := r.o.Tickets
	cancel := engine.Subscribe(func(st core.SyncStatus) {
		if st.Running && st.Phase == "export" {
			r.pr.update("export into PostgreSQL", st.Received, max(total, st.Received), "tickets")
		}
	})
	cpu0 := cputime.Process()
	t0 := time.Now()
	rep, err := engine.RunCycle(ctx)
	took := time.Since(t0)
	cancel()
	if err == nil && !rep.Drained {
		err = errors.New("the export did not reach the end of the list")
	}
	if err != nil {
		return err
	}
	tc, err := r.db.TicketCounts(ctx)
	if err != nil {
		return err
	}
	in := &r.res.Export
	in.Seconds, in.CycleSeconds = rep.ExportTook.Seconds(), took.Seconds()
	in.Tickets, in.Items, in.Pages, in.Drained = tc.Valid+tc.Invalid, rep.Tickets, rep.Pages, rep.Drained
	in.TicketsPerS = float64(in.Tickets) / in.Seconds
	in.CPUSeconds = (cputime.Process() - cpu0).Seconds()
	r.pr.note("export: %s tickets (%s items, %d pages) stored into PostgreSQL in %.2f s = %s tickets/s",
		thousands(in.Tickets), thousands(in.Items), in.Pages, in.Seconds, thousands(int(in.TicketsPerS)))
	return nil
}

// rawCopy copies the same rows, read back page by page, into an identical
// table with plain COPY (postgres.RawCopyBaseline); only its transactions
// are timed.
func (r *venueRun) rawCopy(ctx context.Context) error {
	// What the export left in the server's buffers is written out first,
	// so that the copy does not pay for it (superusers only: skipped
	// otherwise).
	r.db.Checkpoint(ctx)
	var pos postgres.ChangePos
	done := 0
	var readErr error
	next := func() ([]core.Ticket, bool) {
		cs, err := r.db.TicketChanges(ctx, pos, r.o.PageSize)
		if err != nil {
			readErr = err
			return nil, false
		}
		if len(cs) == 0 {
			return nil, false
		}
		page := make([]core.Ticket, len(cs))
		for i, c := range cs {
			page[i] = c.Ticket
		}
		pos = cs[len(cs)-1].Pos
		done += len(page)
		r.pr.update("raw COPY", done, r.res.Export.Tickets, "tickets")
		return page, true
	}
	cpu0 := cputime.Process()
	n, took, err := r.db.RawCopyBaseline(ctx, next)
	if err = errors.Join(err, readErr); err != nil {
		return err
	}
	rw := &r.res.RawCopy
	rw.Tickets, rw.Seconds, rw.CPUSeconds = n, took.Seconds(), (cputime.Process() - cpu0).Seconds()
	if rw.Seconds > 0 {
		rw.TicketsPerS = float64(n) / rw.Seconds
	}
	if rw.TicketsPerS > 0 {
		r.res.ExportVsRaw = r.res.Export.TicketsPerS / rw.TicketsPerS
	}
	r.pr.note("raw COPY of the same rows: %s tickets in %.2f s = %s tickets/s; the export = %.2f × that",
		thousands(n), rw.Seconds, thousands(int(rw.TicketsPerS)), r.res.ExportVsRaw)
	return nil
}

// ---- scan -------------------------------------------------------------------

// settle lets the database finish with the export before the gates open,
// as a venue's list has hours to (untimed): the tickets' statistics and
// visibility map (VACUUM ANALYZE, which autovacuum would otherwise run
// during the scans) and the export's pages written out (CHECKPOINT). A
// role that may not is let be.
func (r *venueRun) settle(ctx context.Context) {
	c, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	r.pr.note("scan: VACUUM ANALYZE and CHECKPOINT after the export, before the gates open")
	c.Exec(ctx, `VACUUM (ANALYZE) tickets`)
	c.Exec(ctx, `CHECKPOINT`)
}

// scan has the stations scan at once, each with its own connections
// (a station's process opens its own): distinct tickets (ADMIT) first,
// then tickets scanned before (ALREADY_USED), one in fifty unknown.
func (r *venueRun) scan(ctx context.Context) error {
	r.settle(ctx)
	n, stations := r.o.Scans, r.o.Stations
	p0 := r.settings.Products[0]
	var codes []string
	r.sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" && it.ProductCode == p0 {
			codes = append(codes, it.Barcode)
		}
		return len(codes) < n
	})
	if len(codes) == 0 {
		return errors.New("no valid ticket to scan")
	}
	gates := make([]core.Gate, stations)
	cps := make([]core.Checkpoint, stations)
	for s := range stations {
		db, err := postgres.Open(ctx, r.dsn, postgres.MaxConns(2), postgres.AsStation(fmt.Sprintf("BENCH_S%d", s+1)))
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.TicketCounts(ctx); err != nil { // connect before the clock starts
			return err
		}
		gates[s] = db
		st := r.settings
		st.Station, st.Gate = fmt.Sprintf("BENCH_S%d", s+1), ""
		cps[s] = st.Checkpoint()
	}
	r.pr.update("scan", 0, n, "scans")
	res, err := scanload.Run(ctx, gates, n, 0, func(s, i int) core.ScanRequest {
		code := codes[i%len(codes)]
		if i%50 == 49 {
			code = fmt.Sprintf("99%020d", i)
		}
		return core.ScanRequest{Code: code, Checkpoint: cps[s], Now: time.Now()}
	})
	if err != nil {
		return err
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	r.res.Scan = VenueScan{Stations: stations, Scans: len(res.Latencies), P50MS: ms(res.Percentile(0.5)),
		P99MS: ms(res.Percentile(0.99)), MaxMS: ms(res.Max()), ScansPerS: res.PerSecond()}
	sc := r.res.Scan
	r.pr.note("scan: %d stations, %s scans: p50 %.2f ms, p99 %.2f ms, max %.1f ms, %s scans/s venue-wide",
		stations, thousands(sc.Scans), sc.P50MS, sc.P99MS, sc.MaxMS, thousands(int(sc.ScansPerS)))
	return nil
}

// ---- failover -----------------------------------------------------------------

// callLog notes who called S-360 when.
type callLog struct {
	mu    sync.Mutex
	calls []call
}

type call struct {
	agent string
	at    time.Time
}

func (l *callLog) add(agent string) {
	l.mu.Lock()
	l.calls = append(l.calls, call{agent, time.Now()})
	l.mu.Unlock()
}

// first is the first call by station after t.
func (l *callLog) first(station string, t time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.calls {
		if c.at.After(t) && strings.HasSuffix(c.agent, "("+station+")") {
			return c.at, true
		}
	}
	return time.Time{}, false
}

// failover runs two stations of the venue as `s360gate sync` processes and
// kills the syncer, at a random moment of its lease's renewal cycle, the
// given number of times; each time it measures its death to the next S-360
// call by the other station, and starts it again.
func (r *venueRun) failover(ctx context.Context) error {
	f := &r.res.Failover
	f.LeaseTTLS = postgres.DefaultLeaseTTL.Seconds()
	if r.o.Exe == "" {
		f.Skipped = "no s360gate binary to run stations with"
		r.pr.note("failover: skipped (%s)", f.Skipped)
		return nil
	}
	v := r.settings.Venue()
	v.PageSize = r.o.PageSize
	if err := r.db.SaveVenueSettings(ctx, v, "bench"); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "s360gate-bench-venue-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	names := []string{"BENCH_A", "BENCH_B"}
	dirs := map[string]string{}
	for _, n := range names {
		dirs[n] = filepath.Join(tmp, n)
		st := core.Settings{Station: n, Password: r.settings.Password}.Defaults()
		if err := config.Save(dirs[n], st); err != nil {
			return err
		}
		if err := config.SaveVenue(dirs[n], config.VenueLink{DB: r.dsn, Joined: time.Now()}); err != nil {
			return err
		}
	}
	procs := map[string]*exec.Cmd{}
	start := func(n string) error {
		logf, err := os.OpenFile(filepath.Join(tmp, n+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, r.o.Exe, "sync", "--data-dir", dirs[n])
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			return err
		}
		go func() { cmd.Wait(); logf.Close() }()
		procs[n] = cmd
		return nil
	}
	defer func() {
		for _, c := range procs {
			c.Process.Kill()
		}
	}()
	for _, n := range names {
		if err := start(n); err != nil {
			return err
		}
	}
	logTail := func() string {
		var b strings.Builder
		for _, n := range names {
			l, _ := os.ReadFile(filepath.Join(tmp, n+".log"))
			if len(l) > 1500 {
				l = l[len(l)-1500:]
			}
			fmt.Fprintf(&b, "\n--- %s:\n%s", n, l)
		}
		return b.String()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := range r.o.Failovers {
		r.pr.update("failover", i, r.o.Failovers, "deaths")
		var li postgres.LeaseInfo
		if !waitFor(ctx, time.Minute, func() bool {
			li, err = r.db.CurrentLease(ctx)
			return err == nil && li.Held
		}) {
			return fmt.Errorf("no station became the syncer within a minute%s", logTail())
		}
		victim, other := li.Station, names[0]
		if victim == names[0] {
			other = names[1]
		}
		// Settled (its first call made), then a random moment of its
		// renewal cycle.
		waitFor(ctx, time.Minute, func() bool { _, ok := r.calls.first(victim, li.Since.Add(-time.Second)); return ok })
		core.Sleep(ctx, postgres.LeaseRenewEvery+time.Duration(rng.Int64N(int64(postgres.LeaseRenewEvery))))
		if err := procs[victim].Process.Kill(); err != nil {
			return err
		}
		died := time.Now()
		var next time.Time
		if !waitFor(ctx, time.Minute, func() bool { var ok bool; next, ok = r.calls.first(other, died); return ok }) {
			return fmt.Errorf("no S-360 call by %s within a minute of %s's death%s", other, victim, logTail())
		}
		f.Runs = append(f.Runs, next.Sub(died).Seconds())
		r.pr.note("failover %d: %s killed; %s's next S-360 call %.2f s later", i+1, victim, other, next.Sub(died).Seconds())
		if err := start(victim); err != nil {
			return err
		}
	}
	s := slices.Clone(f.Runs)
	slices.Sort(s)
	f.MinS, f.MedianS, f.MaxS = s[0], s[len(s)/2], s[len(s)-1]
	return nil
}

// waitFor polls cond until it holds, limit passes or ctx ends.
func waitFor(ctx context.Context, limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) || core.Sleep(ctx, 20*time.Millisecond) != nil {
			return false
		}
	}
	return true
}

// ---- report -------------------------------------------------------------------

func venueTargets(r *VenueResult) []Target {
	t := target
	out := []Target{
		t("scan.p99_ms", r.Scan.P99MS, "<=", TargetVenueScanP99MS, "ms"),
		t("scan.scans_per_s", r.Scan.ScansPerS, ">=", TargetVenueScansPerS, "scans/s"),
		t("export.tickets_per_s", r.Export.TicketsPerS, ">=", TargetVenueExportPerS, "tickets/s"),
	}
	if len(r.Failover.Runs) > 0 {
		out = append(out, t("failover.max_s", r.Failover.MaxS, "<=", TargetVenueFailoverMax, "s"))
	}
	if r.Split.CopiedTickets >= 1_000_000 {
		out = append(out, t("split.catch_up_s", r.Split.CatchUpSeconds, "<=", TargetCatchUpS, "s"))
	}
	if r.Split.LinkDownScans > 0 {
		out = append(out, t("split.link_down_max_ms", r.Split.LinkDownMaxMS, "<=", r.Split.FallbackMS+TargetLinkDownExtraMS, "ms"))
	}
	return out
}

// WriteTable prints the venue's figures for people, each with its target.
func (r *VenueResult) WriteTable(w io.Writer) error {
	m := r.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "s360gate bench --venue — %s tickets, pages of %s, %d stations\n", thousands(r.Tickets), thousands(r.PageSize), r.Scan.Stations)
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s, %s/%s\n", m.CPUModel, m.Cores, m.GoVersion, m.OS, m.Arch)
	server := "PostgreSQL " + r.ServerVersion + " at " + r.Database
	if r.StartedServer {
		server += " (started by the bench)"
	}
	fmt.Fprintf(&b, "Database: %s\n", server)
	fmt.Fprintf(&b, "Load average: %.2f %.2f %.2f at start, %.2f %.2f %.2f at end\n\n",
		m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2])
	verdict := func(name string) string {
		for _, t := range r.Targets {
			if t.Name == name {
				v := "MISS"
				if t.Pass {
					v = "PASS"
				}
				return fmt.Sprintf("%s %s %s", t.Op, trim(t.Target), t.Unit) + "  " + v
			}
		}
		return ""
	}
	fmt.Fprintf(&b, "Scan through PostgreSQL, %d stations at once: p50 %.2f ms, p99 %.2f ms (%s), max %.1f ms\n",
		r.Scan.Stations, r.Scan.P50MS, r.Scan.P99MS, verdict("scan.p99_ms"), r.Scan.MaxMS)
	fmt.Fprintf(&b, "  venue-wide: %s scans/s (%s) over %s scans\n", thousands(int(r.Scan.ScansPerS)), verdict("scan.scans_per_s"), thousands(r.Scan.Scans))
	fmt.Fprintf(&b, "First export of %s tickets into PostgreSQL: %s tickets/s in %.1f s (%s)\n", thousands(r.Export.Tickets),
		thousands(int(r.Export.TicketsPerS)), r.Export.Seconds, verdict("export.tickets_per_s"))
	fmt.Fprintf(&b, "  raw COPY of the same rows: %s tickets/s; the export = %.2f × that\n", thousands(int(r.RawCopy.TicketsPerS)), r.ExportVsRaw)
	f := r.Failover
	if len(f.Runs) > 0 {
		runs := make([]string, len(f.Runs))
		for i, s := range f.Runs {
			runs[i] = fmt.Sprintf("%.1f", s)
		}
		fmt.Fprintf(&b, "Syncer failover (death → next S-360 call by another station, lease %.0f s): median %.1f s, max %.1f s (%s); runs %s s\n",
			f.LeaseTTLS, f.MedianS, f.MaxS, verdict("failover.max_s"), strings.Join(runs, ", "))
	} else {
		fmt.Fprintf(&b, "Syncer failover: not measured (%s)\n", f.Skipped)
	}
	if sp := r.Split; sp.LinkDownScans > 0 {
		catch := verdict("split.catch_up_s")
		if catch == "" {
			catch = fmt.Sprintf("the target, %d s, is for 1,000,000", TargetCatchUpS)
		}
		fmt.Fprintf(&b, "A station joining now: its local copy of %s tickets and %s controls in %.1f s (%s)\n",
			thousands(sp.CopiedTickets), thousands(sp.CopiedControls), sp.CatchUpSeconds, catch)
		fmt.Fprintf(&b, "Scans while its venue link failed %d times (fallback %.0f ms): p50 %.2f ms, p99 %.1f ms, max %.1f ms (%s); %d of %d decided locally, all pushed after\n",
			sp.LinkFailures, sp.FallbackMS, sp.LinkDownP50MS, sp.LinkDownP99MS, sp.LinkDownMaxMS, verdict("split.link_down_max_ms"), sp.LinkDownLocal, sp.LinkDownScans)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// trim writes a target without useless decimals.
func trim(v float64) string {
	if v == float64(int64(v)) {
		return thousands(int(v))
	}
	return fmt.Sprintf("%g", v)
}
