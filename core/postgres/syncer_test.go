package postgres

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/s360"
	"s360gate/core/s360sim"
	"s360gate/core/syncer"
)

// The sync engine takes the syncer's store as it takes a station's own.
var _ syncer.Store = (*SyncerStore)(nil)

// sent counts the controls each station's client sent to S-360 (the
// simulator de-duplicates what it keeps; this does not).
type sent struct {
	core.Remote
	mu    *sync.Mutex
	count map[string]int // barcode → controls sent
}

func (s sent) ImportControls(ctx context.Context, cs []core.Control) error {
	err := s.Remote.ImportControls(ctx, cs)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		s.count[c.Barcode]++
	}
	return err
}

// The real engine, the real client and the simulator over loopback HTTP,
// the venue's database: station A is the syncer and exports the list;
// gates scan through other handles; A stalls, B takes over and goes on from
// A's cursor (no new full export) and uploads the controls once; A's late
// cycle is refused by the fence. Every call of both is in the venue's log.
func TestSyncerEngineHandover(t *testing.T) {
	sim := s360sim.New(s360sim.Config{Tickets: 3000, Seed: 7})
	endpoint, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	scfg := sim.Config()
	log := logrus.New()
	log.SetOutput(io.Discard)
	counts := sent{mu: &sync.Mutex{}, count: map[string]int{}}
	settings := core.Settings{Environment: core.EnvSim, Season: scfg.Season, Products: scfg.Products, PageSize: 500, Station: "GATE_A"}.Defaults()
	station := func(db *DB, l *Lease) *syncer.Engine {
		cl, err := s360.New(s360.Config{Endpoint: endpoint, Institution: scfg.Institution, Operator: scfg.Operator,
			Password: scfg.Password, Budget: 60, Timeout: 10 * time.Second, Log: log,
			OnCall: func(c core.Call) { db.RecordCall(context.Background(), c) }})
		if err != nil {
			t.Fatal(err)
		}
		r := counts
		r.Remote = cl
		return syncer.New(syncer.Options{Settings: settings, Remote: r, Store: db.Syncer(l), Log: log})
	}

	a := openTest(t, AsStation("GATE_A"))
	la := acquire(t, a, "GATE_A")
	rep, err := station(a, la).RunCycle(ctx)
	if err != nil || !rep.Drained {
		t.Fatalf("A's first cycle: %+v %v", rep, err)
	}
	items := 0
	sim.AllItems(func(s360sim.Item) bool { items++; return true })
	if n := total(t, a); n != items {
		t.Fatalf("venue holds %d tickets, S-360 %d", n, items)
	}
	key := core.CursorKey(scfg.Season, scfg.Products, nil)
	cursorA, _ := a.Cursor(ctx, key)

	// Gates scan through their own handles.
	gate := fresh2(t, a)
	var admitted []string
	sim.AllItems(func(it s360sim.Item) bool {
		if it.State != "VALID" || len(admitted) == 5 {
			return len(admitted) < 5
		}
		cp := settings.Checkpoint()
		cp.Station = core.Station{Name: "GATE_N1_1", Direction: core.DirectionIn}
		v, err := gate.Scan(ctx, core.ScanRequest{Code: it.Barcode, Checkpoint: cp})
		if err != nil || v.Outcome != core.Admit {
			t.Fatalf("scan %s: %+v %v", it.Barcode, v, err)
		}
		admitted = append(admitted, it.Barcode)
		return true
	})

	// A stalls; its lease lapses; B takes over.
	expire(t, a)
	b := fresh2(t, a, AsStation("GATE_B"))
	lb := acquire(t, b, "GATE_B")
	rep, err = station(b, lb).RunCycle(ctx)
	if err != nil || rep.Tickets != 0 || rep.Uploaded != 5 {
		t.Fatalf("B's cycle: %+v %v (want no ticket fetched again, 5 uploaded)", rep, err)
	}
	if c, _ := b.Cursor(ctx, key); c != cursorA {
		t.Fatalf("B moved the cursor from %q to %q without new tickets", cursorA, c)
	}

	// A comes back and runs a cycle: its first write is refused, and it
	// has nothing left to upload.
	_, err = station(a, la).RunCycle(ctx)
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("A's late cycle: %v", err)
	}
	for _, code := range admitted {
		if counts.count[code] != 1 {
			t.Fatalf("%s sent to S-360 %d times", code, counts.count[code])
		}
	}
	if p, _ := a.PendingControls(ctx, 0); len(p) != 0 {
		t.Fatalf("%d controls still pending", len(p))
	}
	// The venue's call log has every request both stations made, which is
	// what the next syncer's limiter is seeded with.
	calls, err := a.CallsSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Stats()
	var made int64
	for _, n := range st.Requests {
		made += n
	}
	if int64(len(calls)) != made {
		t.Fatalf("%d calls in the venue's log, the simulator served %d", len(calls), made)
	}
	byStation := map[string]int{}
	rows, _ := a.pool.Query(ctx, `SELECT station, count(*) FROM calls GROUP BY station`)
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		byStation[s] = n
	}
	rows.Close()
	if byStation["GATE_A"] == 0 || byStation["GATE_B"] == 0 {
		t.Fatalf("calls by station %v", byStation)
	}
}
