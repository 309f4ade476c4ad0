package reliability

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/syncer"
)

// hot is the barcode a scanner scans now: all scanners, in this process and
// in the child, draw from the same small window of the pool, which moves
// along it with the clock, so that every ticket is scanned by several
// scanners at nearly the same moment.
func hot(pool []string, start time.Time, pick int) string {
	const step, width, every = 8, 12, 40 * time.Millisecond
	w := int(time.Since(start)/every) * step
	return pool[(w+pick%width)%len(pool)]
}

// think is a scanner's pause between two scans: 1 to 5 ms, hundreds of
// times faster than people walk through a gate, yet not the tight loop in
// which SQLite's busy handler (it sleeps 1, 2, 5… 100 ms between tries)
// lets the handle that just committed take the lock again and again while
// another one waits up to the 5 s busy timeout and fails the scan.
func think(rng *rand.Rand) {
	time.Sleep(time.Millisecond + time.Duration(rng.Int64N(int64(4*time.Millisecond))))
}

// verdictLine is what the scanner child prints per scan.
type verdictLine struct {
	Barcode string       `json:"b"`
	Outcome core.Outcome `json:"v"`
	Control string       `json:"c"`
	Err     string       `json:"e,omitempty"`
	Took    int64        `json:"us"` // microseconds
}

// scannerProcess is the child of TestConcurrencyScanners: another process
// scanning the same store file (its own *sqlite.DB) until the deadline,
// printing one verdictLine per scan.
// Args: store, pool file, start (unix ns), duration, station, season, products.
func scannerProcess(args []string) int {
	if len(args) != 7 {
		fmt.Fprintln(os.Stderr, "scanner: want 7 arguments")
		return 2
	}
	db, err := sqlite.Open(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "scanner:", err)
		return 1
	}
	defer db.Close()
	b, err := os.ReadFile(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "scanner:", err)
		return 1
	}
	pool := strings.Fields(string(b))
	ns, _ := strconv.ParseInt(args[2], 10, 64)
	start := time.Unix(0, ns)
	d, _ := time.ParseDuration(args[3])
	settings := core.Settings{Season: args[5], Products: strings.Split(args[6], ","), Station: args[4]}.Defaults()
	cp := settings.Checkpoint()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	rng := newRand(uint64(ns))
	for i := 0; time.Since(start) < d; i++ {
		think(rng)
		code := hot(pool, start, i*7)
		t0 := time.Now()
		v, err := db.Scan(context.Background(), core.ScanRequest{Code: code, Checkpoint: cp})
		l := verdictLine{Barcode: code, Outcome: v.Outcome, Took: time.Since(t0).Microseconds()}
		if err != nil {
			l.Err = err.Error()
		} else if v.Control != nil {
			l.Control = v.Control.ID
		}
		_ = enc.Encode(l)
	}
	return 0
}

