package venue

import (
	"context"
	"errors"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
)

// syncStore is the syncer's fenced store (postgres.SyncerStore) as the
// turn uses it:
//   - a write the fence refuses ends the turn at once: another station is
//     the syncer, this one must stop calling S-360 before its keeper
//     notices;
//   - S-360's answers (MarkUploaded, MarkRejected) are stored with retries
//     for as long as the lease surely holds: an import S-360 took must be
//     recorded, or the next syncer has to find it out (guard.resolve);
//   - storing an import's answer clears the record of the batch in doubt.
type syncStore struct {
	*postgres.SyncerStore
	t *term
}

// fenced ends the turn when err says another station is the syncer now.
func (s *syncStore) fenced(err error) error {
	if errors.Is(err, postgres.ErrFenced) {
		s.t.end(err)
	}
	return err
}

// persist runs a write of S-360's answer until it succeeds, is refused for
// good, or the lease may have run out: a database that is briefly
// unreachable must not make the next syncer doubt an import.
func (s *syncStore) persist(ctx context.Context, write func(context.Context) error) error {
	wait := 100 * time.Millisecond
	for {
		err := write(ctx)
		if err == nil || core.ErrorCode(err) != core.EUnavailable || s.t.remaining() <= wait || ctx.Err() != nil {
			return s.fenced(err)
		}
		s.t.log.WithError(err).Warn("cannot store S-360's answer yet; trying again while the syncer's turn holds")
		if core.Sleep(ctx, wait) != nil {
			return err
		}
		wait = min(2*wait, time.Second)
	}
}

func (s *syncStore) MarkUploaded(ctx context.Context, ids []string, at time.Time) error {
	err := s.persist(ctx, func(ctx context.Context) error { return s.SyncerStore.MarkUploaded(ctx, ids, at) })
	if err == nil {
		s.endUpload(ctx)
	}
	return err
}

func (s *syncStore) MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error {
	return s.persist(ctx, func(ctx context.Context) error { return s.SyncerStore.MarkRejected(ctx, ids, detail, at) })
}

// endUpload clears the record of the batch in doubt. A failure is only
// logged: a record left behind costs the next import one question to
// S-360, never a batch sent twice.
func (s *syncStore) endUpload(ctx context.Context) error {
	err := s.persist(ctx, s.SyncerStore.EndUpload)
	if err != nil {
		s.t.log.WithError(err).Warn("cannot clear the record of the upload under way; the next upload checks it with S-360 first")
	}
	return err
}

func (s *syncStore) BeginUpload(ctx context.Context, ids []string) error {
	return s.fenced(s.SyncerStore.BeginUpload(ctx, ids))
}

func (s *syncStore) ApplyPage(ctx context.Context, key string, page core.ExportPage) error {
	return s.fenced(s.SyncerStore.ApplyPage(ctx, key, page))
}

func (s *syncStore) SaveSyncState(ctx context.Context, st core.SyncState) error {
	return s.fenced(s.SyncerStore.SaveSyncState(ctx, st))
}

func (s *syncStore) BeginExport(ctx context.Context, key string) (core.ExportWriter, error) {
	w, err := s.SyncerStore.BeginExport(ctx, key)
	if err != nil {
		return nil, s.fenced(err)
	}
	return &syncWriter{ExportWriter: w, s: s}, nil
}

// syncWriter is the export's writer, ending the turn on a fenced page.
type syncWriter struct {
	core.ExportWriter
	s *syncStore
}

func (w *syncWriter) Apply(ctx context.Context, page core.ExportPage) error {
	return w.s.fenced(w.ExportWriter.Apply(ctx, page))
}

func (w *syncWriter) Commit(ctx context.Context) error { return w.s.fenced(w.ExportWriter.Commit(ctx)) }
