package reliability

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite" // also registers the "sqlite" driver readStore uses
)

// ---- virtual time -------------------------------------------------------------

// vclock is the simulated time shared by the simulator (its rate limiter and
// token checks), the client (its limiter and back-off), the engine and the
// scans. Sleep moves it forward instead of waiting, so a test can live
// through minutes of back-off and hours of an event in seconds.
type vclock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *vclock { return &vclock{t: t} }

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *vclock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// AdvanceTo moves the clock forward to t (never back).
func (c *vclock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	if t.After(c.t) {
		c.t = t
	}
	c.mu.Unlock()
}

// Sleep is the injected sleep of client and engine: the wait happens in
// simulated time only. Gosched lets the other goroutines (the scanner)
// run, as a real wait would.
func (c *vclock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	runtime.Gosched()
	return ctx.Err()
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// ---- the simulator behind a recording HTTP server -------------------------

// simServer serves a simulator on loopback through a handler that records
// every S-360 request and what became of its answer, so that the tests can
// count requests per cursor and per minute, and controls per import, on
// the wire. It can be stopped (connection refused) and restarted on the
// same port.
type simServer struct {
	sim *s360sim.Sim
	now func() time.Time // timestamps the records (simulated time in some tests)
	run atomic.Int32     // the child process run a request belongs to (crash tests)
	// hook, when set, is told of every request once it is recorded (its
	// answer written): a test kills a client at that moment.
	hook atomic.Pointer[func(wireCall)]

	mu      sync.Mutex
	addr    string
	srv     *http.Server
	calls   []wireCall
	exports []exportCall
	imports []importCall
}

// wireCall is one request on the /v1_6/ surface.
type wireCall struct {
	Method    string
	At        time.Time // on the server's clock (simulated in some tests)
	Run       int
	Status    int           // 0: no complete answer (connection dropped)
	Kind      string        // ok, business, malformed, dropped, 401, 509, 5xx, http
	Took      time.Duration // real time the handler ran
	Started   time.Time     // real (monotonic) time the handler began
	Delivered bool          // a complete, well-formed "success" answer reached the socket
	Agent     string        // the client's User-Agent (a venue's station names itself in it)
	Complete  bool          // the whole request body arrived
}

type exportCall struct {
	wireCall
	Start string // paginationStart ("" for null)
	End   string // paginationEnd of the answer ("" if none)
}

// ctrlKey identifies a control as S-360 sees it (the date has second
// precision on the wire).
type ctrlKey struct{ Barcode, Date, AC, Result string }

func (k ctrlKey) String() string { return k.Barcode + "@" + k.Date + "/" + k.AC + "/" + k.Result }

type importCall struct {
	wireCall
	Keys []ctrlKey
}

func startSimServer(t *testing.T, sim *s360sim.Sim, now func() time.Time) *simServer {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	s := &simServer{sim: sim, now: now}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

func (s *simServer) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	s.mu.Lock()
	s.addr, s.srv = ln.Addr().String(), srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// stop closes the listener and every connection: from now on S-360 is
// unreachable (connection refused).
func (s *simServer) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// restart serves again on the same address.
func (s *simServer) restart(t *testing.T) {
	t.Helper()
	var err error
	// The port was just released by this process; binding it again can
	// only fail if another program grabbed it meanwhile.
	for range 50 {
		if err = s.listen(s.addr); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("cannot serve again on %s: %v", s.addr, err)
}

func (s *simServer) endpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "http://" + s.addr + s360sim.ServicePath
}

func (s *simServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.URL.Path, "/v1_6/") {
		s.sim.ServeHTTP(w, r)
		return
	}
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, berr := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	at, run, t0 := s.now(), int(s.run.Load()), time.Now()
	tw := &teeWriter{w: w}
	agent := r.UserAgent()
	defer func() {
		p := recover() // the sim aborts the connection with a panic (cut answers, hangs)
		s.record(method, at, run, body, tw, p == nil, t0, agent, berr == nil)
		if p != nil {
			panic(p)
		}
	}()
	s.sim.ServeHTTP(tw, r)
}

// teeWriter keeps a copy of the answer.
type teeWriter struct {
	w      http.ResponseWriter
	status int
	buf    bytes.Buffer
	werr   error
}

func (t *teeWriter) Header() http.Header { return t.w.Header() }

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.w.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf.Write(b)
	n, err := t.w.Write(b)
	if err != nil && t.werr == nil {
		t.werr = err
	}
	return n, err
}

