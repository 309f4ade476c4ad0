package syncer

import (
	"context"
	"errors"
	"strings"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// upload reports pending controls, oldest first, in batches. A control is
// marked uploaded only after S-360 acknowledged its batch, and S-360 calls
// being transactional, a failed call imported nothing: a control is never
// lost and never sent twice (short of the disk failing between S-360's
// answer and MarkUploaded, which the log says loudly).
func (e *Engine) upload(ctx context.Context, rep *CycleReport) error {
	// held: controls this cycle will not send again. A skipped one (no
	// S-360 barcode: the store should have marked it local) stays pending
	// untouched, and the next fetch asks for that many more so that such
	// controls can never block the queue. A handled one must not come back.
	held := map[string]bool{} // id → handled (true) or skipped (false)
	skipped := 0
	for {
		limit := e.batch + skipped
		pend, err := e.store.PendingControls(ctx, limit)
		if err != nil {
			return e.storeErr(ctx, err, "Cannot read the controls to upload from the disk")
		}
		var send []core.Control
		fresh := 0
		for _, c := range pend {
			handled, ok := held[c.ID]
			switch {
			case ok && handled:
				return core.Errorf(core.EInternal, "The store still lists as pending a control S-360 has already answered for (%s)", c.ID)
			case ok:
			case !c.ShouldUpload():
				held[c.ID] = false
				fresh++
			default:
				send = append(send, c)
			}
		}
		if fresh > 0 {
			skipped += fresh
			rep.Skipped += fresh
			e.log.WithField("controls", fresh).Warn("pending controls without an S-360 barcode (or exits) were not sent")
		}
		if len(send) == 0 {
			if fresh > 0 && len(pend) == limit {
				continue // more may wait behind the skipped ones
			}
			return nil
		}
		if err := e.sendBatch(ctx, send, rep); err != nil {
			return err
		}
		for _, c := range send {
			held[c.ID] = true
		}
		if len(pend) < limit {
			return nil // that was everything pending
		}
	}
}

// sendBatch sends one batch until it goes through. S-360 refuses the whole
// batch when it holds a control of a ticket blacklisted since export
// ("Failed to import controlledTickets:<barcode>"): those controls are
// marked rejected (kept for the dispute desk, never retried, the ticket
// denied from now on) and the rest is sent again.
func (e *Engine) sendBatch(ctx context.Context, send []core.Control, rep *CycleReport) error {
	for len(send) > 0 {
		err := e.call(ctx, "importControlledTicket", func(ctx context.Context) error {
			return e.remote.ImportControls(ctx, send)
		})
		var rej *core.RejectedError
		if errors.As(err, &rej) {
			var gone, rest []core.Control
			named := map[string]bool{}
			for _, b := range rej.Barcodes {
				named[strings.TrimSpace(b)] = true
			}
			for _, c := range send {
				if named[c.Barcode] {
					gone = append(gone, c)
				} else {
					rest = append(rest, c)
				}
			}
			if len(gone) == 0 {
				// Nothing to take out: sending the same batch again would be
				// refused again. Leave it pending for the next cycle.
				return core.Wrap(core.EInternal, err, "S-360 refused the controls but named none of this batch's tickets")
			}
			if err := e.store.MarkRejected(context.WithoutCancel(ctx), ids(gone), rej.Detail, e.now()); err != nil {
				return e.storeErr(ctx, err, "Cannot record S-360's refusal on the disk")
			}
			rep.Rejected += len(gone)
			e.log.WithFields(logrus.Fields{"rejected": len(gone), "resending": len(rest)}).
				Warn("S-360 refused controls of blacklisted tickets; they are kept as rejected")
			send = rest
			continue
		}
		if err != nil {
			return err
		}
		// S-360 has them: record it even if we are shutting down, or they
		// would be sent again.
		if err := e.store.MarkUploaded(context.WithoutCancel(ctx), ids(send), e.now()); err != nil {
			e.log.WithError(err).WithField("controls", len(send)).
				Error("S-360 acknowledged controls but the disk did not record it; they will be sent again")
			return e.storeErr(ctx, err, "Cannot record the upload on the disk")
		}
		rep.Uploaded += len(send)
		e.log.WithField("controls", len(send)).Info("controls uploaded")
		return nil
	}
	return nil
}

func ids(cs []core.Control) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
