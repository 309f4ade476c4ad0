package syncer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// fakeRemote is S-360 in memory: an ordered list of items whose cursor is
// the position in the list, and a set of blacklisted barcodes.
type fakeRemote struct {
	mu        sync.Mutex
	items     []core.Ticket
	black     map[string]bool
	imported  []core.Control
	cursors   []string // paginationStart of every exportList
	imports   int      // importControlledTicket calls
	failNext  map[string][]error
	failAll   map[string]error
	onExport  func(req core.ExportRequest) // called before answering
	tz        string
	tzCalls   int
	lastBatch []core.Control
}

func newFakeRemote(n int) *fakeRemote {
	r := &fakeRemote{black: map[string]bool{}, failNext: map[string][]error{}, failAll: map[string]error{}, tz: "Europe/Zurich"}
	for i := range n {
		r.items = append(r.items, ticket(i, core.StateValid))
	}
	return r
}

func ticket(i int, st core.TicketState) core.Ticket {
	return core.Ticket{Barcode: fmt.Sprintf("74156283%08d", i), State: st, SeasonCode: "S26", ProductCode: "P1"}
}

func (r *fakeRemote) add(t ...core.Ticket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, t...)
}

// fail makes the next calls of method fail with errs, in order.
func (r *fakeRemote) fail(method string, errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failNext[method] = append(r.failNext[method], errs...)
}

func (r *fakeRemote) injected(method string) error {
	if errs := r.failNext[method]; len(errs) > 0 {
		r.failNext[method] = errs[1:]
		return errs[0]
	}
	return r.failAll[method]
}

func (r *fakeRemote) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	if f := r.onExport; f != nil {
		f(req)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cursors = append(r.cursors, req.Cursor)
	if err := r.injected("exportList"); err != nil {
		return core.ExportPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return core.ExportPage{}, err
	}
	from := 0
	if req.Cursor != "" {
		from, _ = strconv.Atoi(req.Cursor)
	}
	to := min(from+req.PageSize, len(r.items))
	return core.ExportPage{Tickets: slices.Clone(r.items[from:to]), Cursor: strconv.Itoa(to)}, nil
}

func (r *fakeRemote) ImportControls(ctx context.Context, cs []core.Control) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.imports++
	r.lastBatch = slices.Clone(cs)
	if err := r.injected("importControlledTicket"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var bad []string
	for _, c := range cs {
		if r.black[c.Barcode] && !slices.Contains(bad, c.Barcode) {
			bad = append(bad, c.Barcode)
		}
	}
	if len(bad) > 0 {
		return &core.RejectedError{Barcodes: bad, Detail: "Failed to import controlledTickets:" + bad[0]}
	}
	r.imported = append(r.imported, cs...)
	return nil
}

func (r *fakeRemote) zoneCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tzCalls
}

func (r *fakeRemote) TestConnection(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tzCalls++
	if err := r.injected("getTimeZone"); err != nil {
		return "", err
	}
	return r.tz, nil
}

func (r *fakeRemote) ControlledTicket(context.Context, string) (core.RemoteTicket, error) {
	return core.RemoteTicket{}, core.Errorf(core.ENotFound, "not in the fake")
}

func (r *fakeRemote) Catalog(context.Context, string) ([]core.CatalogEntry, error) { return nil, nil }

func (r *fakeRemote) importedIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ids(r.imported)
}

func (r *fakeRemote) exportCursors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.cursors)
}

// fakeStore is the station's store in memory.
type fakeStore struct {
	mu       sync.Mutex
	tickets  map[string]core.Ticket
	cursors  map[string]string
	controls []core.Control
	state    core.SyncState
	calls    []core.Call
	failOn   map[string]error
	onSave   func(core.SyncState)
}

func newFakeStore() *fakeStore {
	return &fakeStore{tickets: map[string]core.Ticket{}, cursors: map[string]string{}, failOn: map[string]error{}}
}

func (s *fakeStore) injected(method string) error { return s.failOn[method] }

func (s *fakeStore) BeginExport(_ context.Context, key string) (core.ExportWriter, error) {
	return core.PageAtATime(s, key), nil
}