func (t *teeWriter) Flush() {
	if f, ok := t.w.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *simServer) record(method string, at time.Time, run int, req []byte, tw *teeWriter, completed bool, t0 time.Time,
	agent string, whole bool) {
	c := wireCall{Method: method, At: at, Run: run, Took: time.Since(t0), Started: t0, Agent: agent, Complete: whole}
	answer := tw.buf.Bytes()
	if strings.Contains(strings.ToLower(tw.w.Header().Get("Content-Encoding")), "gzip") && len(answer) > 0 {
		if zr, err := gzip.NewReader(bytes.NewReader(answer)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				answer = b
			} else {
				answer = nil // cut in the middle
			}
		}
	}
	switch {
	case !completed:
		c.Kind = "dropped"
	case tw.status == 401:
		c.Kind, c.Status = "401", tw.status
	case tw.status == 509:
		c.Kind, c.Status = "509", tw.status
	case tw.status >= 500:
		c.Kind, c.Status = "5xx", tw.status
	case tw.status != http.StatusOK:
		c.Kind, c.Status = "http", tw.status
	default:
		c.Status = tw.status
		trimmed := bytes.TrimSpace(answer)
		head := trimmed[:min(len(trimmed), 300)]
		switch {
		case !bytes.HasSuffix(trimmed, []byte("}")) || (method != "exportList" && !json.Valid(trimmed)):
			c.Kind = "malformed"
		case !bytes.Contains(head, []byte(`"statusCode":"success"`)):
			c.Kind = "business"
		default:
			c.Kind = "ok"
			c.Delivered = tw.werr == nil
		}
	}
	if h := s.hook.Load(); h != nil {
		defer (*h)(c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	switch method {
	case "exportList":
		var rq struct {
			PaginationStart *string `json:"paginationStart"`
		}
		_ = json.Unmarshal(req, &rq)
		e := exportCall{wireCall: c}
		if rq.PaginationStart != nil {
			e.Start = *rq.PaginationStart
		}
		if c.Kind == "ok" {
			e.End = pageEnd(answer)
		}
		s.exports = append(s.exports, e)
	case "importControlledTicket":
		var rq struct {
			ControlledTickets []struct {
				ACIdentifier, Barcode, ControlDate, ControlResult string
			} `json:"controlledTickets"`
		}
		_ = json.Unmarshal(req, &rq)
		ic := importCall{wireCall: c}
		for _, ct := range rq.ControlledTickets {
			ic.Keys = append(ic.Keys, ctrlKey{ct.Barcode, ct.ControlDate, ct.ACIdentifier, ct.ControlResult})
		}
		s.imports = append(s.imports, ic)
	}
}

// pageEnd reads paginationEnd of an exportList answer without decoding its
// (large) item list: the sim writes paginationEnd last.
func pageEnd(answer []byte) string {
	const key = `"paginationEnd":`
	i := bytes.LastIndex(answer, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimSuffix(bytes.TrimSpace(answer[i+len(key):]), []byte("}}"))
	var end string
	if json.Unmarshal(rest, &end) != nil {
		return ""
	}
	return end
}

func (s *simServer) snapshot() (calls []wireCall, exports []exportCall, imports []importCall) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls), slices.Clone(s.exports), slices.Clone(s.imports)
}

