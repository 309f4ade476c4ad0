package s360

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// refusingConn fails every write once refuse is set, as a venue syncer's
// connection does once its lease may have ended.
type refusingConn struct {
	net.Conn
	refuse *atomic.Bool
}

var errRefused = errors.New("not the syncer any more")

func (c refusingConn) Write(p []byte) (int, error) {
	if c.refuse.Load() {
		return 0, errRefused
	}
	return c.Conn.Write(p)
}

// Every request names the caller (User-Agent), and Config.Conn sees every
// byte before it leaves: a wrapper that refuses writes stops requests
// before the server hears of them, on a fresh or a kept-alive connection.
func TestUserAgentAndConnWrapper(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "success", "", `"timeZone":"Europe/Zurich"`)
	})
	var refuse atomic.Bool
	wraps := 0
	c, _, _ := newTestClient(t, ts.URL, func(c *Config) {
		c.UserAgent = "s360gate/test (GATE_A)"
		c.Conn = func(nc net.Conn) net.Conn { wraps++; return refusingConn{nc, &refuse} }
	})
	if _, err := c.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	if _, err := c.TestConnection(context.Background()); !errors.Is(err, errRefused) {
		t.Fatalf("a refused write gave %v", err)
	}
	reqs := ts.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the server saw %d requests, want the first only", len(reqs))
	}
	if ua := reqs[0].Header.Get("User-Agent"); ua != "s360gate/test (GATE_A)" {
		t.Errorf("User-Agent %q", ua)
	}
	if wraps == 0 {
		t.Error("the wrapper never saw a connection")
	}

	d, _, _ := newTestClient(t, ts.URL)
	if _, err := d.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := ts.Requests()[1].Header.Get("User-Agent"); ua != "s360gate" {
		t.Errorf("default User-Agent %q", ua)
	}
}
