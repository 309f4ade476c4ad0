package s360sim

import (
	"testing"
)

// One client paging through, resuming from an earlier cursor (a restart
// from the committed position), retrying a page: one chain, no break. A
// second client resuming from a cursor the first handed on, and the first
// going on with its own later cursors: two interleaved chains, a break
// naming both.
func TestCursorChains(t *testing.T) {
	t.Parallel()
	sim, a := newTestSim(t, Config{Seed: 3, Tickets: 3000, RateLimit: -1})
	a.agent = "A"
	b := *a
	b.agent = "B"

	_, c1 := a.export("GREY", nil, 500)
	_, c2 := a.export("GREY", &c1, 500)
	_, c3 := a.export("GREY", &c2, 500)
	// A restarts from c2 (what it had committed), asks for the same page
	// twice (its answer lost), and goes on.
	a.export("GREY", &c2, 500)
	_, c3b := a.export("GREY", &c2, 500)
	_, _, end := a.drain("GREY", &c3b, 500)
	// Another export (another product) is another chain.
	a.export("GREY", nil, 500, sim.Config().Products[1])
	if br := sim.ChainBreaks(); len(br) != 0 {
		t.Fatalf("one client, breaks %+v", br)
	}

	// B takes over from c1; A, not told, goes on from c3 (abandoned by B's
	// request, or already by A's own restart from c2).
	_, d2 := b.export("GREY", &c1, 500)
	b.export("GREY", &d2, 500)
	a.export("GREY", &c3, 500)
	br := sim.ChainBreaks()
	if len(br) != 1 || br[0].UserAgent != "A" || br[0].Cursor != c3 || br[0].Export == "" {
		t.Fatalf("breaks %+v", br)
	}
	// A stale cursor abandoned by B's resumption is B's doing.
	a.export("GREY", &end, 500)
	if br = sim.ChainBreaks(); len(br) != 2 || br[1].By != "B" {
		t.Fatalf("breaks %+v", br)
	}
}
