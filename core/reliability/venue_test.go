//go:build linux

// The venue tests start PostgreSQL (pgtest) and pause the syncer with
// SIGSTOP: Linux only, as CI.

package reliability

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/storetest"
)

// scanProcess is a station running the real `s360gate scan` in a child
// process, fed one code per line through a pipe: a storetest.Station.
func (v *venueFixture) scanProcess(dir string) storetest.Station {
	v.t.Helper()
	g := v.gate(filepath.Base(dir), dir)
	var mu sync.Mutex
	return func(code string) (core.Outcome, core.Reason, error) {
		mu.Lock()
		defer mu.Unlock()
		s, err := g.scan(code)
		return s.Verdict, s.Reason, err
	}
}

// TestVenueScanProcesses: stations as separate `s360gate scan` processes
// of one venue, all scanning the same tickets at once (each ticket by every
// station in the same instant, then each station in its own order): each
// ticket is admitted once, venue-wide.
func TestVenueScanProcesses(t *testing.T) {
	n := envInt(t, "S360_VENUE_STATIONS", 4)
	sim := s360sim.New(s360sim.Config{Tickets: 3000, Seed: 21, RateLimit: -1})
	v := newVenue(t, sim, 5000, 2*time.Second)
	v.cli("sync", "--once", "--data-dir", v.join("SYNC", true))
	var stations []storetest.Station
	for i := range n {
		stations = append(stations, v.scanProcess(v.join(fmt.Sprintf("GATE_%d", i+1), false)))
	}
	product := sim.Config().Products[0]
	codes := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State == "VALID" && it.ProductCode == product }))[:120]
	codes = append(codes, "40000000000000000000001", "40000000000000000000002")
	admitted := storetest.AdmitOnce(t, stations, codes[:40], true)
	for code, k := range storetest.AdmitOnce(t, stations, codes[40:], false) {
		admitted[code] += k
	}
	for _, code := range codes {
		want := 1
		if strings.HasPrefix(code, "4000000000000000000000") {
			want = 0
		}
		if admitted[code] != want {
			t.Errorf("%s admitted %d times by %d stations", code, admitted[code], n)
		}
	}
	// And the venue recorded exactly that: one ADMIT per ticket, every
	// other scan a denial.
	per := map[string]int{}
	total := 0
	err := v.db.Controls(context.Background(), core.ControlFilter{}, func(c core.Control) error {
		total++
		if c.Admitted() {
			per[c.Scanned]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != n*len(codes) {
		t.Errorf("%d controls for %d scans", total, n*len(codes))
	}
	for code, k := range per {
		if k != 1 {
			t.Errorf("the venue holds %d admissions of %s", k, code)
		}
	}
}

// handover is one syncer's death and its successor's first call.
type handover struct {
	from, to  string
	epoch     int64
	killed    time.Time
	committed string        // the venue's cursor when the syncer died
	failover  time.Duration // the death to the next S-360 call by another station
}

// venueSyncers runs two candidate stations, `s360gate sync` in child
// processes, and kills whichever is the venue's syncer on demand.
type venueSyncers struct {
	v     *venueFixture
	dirs  map[string]string
	procs map[string]*child
	hs    []handover
}

func (v *venueFixture) syncers(names ...string) *venueSyncers {
	s := &venueSyncers{v: v, dirs: map[string]string{}, procs: map[string]*child{}}
	for _, n := range names {
		s.dirs[n] = v.join(n, true)
		s.procs[n] = v.process("sync", "--data-dir", s.dirs[n])
	}
	return s
}

// syncer waits until a station holds the lease and returns it.
func (s *venueSyncers) syncer(t *testing.T) postgres.LeaseInfo {
	t.Helper()
	var li postgres.LeaseInfo
	if !eventually(60*time.Second, func() bool { li = s.v.lease(); return li.Held }) {
		t.Fatalf("no syncer after a minute\n%s", s.logs())
	}
	return li
}

func (s *venueSyncers) logs() string {
	var b strings.Builder
	for n, c := range s.procs {
		fmt.Fprintf(&b, "--- %s:\n%s\n", n, tail(c.stderr.String()))
	}
	return b.String()
}

// kill kills the syncer li names (at the point the caller chose: its
// process may already be dying), waits for the other candidate to take
// over and make its first S-360 call, checks the lease rules, and starts
// the dead station again (as a candidate in waiting).
func (s *venueSyncers) kill(t *testing.T, li postgres.LeaseInfo) handover {
	t.Helper()
	victim := li.Station
	expires := s.v.lease().Expires // the lease cannot lapse sooner
	s.procs[victim].kill()
	killed := time.Now()
	committed := s.v.cursor()
	other := ""
	for n := range s.procs {
		if n != victim {
			other = n
		}
	}
	var nl postgres.LeaseInfo
	if !eventually(60*time.Second, func() bool { nl = s.v.lease(); return nl.Held && nl.Epoch > li.Epoch }) {
		t.Fatalf("no station took over from %s (epoch %d)\n%s", victim, li.Epoch, s.logs())
	}
	if nl.Station != other {
		t.Fatalf("after %s's death, %s holds the lease", victim, nl.Station)
	}
	var first wireCall
	if !eventually(60*time.Second, func() bool {
		calls, _, _ := s.v.srv.snapshot()
		for _, c := range byAgent(calls, other) {
			if c.Started.After(killed) {
				first = c
				return true
			}
		}
		return false
	}) {
		t.Fatalf("%s took over but never called S-360\n%s", other, s.logs())
	}
	// The lease rules: the successor called S-360 only once the dead
	// syncer's lease had lapsed, and the dead one called nothing after
	// its death.
	if first.Started.Before(expires) {
		t.Errorf("%s called S-360 at %v, before %s's lease lapsed (%v)", other, first.Started, victim, expires)
	}
	calls, _, _ := s.v.srv.snapshot()
	for _, c := range byAgent(calls, victim) {
		if c.Started.After(killed) {
			t.Errorf("%s called %s after its death", victim, c.Method)
		}
	}
	h := handover{from: victim, to: other, epoch: nl.Epoch, killed: killed, committed: committed, failover: first.Started.Sub(killed)}
	s.hs = append(s.hs, h)
	t.Logf("%s killed; %s took over (epoch %d); its first S-360 call (%s) %v after the death", victim, other, nl.Epoch,
		first.Method, h.failover.Round(time.Millisecond))
	s.procs[victim] = s.v.process("sync", "--data-dir", s.dirs[victim])
	return h
}

// scanning scans codes from next through the venue every gap until
// stopped (the gates' controls for the syncers to upload).
func (v *venueFixture) scanning(next func() string, gap time.Duration) (stop func()) {
	cp := core.Settings{Station: "GATE_1", Season: v.sim.Config().Season, Products: v.sim.Config().Products}.Defaults().Checkpoint()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var mu sync.Mutex
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			mu.Lock()
			code := next()
			mu.Unlock()
			if _, err := v.db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: time.Now()}); err != nil && ctx.Err() == nil {
				v.t.Errorf("scan %s: %v", code, err)
				return
			}
			core.Sleep(ctx, gap)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	v.t.Cleanup(stop)
	return stop
}

