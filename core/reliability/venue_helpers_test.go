package reliability

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/cli"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/s360sim"
	"s360gate/core/venue"
)

// venueTTLEnv shortens the syncer's lease in the "venue" child processes
// (TestHelperProcess): ten handovers take seconds instead of minutes; the
// rules, fractions of the lease, are the product's.
const venueTTLEnv = "S360_VENUE_TTL"

// venueFixture is a venue: a PostgreSQL database made by `venue init` for
// the simulator behind srv, and stations joined to it by `venue join`.
type venueFixture struct {
	t      *testing.T
	dsn    string
	srv    *simServer
	sim    *s360sim.Sim
	db     *postgres.DB // the test's own view of the venue
	pwFile string
	ttl    time.Duration
	key    string // the export's cursor key
}

// newVenue makes the venue, its S-360 settings those of sim (sandbox: on
// demand), pages of pageSize.
func newVenue(t *testing.T, sim *s360sim.Sim, pageSize int, ttl time.Duration) *venueFixture {
	t.Helper()
	v := &venueFixture{t: t, dsn: pgtest.NewDatabase(t), sim: sim, ttl: ttl}
	v.srv = startSimServer(t, sim, nil)
	c := sim.Config()
	v.key = core.CursorKey(c.Season, c.Products, nil)
	v.cli("venue", "init", "--db", v.dsn, "--environment", "sandbox", "--endpoint", v.srv.endpoint(),
		"--institution", c.Institution, "--operator", c.Operator, "--season", c.Season,
		"--product", strings.Join(c.Products, ","), "--page-size", strconv.Itoa(pageSize))
	v.pwFile = filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(v.pwFile, []byte(c.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(context.Background(), v.dsn, postgres.AsStation("TEST"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	v.db = db
	return v
}

// cli runs s360gate in this process and fails the test unless it succeeds.
func (v *venueFixture) cli(args ...string) string {
	v.t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb, nil); code != 0 {
		v.t.Fatalf("s360gate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// join makes a new data directory a station of the venue, a candidate for
// its S-360 client if candidate.
func (v *venueFixture) join(name string, candidate bool) string {
	v.t.Helper()
	dir := v.t.TempDir()
	args := []string{"venue", "join", "--db", v.dsn, "--station", name, "--data-dir", dir}
	if candidate {
		args = append(args, "--password-file", v.pwFile)
	}
	v.cli(args...)
	return dir
}

// process starts `s360gate ARGS` as a child process, with the venue's
// shortened lease.
func (v *venueFixture) process(args ...string) *child {
	v.t.Helper()
	c := helperCommand("venue", []string{venueTTLEnv + "=" + v.ttl.String()}, args...)
	c.start(v.t)
	return c
}

// lease is who holds the syncer's lease now.
func (v *venueFixture) lease() postgres.LeaseInfo {
	v.t.Helper()
	li, err := v.db.CurrentLease(context.Background())
	if err != nil {
		v.t.Fatal(err)
	}
	return li
}

// cursor is the venue's committed cursor.
func (v *venueFixture) cursor() string {
	v.t.Helper()
	c, err := v.db.Cursor(context.Background(), v.key)
	if err != nil {
		v.t.Fatal(err)
	}
	return c
}

// sameAsSim checks the venue's list against S-360's (see sameAsSim).
func (v *venueFixture) sameAsSim() int {
	v.t.Helper()
	conn, err := pgx.Connect(context.Background(), v.dsn)
	if err != nil {
		v.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), storedTicketsSQL)
	if err != nil {
		v.t.Fatal(err)
	}
	defer rows.Close()
	return matchSim(v.t, rows, v.sim)
}

// pending is how many controls wait for S-360.
func (v *venueFixture) pending() int {
	v.t.Helper()
	cc, err := v.db.ControlCounts(context.Background(), time.Now())
	if err != nil {
		v.t.Fatal(err)
	}
	return cc.Pending
}

// agent is how station names itself to S-360 (the child's version is this
// binary's).
func agent(station string) string { return venue.UserAgent(buildinfo.Get().Version, station) }

// byAgent keeps the calls of one station.
func byAgent(calls []wireCall, station string) []wireCall {
	var out []wireCall
	for _, c := range calls {
		if c.Agent == agent(station) {
			out = append(out, c)
		}
	}
	return out
}

// exportsBy counts the export requests station made since t.
func (v *venueFixture) exportsBy(station string, since time.Time) int {
	calls, _, _ := v.srv.snapshot()
	n := 0
	for _, c := range byAgent(calls, station) {
		if c.Method == "exportList" && !c.Started.Before(since) {
			n++
		}
	}
	return n
}

// cursorWatch samples the venue's committed cursor until stopped, so that
// a test can check it never went back (positions are numbered after the
// run by the chain of S-360's answers: numberCursors).
type cursorWatch struct {
	mu   sync.Mutex
	seen []string
	stop func()
}

func (v *venueFixture) watchCursor() *cursorWatch {
	w := &cursorWatch{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if c, err := v.db.Cursor(ctx, v.key); err == nil {
				w.mu.Lock()
				if len(w.seen) == 0 || w.seen[len(w.seen)-1] != c {
					w.seen = append(w.seen, c)
				}
				w.mu.Unlock()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	w.stop = func() { cancel(); <-done }
	v.t.Cleanup(w.stop)
	return w
}

// numberCursors numbers S-360's cursors by the chain of answers: the
// paginationEnd of an answer to a request at position p is at p+1.
func numberCursors(t *testing.T, exports []exportCall) map[string]int {
	t.Helper()
	pos := map[string]int{"": 0}
	for changed := true; changed; {
		changed = false
		for _, e := range exports {
			p, ok := pos[e.Start]
			if !ok || e.Kind != "ok" || e.End == "" || e.End == e.Start {
				continue
			}
			if q, seen := pos[e.End]; !seen {
				pos[e.End] = p + 1
				changed = true
			} else if q != p+1 {
				t.Fatalf("cursor %q is at position %d and %d", e.End, q, p+1)
			}
		}
	}
	return pos
}

// checkNeverBack: the committed cursors seen, in order, never went back.
func (w *cursorWatch) checkNeverBack(t *testing.T, pos map[string]int) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	last := -1
	for _, c := range w.seen {
		p, ok := pos[c]
		if !ok {
			t.Fatalf("the venue committed a cursor S-360 never issued: %q", c)
		}
		if p < last {
			t.Fatalf("the committed cursor went back from position %d to %d", last, p)
		}
		last = p
	}
}

// checkImportedOnce: every control the venue holds as uploaded travelled
// in exactly one import that S-360 took (answered with success, whether
// or not the answer reached the syncer: one that died before storing it
// leaves the batch to be found out, never sent again), and S-360 holds
// each once.
func checkImportedOnce(t *testing.T, db *postgres.DB, srv *simServer) int {
	t.Helper()
	want := map[ctrlKey]int{} // two scans of one code in one second look alike to S-360
	err := db.Controls(context.Background(), core.ControlFilter{}, func(c core.Control) error {
		if !c.ShouldUpload() {
			return nil
		}
		if rejectedByS360(t, &c, srv) {
			return nil
		}
		if c.Upload != core.UploadDone {
			t.Errorf("control %s of %s is %s, not uploaded", c.ID, c.Barcode, c.Upload)
		}
		want[keyOf(c)]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, imports := srv.snapshot()
	took := map[ctrlKey][]string{}
	for _, ic := range imports {
		if ic.Kind == "ok" {
			for _, k := range ic.Keys {
				took[k] = append(took[k], fmt.Sprintf("%s at %s (%d controls)", ic.Agent, ic.Started.Format("15:04:05.000"), len(ic.Keys)))
			}
		}
	}
	n := 0
	for k, w := range want {
		if len(took[k]) != w {
			t.Errorf("control %v (%d in the venue): S-360 took it in %d imports: %s", k, w, len(took[k]), strings.Join(took[k], "; "))
		}
		n += w
	}
	if held := len(srv.sim.Controls()); held != len(want) {
		t.Errorf("S-360 holds %d controls, the venue %d", held, len(want))
	}
	return n
}