// kinds counts the calls of a method (all methods if "") by outcome.
func kinds(calls []wireCall, method string) map[string]int {
	m := map[string]int{}
	for _, c := range calls {
		if method == "" || c.Method == method {
			m[c.Kind]++
		}
	}
	return m
}

// maxPerWindow is the largest number of calls of method ("": of every
// method) in any window of d (on the server's clock).
func maxPerWindow(calls []wireCall, method string, d time.Duration) int {
	var at []time.Time
	for _, c := range calls {
		if method == "" || c.Method == method {
			at = append(at, c.At)
		}
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= d {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// ---- controls as S-360 must see them ------------------------------------------

// keyOf is how the client reports a control (s360.ImportControls).
func keyOf(c core.Control) ctrlKey {
	ac := c.Station
	if ac == "" {
		ac = "S360GATE"
	}
	return ctrlKey{c.Barcode, c.At.UTC().Format(time.RFC3339), ac, c.ControlResult()}
}

// rejectedByS360 says whether c is a control S-360 refused, and checks it
// had reason to: S-360 refuses controls of tickets blacklisted after
// export (the scans draw such tickets now and then).
func rejectedByS360(t *testing.T, c *core.Control, srv *simServer) bool {
	t.Helper()
	if c.Upload != core.UploadRejected {
		return false
	}
	if it, _ := srv.sim.Ticket(c.Barcode); it.CancellationCause != "BLACKLISTED" {
		t.Errorf("control %s of %s was rejected, but S-360 did not blacklist the ticket (%s)", c.ID, c.Barcode, c.UploadDetail)
	}
	return true
}

// checkUploadedOnce checks, for every control of the store that S-360 is to
// hear of, that it is marked uploaded (or rejected, if S-360 blacklisted its
// ticket), that S-360 holds it, and that it
// travelled in exactly one import whose success answer reached the
// client: a control is never sent again after S-360 acknowledged it.
// (Attempts whose answer was lost may repeat it: S-360 is idempotent.)
func checkUploadedOnce(t *testing.T, store core.ControlStore, srv *simServer) (uploaded int) {
	t.Helper()
	want := map[ctrlKey]int{}
	err := store.Controls(context.Background(), core.ControlFilter{}, func(c core.Control) error {
		if !c.ShouldUpload() {
			if c.Upload != core.UploadLocal {
				t.Errorf("control %s (%s) is not for S-360 but is %s", c.ID, c.Scanned, c.Upload)
			}
			return nil
		}
		if rejectedByS360(t, &c, srv) {
			return nil
		}
		if c.Upload != core.UploadDone {
			t.Errorf("control %s of %s is %s, not uploaded", c.ID, c.Barcode, c.Upload)
		}
		want[keyOf(c)]++
		uploaded++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, imports := srv.snapshot()
	got := map[ctrlKey]int{}
	for _, ic := range imports {
		if ic.Delivered {
			for _, k := range ic.Keys {
				got[k]++
			}
		}
	}
	bad := 0
	for k, n := range want {
		if got[k] != n && bad < 10 {
			t.Errorf("control %v: %d in the store, acknowledged %d times on the wire", k, n, got[k])
			bad++
		}
	}
	for k, n := range got {
		if want[k] == 0 && bad < 10 {
			t.Errorf("control %v acknowledged %d times but not in the store", k, n)
			bad++
		}
	}
	held := map[ctrlKey]int{}
	for _, rc := range srv.sim.Controls() {
		held[ctrlKey{rc.Barcode, rc.ControlDate.UTC().Format(time.RFC3339), rc.ACIdentifier, rc.ControlResult}]++
	}
	if len(held) != len(want) {
		t.Errorf("S-360 holds %d distinct controls, the store %d", len(held), len(want))
	}
	for k := range want {
		if held[k] != 1 && bad < 10 {
			t.Errorf("S-360 holds control %v %d times", k, held[k])
			bad++
		}
	}
	return uploaded
}

// ---- the store compared with S-360 ------------------------------------------------

// readStore opens the store file read-only with plain SQL, bypassing
// core/sqlite: used between kills, it neither recovers nor checkpoints the
// WAL the killed process left (the next child must meet it as it was), and
// it reads 200,000 tickets in one query. It is tied to the schema of
// core/sqlite's 0001_init.sql.
func readStore(t *testing.T, path string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro&_pragma=busy_timeout(5000)"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// committedCursor is the cursor the store holds for key ("" if none yet,
// or no store yet).
func committedCursor(t *testing.T, path, key string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	db := readStore(t, path)
	defer db.Close()
	var c string
	err := db.QueryRow(`SELECT cursor FROM cursors WHERE key = ?`, key).Scan(&c)
	if err != nil && err != sql.ErrNoRows && !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("reading the committed cursor: %v", err)
	}
	return c
}

type storedTicket struct{ State, Cause, Tax, Product, Perf, Entrance, Container string }

// sameAsSim checks that the store holds exactly S-360's current list: every
// barcode once, none missing, none extra, each with the state (and the
// fields) its last item in the GREY order gave it.
func sameAsSim(t *testing.T, path string, sim *s360sim.Sim) int {
	t.Helper()
	db := readStore(t, path)
	defer db.Close()
	rows, err := db.Query(storedTicketsSQL)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	return matchSim(t, rows, sim)
}

// storedTicketsSQL reads every ticket as matchSim compares it; the same
// columns in a station's SQLite store and a venue's PostgreSQL one.
const storedTicketsSQL = `SELECT barcode, state, coalesce(cancellation_cause, ''), coalesce(tax_number, ''),
	coalesce(product_code, ''), coalesce(performance_code, ''), coalesce(entrance_code, ''), coalesce(container_id, '')
	FROM tickets`

// matchSim reads rows of storedTicketsSQL and checks them against S-360's
// current list (see sameAsSim). It returns how many tickets S-360 has.
func matchSim(t *testing.T, rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, sim *s360sim.Sim) int {
	t.Helper()
	stored := map[string]storedTicket{}
	n := 0
	for rows.Next() {
		var b string
		var st storedTicket
		if err := rows.Scan(&b, &st.State, &st.Cause, &st.Tax, &st.Product, &st.Perf, &st.Entrance, &st.Container); err != nil {
			t.Fatal(err)
		}
		stored[b] = st
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(stored) {
		t.Errorf("the store holds %d rows for %d barcodes: duplicates", n, len(stored))
	}
	items, bad := 0, 0
	sim.AllItems(func(it s360sim.Item) bool {
		items++
		st, ok := stored[it.Barcode]
		delete(stored, it.Barcode)
		want := storedTicket{string(core.ParseState(it.State)), core.CancellationWords(it.CancellationCause), it.TaxNumber,
			it.ProductCode, it.PerformanceCode, it.EntranceCode, it.ContainerIdentifier}
		st.Cause = core.CancellationWords(st.Cause)
		switch {
		case !ok:
			t.Errorf("ticket %s (%s) missing from the store", it.Barcode, it.TaxNumber)
			bad++
		case st != want:
			t.Errorf("ticket %s: store %+v, S-360 %+v", it.Barcode, st, want)
			bad++
		}
		return bad < 10
	})
	if bad == 0 && len(stored) > 0 {
		t.Errorf("the store holds %d tickets S-360 does not have", len(stored))
	}
	if t.Failed() {
		t.FailNow()
	}
	return items
}

// simItems lists the sim's tickets matching keep.
func simItems(sim *s360sim.Sim, keep func(s360sim.Item) bool) []s360sim.Item {
	var out []s360sim.Item
	sim.AllItems(func(it s360sim.Item) bool {
		if keep(it) {
			out = append(out, it)
		}
		return true
	})
	return out
}

func barcodes(items []s360sim.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Barcode
	}
	return out
}

// ---- child processes ------------------------------------------------------------------

// helperEnv names the role of a child process: the test binary re-executed
// with -test.run=^TestHelperProcess$ (the standard os/exec test pattern).
const helperEnv = "S360_RELIABILITY_HELPER"

type child struct {
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	stdout lockedBuffer
	stderr lockedBuffer
}

// lockedBuffer is written by os/exec's copying goroutine and read by the
// test while the child runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// helperCommand prepares a child running role with args. Its stdout and
// stderr go to buffers unless the caller sets them before start.
func helperCommand(role string, env []string, args ...string) *child {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), helperEnv+"="+role), env...)
	c := &child{cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &c.stdout, &c.stderr
	return c
}

// start runs the child; it is killed when the test ends, failed or not.
func (c *child) start(t *testing.T) {
	t.Helper()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		// Under -race the child is race-instrumented too.
		if s := c.stderr.String(); strings.Contains(s, "WARNING: DATA RACE") {
			t.Errorf("a child process reported a data race:\n%s", tail(s))
		}
	})
}

// kill sends SIGKILL (no chance to clean up, like a power cut for the
// process; the kernel's file state survives) and waits for the end.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits for a child to end by itself and returns its exit code.
func (c *child) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(limit):
		c.kill()
		t.Fatalf("child did not finish within %v\nstdout: %s\nstderr: %s", limit, c.stdout.String(), tail(c.stderr.String()))
	}
	return c.cmd.ProcessState.ExitCode()
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// ---- numbers --------------------------------------------------------------------------

