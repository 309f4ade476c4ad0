package venue

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/s360sim"
	"s360gate/core/syncer"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var ctx = context.Background()

// testTTL is the lease of the in-process tests: short, so that handovers
// take seconds, and long enough for a loaded machine to renew it in time.
const testTTL = 3 * time.Second

// call is one request S-360 (the simulator) received.
type call struct {
	Method string
	Agent  string
	At     time.Time
	// Keys are the controls of an import (barcode@date/result).
	Keys []string
	// Start is an export's paginationStart ("" for null).
	Start string
}

// s360Server serves a simulator and records every request, and can lose
// the answer of the next imports after S-360 took them (drop), or before
// (refuse).
type s360Server struct {
	sim  *s360sim.Sim
	srv  *httptest.Server
	drop atomic.Int32 // imports whose answer is lost after the sim took them
	mu   sync.Mutex
	log  []call
}

func startS360(t *testing.T, tickets int) *s360Server {
	s := &s360Server{sim: s360sim.New(s360sim.Config{Tickets: tickets, Seed: 5, RateLimit: -1})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *s360Server) serve(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, _ := io.ReadAll(r.Body)
	c := call{Method: method, Agent: r.UserAgent(), At: time.Now()}
	if method == "exportList" {
		var req struct {
			PaginationStart *string `json:"paginationStart"`
		}
		json.Unmarshal(body, &req)
		if req.PaginationStart != nil {
			c.Start = *req.PaginationStart
		}
	}
	if method == "importControlledTicket" {
		var req struct {
			ControlledTickets []struct{ Barcode, ControlDate, ControlResult string } `json:"controlledTickets"`
		}
		json.Unmarshal(body, &req)
		for _, ct := range req.ControlledTickets {
			c.Keys = append(c.Keys, ct.Barcode+"@"+ct.ControlDate+"/"+ct.ControlResult)
		}
	}
	s.mu.Lock()
	s.log = append(s.log, c)
	s.mu.Unlock()
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	if method == "importControlledTicket" && s.drop.Load() > 0 {
		s.drop.Add(-1)
		s.sim.ServeHTTP(httptest.NewRecorder(), r) // S-360 imports…
		panic(http.ErrAbortHandler)                // …and the answer never arrives
	}
	s.sim.ServeHTTP(w, r)
}

func (s *s360Server) calls() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.log...)
}

func (s *s360Server) endpoint() string { return s.srv.URL + s360sim.ServicePath }

// venueDB makes a venue database with the simulator's S-360 settings and
// returns its DSN.
func venueDB(t *testing.T, s *s360Server) string {
	dsn := pgtest.NewDatabase(t)
	db := openDB(t, dsn, "SETUP")
	c := s.sim.Config()
	v := core.VenueSettings{Environment: core.EnvSandbox, Endpoint: s.endpoint(), Institution: c.Institution,
		Operator: c.Operator, Season: c.Season, Products: c.Products, PageSize: 500}
	if err := db.SaveVenueSettings(ctx, v, "test"); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func openDB(t *testing.T, dsn, station string) *postgres.DB {
	db, err := postgres.Open(ctx, dsn, postgres.AsStation(station))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// execDSN runs SQL on the venue database outside the store (to set up a
// situation).
func execDSN(t *testing.T, dsn, sql string) {
	t.Helper()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// member makes a station of the venue: a candidate when password is given.
func member(t *testing.T, dsn, name, password string, mod ...func(*Options)) *Member {
	o := Options{DB: openDB(t, dsn, name), Station: core.Settings{Station: name, Password: password},
		Log: quiet(), Version: "test", LeaseTTL: testTTL, HeartbeatEvery: 500 * time.Millisecond, TryEvery: 200 * time.Millisecond,
		Engine: func(e *syncer.Options) {
			e.Every, e.Poll, e.Backoff = 300*time.Millisecond, 100*time.Millisecond, 50*time.Millisecond
		}}
	for _, f := range mod {
		f(&o)
	}
	return New(o)
}

// running runs m until the test ends or stop is called.
func running(t *testing.T, m *Member) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func simItems(sim *s360sim.Sim) int {
	n := 0
	sim.AllItems(func(s360sim.Item) bool { n++; return true })
	return n
}

func ticketTotal(t *testing.T, db *postgres.DB) int {
	c, err := db.TicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c.Valid + c.Invalid
}

// validCodes are valid tickets of the sim's first product.
func validCodes(sim *s360sim.Sim, n int) []string {
	var out []string
	p := sim.Config().Products[0]
	sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" && it.ProductCode == p {
			out = append(out, it.Barcode)
		}
		return len(out) < n
	})
	return out
}
