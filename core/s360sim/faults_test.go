package s360sim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	clk := newClock()
	sim := New(testConfig(clk))
	endpoint, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || !strings.HasSuffix(endpoint, ServicePath) {
		t.Fatalf("endpoint %q", endpoint)
	}
	c := newClient(t, sim, endpoint)
	page := exportReq{RequestID: 1, ListType: "GREY", TicketType: "ALL", SeasonCode: "SEASON26", NbMaxResults: 200}
	adminOK := func() {
		t.Helper()
		resp, err := http.Get(strings.TrimSuffix(endpoint, ServicePath) + "/sim/samples")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("admin faulted: %v %v", err, resp)
		}
		resp.Body.Close()
	}

	t.Run("error", func(t *testing.T) {
		sim.SetFaults(Faults{ErrorRate: 1, Seed: 1})
		seen := map[int]bool{}
		for i := 0; i < 30; i++ {
			resp, _, err := c.raw(context.Background(), "exportList", page)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 500 && resp.StatusCode != 502 && resp.StatusCode != 503 {
				t.Fatalf("HTTP %d", resp.StatusCode)
			}
			seen[resp.StatusCode] = true
		}
		if len(seen) != 3 {
			t.Errorf("statuses seen: %v", seen)
		}
		adminOK()
	})
	t.Run("truncate", func(t *testing.T) {
		for _, gz := range []bool{false, true} {
			c.gzip = gz
			sim.SetFaults(Faults{TruncateRate: 1})
			_, _, err := c.raw(context.Background(), "exportList", page)
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("gzip=%v: want unexpected EOF, got %v", gz, err)
			}
		}
		c.gzip = false
		adminOK()
	})
	t.Run("malform", func(t *testing.T) {
		sim.SetFaults(Faults{MalformRate: 1})
		resp, body, err := c.raw(context.Background(), "exportList", page)
		if err != nil || resp.StatusCode != 200 || json.Valid(body) {
			t.Fatalf("HTTP %v err %v valid=%v", resp.StatusCode, err, json.Valid(body))
		}
		adminOK()
	})
	t.Run("hang until the client gives up", func(t *testing.T) {
		sim.SetFaults(Faults{HangRate: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, _, err := c.raw(ctx, "getTimeZone", `{}`)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want deadline exceeded, got %v", err)
		}
		adminOK()
	})
	t.Run("hang for a while, then answer", func(t *testing.T) {
		sim.SetFaults(Faults{HangRate: 1, HangFor: 50 * time.Millisecond})
		t0 := time.Now()
		resp, _, err := c.raw(context.Background(), "getTimeZone", `{}`)
		if err != nil || resp.StatusCode != 200 || time.Since(t0) < 50*time.Millisecond {
			t.Fatalf("err %v, took %v", err, time.Since(t0))
		}
	})
	t.Run("latency", func(t *testing.T) {
		sim.SetFaults(Faults{Latency: 30 * time.Millisecond})
		t0 := time.Now()
		resp, _, err := c.raw(context.Background(), "getTimeZone", `{}`)
		if err != nil || resp.StatusCode != 200 || time.Since(t0) < 30*time.Millisecond {
			t.Fatalf("err %v, took %v", err, time.Since(t0))
		}
	})
	t.Run("rates are shares", func(t *testing.T) {
		sim.SetFaults(Faults{ErrorRate: 0.3, Seed: 9})
		bad := 0
		for i := 0; i < 200; i++ {
			resp, _, err := c.raw(context.Background(), "getTimeZone", `{}`)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 {
				bad++
			}
		}
		if bad < 30 || bad > 90 {
			t.Fatalf("%d/200 errors for a 0.3 rate", bad)
		}
	})
	sim.SetFaults(Faults{})
	if st := sim.Stats(); st.Faults < 30 {
		t.Errorf("Faults = %d", st.Faults)
	}
	// A request left hanging forever is released by stop.
	sim.SetFaults(Faults{HangRate: 1})
	held := make(chan struct{}, 1)
	hook := func() { held <- struct{}{} }
	sim.hangHook.Store(&hook)
	errc := make(chan error, 1)
	go func() {
		_, _, err := newClient(t, sim, endpoint).raw(context.Background(), "getTimeZone", `{}`)
		errc <- err
	}()
	<-held // the server holds the request
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Fatal("hung request answered after stop")
	}
}