// TestConcurrencyScanners hammers one store file for a bounded time
// (S360_SOAK, default 5 s; 1 s with -short) from every side at once:
// two goroutines on one *sqlite.DB, two on a second handle of the same
// file, a child process with a third, all scanning the same few tickets at
// the same moments; a helpdesk checking and looking up tickets on the
// second handle; the sync engine exporting (S-360 cancels tickets
// meanwhile) and uploading controls on the first.
//
// Each ticket is admitted at most once across all of them; every ADMIT
// answered is recorded, and nothing else is; no scan fails; the engine
// uploads every control once. CI runs it with -race.
func TestConcurrencyScanners(t *testing.T) {
	soak := envDuration(t, "S360_SOAK", 5*time.Second)
	if testing.Short() && os.Getenv("S360_SOAK") == "" {
		soak = time.Second
	}
	seed := seedFrom(t, "S360_CONCURRENCY_SEED")
	rng := newRand(seed)
	t.Logf("%v of scanning (S360_SOAK), seed %d (S360_CONCURRENCY_SEED)", soak, seed)

	sim := s360sim.New(s360sim.Config{Tickets: 3000, Seed: 21, RateLimit: -1, EventDate: time.Now().Add(time.Hour)})
	srv := startSimServer(t, sim, nil)
	cfg := sim.Config()
	dir := t.TempDir()
	path := storePath(dir)
	db1, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db1.Close()
	client, err := s360.New(s360.Config{Endpoint: srv.endpoint(), Institution: cfg.Institution, Operator: cfg.Operator,
		Password: cfg.Password, Budget: 60, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	settings := core.Settings{Environment: core.EnvSandbox, Endpoint: srv.endpoint(), Institution: cfg.Institution,
		Operator: cfg.Operator, Season: cfg.Season, Products: cfg.Products, Station: "SYNC"}.Defaults()
	engine := syncer.New(syncer.Options{Settings: settings, Remote: client, Store: db1, UploadBatch: 100, Log: quietLog()})
	ctx := context.Background()
	if _, err := engine.RunCycle(ctx); err != nil {
		t.Fatal(err)
	}
	db2, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()

	pool := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State == "VALID" && it.ProductCode == cfg.Products[0] }))
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	poolFile := filepath.Join(dir, "pool.txt")
	if err := os.WriteFile(poolFile, []byte(strings.Join(pool, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	deadline := start.Add(soak)
	kid := helperCommand("scanner", nil, path, poolFile, strconv.FormatInt(start.UnixNano(), 10), soak.String(),
		"GATE_C_1", cfg.Season, strings.Join(cfg.Products, ","))
	kid.start(t)

	var (
		mu       sync.Mutex
		answers  []verdictLine
		wg       sync.WaitGroup
		checks   atomic.Int64
		cycles   atomic.Int64
		firstErr error
		inLat    latencies
		outLat   latencies
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for h, db := range []*sqlite.DB{db1, db2} {
		for g := range 2 {
			station := fmt.Sprintf("GATE_%c_%d", 'A'+h, g+1)
			pick := newRand(seed + uint64(10*h+g))
			wg.Go(func() {
				cp := settings.Checkpoint()
				cp.Station.Name = station
				var mine []verdictLine
				for time.Now().Before(deadline) {
					think(pick)
					code := hot(pool, start, pick.IntN(1<<20))
					t0 := time.Now()
					v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp})
					inLat.add(time.Since(t0))
					if err != nil {
						fail(fmt.Errorf("%s: scan %s: %w", station, code, err))
						return
					}
					mine = append(mine, verdictLine{Barcode: code, Outcome: v.Outcome, Control: v.Control.ID})
				}
				mu.Lock()
				answers = append(answers, mine...)
				mu.Unlock()
			})
		}
	}
	wg.Go(func() { // the helpdesk: checks without recording, look-ups
		cp := settings.Checkpoint()
		for i := 0; time.Now().Before(deadline); i++ {
			code := hot(pool, start, i)
			v, err := db2.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Helpdesk: true})
			if err != nil || v.Control != nil {
				fail(fmt.Errorf("helpdesk check of %s: %v (control %v)", code, err, v.Control))
				return
			}
			if _, err := db2.Lookup(ctx, code, 5); err != nil {
				fail(fmt.Errorf("lookup %s: %w", code, err))
				return
			}
			checks.Add(1)
		}
	})
	wg.Go(func() { // the sync engine, while S-360 cancels tickets of the pool
		// A cycle every 2.5 s keeps the client within S-360's 60 requests
		// a minute (a cycle with changes asks for two pages).
		tick := time.NewTicker(2500 * time.Millisecond)
		defer tick.Stop()
		for i := 0; time.Now().Before(deadline); i++ {
			_ = sim.Cancel(pool[(i*97)%len(pool)], "REFUND_REQUESTED")
			if _, err := engine.RunCycle(ctx); err != nil {
				fail(fmt.Errorf("sync cycle: %w", err))
				return
			}
			cycles.Add(1)
			select {
			case <-tick.C:
			case <-time.After(time.Until(deadline)):
			}
		}
	})
	wg.Wait()
	if code := kid.wait(t, soak+2*time.Minute); code != 0 {
		t.Fatalf("scanner process: exit %d\n%s", code, tail(kid.stderr.String()))
	}
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if s := kid.stderr.String(); strings.Contains(s, "DATA RACE") {
		t.Fatalf("the scanner process reported a race:\n%s", tail(s))
	}
	inProcess := len(answers)
	for _, l := range strings.Split(strings.TrimSpace(kid.stdout.String()), "\n") {
		var v verdictLine
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("scanner process printed %q", l)
		}
		if v.Err != "" {
			t.Fatalf("scanner process: scan of %s failed: %s", v.Barcode, v.Err)
		}
		outLat.add(time.Duration(v.Took) * time.Microsecond)
		answers = append(answers, v)
	}

	// Answers against the store.
	admitted := map[string]string{}
	for _, a := range answers {
		if a.Outcome != core.Admit {
			continue
		}
		if prev, dup := admitted[a.Barcode]; dup {
			t.Errorf("%s admitted twice (controls %s and %s)", a.Barcode, prev, a.Control)
		}
		admitted[a.Barcode] = a.Control
	}
	stored := map[string]core.Control{}
	storedAdmits := map[string]int{}
	err = db1.Controls(ctx, core.ControlFilter{}, func(c core.Control) error {
		stored[c.ID] = c
		if c.Admitted() {
			storedAdmits[c.Barcode]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for b, n := range storedAdmits {
		if n > 1 {
			t.Errorf("the store admitted %s %d times", b, n)
		}
	}
	for b, id := range admitted {
		if c, ok := stored[id]; !ok || !c.Admitted() || c.Barcode != b {
			t.Errorf("ADMIT of %s (control %s) not recorded as such: %+v", b, id, c)
		}
	}
	if len(storedAdmits) != len(admitted) || len(stored) != len(answers) {
		t.Errorf("the store holds %d controls (%d admissions), the scanners got %d answers (%d admissions)",
			len(stored), len(storedAdmits), len(answers), len(admitted))
	}
	if len(admitted) == 0 || inProcess == len(answers) {
		t.Fatalf("nothing contended: %d admissions, %d of %d answers from the other process", len(admitted), len(answers)-inProcess, len(answers))
	}

	// The engine catches up and every control reaches S-360 once.
	if rep, err := engine.RunCycle(ctx); err != nil || rep.Pending != 0 {
		t.Fatalf("last cycle: %v %+v", err, rep)
	}
	up := checkUploadedOnce(t, db1, srv)
	for _, l := range []struct {
		who string
		lat *latencies
	}{{"this process (4 scanners, 2 handles)", &inLat}, {"the other process (1 scanner)", &outLat}} {
		n, p50, p99, worst := l.lat.summary()
		t.Logf("scans by %s: %d, p50 %v, p99 %v, max %v", l.who, n, p50, p99, worst)
	}
	t.Logf("%d scans (%d by the other process), %d tickets admitted once each, %d helpdesk checks, %d sync cycles, %d controls uploaded once",
		len(answers), len(answers)-inProcess, len(admitted), checks.Load(), cycles.Load(), up)
}
