package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"s360gate/core"
)

// UploadIntent is a batch of controls the venue's syncer sent to S-360
// (importControlledTicket) without the answer being stored yet: the
// schema's upload_intent (migrations/0002).
type UploadIntent struct {
	Epoch   int64     // the syncer's turn that sent it
	Station string    // its station
	Started time.Time // when it was about to be sent, by the database's clock
	IDs     []string  // every control of the batch
	// Pending are the controls of the batch still waiting for S-360's
	// answer, oldest first: the ones whose fate is in doubt. None: the
	// answer was stored after all, and only the record was left behind.
	Pending []core.Control
}

// BeginUpload records, fenced, that the controls ids are about to be sent
// to S-360: until EndUpload, the batch is in doubt for whoever syncs next.
// It replaces an earlier record: the caller resolves that one first.
func (s *SyncerStore) BeginUpload(ctx context.Context, ids []string) error {
	err := s.db.fencedTx(ctx, s.epoch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO upload_intent (id, epoch, station, ids, started_at)
			VALUES (1, $1, $2, $3, now())
			ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch, station = excluded.station,
				ids = excluded.ids, started_at = excluded.started_at`, s.epoch, s.db.station, ids)
		return err
	})
	return fail(err, "record the upload under way")
}

// EndUpload clears the record of the batch in doubt (fenced): its answer
// is stored, or it was found out.
func (s *SyncerStore) EndUpload(ctx context.Context) error {
	err := s.db.fencedTx(ctx, s.epoch, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM upload_intent WHERE id = 1`)
		return err
	})
	return fail(err, "clear the upload under way")
}

// UploadInDoubt is the batch in doubt, if one is recorded, with those of
// its controls still pending.
func (db *DB) UploadInDoubt(ctx context.Context) (UploadIntent, bool, error) {
	const doing = "read the upload under way"
	var in UploadIntent
	err := db.pool.QueryRow(ctx, `SELECT epoch, station, started_at, ids FROM upload_intent WHERE id = 1`).
		Scan(&in.Epoch, &in.Station, &in.Started, &in.IDs)
	if errors.Is(err, pgx.ErrNoRows) {
		return UploadIntent{}, false, nil
	}
	if err != nil {
		return UploadIntent{}, false, fail(err, doing)
	}
	rows, err := db.pool.Query(ctx, `SELECT `+controlCols+` FROM controls
		WHERE id = ANY($1) AND upload_state = 'pending' ORDER BY at, n`, in.IDs)
	in.Pending, err = collectControls(rows, err)
	return in, true, fail(err, doing)
}
