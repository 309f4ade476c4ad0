package venue

import (
	"context"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
)

// What a joined station reads comes from the venue while the link is up,
// and from its copy while it is down (the dispute desk keeps working, with
// what the copy knows). What only the venue may hold (the export, S-360's
// answers, the call log) is written to the venue only: the venue's syncer
// writes it through its own fenced store, and nobody else should.

// backend is what both stores offer.
type backend interface {
	core.Store
	Audit(ctx context.Context, who, query string, at time.Time) error
	PurgePersonalData(ctx context.Context, before time.Time) (int, error)
}

// reader is the store reads go to now.
func (s *Station) reader() backend {
	if db := s.pg.Load(); db != nil && !s.down.Load() {
		return db
	}
	return s.local
}

// venue is the venue's database, or why it cannot be written now.
func (s *Station) venue() (*postgres.DB, error) {
	if db := s.pg.Load(); db != nil {
		return db, nil
	}
	return nil, core.Errorf(core.EUnavailable, "The venue's database cannot be reached")
}

func (s *Station) ApplyPage(ctx context.Context, key string, page core.ExportPage) error {
	db, err := s.venue()
	if err != nil {
		return err
	}
	return db.ApplyPage(ctx, key, page)
}

func (s *Station) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	db, err := s.venue()
	if err != nil {
		return nil, err
	}
	return db.BeginExport(ctx, key)
}

func (s *Station) Cursor(ctx context.Context, key string) (string, error) {
	return s.reader().Cursor(ctx, key)
}

func (s *Station) Ticket(ctx context.Context, barcode string) (core.Ticket, error) {
	return s.reader().Ticket(ctx, barcode)
}

func (s *Station) Lookup(ctx context.Context, query string, limit int) ([]core.TicketRecord, error) {
	return s.reader().Lookup(ctx, query, limit)
}

func (s *Station) TicketCounts(ctx context.Context) (core.TicketCounts, error) {
	return s.reader().TicketCounts(ctx)
}

func (s *Station) Controls(ctx context.Context, f core.ControlFilter, fn func(core.Control) error) error {
	return s.reader().Controls(ctx, f, fn)
}

func (s *Station) PendingControls(ctx context.Context, limit int) ([]core.Control, error) {
	return s.reader().PendingControls(ctx, limit)
}

func (s *Station) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	db, err := s.venue()
	if err != nil {
		return err
	}
	return db.MarkUploaded(ctx, ids, at)
}

func (s *Station) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	db, err := s.venue()
	if err != nil {
		return err
	}
	return db.MarkRejected(ctx, ids, detail, at)
}

func (s *Station) ControlCounts(ctx context.Context, since time.Time) (core.ControlCounts, error) {
	return s.reader().ControlCounts(ctx, since)
}

func (s *Station) RecordCall(ctx context.Context, c core.Call) error {
	db, err := s.venue()
	if err != nil {
		return err
	}
	return db.RecordCall(ctx, c)
}

func (s *Station) CallsSince(ctx context.Context, t time.Time) ([]core.Call, error) {
	return s.reader().CallsSince(ctx, t)
}

func (s *Station) SyncState(ctx context.Context) (core.SyncState, error) {
	return s.reader().SyncState(ctx)
}

func (s *Station) SaveSyncState(ctx context.Context, st core.SyncState) error {
	db, err := s.venue()
	if err != nil {
		return err
	}
	return db.SaveSyncState(ctx, st)
}

// Audit records a dispute-desk lookup where the station reads.
func (s *Station) Audit(ctx context.Context, who, query string, at time.Time) error {
	return s.reader().Audit(ctx, who, query, at)
}

// PurgePersonalData erases holder identities in the venue and in the copy.
func (s *Station) PurgePersonalData(ctx context.Context, before time.Time) (int, error) {
	db, err := s.venue()
	if err != nil {
		return 0, err
	}
	n, err := db.PurgePersonalData(ctx, before)
	if err != nil {
		return n, err
	}
	_, err = s.local.PurgePersonalData(ctx, before)
	return n, err
}

// ReadOnly is false: writes go to the venue, or are decided locally.
func (s *Station) ReadOnly() bool { return false }
