package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"s360gate/core"
)

// pubSyncer publishes statuses the test gives it, from another goroutine,
// as the engine does.
type pubSyncer struct {
	mu sync.Mutex
	st core.SyncStatus
	fn []func(core.SyncStatus)
}

func (p *pubSyncer) SyncNow(context.Context) error { return nil }
func (p *pubSyncer) Status() core.SyncStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}
func (p *pubSyncer) Subscribe(fn func(core.SyncStatus)) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn = append(p.fn, fn)
	return func() {}
}
func (p *pubSyncer) publish(st core.SyncStatus) {
	p.mu.Lock()
	p.st = st
	fns := append([]func(core.SyncStatus){}, p.fn...)
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); fn(st) }()
	}
	wg.Wait()
}

func TestTopBarFollowsSync(t *testing.T) {
	eng := &pubSyncer{st: core.SyncStatus{Online: false}}
	f := newGateFixture(t, func(d *Deps, _ *gateConfig) { d.Engine = eng })
	f.ui(func() {
		if f.m.top.online.Text != "Not connected yet" || f.m.top.synced.Text != "never synced" {
			t.Errorf("at start: %q %q", f.m.top.online.Text, f.m.top.synced.Text)
		}
		if f.m.top.demo.Visible() {
			t.Error("DEMO banner on a production station without demo tickets")
		}
	})
	eng.publish(core.SyncStatus{Online: true, Pending: 1234, LastExportOK: gateNow.Add(-2 * time.Minute)})
	f.eventually("the published status", func() bool { return f.m.top.online.Text == "Online" })
	f.ui(func() {
		b := f.m.top
		if b.pending.Text != "1,234 to upload" || b.synced.Text != "last sync 19:03 (2 min ago)" || b.syncDot.FillColor != colOnline {
			t.Errorf("bar: %q, %q", b.pending.Text, b.synced.Text)
		}
	})
	// Online but older than the staleness limit (15 min): amber, not green.
	eng.publish(core.SyncStatus{Online: true, LastUploadOK: gateNow.Add(-40 * time.Minute)})
	f.eventually("the stale status", func() bool { return f.m.top.syncDot.FillColor == colStale })
}

func TestTopBarSimulatorBanner(t *testing.T) {
	b := newTopBar()
	s := core.Settings{Environment: core.EnvSim, Station: "S1", Direction: core.DirectionOut}
	b.apply(&s, false)
	if !b.demo.Visible() || b.dir.Text != "EXIT · OUT" || b.dirBg.FillColor != colExit || b.gate.Text != "no gate check" {
		t.Errorf("sim exit bar: demo %v, %q, %q", b.demo.Visible(), b.dir.Text, b.gate.Text)
	}
	s.Environment = core.EnvSandbox
	b.apply(&s, false)
	if b.demo.Visible() || b.env.Text != "SANDBOX" {
		t.Errorf("sandbox bar: demo %v, env %q", b.demo.Visible(), b.env.Text)
	}
}

// The top bar and the Sync tab say the same thing from the same status.
func TestTopBarAndSyncTabAgree(t *testing.T) {
	eng := &pubSyncer{st: core.SyncStatus{}}
	f := newGateFixture(t, func(d *Deps, _ *gateConfig) { d.Engine = eng })
	for _, c := range []struct {
		st       core.SyncStatus
		bar, tab string
	}{
		{core.SyncStatus{Running: true}, "Connecting…", "Connecting to S-360…"},
		{core.SyncStatus{Running: true, Called: true, LastError: "S-360 cannot be reached", LastErrorAt: gateNow}, "Offline", "Offline"},
		{core.SyncStatus{Running: true, Called: true, Online: true}, "Syncing…", "Online"},
	} {
		eng.publish(c.st)
		f.eventually("status "+c.bar, func() bool {
			return f.m.top.online.Text == c.bar && strings.HasPrefix(f.m.status.online.Text, c.tab)
		})
		f.ui(func() {
			if c.tab == "Offline" && f.m.status.lastError.Text == "none" {
				t.Error("Offline beside Last error: none")
			}
		})
	}
	// Nothing to send, but S-360 refused a control: not "all uploaded".
	eng.publish(core.SyncStatus{Called: true, Online: true, RejectedCount: 2, LastUploadOK: gateNow})
	f.eventually("refused", func() bool { return f.m.top.pending.Text == "2 refused by S-360" })
	f.ui(func() {
		if got := f.m.status.pending.Text; got != "none waiting — 2 refused by S-360 (below)" {
			t.Errorf("Sync tab: %q", got)
		}
	})
}
