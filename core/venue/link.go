package venue

import (
	"context"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
)

// The link to the venue's database, as the station knows it: up while the
// venue answers; down from the first scan it did not answer in time (or a
// failure of the copy's follower) until a probe gets an answer and every
// control decided meanwhile is pushed.

// pushBatch is how many local controls one push stores.
const pushBatch = 500

// setLink changes the link state and tells its subscribers, and the
// status's.
func (s *Station) setLink(fn func(*core.LinkState)) {
	l := s.link.update(fn)
	s.status.update(func(v *core.VenueStatus) { v.Link = l })
}

// markDown notes that the venue does not answer: from now on the station
// decides from its copy, without waiting for the venue.
func (s *Station) markDown(err error) {
	if !s.down.CompareAndSwap(false, true) {
		return
	}
	now := s.Now()
	s.log.WithError(err).Warn("the venue's database does not answer: this station decides from its copy of the venue until it answers again")
	s.setLink(func(l *core.LinkState) { l.Up, l.Since, l.Error = false, now, err.Error() })
	select {
	case s.probe <- struct{}{}:
	default:
	}
}

// watchLink asks the venue, while the link is down, whether it answers
// again, and then brings the station back: its local controls pushed, in
// order, then deciding through the venue.
func (s *Station) watchLink() {
	t := time.NewTicker(s.o.ProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.probe:
			continue // the link just went down: wait for the next tick
		}
		if !s.down.Load() {
			continue
		}
		if err := s.comeBack(s.ctx); err != nil && s.ctx.Err() == nil {
			s.log.WithError(err).Debug("the venue does not answer yet")
			s.setLink(func(l *core.LinkState) { l.Error = err.Error() })
		}
	}
}

// comeBack tries the venue once and, if it answers, pushes and goes up.
func (s *Station) comeBack(ctx context.Context) error {
	db := s.pg.Load()
	if db == nil { // never reached since the station started
		octx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var err error
		db, err = s.open(octx)
		cancel()
		if err != nil {
			return err
		}
		s.pg.Store(db)
		s.startMember(db)
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	_, _, err := db.DBTime(pctx)
	cancel()
	if err != nil {
		return err
	}
	// Most of the backlog is pushed while scans still decide locally;
	// the rest under the gate's lock, so that none is left behind.
	if err := s.pushAll(ctx, db); err != nil {
		return err
	}
	s.gate.Lock()
	defer s.gate.Unlock()
	if err := s.pushAll(ctx, db); err != nil {
		return err
	}
	s.down.Store(false)
	now := s.Now()
	s.log.Info("the venue's database answers again: this station's local controls are pushed, it decides through the venue again")
	s.setLink(func(l *core.LinkState) { l.Up, l.Since, l.Error, l.Unpushed = true, now, "", 0 })
	s.wakeCopy()
	return nil
}

// pushAll pushes the controls decided locally to the venue, oldest first,
// in batches: each is stored in the venue (idempotent by control id), then
// noted pushed here. A crash between the two pushes the batch again, which
// stores nothing twice.
func (s *Station) pushAll(ctx context.Context, db *postgres.DB) error {
	for {
		us, err := s.local.UnpushedControls(ctx, pushBatch)
		if err != nil || len(us) == 0 {
			return err
		}
		ps := make([]postgres.Pushed, len(us))
		ids := make([]string, len(us))
		for i, u := range us {
			ps[i] = postgres.Pushed{Control: u.Control, OverrideOf: u.OverrideOf}
			ids[i] = u.ID
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := db.Push(pctx, ps)
		cancel()
		if err != nil {
			return err
		}
		if err := s.local.MarkPushed(ctx, ids); err != nil {
			return err
		}
		s.log.WithFields(map[string]any{"controls": len(us), "new": n}).Info("pushed controls decided without the venue")
		left := max(s.copy.unpushed(ctx), 0)
		s.setLink(func(l *core.LinkState) { l.Unpushed = left })
		if len(us) < pushBatch {
			return nil
		}
	}
}