// seedFrom reads a seed from env (to replay a failure) or draws one; the
// test logs it.
func seedFrom(t *testing.T, env string) uint64 {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", env, v, err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// gateCodes draws the codes a gate meets, from sim's list: out of 20 scans,
// fresh first scans of product's valid tickets (in a random order), then
// up to 16 a code scanned before, up to 19 a ticket that cannot admit (the
// other product, cancelled…), and otherwise a code S-360 never issued. The
// shuffle happens now, so a seed replays the same draws. Not safe for
// concurrent use.
func gateCodes(sim *s360sim.Sim, product string, rng *rand.Rand, fresh int) func() string {
	valid := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State == "VALID" && it.ProductCode == product }))
	rng.Shuffle(len(valid), func(i, j int) { valid[i], valid[j] = valid[j], valid[i] })
	others := barcodes(simItems(sim, func(it s360sim.Item) bool { return it.State != "VALID" || it.ProductCode != product }))
	var scanned []string
	return func() string {
		var b string
		switch u := rng.IntN(20); {
		case u < fresh && len(valid) > 0:
			b, valid = valid[0], valid[1:]
		case u < 16 && len(scanned) > 0:
			b = scanned[rng.IntN(len(scanned))]
		case u < 19:
			b = others[rng.IntN(len(others))]
		default:
			b = fmt.Sprintf("40%020d", rng.IntN(1e9))
		}
		scanned = append(scanned, b)
		return b
	}
}

// percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) summary() (n int, p50, p99, worst time.Duration) {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	slices.Sort(d)
	if len(d) == 0 {
		return 0, 0, 0, 0
	}
	return len(d), percentile(d, 0.50), percentile(d, 0.99), d[len(d)-1]
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// eventually polls cond (a real condition, not a guess at timing) until it
// holds or limit passes.
func eventually(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

func storePath(dir string) string { return filepath.Join(dir, "station.db") }

// virtualClient is the real S-360 client pointed at srv, living on clk's
// time (requests time out after 2 s of it; backoffs only move it forward).
func virtualClient(t *testing.T, srv *simServer, cfg s360sim.Config, clk *vclock) *s360.Client {
	t.Helper()
	client, err := s360.New(s360.Config{Endpoint: srv.endpoint(), Institution: cfg.Institution, Operator: cfg.Operator,
		Password: cfg.Password, Timeout: clientTimeout, Now: clk.Now, Sleep: clk.Sleep, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// openTestStore opens the station's store at path, closed when the test ends.
func openTestStore(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