// TestVenueSyncerKilled: two candidate stations run `s360gate sync`; the
// venue's syncer is SIGKILLed at ten random points of the first export
// (and then three times the instant S-360 took an import, before the
// answer reached it), and restarted each time while the other takes over.
// The committed cursor never goes back; each successor goes on from it; the
// final list equals S-360's; the simulator sees one cursor chain; every
// control is imported once (a batch whose answer was lost is found out,
// not sent again); S-360's request budget is never exceeded (counted on its
// side); no successor calls S-360 before the dead syncer's lease lapsed.
// The failover times are logged (the bench measures them with the
// product's lease).
func TestVenueSyncerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills the venue's syncer 13 times; skipped with -short")
	}
	kills := envInt(t, "S360_VENUE_KILLS", 10)
	uploadKills := envInt(t, "S360_VENUE_UPLOAD_KILLS", 3)
	seed := seedFrom(t, "S360_VENUE_SEED")
	rng := newRand(seed)
	const pageSize = 400
	// Each turn fetches at most four pages before its death (see below).
	tickets := (4*kills + 6) * pageSize
	t.Logf("%d tickets, pages of %d, %d kills during the export and %d during uploads, seed %d (S360_VENUE_SEED=%d replays the kill points)",
		tickets, pageSize, kills, uploadKills, seed, seed)
	// S-360's own limit (60 a minute, HTTP 509 beyond) is on.
	sim := s360sim.New(s360sim.Config{Tickets: tickets, Seed: 31})
	// S-360 takes 100 ms to answer: a page is a moment a kill can aim at.
	sim.SetFaults(s360sim.Faults{Latency: 100 * time.Millisecond})
	v := newVenue(t, sim, pageSize, 2*time.Second)
	watch := v.watchCursor()
	sy := v.syncers("SYNC_A", "SYNC_B")
	stopScans := v.scanning(gateCodes(sim, sim.Config().Products[0], newRand(seed+1), 10), 150*time.Millisecond)

	complete := func() bool {
		st, err := v.db.SyncState(context.Background())
		return err == nil && st.ExportComplete
	}
	for k := 1; k <= kills; k++ {
		li := sy.syncer(t)
		// During its j-th page: after S-360 answered its j-th request
		// (the next one is then on its way: the engine fetches a page
		// ahead), within the time a page takes.
		j := 1 + rng.IntN(2)
		if !eventually(2*time.Minute, func() bool { return v.exportsBy(li.Station, li.Since) >= j || complete() }) {
			t.Fatalf("kill %d: %s made no %d export requests in its turn\n%s", k, li.Station, j, sy.logs())
		}
		if complete() {
			t.Fatalf("the export finished before kill %d: the list is too small", k)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
		sy.kill(t, li)
	}
	// No more deaths: the list is finished by whoever syncs.
	if !eventually(5*time.Minute, complete) {
		t.Fatalf("the export never finished\n%s", sy.logs())
	}

	// Deaths the instant S-360 took an import, before its answer left.
	imports := 0
	for k := 1; k <= uploadKills; k++ {
		li := sy.syncer(t)
		hit := make(chan struct{})
		var once sync.Once
		proc := sy.procs[li.Station]
		hook := func(c wireCall) {
			if c.Method == "importControlledTicket" && c.Kind == "ok" && c.Agent == agent(li.Station) {
				once.Do(func() {
					proc.cmd.Process.Signal(syscall.SIGKILL) // before net/http sends the answer
					close(hit)
				})
			}
		}
		v.srv.hook.Store(&hook)
		select {
		case <-hit:
		case <-time.After(3 * time.Minute):
			t.Fatalf("upload kill %d: %s made no import\n%s", k, li.Station, sy.logs())
		}
		v.srv.hook.Store(nil)
		imports++
		sy.kill(t, li)
	}
	stopScans()
	if !eventually(5*time.Minute, func() bool { return v.pending() == 0 }) {
		t.Fatalf("%d controls never uploaded\n%s", v.pending(), sy.logs())
	}
	// The list may have moved meanwhile (nothing does here); check it
	// after a last cycle is certain to have run.
	items := v.sameAsSim()

	calls, exports, _ := v.srv.snapshot()
	pos := numberCursors(t, exports)
	watch.stop()
	watch.checkNeverBack(t, pos)
	// Every successor's first request started from a cursor at least as far
	// as what the venue had committed when its predecessor died.
	for _, e := range exports {
		if _, ok := pos[e.Start]; !ok {
			t.Fatalf("%s asked from a cursor S-360 never issued", e.Agent)
		}
	}
	for _, h := range sy.hs {
		for _, e := range exports {
			if e.Agent != agent(h.to) || !e.Started.After(h.killed) {
				continue
			}
			// (A commit the dying syncer had sent may land just after
			// the cursor was read at its death: one page further.)
			if p, c := pos[e.Start], pos[h.committed]; p < c || p > c+1 || (h.committed != "" && e.Start == "") {
				t.Errorf("%s went on from position %d; %s had committed position %d when it died", h.to, p, h.from, c)
			}
			break
		}
	}
	if br := sim.ChainBreaks(); len(br) != 0 {
		t.Fatalf("two cursor chains interleaved: %+v", br)
	}
	uploaded := checkImportedOnce(t, v.db, v.srv)
	probes := len(slices.DeleteFunc(slices.Clone(calls), func(c wireCall) bool { return c.Method != "getControlledTicket" }))
	if probes < imports {
		t.Errorf("%d batches were left in doubt, %d questions to S-360 found them out", imports, probes)
	}
	if k := kinds(calls, ""); k["509"] > 0 {
		t.Errorf("S-360 refused %d requests over its limit", k["509"])
	}
	if worst := maxPerWindow(calls, "", time.Minute); worst > s360.DefaultBudget {
		t.Errorf("%d requests in one minute, over the request budget (%d)", worst, s360.DefaultBudget)
		recorded, _ := v.db.CallsSince(context.Background(), time.Time{})
		per := map[string]int{}
		for _, c := range calls {
			per[c.Agent]++
		}
		t.Logf("S-360 saw %d requests (%v); the venue logged %d", len(calls), per, len(recorded))
		for _, c := range calls {
			t.Logf("  %s %s %s %s", c.Started.Format("15:04:05.000"), c.Agent, c.Method, c.Kind)
		}
		for _, c := range recorded {
			t.Logf("  logged %s %s %v", c.At.Format("15:04:05.000"), c.Method, c.OK)
		}
	}
	var fo []time.Duration
	for _, h := range sy.hs {
		fo = append(fo, h.failover)
	}
	slices.Sort(fo)
	t.Logf("%d tickets in the venue; %d controls uploaded once (%d batches in doubt found out with %d questions); "+
		"%d S-360 requests, at most %d in a minute; failover (death → next S-360 call) min %v, median %v, max %v over %d deaths",
		items, uploaded, imports, probes, len(calls), maxPerWindow(calls, "", time.Minute),
		fo[0].Round(time.Millisecond), fo[len(fo)/2].Round(time.Millisecond), fo[len(fo)-1].Round(time.Millisecond), len(fo))
}

