package s360sim

import (
	"strings"
	"sync"
	"time"
)

// S-360 allows one client per product: "you can't use two different
// clients each one storing its own pagination data" (s360-api.md). The sim
// keeps every cursor chain it hands out, per export (season, products,
// performances, list and ticket type), so that a test can check that
// whatever stations a venue runs, S-360 sees one client at a time.
//
// A chain is the tree of cursors: the paginationEnd of an answer is a child
// of its paginationStart (null is the root). Asking again from an earlier
// cursor — a client that resumes from the position it committed, after a
// crash or a handover, or retries a request whose answer it lost — is
// allowed: it abandons whatever had been handed out after that cursor.
// Asking from an abandoned cursor is a ChainBreak: a client went on with
// pagination data another request had made stale, which is what two
// clients interleaving their cursors look like from S-360.

// ChainBreak is one request that continued an abandoned cursor chain.
type ChainBreak struct {
	Export    string    // the export's key: season|products|performances|list|ticket type
	Cursor    string    // the abandoned paginationStart it asked from
	UserAgent string    // who asked (the client's User-Agent)
	By        string    // who abandoned it: the User-Agent of the request that resumed before it
	At        time.Time // on the sim's clock
}

type chains struct {
	mu     sync.Mutex
	trees  map[string]*chainTree
	breaks []ChainBreak
}

type chainTree struct {
	parent   map[string]string   // cursor → the cursor it was answered from ("" is the root)
	children map[string][]string // cursor → cursors answered from it
	dead     map[string]string   // abandoned cursor → User-Agent of the request that abandoned it
}

// record notes an answered exportList page: asked from start (""=null),
// answered end.
func (c *chains) record(key, start, end, agent string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.trees == nil {
		c.trees = map[string]*chainTree{}
	}
	t := c.trees[key]
	if t == nil {
		t = &chainTree{parent: map[string]string{}, children: map[string][]string{}, dead: map[string]string{}}
		c.trees[key] = t
	}
	if by, ok := t.dead[start]; ok {
		c.breaks = append(c.breaks, ChainBreak{Export: key, Cursor: start, UserAgent: agent, By: by, At: at})
	}
	// Whatever was handed out after start is abandoned: the chain goes on
	// from here.
	stack := append([]string(nil), t.children[start]...)
	t.children[start] = nil
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := t.dead[n]; !ok {
			t.dead[n] = agent
		}
		stack = append(stack, t.children[n]...)
	}
	if end != "" && end != start {
		t.parent[end] = start
		t.children[start] = append(t.children[start], end)
	}
}

// ChainBreaks lists every request that continued an abandoned cursor
// chain (see chains.go); none means S-360 saw one client per export at a
// time.
func (s *Sim) ChainBreaks() []ChainBreak {
	s.chains.mu.Lock()
	defer s.chains.mu.Unlock()
	return append([]ChainBreak(nil), s.chains.breaks...)
}

// exportKey names the export a request belongs to.
func exportKey(req *exportRequest) string {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return strings.Join([]string{str(req.SeasonCode), strings.Join(req.ProductCodes, ","),
		strings.Join(req.PerformanceCodes, ","), str(req.ListType), str(req.TicketType)}, "|")
}
