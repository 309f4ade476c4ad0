package venue

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/s360"
)

// guard is S-360 as the syncer's engine sees it: the turn's client behind
// the call rules of doc.go. Every call needs the turn to be live and runs
// under a context that ends with it; an import also needs the lease to
// hold for its whole timeout plus the time to store the answer, and a
// batch left in doubt is found out before anything is sent.
type guard struct {
	t      *term
	client atomic.Pointer[s360.Client]
}

var _ core.Remote = (*guard)(nil)

// begin checks that the turn is live and gives the call's context (ended
// with the turn) and the client.
func (g *guard) begin(ctx context.Context) (context.Context, func(), *s360.Client, error) {
	if !g.t.live() {
		return nil, nil, nil, core.Wrap(core.EConflict, ErrNotSyncer,
			"This station is no longer the venue's S-360 client: S-360 was not called")
	}
	cctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(g.t.ctx, func() { cancel(g.t.why()) })
	return cctx, func() { stop(); cancel(nil) }, g.client.Load(), nil
}

func (g *guard) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	ctx, done, cl, err := g.begin(ctx)
	if err != nil {
		return core.ExportPage{}, err
	}
	defer done()
	return cl.ExportList(ctx, req)
}

func (g *guard) TestConnection(ctx context.Context) (string, error) {
	ctx, done, cl, err := g.begin(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	return cl.TestConnection(ctx)
}

func (g *guard) ControlledTicket(ctx context.Context, code string) (core.RemoteTicket, error) {
	ctx, done, cl, err := g.begin(ctx)
	if err != nil {
		return core.RemoteTicket{}, err
	}
	defer done()
	return cl.ControlledTicket(ctx, code)
}

func (g *guard) Catalog(ctx context.Context, season string) ([]core.CatalogEntry, error) {
	ctx, done, cl, err := g.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return cl.Catalog(ctx, season)
}

// ImportControls sends a batch: after finding out a batch left in doubt
// (whose controls it then leaves out if S-360 has them), once a slot of the
// request budget is free and the lease holds long enough, with the batch
// recorded as in doubt until its answer is stored (syncStore.MarkUploaded
// clears the record). A refusal of blacklisted tickets is an answer:
// nothing was imported, so the record is cleared at once.
func (g *guard) ImportControls(ctx context.Context, cs []core.Control) error {
	ctx, done, cl, err := g.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	if cs, err = g.resolve(ctx, cl, cs); err != nil || len(cs) == 0 {
		return err
	}
	if err := g.ready(ctx, cl); err != nil {
		return err
	}
	if err := g.t.store.BeginUpload(ctx, ids(cs)); err != nil {
		return err
	}
	ictx, cancel := context.WithTimeout(ctx, g.t.importTimeout)
	err = cl.ImportControls(ictx, cs)
	cancel()
	var rej *core.RejectedError
	if errors.As(err, &rej) {
		g.t.store.endUpload(context.WithoutCancel(ctx))
	}
	return err
}

// ready waits for a free slot of the request budget (the export may have
// used it up) and for a renewal when the lease would not hold through the
// import and the storing of its answer.
func (g *guard) ready(ctx context.Context, cl *s360.Client) error {
	need := g.t.importTimeout + g.t.ackMargin + g.t.stopMargin
	for short := 0; ; {
		if d := cl.NextSlot().Sub(g.t.m.Now()); d > 0 {
			if err := core.Sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		if g.t.remaining() >= need {
			return nil
		}
		if short++; short > 3 {
			return core.Wrap(core.EUnavailable, ErrNotSyncer,
				"The venue database renews the syncer's turn too slowly to upload safely now; trying again")
		}
		select {
		case <-g.t.renewal():
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * g.t.renewEvery):
		}
	}
}

// resolve finds out a batch left in doubt (doc.go, "Never a batch twice")
// and returns the controls of cs still to send.
func (g *guard) resolve(ctx context.Context, cl *s360.Client, cs []core.Control) ([]core.Control, error) {
	t := g.t
	in, ok, err := t.m.db.UploadInDoubt(ctx)
	if err != nil || !ok {
		return cs, err
	}
	log := t.log.WithFields(logrus.Fields{"batchEpoch": in.Epoch, "batchStation": in.Station, "pending": len(in.Pending)})
	probe := pickProbe(in.Pending)
	if probe == nil {
		// Its answer was stored after all, or nothing of it reaches S-360.
		return cs, t.store.endUpload(ctx)
	}
	rt, err := cl.ControlledTicket(ctx, probe.Barcode)
	switch {
	case core.ErrorCode(err) == core.ENotFound:
		log.Warn("S-360 does not know the ticket of a batch whose answer was lost: the batch is sent again")
		return cs, t.store.endUpload(ctx)
	case err != nil:
		return nil, err
	case !rt.Has(probe):
		log.Info("S-360 had not imported the batch whose answer was lost: it is sent again")
		return cs, t.store.endUpload(ctx)
	}
	gone := ids(in.Pending)
	if err := t.store.MarkUploaded(ctx, gone, t.m.Now()); err != nil {
		return nil, err
	}
	log.Warn("S-360 had imported the batch whose answer was lost: marked uploaded, not sent again")
	skip := make(map[string]bool, len(gone))
	for _, id := range gone {
		skip[id] = true
	}
	var rest []core.Control
	for _, c := range cs {
		if !skip[c.ID] {
			rest = append(rest, c)
		}
	}
	return rest, nil
}

// pickProbe is the control of a batch to ask S-360 about: one it was sent
// (a ticket S-360 issued, going in), an admission if there is one (a
// ticket is admitted once, so no other control of it matches its second,
// result and device).
func pickProbe(cs []core.Control) *core.Control {
	var probe *core.Control
	for i := range cs {
		c := &cs[i]
		if !c.ShouldUpload() {
			continue
		}
		if c.Admitted() {
			return c
		}
		if probe == nil {
			probe = c
		}
	}
	return probe
}

func ids(cs []core.Control) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// wrapConn is the turn's s360.Config.Conn: its connections refuse to write
// once the turn is not live, whatever was decided before (a process paused
// between deciding to send and sending).
func (t *term) wrapConn(c net.Conn) net.Conn { return &leaseConn{Conn: c, t: t} }

type leaseConn struct {
	net.Conn
	t *term
}

func (c *leaseConn) Write(p []byte) (int, error) {
	if !c.t.live() {
		c.Conn.Close()
		return 0, core.Wrap(core.EConflict, ErrNotSyncer, "This station is no longer the venue's S-360 client: nothing was sent")
	}
	return c.Conn.Write(p)
}
