package venue

import (
	"context"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
)

// Link is the station's link to the venue's database now.
func (s *Station) Link() core.LinkState { return s.link.get() }

// SubscribeLink calls fn with the link now, then on every change (see
// core.Venue).
func (s *Station) SubscribeLink(fn func(core.LinkState)) (cancel func()) { return s.link.subscribe(fn) }

// Status is the venue as last read, with the link.
func (s *Station) Status() core.VenueStatus { return s.status.get() }

// Subscribe calls fn with the status now, then on every change.
func (s *Station) Subscribe(fn func(core.VenueStatus)) (cancel func()) { return s.status.subscribe(fn) }

// DoubleEntriesOf lists the double entries of one ticket (the venue's; an
// error while the venue cannot be reached).
func (s *Station) DoubleEntriesOf(ctx context.Context, barcode string) ([]core.DoubleEntry, error) {
	db, err := s.venue()
	if err != nil {
		return nil, err
	}
	return db.DoubleEntriesOf(ctx, barcode)
}

// readStatus reads the venue's status every StatusEvery while the link is
// up.
func (s *Station) readStatus() {
	t := time.NewTicker(s.o.StatusEvery)
	defer t.Stop()
	for {
		if db := s.pg.Load(); db != nil && !s.down.Load() {
			ctx, cancel := context.WithTimeout(s.ctx, s.o.StatusEvery)
			st, err := ReadStatus(ctx, db)
			cancel()
			s.status.update(func(v *core.VenueStatus) {
				if err != nil {
					v.Error = err.Error()
					return
				}
				st.Station, st.Candidate, st.Link = v.Station, v.Candidate, s.link.get()
				if m := s.member.Load(); m != nil {
					_, st.Syncing = m.Syncing()
				}
				*v = st
			})
		}
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ReadStatus reads the venue's status from its database: the syncer, the
// stations, the double entries (Station, Candidate, Syncing and Link are
// the caller's to fill).
func ReadStatus(ctx context.Context, db *postgres.DB) (core.VenueStatus, error) {
	var st core.VenueStatus
	li, err := db.CurrentLease(ctx)
	if err != nil {
		return st, err
	}
	if li.Held {
		st.Syncer, st.SyncerSince, st.SyncerEpoch = li.Station, li.Since, li.Epoch
	}
	stations, err := db.Stations(ctx)
	if err != nil {
		return st, err
	}
	st.Stations = make([]core.VenueStation, 0, len(stations))
	for _, x := range stations {
		online := x.Silent <= 3*HeartbeatEvery
		if online {
			st.Online++
		}
		st.Stations = append(st.Stations, core.VenueStation{Name: x.Name, Gate: x.Gate, Direction: x.Direction,
			Candidate: x.Candidate, Syncer: x.Syncer, Online: online, LastHeard: x.LastHeard,
			ScansToday: x.ScansToday, Pending: x.Pending})
	}
	if st.DoubleEntries, err = db.DoubleEntries(ctx); err != nil {
		return st, err
	}
	if sync, err := db.SyncState(ctx); err == nil {
		st.Zone = sync.Zone()
	}
	st.ReadAt = li.DBNow
	return st, nil
}

// DoubleEntries lists the venue's double entries (an error while the
// venue cannot be reached).
func (s *Station) DoubleEntries(ctx context.Context) ([]core.DoubleEntry, error) {
	db, err := s.venue()
	if err != nil {
		return nil, err
	}
	return db.DoubleEntries(ctx)
}
