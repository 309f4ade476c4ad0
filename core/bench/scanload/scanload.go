// Package scanload runs many stations scanning at once and measures each
// scan, decision and durable commit: the venue benchmarks' load, shared by
// `s360gate bench --venue` (core/bench) and the store's Go benchmarks
// (core/postgres), so that both measure the same thing the same way.
package scanload

import (
	"context"
	"slices"
	"sync"
	"time"

	"s360gate/core"
)

// Result is what a run measured.
type Result struct {
	// Latencies of every scan, shortest first.
	Latencies []time.Duration
	Wall      time.Duration // from the first scan to the last
}

// Run has len(gates) stations scan n scans in all: station s takes scans s,
// s+len(gates), s+2·len(gates)…, as fast as it can (a closed loop: each scan
// waits for the one before) or, with every > 0, one every every, the
// stations out of phase as real gates are. req makes scan i of station s.
// The first error stops the run.
func Run(ctx context.Context, gates []core.Gate, n int, every time.Duration, req func(s, i int) core.ScanRequest) (Result, error) {
	stations := len(gates)
	lat := make([][]time.Duration, stations)
	errs := make([]error, stations)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for s := range stations {
		wg.Go(func() {
			var tick *time.Ticker
			if every > 0 {
				if core.Sleep(ctx, time.Duration(s)*every/time.Duration(stations)) != nil {
					return
				}
				tick = time.NewTicker(every)
				defer tick.Stop()
			}
			for i := s; i < n && ctx.Err() == nil; i += stations {
				if tick != nil {
					select {
					case <-tick.C:
					case <-ctx.Done():
						return
					}
				}
				r := req(s, i)
				t0 := time.Now()
				if _, err := gates[s].Scan(ctx, r); err != nil {
					errs[s] = err
					cancel()
					return
				}
				lat[s] = append(lat[s], time.Since(t0))
			}
		})
	}
	wg.Wait()
	res := Result{Latencies: slices.Concat(lat...), Wall: time.Since(start)}
	slices.Sort(res.Latencies)
	for _, err := range errs {
		if err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}

// Percentile is the latency below which a share p of the scans took.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(p*float64(len(r.Latencies))))]
}

// Max is the slowest scan.
func (r Result) Max() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[len(r.Latencies)-1]
}

// PerSecond is scans per second over the run.
func (r Result) PerSecond() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(len(r.Latencies)) / r.Wall.Seconds()
}
