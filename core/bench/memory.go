package bench

import (
	"runtime/metrics"
	"sync"
	"time"
)

// Memory is the peak memory of the run.
type Memory struct {
	// PeakHeapBytes is the largest Go heap in use seen (live and not yet
	// collected objects, runtime/metrics sampled every 10 ms).
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
	// PeakGoBytes is the largest total the Go runtime held from the OS
	// (heap, stacks, free spans not yet returned…).
	PeakGoBytes uint64 `json:"peak_go_total_bytes"`
	// PeakRSSBytes is the process's resident set high-water mark (Linux's
	// VmHWM, Windows' peak working set): Go, SQLite's page caches (C
	// memory) and everything else. It is reset at the start of the run
	// when the system allows it (Linux's clear_refs; Windows cannot), so it
	// is the run's own peak; RSSReset says whether it was.
	PeakRSSBytes uint64 `json:"peak_rss_bytes"`
	RSSReset     bool   `json:"rss_reset"`
	// StationPeakRSSBytes is the peak of the phases a station runs: every
	// phase but the raw store limit's, which is the benchmark's own
	// measuring device (a second database with its own page cache). It is
	// PeakRSSBytes when the per-phase reset is not available.
	StationPeakRSSBytes uint64 `json:"station_peak_rss_bytes"`
	// PhasePeakRSS is VmHWM per phase (reset at each phase's start), when
	// the reset works: which phase costs the memory.
	PhasePeakRSS map[string]uint64 `json:"phase_peak_rss_bytes,omitempty"`
}

// memWatch samples the Go heap in the background and keeps per-phase RSS
// peaks.
type memWatch struct {
	mu            sync.Mutex
	heap, goTotal uint64
	phases        map[string]uint64
	reset         bool
	stop          chan struct{}
	done          chan struct{}
}

var memSamples = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
}

func startMemWatch() *memWatch {
	w := &memWatch{phases: map[string]uint64{}, stop: make(chan struct{}), done: make(chan struct{})}
	w.reset = resetPeakRSS()
	go func() {
		defer close(w.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		s := make([]metrics.Sample, len(memSamples))
		copy(s, memSamples)
		for {
			w.sample(s)
			select {
			case <-w.stop:
				w.sample(s)
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *memWatch) sample(s []metrics.Sample) {
	metrics.Read(s)
	val := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	heap := val(0) + val(1)
	total := val(2) - val(3) // what is mapped and not given back
	w.mu.Lock()
	w.heap = max(w.heap, heap)
	w.goTotal = max(w.goTotal, total)
	w.mu.Unlock()
}

// phase starts measuring the RSS peak of a phase; the returned func ends it.
func (w *memWatch) phase(name string) func() {
	if !w.reset {
		return func() {}
	}
	resetPeakRSS()
	return func() {
		hwm := peakRSS()
		w.mu.Lock()
		w.phases[name] = max(w.phases[name], hwm)
		w.mu.Unlock()
	}
}

func (w *memWatch) finish() Memory {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	m := Memory{PeakHeapBytes: w.heap, PeakGoBytes: w.goTotal, RSSReset: w.reset}
	m.PeakRSSBytes = peakRSS()
	m.StationPeakRSSBytes = m.PeakRSSBytes
	if w.reset && len(w.phases) > 0 {
		m.PhasePeakRSS = map[string]uint64{}
		m.StationPeakRSSBytes = 0
		for k, v := range w.phases {
			m.PhasePeakRSS[k] = v
			m.PeakRSSBytes = max(m.PeakRSSBytes, v)
			if k != "raw" {
				m.StationPeakRSSBytes = max(m.StationPeakRSSBytes, v)
			}
		}
	}
	return m
}
