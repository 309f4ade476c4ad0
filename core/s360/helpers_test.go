package s360

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

const testPassword = "s3cr3t-Pa55word!"

// fakeClock is injected as Config.Now and Config.Sleep: sleeping advances
// it, so limiter and back-off tests take no wall time.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// recorded is one request the test server saw.
type recorded struct {
	Method string
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// testServer answers with handle and records every request.
type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newTestServer(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, rec recorded)) *testServer {
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], Header: r.Header.Clone(), Raw: raw}
		_ = json.Unmarshal(raw, &rec.Body)
		ts.mu.Lock()
		ts.reqs = append(ts.reqs, rec)
		ts.mu.Unlock()
		handle(w, r, rec)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) Requests() []recorded {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]recorded(nil), ts.reqs...)
}

// answer writes a JSON answer echoing the request id.
func answer(w http.ResponseWriter, rec recorded, code, detail, extra string) {
	w.Header().Set("Content-Type", "application/json")
	id, _ := json.Marshal(rec.Body["requestId"])
	s := `{"requestId":` + string(id) + `,"statusCode":"` + code + `","statusDetail":` + quote(detail)
	if extra != "" {
		s += "," + extra
	}
	io.WriteString(w, s+"}")
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// logBuffer captures every log line at debug level.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newTestClient makes a client on ts with a fake clock and a captured log.
func newTestClient(t testing.TB, endpoint string, mod ...func(*Config)) (*Client, *fakeClock, *logBuffer) {
	t.Helper()
	clk := newFakeClock()
	lb := &logBuffer{}
	lg := logrus.New()
	lg.SetOutput(lb)
	lg.SetLevel(logrus.DebugLevel)
	cfg := Config{
		Endpoint: endpoint, Institution: "INSTIT", Operator: "gate", Password: testPassword,
		Now: clk.Now, Sleep: clk.Sleep, Log: lg, Timeout: 5 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, clk, lb
}

// wantCode checks a *core.Error's code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got nil", code)
	}
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s (%v)", code, got, err)
	}
}
