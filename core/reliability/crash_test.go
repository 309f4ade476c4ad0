package reliability

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/cli"
	"s360gate/core/config"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
)

// sandboxStore is the store `s360gate sync --environment sandbox` keeps in
// its data directory (cli.storeFile).
const sandboxStore = "s360gate-sandbox.db"

// syncArgs is the real command line of a headless station syncing with srv.
func syncArgs(dir string, srv *simServer, pageSize int) []string {
	cfg := srv.sim.Config()
	args := []string{"sync", "--once", "--data-dir", dir, "--environment", "sandbox", "--endpoint", srv.endpoint(),
		"--institution", cfg.Institution, "--operator", cfg.Operator, "--season", cfg.Season,
		"--product", strings.Join(cfg.Products, ",")}
	if pageSize > 0 {
		args = append(args, "--page-size", strconv.Itoa(pageSize))
	}
	return args
}

// TestCrashDuringExport kills (SIGKILL) a child process running the real
// `s360gate sync --once` against a 200,000-ticket stadium at ≥ 10 random
// points of the first export, restarting it each time, then lets a last run
// finish. The simulator runs in this process and sees every request, so:
//
//   - every restarted run asks first for exactly the cursor the store had
//     committed when the previous run was killed (read from the file after
//     the kill), and then only for later positions: no page is fetched again
//     once its cursor was committed; only the page in flight at the kill is
//     fetched a second time;
//   - the finished store equals the simulator's list exactly: every barcode
//     once, none missing, none extra, each with the state the GREY order
//     gives (a later item wins).
//
// Positions: cursors are opaque (encrypted) and a new one is issued each
// time, even for the same position, so the test numbers them by the chain
// of answers: paginationEnd of an answer to a request at position p is at
// position p+1.
//
// Under the race detector the pure-Go SQLite is about twenty times slower,
// so the stadium is 20,000 tickets there (S360_CRASH_TICKETS overrides;
// S360_CRASH_KILLS the number of kills; S360_CRASH_SEED replays the delays).
func TestCrashDuringExport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a syncing child process 10 times; skipped with -short")
	}
	tickets := 200_000
	if raceEnabled {
		tickets = 20_000
	}
	tickets = envInt(t, "S360_CRASH_TICKETS", tickets)
	kills := envInt(t, "S360_CRASH_KILLS", 10)
	seed := seedFrom(t, "S360_CRASH_SEED")
	rng := newRand(seed)
	// At least 3·kills+2 pages: a run commits at most three pages before
	// its kill (see below), so the export cannot finish before the last kill.
	pageSize := min(max(tickets/(3*kills+2), 1), 10000)
	t.Logf("%d tickets, pages of %d, %d kills, seed %d (S360_CRASH_SEED=%d replays the kill points)", tickets, pageSize, kills, seed, seed)

	sim := s360sim.New(s360sim.Config{Tickets: tickets, Seed: 11, RateLimit: -1})
	srv := startSimServer(t, sim, nil)
	cfg := sim.Config()
	dir := t.TempDir()
	path := filepath.Join(dir, sandboxStore)
	key := core.CursorKey(cfg.Season, cfg.Products, nil)
	env := []string{config.PasswordEnv + "=" + cfg.Password}
	args := syncArgs(dir, srv, pageSize)

	exportsOf := func(run int) []exportCall {
		_, ex, _ := srv.snapshot()
		return slices.DeleteFunc(ex, func(e exportCall) bool { return e.Run != run })
	}
	// gap estimates the time between two export requests of one run (one
	// page fetched and stored), from what was seen so far.
	gap := func() time.Duration {
		_, ex, _ := srv.snapshot()
		var sum time.Duration
		n := 0
		for i := 1; i < len(ex); i++ {
			if ex[i].Run == ex[i-1].Run {
				sum += ex[i].At.Sub(ex[i-1].At)
				n++
			}
		}
		if n == 0 {
			return 500 * time.Millisecond
		}
		return sum / time.Duration(n)
	}

	committed := []string{""} // committed[r]: the store's cursor after run r
	for run := 1; run <= kills; run++ {
		srv.run.Store(int32(run))
		c := helperCommand("cli", env, args...)
		c.start(t)
		var when string
		if rng.IntN(5) == 0 {
			// Anywhere from process start: opening, migrating, the first
			// request.
			d := time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
			when = fmt.Sprintf("%v after start", d.Round(time.Millisecond))
			select {
			case <-c.done:
			case <-time.After(d):
			}
		} else {
			// During the j-th page: after S-360 answered the j-th request,
			// within the time a page usually takes, and at the latest when
			// the next request arrives. So a run commits at most j ≤ 3 pages.
			j := 1 + rng.IntN(3)
			d := time.Duration(rng.Float64() * float64(gap()))
			when = fmt.Sprintf("%v into page %d", d.Round(time.Millisecond), j)
			if !eventually(3*time.Minute, func() bool { return c.exited() || len(exportsOf(run)) >= j }) {
				t.Fatalf("run %d: no export request after 3 minutes\nstderr: %s", run, tail(c.stderr.String()))
			}
			deadline := time.Now().Add(d)
			eventually(d+time.Second, func() bool {
				return c.exited() || !time.Now().Before(deadline) || len(exportsOf(run)) > j
			})
		}
		if c.exited() {
			t.Fatalf("run %d ended by itself (exit %d) before its kill: the list is too small for %d kills\nstdout: %s\nstderr: %s",
				run, c.cmd.ProcessState.ExitCode(), kills, c.stdout.String(), tail(c.stderr.String()))
		}
		c.kill()
		committed = append(committed, committedCursor(t, path, key))
		t.Logf("run %d killed %s; %d export requests in the run", run, when, len(exportsOf(run)))
	}

	// The last run finishes the export.
	final := kills + 1
	srv.run.Store(int32(final))
	c := helperCommand("cli", env, args...)
	c.start(t)
	if code := c.wait(t, 5*time.Minute); code != 0 || !strings.Contains(c.stdout.String(), "(list complete)") {
		t.Fatalf("last run: exit %d\nstdout: %s\nstderr: %s", code, c.stdout.String(), tail(c.stderr.String()))
	}
	t.Logf("last run: %s", strings.TrimSpace(c.stdout.String()))

	// Number the cursors by the chain of answers.
	_, exports, _ := srv.snapshot()
	pos := numberCursors(t, exports)
	for _, e := range exports {
		if _, ok := pos[e.Start]; !ok {
			t.Fatalf("run %d asked for a cursor S-360 never issued: %q", e.Run, e.Start)
		}
	}
	perPos := map[int]int{}
	inFlight := 0 // pages asked for but not committed when a run was killed
	for r := 1; r <= final; r++ {
		from := pos[committed[r-1]]
		if r > 1 && from < pos[committed[r-2]] {
			t.Errorf("the committed cursor went back: position %d after run %d, %d after run %d", from, r-1, pos[committed[r-2]], r-2)
		}
		reqs := exportsOf(r)
		if len(reqs) == 0 {
			continue // killed before its first request
		}
		if reqs[0].Start != committed[r-1] {
			t.Errorf("run %d started from position %d, but the store had committed position %d", r, pos[reqs[0].Start], from)
		}
		prev := -1
		for _, e := range reqs {
			p := pos[e.Start]
			perPos[p]++
			if p < from {
				t.Errorf("run %d asked for position %d, older than the committed %d", r, p, from)
			}
			if p <= prev {
				t.Errorf("run %d asked for position %d after %d", r, p, prev)
			}
			prev = p
			if r < final && p >= pos[committed[r]] {
				inFlight++
			}
		}
	}
	// The engine asks for the next page while it stores the current one,
	// and commits several pages at once when they come faster than it
	// stores them: what a kill loses is the pages asked for beyond the
	// committed cursor, and only those may be fetched again.
	again := 0
	for _, n := range perPos {
		again += n - 1
	}
	if again > inFlight {
		t.Errorf("%d pages fetched again, more than the %d pages in flight at the kills", again, inFlight)
	}

	n := sameAsSim(t, path, sim)
	db, err := sqlite.Open(path, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if tc, err := db.TicketCounts(context.Background()); err != nil || tc.Valid+tc.Invalid != n {
		t.Fatalf("TicketCounts %+v %v, S-360 has %d tickets", tc, err, n)
	}
	t.Logf("store equals S-360 (%d tickets) after %d kills; %d export requests, %d pages fetched a second time", n, kills, len(exports), again)
}