func (s *fakeStore) ApplyPage(ctx context.Context, key string, p core.ExportPage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.injected("ApplyPage"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, t := range p.Tickets {
		if old, ok := s.tickets[t.Barcode]; ok {
			t.RejectedByS360 = old.RejectedByS360
		}
		s.tickets[t.Barcode] = t
	}
	s.cursors[key] = p.Cursor
	return nil
}

func (s *fakeStore) Cursor(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[key], s.injected("Cursor")
}

func (s *fakeStore) Ticket(_ context.Context, b string) (core.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[b]
	if !ok {
		return t, core.Errorf(core.ENotFound, "no ticket")
	}
	return t, nil
}

func (s *fakeStore) Lookup(context.Context, string, int) ([]core.TicketRecord, error) {
	return nil, nil
}

func (s *fakeStore) TicketCounts(context.Context) (core.TicketCounts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c core.TicketCounts
	for _, t := range s.tickets {
		if t.State == core.StateValid && t.RejectedByS360 == "" {
			c.Valid++
		} else {
			c.Invalid++
		}
	}
	return c, nil
}

func (s *fakeStore) Controls(_ context.Context, f core.ControlFilter, fn func(core.Control) error) error {
	s.mu.Lock()
	list := slices.Clone(s.controls)
	s.mu.Unlock()
	if f.Newest {
		slices.Reverse(list)
	}
	n := 0
	for _, c := range list {
		if (f.Upload != "" && c.Upload != f.Upload) || (f.Barcode != "" && c.Barcode != f.Barcode) || c.At.Before(f.Since) {
			continue
		}
		if f.Limit > 0 && n >= f.Limit {
			break
		}
		n++
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) PendingControls(ctx context.Context, limit int) ([]core.Control, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.injected("PendingControls"); err != nil {
		return nil, err
	}
	var out []core.Control
	for _, c := range s.controls {
		if c.Upload == core.UploadPending && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, ctx.Err()
}

func (s *fakeStore) mark(ids []string, fn func(*core.Control)) {
	for i := range s.controls {
		if slices.Contains(ids, s.controls[i].ID) {
			fn(&s.controls[i])
		}
	}
}

func (s *fakeStore) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mark(ids, func(c *core.Control) { c.Upload, c.UploadedAt = core.UploadDone, at })
	return nil
}

func (s *fakeStore) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mark(ids, func(c *core.Control) {
		c.Upload, c.UploadDetail, c.UploadedAt = core.UploadRejected, detail, at
		if t, ok := s.tickets[c.Barcode]; ok {
			t.RejectedByS360 = detail
			s.tickets[c.Barcode] = t
		}
	})
	return nil
}

func (s *fakeStore) ControlCounts(context.Context, time.Time) (core.ControlCounts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := core.ControlCounts{Denied: map[core.Reason]int{}}
	for _, c := range s.controls {
		switch c.Upload {
		case core.UploadPending:
			cc.Pending++
		case core.UploadRejected:
			cc.Rejected++
		}
	}
	return cc, nil
}

func (s *fakeStore) RecordCall(_ context.Context, c core.Call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	return nil
}

func (s *fakeStore) CallsSince(_ context.Context, t time.Time) ([]core.Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []core.Call
	for _, c := range s.calls {
		if !c.At.Before(t) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *fakeStore) SyncState(context.Context) (core.SyncState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.injected("SyncState")
}

func (s *fakeStore) SaveSyncState(_ context.Context, st core.SyncState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.injected("SaveSyncState"); err != nil {
		return err
	}
	s.state = st
	if s.onSave != nil {
		s.onSave(st)
	}
	return nil
}

// scan records a control of barcode as the gate would (pending upload).
func (s *fakeStore) scan(id, barcode string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := core.Control{ID: id, At: at, Station: "GATE_A_1", Direction: core.DirectionIn, Scanned: barcode, Barcode: barcode,
		Outcome: core.Admit, Reason: core.ReasonOK, Upload: core.UploadPending}
	s.controls = append(s.controls, c)
}

func (s *fakeStore) control(id string) core.Control {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.controls {
		if c.ID == id {
			return c
		}
	}
	return core.Control{}
}

func (s *fakeStore) cursor(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[key]
}

// clock is virtual time: Sleep advances it instead of waiting.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
	// onSleep runs after each sleep (tests stop Run from here).
	onSleep func(now time.Time)
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	now, f := c.t, c.onSleep
	c.mu.Unlock()
	if f != nil {
		f(now)
	}
	return ctx.Err()
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

func quietLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func simSettings() core.Settings {
	return core.Settings{Environment: core.EnvSim, Season: "S26", Products: []string{"P1"}, PageSize: 10, Station: "GATE_A_1"}
}

type rig struct {
	remote *fakeRemote
	store  *fakeStore
	clock  *clock
	engine *Engine
}

func newRig(t *testing.T, s core.Settings, tickets int) *rig {
	t.Helper()
	r := &rig{remote: newFakeRemote(tickets), store: newFakeStore(), clock: newClock(t0)}
	r.engine = r.newEngine(s)
	return r
}

// newEngine is a fresh engine on the same remote and store: a restart.
func (r *rig) newEngine(s core.Settings) *Engine {
	return New(Options{Settings: s, Remote: r.remote, Store: r.store, Now: r.clock.Now, Sleep: r.clock.Sleep, Log: quietLog(), UploadBatch: 500})
}
