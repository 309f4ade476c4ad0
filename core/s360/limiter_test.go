package s360

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"s360gate/core"
)

// windowOK checks that no 60 s window holds more than budget calls.
func windowOK(t *testing.T, at []time.Time, budget int) {
	t.Helper()
	for i := budget; i < len(at); i++ {
		if d := at[i].Sub(at[i-budget]); d < time.Minute {
			t.Fatalf("calls %d and %d are %v apart: more than %d in a minute", i-budget, i, d, budget)
		}
	}
}

func TestLimiterBudget(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	var (
		mu    sync.Mutex
		calls = map[string][]time.Time{}
	)
	c, clk, _ := newTestClient(t, ts.URL, func(c *Config) {
		c.OnCall = func(call core.Call) { mu.Lock(); calls[call.Method] = append(calls[call.Method], call.At); mu.Unlock() }
	})
	start := clk.Now()
	for i := 0; i < 130; i++ {
		if _, err := c.TestConnection(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	at := calls["getTimeZone"]
	if len(at) != 130 {
		t.Fatalf("%d calls", len(at))
	}
	windowOK(t, at, DefaultBudget)
	// No waiting beyond need: the 51st call goes as soon as the 1st leaves
	// the window, the 101st when the 51st does.
	if d := at[50].Sub(start); d < time.Minute || d > time.Minute+2*time.Second {
		t.Errorf("51st call after %v", d)
	}
	if d := at[129].Sub(start); d > 2*time.Minute+5*time.Second {
		t.Errorf("130 calls took %v", d)
	}
}

// TestLimiterOneBudget: every method counts against one budget [doc]:
// S-360's 60 a minute are for the whole service, not per method.
func TestLimiterOneBudget(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	var (
		mu sync.Mutex
		at []time.Time
	)
	c, clk, _ := newTestClient(t, ts.URL, func(c *Config) {
		c.Budget = 10
		c.OnCall = func(call core.Call) { mu.Lock(); at = append(at, call.At); mu.Unlock() }
	})
	start := clk.Now()
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if _, err := c.TestConnection(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Catalog(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if err := c.ImportControls(ctx, []core.Control{{Barcode: "1", Station: "S", At: start, Outcome: core.Admit}}); err != nil {
			t.Fatal(err)
		}
	}
	// Twelve calls of three methods: the 11th had to wait for the 1st.
	if len(at) != 12 {
		t.Fatalf("%d calls", len(at))
	}
	windowOK(t, at, 10)
	if d := at[10].Sub(start); d < time.Minute {
		t.Errorf("the 11th call, of another method, went after %v: methods have budgets of their own", d)
	}
}

// Refused attempts count against the budget like answered ones: four
// calls, three of them refused, keep to two a minute.
func TestLimiterCountsRefusedAttempts(t *testing.T) {
	var n int
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		if n++; n <= 3 {
			w.WriteHeader(509)
			return
		}
		answer(w, rec, "success", "", "")
	})
	var at []time.Time
	c, _, _ := newTestClient(t, ts.URL, func(c *Config) {
		c.Budget = 2
		c.OnCall = func(call core.Call) { at = append(at, call.At) }
	})
	for i := range 4 {
		_, err := c.TestConnection(context.Background())
		if (i < 3) != (core.ErrorCode(err) == core.ERefused) {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if len(at) != 4 {
		t.Fatalf("%d attempts", len(at))
	}
	windowOK(t, at, 2)
}

func TestSeed(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	c, clk, _ := newTestClient(t, ts.URL, func(c *Config) { c.Budget = 10 })
	now := clk.Now()
	var seed []core.Call
	for i := 0; i < 10; i++ {
		seed = append(seed, core.Call{Method: "exportList", At: now.Add(-2 * time.Minute)}) // long gone
	}
	if c.Seed(seed); !c.NextSlot().Equal(now) {
		t.Errorf("old calls counted: %v", c.NextSlot().Sub(now))
	}
	for i := 0; i < 10; i++ {
		seed = append(seed, core.Call{Method: "exportList", At: now.Add(-30 * time.Second)})
	}
	c.Seed(seed)
	if got := c.NextSlot(); !got.Equal(now.Add(limitWindow - 30*time.Second)) {
		t.Errorf("NextSlot %v", got.Sub(now))
	}
	// Calls of another method fill the same budget.
	if _, err := c.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := clk.Now().Sub(now); waited != limitWindow-30*time.Second {
		t.Errorf("waited %v after a restart", waited)
	}
}

// TestSeedFutureCalls: calls stored by a clock that ran two hours fast
// (then corrected) count as made now: the station waits one window at most,
// never two hours, and S-360's limit still holds right after the seed.
func TestSeedFutureCalls(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	var at []time.Time
	c, clk, _ := newTestClient(t, ts.URL, func(c *Config) {
		c.Budget = 10
		c.OnCall = func(call core.Call) { at = append(at, call.At) }
	})
	now := clk.Now()
	var seed []core.Call
	for i := 0; i < 10; i++ {
		seed = append(seed, core.Call{Method: "exportList", At: now.Add(2*time.Hour + time.Duration(i)*time.Second)})
	}
	c.Seed(seed)
	if got := c.NextSlot(); !got.Equal(now.Add(limitWindow)) {
		t.Errorf("NextSlot after future calls: %v from now, want one window", got.Sub(now))
	}
	for i := 0; i < 11; i++ {
		if _, err := c.TestConnection(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if waited := at[0].Sub(now); waited != limitWindow {
		t.Errorf("first call after %v, want one window (%v)", waited, limitWindow)
	}
	// The ten seeded calls count as made now, in the same window as ours.
	windowOK(t, append(make([]time.Time, 0, 21), append(repeat(now, 10), at...)...), 10)
}

// TestLimiterClockBack: a clock set back in the middle of a run neither
// locks the client out for the difference nor opens the window early.
func TestLimiterClockBack(t *testing.T) {
	l := newLimiter(3)
	now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if d := l.reserve(clock); d != 0 {
			t.Fatalf("call %d waits %v", i, d)
		}
	}
	now = now.Add(-2 * time.Hour) // corrected
	if d := l.reserve(clock); d != limitWindow {
		t.Fatalf("after the clock went back: wait %v, want one window", d)
	}
	now = now.Add(limitWindow)
	if d := l.reserve(clock); d != 0 {
		t.Fatalf("one window later: wait %v", d)
	}
}

func repeat(t time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = t
	}
	return out
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	// Real sleeping here, but it never runs its course: the test cancels.
	c, _, _ := newTestClient(t, ts.URL, func(c *Config) { c.Budget = 1; c.Sleep = nil })
	if _, err := c.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := c.TestConnection(ctx)
	if !errors.Is(err, context.Canceled) || core.ErrorMessage(err) != msgCancelled {
		t.Fatalf("got %v", err)
	}
	// A deadline too close to wait for: refused at once, no sleep.
	ctx, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	_, err = c.TestConnection(ctx)
	wantCode(t, err, core.ERefused)
	if len(ts.Requests()) != 1 {
		t.Errorf("%d requests", len(ts.Requests()))
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := newLimiter(50)
	var (
		mu  sync.Mutex
		now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		got []time.Time
		wg  sync.WaitGroup
	)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				for {
					var at time.Time
					d := l.reserve(func() time.Time { mu.Lock(); at = now; mu.Unlock(); return at })
					if d == 0 {
						mu.Lock()
						got = append(got, at)
						mu.Unlock()
						break
					}
					mu.Lock()
					if now.Equal(at) {
						now = now.Add(d)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(got) != 160 {
		t.Fatalf("%d", len(got))
	}
	// got is in reservation order only per goroutine; sort before checking.
	sortTimes(got)
	windowOK(t, got, 50)
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// The budget shown in the sync status: none for the simulator's unlimited client.
func TestBudgetReported(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want int
	}{
		{Config{}, DefaultBudget},
		{Config{Budget: 60}, 60},
		{Config{Unlimited: true}, 0},
	} {
		c.cfg.Endpoint, c.cfg.Institution, c.cfg.Operator, c.cfg.Password = "http://127.0.0.1:1/api", "I", "op", "pw"
		cl, err := New(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := cl.Budget(); got != c.want {
			t.Errorf("%+v: budget %d, want %d", c.cfg, got, c.want)
		}
	}
}