// TestVenuePausedSyncer: the venue's syncer is paused (SIGSTOP: a frozen
// laptop) in the middle of its export; the other candidate takes over and
// goes on; the paused one is resumed. What it had in hand is refused by the
// fence (its turn's epoch is over), it steps down, and it sends S-360
// nothing once resumed: its turn ran out while it was stopped, and its
// connections refuse to write (the design allows at most a request whose
// bytes were being written at the very instant it was stopped; none is
// expected here). The cursor never goes back, S-360 sees one chain, the
// list ends equal to S-360's.
func TestVenuePausedSyncer(t *testing.T) {
	if testing.Short() {
		t.Skip("pauses the venue's syncer; skipped with -short")
	}
	seed := seedFrom(t, "S360_VENUE_SEED")
	rng := newRand(seed)
	t.Logf("seed %d (S360_VENUE_SEED replays the pause point)", seed)
	const ttl = 2 * time.Second
	sim := s360sim.New(s360sim.Config{Tickets: 12000, Seed: 41, RateLimit: -1})
	sim.SetFaults(s360sim.Faults{Latency: 100 * time.Millisecond})
	v := newVenue(t, sim, 400, ttl)
	watch := v.watchCursor()
	sy := v.syncers("SYNC_A", "SYNC_B")
	li := sy.syncer(t)
	paused, other := li.Station, "SYNC_A"
	if paused == "SYNC_A" {
		other = "SYNC_B"
	}
	proc := sy.procs[paused]
	j := 1 + rng.IntN(3)
	if !eventually(time.Minute, func() bool { return v.exportsBy(paused, li.Since) >= j }) {
		t.Fatalf("%s made no %d export requests\n%s", paused, j, sy.logs())
	}
	time.Sleep(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
	if err := proc.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	defer proc.cmd.Process.Signal(syscall.SIGCONT) // never leave it stopped
	atStop := v.cursor()

	// The other takes over and goes on from the committed cursor.
	var nl postgres.LeaseInfo
	if !eventually(time.Minute, func() bool { nl = v.lease(); return nl.Held && nl.Epoch > li.Epoch }) {
		t.Fatalf("no takeover from the paused syncer\n%s", sy.logs())
	}
	if nl.Station != other {
		t.Fatalf("%s took over", nl.Station)
	}
	if !eventually(time.Minute, func() bool { return v.exportsBy(other, stopped) >= 2 && v.cursor() != atStop }) {
		t.Fatalf("%s took over but did not go on\n%s", other, sy.logs())
	}
	if err := proc.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	t.Logf("%s paused after %d pages of its turn; %s took over (epoch %d); %s resumed %v after the pause",
		paused, j, other, nl.Epoch, paused, resumed.Sub(stopped).Round(time.Millisecond))
	const down = "stepped down as the venue's syncer"
	if !eventually(10*time.Second, func() bool { return strings.Contains(proc.stderr.String(), down) }) {
		t.Fatalf("%s did not step down once resumed\n%s", paused, sy.logs())
	}
	noticed := time.Now()
	// Long enough for a syncer that did not step down to call again.
	time.Sleep(3 * ttl)

	logs := proc.stderr.String()
	if !strings.Contains(logs, "is no longer the venue's S-360 client") {
		t.Errorf("no late write of %s was refused by the fence:\n%s", paused, tail(logs))
	}
	calls, _, _ := v.srv.snapshot()
	late := 0
	for _, c := range byAgent(calls, paused) {
		if c.Complete && c.Started.After(resumed) {
			late++
			t.Errorf("%s sent %s at %v, %v after it was resumed (%v after it stepped down)", paused, c.Method,
				c.Started.Format("15:04:05.000"), c.Started.Sub(resumed), c.Started.Sub(noticed))
		}
	}
	if li := v.lease(); li.Station != other || li.Epoch != nl.Epoch {
		t.Errorf("the lease after the resumption: %+v", li)
	}
	if !eventually(2*time.Minute, func() bool {
		st, err := v.db.SyncState(context.Background())
		return err == nil && st.ExportComplete
	}) {
		t.Fatalf("the export never finished\n%s", sy.logs())
	}
	v.sameAsSim()
	_, exports, _ := v.srv.snapshot()
	watch.stop()
	watch.checkNeverBack(t, numberCursors(t, exports))
	if br := sim.ChainBreaks(); len(br) != 0 {
		t.Fatalf("two cursor chains interleaved: %+v", br)
	}
	t.Logf("%s stepped down %v after it was resumed; it sent S-360 %d requests after that", paused,
		noticed.Sub(resumed).Round(time.Millisecond), late)
}

// TestStandaloneStationsInterleave is why there is a venue mode: two
// stations on their own, each with its own store, syncing the same product
// are two S-360 clients, and the simulator sees their cursor chains
// interleave.
func TestStandaloneStationsInterleave(t *testing.T) {
	sim := s360sim.New(s360sim.Config{Tickets: 2000, Seed: 51, RateLimit: -1})
	srv := startSimServer(t, sim, nil)
	t.Setenv("S360_PASSWORD", sim.Config().Password)
	a, b := t.TempDir(), t.TempDir()
	v := &venueFixture{t: t}
	v.cli(syncArgs(a, srv, 500)...)
	v.cli(syncArgs(b, srv, 500)...)
	if br := sim.ChainBreaks(); len(br) != 0 {
		t.Fatalf("breaks before the second station went on: %+v", br)
	}
	sim.Sell(10, "")
	v.cli(syncArgs(a, srv, 500)...)
	if br := sim.ChainBreaks(); len(br) != 1 {
		t.Fatalf("two standalone stations on one product: %d chain breaks, want 1", len(br))
	}
}