// scanLine is one line of `s360gate scan`'s output.
type scanLine struct {
	Barcode   string       `json:"barcode"`
	Verdict   core.Outcome `json:"verdict"`
	Reason    core.Reason  `json:"reason"`
	ControlID string       `json:"controlId"`
	Error     string       `json:"error"`
	Ticket    *struct {
		Barcode string `json:"barcode"`
	} `json:"ticket"`
}

// TestCrashAtTheGate kills (SIGKILL) a child process running the real
// `s360gate scan` (stdin/stdout pipes, as a turnstile script drives it) right
// after it printed some verdicts, ten times, with scans still queued in its
// stdin. After each kill:
//
//   - every printed verdict with a controlId is in the store, with the same
//     outcome (a verdict is recorded and fsync'ed before it is printed);
//   - no ticket has two admissions, across kills and restarts (tickets
//     already admitted are scanned again in later rounds).
//
// Then two syncs upload the controls: S-360 holds each exactly once, and each
// went in exactly one acknowledged import (counted on the wire per barcode
// and control date, since S-360 itself de-duplicates); the second sync
// uploads nothing.
//
// A scan recorded but killed before its line was printed may later read
// ALREADY_USED for a person the turnstile never let in: that is the safe
// side of "record before showing", and a supervisor can override it.
func TestCrashAtTheGate(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a scanning child process 10 times; skipped with -short")
	}
	seed := seedFrom(t, "S360_CRASH_SEED")
	rng := newRand(seed)
	rounds := envInt(t, "S360_CRASH_KILLS", 10)
	t.Logf("%d kills, seed %d (S360_CRASH_SEED=%d replays them)", rounds, seed, seed)

	// The match is in an hour: MATCH01 tickets are valid now, MATCH02 ones
	// (a week later) are not.
	sim := s360sim.New(s360sim.Config{Tickets: 3000, Seed: 5, RateLimit: -1, EventDate: time.Now().Add(time.Hour)})
	srv := startSimServer(t, sim, nil)
	cfg := sim.Config()
	dir := t.TempDir()
	path := filepath.Join(dir, sandboxStore)
	t.Setenv(config.PasswordEnv, cfg.Password) // for the in-process syncs and the children
	syncOnce := func() string {
		t.Helper()
		var out, errb strings.Builder
		if code := cli.Run(context.Background(), syncArgs(dir, srv, 0), strings.NewReader(""), &out, &errb, nil); code != 0 {
			t.Fatalf("sync: exit %d: %s", code, errb.String())
		}
		return strings.TrimSpace(out.String())
	}
	syncOnce()

	fresh := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State == "VALID" && it.ProductCode == cfg.Products[0] }))
	rng.Shuffle(len(fresh), func(i, j int) { fresh[i], fresh[j] = fresh[j], fresh[i] })
	others := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State != "VALID" || it.ProductCode != cfg.Products[0] }))
	var sent []string
	next := func() string {
		switch u := rng.IntN(10); {
		case u < 6 || len(sent) == 0:
			b := fresh[0]
			fresh = fresh[1:]
			return b
		case u < 8:
			return sent[rng.IntN(len(sent))] // a second scan, maybe of a ticket admitted before a kill
		case u < 9:
			return others[rng.IntN(len(others))]
		}
		return fmt.Sprintf("40%020d", rng.IntN(1e9)) // not an S-360 barcode
	}

	printed := 0
	admits := map[string]string{} // barcode → controlId of its printed ADMIT
	for round := 1; round <= rounds; round++ {
		inR, inW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		c := helperCommand("cli", nil, "scan", "--data-dir", dir, "--station", "GATE_N_1")
		c.cmd.Stdin, c.cmd.Stdout = inR, outW
		c.start(t)
		inR.Close()
		outW.Close()
		lines := make(chan string)
		go func() {
			defer close(lines)
			rd := bufio.NewReader(outR)
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				lines <- l
			}
		}()

		// A burst of scans, all queued at once; the kill comes right after
		// the k-th verdict is printed, with the rest still queued or under way.
		m := 10 + rng.IntN(30)
		var burst strings.Builder
		for range m {
			b := next()
			sent = append(sent, b)
			burst.WriteString(b + "\n")
		}
		if _, err := io.WriteString(inW, burst.String()); err != nil {
			t.Fatal(err)
		}
		k := 1 + rng.IntN(m)
		var got []scanLine
		for len(got) < k {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: scan ended after %d lines\nstderr: %s", round, len(got), tail(c.stderr.String()))
				}
				var sl scanLine
				if err := json.Unmarshal([]byte(l), &sl); err != nil {
					t.Fatalf("round %d: not a JSON line: %q", round, l)
				}
				got = append(got, sl)
			case <-time.After(30 * time.Second):
				t.Fatalf("round %d: no verdict within 30 s\nstderr: %s", round, tail(c.stderr.String()))
			}
		}
		c.kill()
		inW.Close()
		outR.Close()
		for range lines {
		}

		// Everything printed is in the store.
		db, err := sqlite.Open(path, sqlite.ReadOnly())
		if err != nil {
			t.Fatalf("round %d: the store does not open after the kill: %v", round, err)
		}
		byID := map[string]core.Control{}
		admitted := map[string]int{}
		err = db.Controls(context.Background(), core.ControlFilter{}, func(c core.Control) error {
			byID[c.ID] = c
			if c.Admitted() {
				admitted[c.Barcode]++
			}
			return nil
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range got {
			if sl.Error != "" || sl.ControlID == "" {
				t.Errorf("round %d: a scan without a recorded verdict: %+v", round, sl)
				continue
			}
			printed++
			c, ok := byID[sl.ControlID]
			switch {
			case !ok:
				t.Errorf("round %d: printed %s %s (control %s) is not in the store after the kill", round, sl.Verdict, sl.Barcode, sl.ControlID)
			case c.Outcome != sl.Verdict || c.Reason != sl.Reason || c.Scanned != sl.Barcode:
				t.Errorf("round %d: printed %+v, stored %+v", round, sl, c)
			}
			if sl.Verdict == core.Admit {
				if prev, dup := admits[sl.Barcode]; dup {
					t.Errorf("round %d: %s admitted twice (controls %s and %s)", round, sl.Barcode, prev, sl.ControlID)
				}
				admits[sl.Barcode] = sl.ControlID
			}
		}
		for b, n := range admitted {
			if n > 1 {
				t.Errorf("round %d: the store admitted %s %d times", round, b, n)
			}
		}
		t.Logf("round %d: %d scans queued, killed after %d verdicts; the store holds %d controls", round, m, k, len(byID))
		if t.Failed() {
			t.FailNow()
		}
	}

	first := syncOnce()
	_, _, imports := srv.snapshot()
	second := syncOnce()
	if _, _, again := srv.snapshot(); !strings.Contains(second, " 0 controls uploaded") || len(again) != len(imports) {
		t.Errorf("the second sync uploaded again: %q (%d → %d imports)", second, len(imports), len(again))
	}
	db, err := sqlite.Open(path, sqlite.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := checkUploadedOnce(t, db, srv)
	if n == 0 || len(admits) == 0 {
		t.Fatalf("nothing to check: %d controls for S-360, %d printed admissions", n, len(admits))
	}
	t.Logf("%d verdicts printed (%d ADMIT) across %d kills; %s; %d controls in S-360, each acknowledged once", printed, len(admits), rounds, first, n)
}
