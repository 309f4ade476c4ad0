// Package netfault is a TCP proxy whose faults a test controls: put
// between a station and the venue's database, it plays a pulled cable
// (Drop), a switch that swallows packets (Blackhole), or a slow link
// (Delay). Tests only.
package netfault

import (
	"io"
	"net"
	"sync"
	"time"
)

// Mode is what the proxy does with the traffic.
type Mode int

const (
	// Pass forwards everything.
	Pass Mode = iota
	// Drop closes every connection at once and refuses new ones: a cable
	// pulled, a host rebooted (the peer sees a reset).
	Drop
	// Blackhole keeps connections open but forwards nothing, and accepts
	// new ones that never reach the target: a dead switch, lost Wi-Fi (the
	// peer only sees silence).
	Blackhole
)

// Proxy forwards connections to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  Mode
	delay time.Duration
	conns map[net.Conn]struct{}
	gate  chan struct{} // closed while the mode is Pass
	done  chan struct{}
}

// Start listens on a free loopback port and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, gate: make(chan struct{}), done: make(chan struct{})}
	close(p.gate)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address (host:port).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Set changes the mode. Drop closes the connections open now.
func (p *Proxy) Set(m Mode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if m == p.mode {
		return
	}
	if p.mode == Pass {
		p.gate = make(chan struct{})
	}
	p.mode = m
	switch m {
	case Pass:
		close(p.gate)
	case Drop:
		for c := range p.conns {
			c.Close()
		}
	}
}

// Delay holds every chunk of data for d before forwarding it (0: none).
func (p *Proxy) Delay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		c.Close()
		return false
	default:
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) state() (Mode, time.Duration, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode, p.delay, p.gate
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if m, _, _ := p.state(); m == Drop {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, as from a host that is gone
			}
			c.Close()
			continue
		}
		if !p.track(c) {
			continue
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	defer p.untrack(c)
	// A blackholed connection waits for the link to come back, or ends
	// with the proxy or a drop.
	if m, _, gate := p.state(); m != Pass {
		select {
		case <-gate:
		case <-p.done:
			return
		}
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(up) {
		return
	}
	defer p.untrack(up)
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(up, c); up.Close() })
	wg.Go(func() { p.pipe(c, up); c.Close() })
	wg.Wait()
}

// pipe copies src to dst, each chunk subject to the mode when it arrives.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			m, d, gate := p.state()
			if m != Pass {
				// Held (blackhole) until the link passes again, or
				// closed by a drop or the proxy.
				select {
				case <-gate:
				case <-p.done:
					return
				}
			}
			if d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			return
		}
	}
}
