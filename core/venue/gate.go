package venue

import (
	"context"
	"time"

	"github.com/google/uuid"

	"s360gate/core"
	"s360gate/core/postgres"
)

// The gate of a joined station: through the venue's database while it
// answers within the fallback time, from the local copy otherwise — one
// core.Gate, so the screens and commands do not know which decided
// (Control.OffVenue says it).

// Scan decides a scan. The control's id is chosen here, before the venue
// is asked, so that a scan the venue recorded but whose answer came too
// late is the same control as the one decided locally (the push settles
// it). A scan waits for the venue at most the fallback time.
func (s *Station) Scan(ctx context.Context, req core.ScanRequest) (core.Verdict, error) {
	if req.ControlID == "" && !req.Helpdesk {
		req.ControlID = uuid.NewString()
	}
	return decide(s, ctx, func(ctx context.Context, db *postgres.DB) (core.Verdict, error) {
		return db.Scan(ctx, req)
	}, func(ctx context.Context) (core.Verdict, error) {
		if req.Helpdesk {
			return s.local.Scan(ctx, req)
		}
		return s.local.ScanOffVenue(ctx, req)
	})
}

// Override admits a denied control on a supervisor's reason, through the
// venue or locally as a scan is.
func (s *Station) Override(ctx context.Context, controlID, reason string, now time.Time) (core.Verdict, error) {
	id := uuid.NewString()
	return decide(s, ctx, func(ctx context.Context, db *postgres.DB) (core.Verdict, error) {
		return db.OverrideAs(ctx, id, controlID, reason, now)
	}, func(ctx context.Context) (core.Verdict, error) {
		return s.local.OverrideOffVenue(ctx, id, controlID, reason, now)
	})
}

// decide runs venue within the fallback time while the link is up, and
// local when the venue does not answer in time, cannot be reached, or the
// link is known down.
func decide(s *Station, ctx context.Context, venue func(context.Context, *postgres.DB) (core.Verdict, error),
	local func(context.Context) (core.Verdict, error)) (core.Verdict, error) {
	for try := 0; ; try++ {
		if db := s.pg.Load(); db != nil && !s.down.Load() {
			vctx, cancel := context.WithTimeout(ctx, s.fallback())
			v, err := venue(vctx, db)
			cancel()
			if err == nil {
				s.wakeCopy()
				return v, nil
			}
			if ctx.Err() != nil || answered(err) {
				return v, err
			}
			s.markDown(err)
		}
		s.gate.RLock()
		if s.down.Load() || try > 0 {
			v, err := s.decideLocally(ctx, local)
			s.gate.RUnlock()
			return v, err
		}
		// The link came back meanwhile: through the venue again.
		s.gate.RUnlock()
	}
}

// decideLocally decides from the copy; the caller holds the gate's read
// lock.
func (s *Station) decideLocally(ctx context.Context, local func(context.Context) (core.Verdict, error)) (core.Verdict, error) {
	if ok, _ := s.copy.ready(); !ok {
		return core.Verdict{}, core.Say(core.EUnavailable, "venue.noCopyScan", nil)
	}
	v, err := local(ctx)
	if err == nil {
		v.Local = true
		if v.Control != nil && v.Control.OffVenue {
			s.setLink(func(l *core.LinkState) { l.Unpushed++ })
		}
	}
	return v, err
}

// answered: err is the venue's answer about the scan itself (a code it
// refuses, an unknown or already overridden control), which the copy
// would give too. Anything else — no answer in time, a cut connection, a
// database that cannot write — is decided from the copy: a scan is never
// lost to the venue's trouble.
func answered(err error) bool {
	switch core.ErrorCode(err) {
	case core.EInvalid, core.ENotFound, core.EConflict:
		return true
	}
	return false
}
