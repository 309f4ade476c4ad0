package storetest

import (
	"math/rand/v2"
	"sync"
	"testing"

	"s360gate/core"
)

// Station scans one code at its gate, however it runs: a store handle in
// this process (StoreStation), or a separate `s360gate scan` process. It
// answers the verdict's outcome and reason.
type Station func(code string) (core.Outcome, core.Reason, error)

// StoreStation is a station scanning through db at checkpoint cp.
func StoreStation(db Store, cp core.Checkpoint) Station {
	return func(code string) (core.Outcome, core.Reason, error) {
		v, err := db.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: Day})
		return v.Outcome, v.Reason, err
	}
}

// AdmitOnce has every station scan every code once, all stations at once,
// and returns how many times each code was admitted; the caller checks the
// counts (a valid ticket: once, whichever station). In lockstep, the
// stations scan each code together (the sharpest race on one ticket);
// otherwise each goes through the codes in its own random order (a gate's
// flow, many tickets contended at once). A scan error, or a denial for
// another reason than prior use or an unknown code, fails t.
func AdmitOnce(t testing.TB, stations []Station, codes []string, lockstep bool) map[string]int {
	t.Helper()
	type result struct {
		code    string
		outcome core.Outcome
		reason  core.Reason
		err     error
	}
	results := make(chan result, len(stations)*len(codes))
	scanAll := func(order [][]string) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, st := range stations {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for _, code := range order[i] {
					o, r, err := st(code)
					results <- result{code, o, r, err}
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	if lockstep {
		for _, code := range codes {
			order := make([][]string, len(stations))
			for i := range order {
				order[i] = []string{code}
			}
			scanAll(order)
		}
	} else {
		order := make([][]string, len(stations))
		for i := range order {
			order[i] = append([]string(nil), codes...)
			rand.Shuffle(len(order[i]), func(a, b int) { order[i][a], order[i][b] = order[i][b], order[i][a] })
		}
		scanAll(order)
	}
	close(results)
	admitted := map[string]int{}
	for r := range results {
		switch {
		case r.err != nil:
			t.Fatalf("scan of %s: %v", r.code, r.err)
		case r.outcome == core.Admit:
			admitted[r.code]++
		case r.reason != core.ReasonAlreadyUsed && r.reason != core.ReasonUnknown:
			t.Fatalf("scan of %s: %s %s", r.code, r.outcome, r.reason)
		}
	}
	return admitted
}
