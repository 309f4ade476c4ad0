package s360sim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults makes the /v1_6/ surface misbehave like a flaky network or
// institution. Rates are shares of requests in [0,1]; one fault at most is
// drawn per request (error, then truncate, malform, hang, cumulatively).
// The /sim/ admin surface is never faulted.
type Faults struct {
	Latency      time.Duration // added to every request
	ErrorRate    float64       // HTTP 500/502/503 (bodies as a server or proxy would send)
	TruncateRate float64       // full Content-Length announced, body cut in the middle, connection dropped
	MalformRate  float64       // HTTP 200 with invalid JSON (complete, consistent length)
	HangRate     float64       // no answer for HangFor (0: until the request context ends), then the normal answer
	HangFor      time.Duration
	Seed         int64 // seeds the draw (the order of concurrent requests still varies)
}

type faultKind uint8

const (
	faultNone faultKind = iota
	faultError
	faultTruncate
	faultMalform
	faultHang
)

type faultState struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f = f
	fs.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x5360))
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}

// draw picks the fault of one request; status is set for faultError.
func (fs *faultState) draw() (k faultKind, status int, f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f = fs.f
	if f.ErrorRate <= 0 && f.TruncateRate <= 0 && f.MalformRate <= 0 && f.HangRate <= 0 {
		return faultNone, 0, f
	}
	u := fs.rng.Float64()
	switch {
	case u < f.ErrorRate:
		return faultError, [...]int{500, 502, 503}[fs.rng.IntN(3)], f
	case u < f.ErrorRate+f.TruncateRate:
		return faultTruncate, 0, f
	case u < f.ErrorRate+f.TruncateRate+f.MalformRate:
		return faultMalform, 0, f
	case u < f.ErrorRate+f.TruncateRate+f.MalformRate+f.HangRate:
		return faultHang, 0, f
	}
	return faultNone, 0, f
}

// SetFaults replaces the fault profile (the zero Faults turns them off).
func (s *Sim) SetFaults(f Faults) { s.faults.set(f) }

// CurrentFaults returns the fault profile in force.
func (s *Sim) CurrentFaults() Faults { return s.faults.get() }

// wait blocks for d, or until ctx ends (false). d <= 0 waits for ctx only
// when forever is set.
func wait(ctx context.Context, d time.Duration, forever bool) bool {
	if d <= 0 && !forever {
		return true
	}
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeErrorFault answers like a failing server or the proxy before it.
func writeErrorFault(w http.ResponseWriter, status int) {
	h := w.Header()
	switch status {
	case http.StatusBadGateway:
		h.Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"))
	case http.StatusServiceUnavailable:
		h.Set("Content-Type", "text/plain")
		h.Set("Retry-After", "1")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("Service Unavailable\n"))
	default:
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"statusCode":"ERROR","statusDetail":"Internal server error"}`))
	}
}

// malform turns a JSON body into something no JSON parser accepts.
func malform(body []byte) []byte {
	out := append([]byte(nil), body[:len(body)/2]...)
	return append(out, "\x00<!-- s360sim: malformed response -->"...)
}

// writeTruncated announces the full length, sends half, and drops the
// connection, as when a proxy or the network dies mid-transfer.
func writeTruncated(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Length", itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler) // net/http closes the connection, logs nothing
}
