package postgres

import (
	"context"
	"time"

	"s360gate/core"
)

// SyncerStore is the venue store as its elected syncer writes it: the store
// the sync engine (core/syncer.Store) is given while this station holds the
// lease. Its writes of the export (ApplyPage, the ExportWriter's pages and
// cursors), of S-360's answers (MarkUploaded, MarkRejected) and of the sync
// state are committed only if the lease's epoch is still the one it was
// made with, checked in the same transaction; otherwise they fail with
// ErrFenced in their chain (code core.EConflict) and write nothing. Reads,
// and RecordCall (a call made counts against the venue's budget whoever
// made it), are the DB's.
//
// Once a syncer has been elected in a venue, the DB's own versions of those
// writes are refused too: nothing writes a cursor or an acknowledgment
// around the fence.
type SyncerStore struct {
	db    *DB
	epoch int64
}

// Syncer is the store as the holder of l writes it.
func (db *DB) Syncer(l *Lease) *SyncerStore { return &SyncerStore{db: db, epoch: l.Epoch} }

// Epoch is the fencing token the store writes with.
func (s *SyncerStore) Epoch() int64 { return s.epoch }

func (s *SyncerStore) ApplyPage(ctx context.Context, key string, page core.ExportPage) error {
	return s.db.applyPage(ctx, s.epoch, key, page)
}

func (s *SyncerStore) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	return s.db.beginExport(ctx, key, s.epoch)
}

func (s *SyncerStore) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	return s.db.markUploaded(ctx, s.epoch, ids, at)
}

func (s *SyncerStore) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	return s.db.markRejected(ctx, s.epoch, ids, detail, at)
}

func (s *SyncerStore) SaveSyncState(ctx context.Context, st core.SyncState) error {
	return s.db.saveSyncState(ctx, s.epoch, st)
}

func (s *SyncerStore) Cursor(ctx context.Context, key string) (string, error) {
	return s.db.Cursor(ctx, key)
}

func (s *SyncerStore) Ticket(ctx context.Context, barcode string) (core.Ticket, error) {
	return s.db.Ticket(ctx, barcode)
}

func (s *SyncerStore) Lookup(ctx context.Context, query string, limit int) ([]core.TicketRecord, error) {
	return s.db.Lookup(ctx, query, limit)
}

func (s *SyncerStore) TicketCounts(ctx context.Context) (core.TicketCounts, error) {
	return s.db.TicketCounts(ctx)
}

func (s *SyncerStore) Controls(ctx context.Context, f core.ControlFilter, fn func(core.Control) error) error {
	return s.db.Controls(ctx, f, fn)
}

func (s *SyncerStore) PendingControls(ctx context.Context, limit int) ([]core.Control, error) {
	return s.db.PendingControls(ctx, limit)
}

func (s *SyncerStore) ControlCounts(ctx context.Context, since time.Time) (core.ControlCounts, error) {
	return s.db.ControlCounts(ctx, since)
}

func (s *SyncerStore) RecordCall(ctx context.Context, c core.Call) error {
	return s.db.RecordCall(ctx, c)
}

func (s *SyncerStore) CallsSince(ctx context.Context, t time.Time) ([]core.Call, error) {
	return s.db.CallsSince(ctx, t)
}

func (s *SyncerStore) SyncState(ctx context.Context) (core.SyncState, error) {
	return s.db.SyncState(ctx)
}

var (
	_ core.TicketStore  = (*SyncerStore)(nil)
	_ core.ControlStore = (*SyncerStore)(nil)
	_ core.SyncLog      = (*SyncerStore)(nil)
)
