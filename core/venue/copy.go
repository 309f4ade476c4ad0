package venue

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"s360gate/core"
	"s360gate/core/postgres"
	"s360gate/core/sqlite"
)

// localCopy keeps a station's SQLite store a copy of its venue: a first
// fill from a snapshot of the venue (the bulk path: a million tickets in
// seconds), then the venue's change feed from the snapshot's positions, so
// that catching up after a pause reads only what changed. Each step is
// idempotent, and the positions are stored after what they cover: a crash
// copies a few rows again, never skips one.
type localCopy struct {
	local *sqlite.DB
	run   sync.Mutex // one catch-up at a time (held across the venue's answers)
	mu    sync.Mutex // guards state, never held while waiting for the venue
	state sqlite.VenueCopy
	// elsewhere: another process keeps this copy; its state is read from
	// the store until it is filled.
	elsewhere bool
	// onCopied is told after each catch-up that copied something (or the
	// first fill).
	onCopied func(sqlite.VenueCopy)
}

// changesPage is how many changes one read of the feed takes.
const changesPage = 5000

func newLocalCopy(ctx context.Context, local *sqlite.DB) (*localCopy, error) {
	st, err := local.VenueCopy(ctx)
	if err != nil {
		return nil, err
	}
	return &localCopy{local: local, state: st}, nil
}

// ready says the copy can decide: it was filled once.
func (c *localCopy) ready() (bool, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.elsewhere && !c.state.Filled {
		if st, err := c.local.VenueCopy(context.Background()); err == nil {
			c.state = st
		}
	}
	return c.state.Filled, c.state.CopiedAt
}

// settings are the venue's settings and clock offset as last copied (ok
// false when never).
func (c *localCopy) settings() (core.VenueSettings, time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return settingsOf(c.state)
}

// settingsOf are the venue's settings and clock offset st holds.
func settingsOf(st sqlite.VenueCopy) (core.VenueSettings, time.Duration, bool) {
	var v core.VenueSettings
	if st.Settings == "" || json.Unmarshal([]byte(st.Settings), &v) != nil {
		return v, st.ClockOffset, false
	}
	return v, st.ClockOffset, true
}

// catchUp brings the copy up to date with db: the first fill if the copy
// is of no venue or of another one, then every change since the stored
// positions, the venue's sync state (its last export, which the staleness
// rule reads), settings and clock offset.
func (c *localCopy) catchUp(ctx context.Context, db *postgres.DB, offset time.Duration) error {
	c.run.Lock()
	defer c.run.Unlock()
	id, err := db.VenueID(ctx)
	if err != nil {
		return err
	}
	st := c.get()
	copied := false
	if st.Venue != id || !st.Filled {
		if err := c.fill(ctx, db, id); err != nil {
			return err
		}
		st, copied = c.get(), true
	}
	tpos, err := postgres.ParseChangePos(st.TicketsPos)
	if err != nil {
		return err
	}
	cpos, err := postgres.ParseChangePos(st.ControlsPos)
	if err != nil {
		return err
	}
	for {
		ch, err := db.TicketChanges(ctx, tpos, changesPage)
		if err != nil {
			return err
		}
		ts := make([]core.Ticket, len(ch))
		for i := range ch {
			ts[i] = ch[i].Ticket
		}
		if err := c.local.CopyTickets(ctx, ts); err != nil {
			return err
		}
		if len(ch) > 0 {
			tpos, copied = ch[len(ch)-1].Pos, true
		}
		if len(ch) < changesPage {
			break
		}
	}
	for {
		ch, err := db.ControlChanges(ctx, cpos, changesPage)
		if err != nil {
			return err
		}
		cs := make([]core.Control, len(ch))
		for i := range ch {
			cs[i] = ch[i].Control
		}
		if err := c.local.CopyControls(ctx, cs); err != nil {
			return err
		}
		if len(ch) > 0 {
			cpos, copied = ch[len(ch)-1].Pos, true
		}
		if len(ch) < changesPage {
			break
		}
	}
	sync, err := db.SyncState(ctx)
	if err != nil {
		return err
	}
	v, _, err := db.VenueSettings(ctx)
	if err != nil && core.ErrorCode(err) != core.ENotFound {
		return err
	}
	vj, _ := json.Marshal(v)
	local, err := c.local.SyncState(ctx)
	if err != nil {
		return err
	}
	if !local.LastExportOK.Equal(sync.LastExportOK) || !local.LastUploadOK.Equal(sync.LastUploadOK) ||
		!local.LastCycle.Equal(sync.LastCycle) || local.TimeZone != sync.TimeZone || local.ExportComplete != sync.ExportComplete {
		if err := c.local.SaveSyncState(ctx, sync); err != nil {
			return err
		}
	}
	prev := st
	st.TicketsPos, st.ControlsPos = tpos.String(), cpos.String()
	st.Settings, st.ClockOffset, st.CopiedAt = string(vj), offset, time.Now().Add(offset)
	// Written when something changed, not at every catch-up: a station
	// follows its venue every second, and each write is a flush of the
	// gate laptop's disk. (The clock offset's jitter is no change.)
	drift := st.ClockOffset - prev.ClockOffset
	if copied || st.Settings != prev.Settings || drift > time.Second || drift < -time.Second {
		if err := c.local.SaveVenueCopy(ctx, st); err != nil {
			return err
		}
	}
	c.set(st)
	if copied && c.onCopied != nil {
		c.onCopied(st)
	}
	return nil
}

// fill makes the copy afresh from a snapshot of the venue.
func (c *localCopy) fill(ctx context.Context, db *postgres.DB, venue string) error {
	if err := c.local.StartVenueCopy(ctx, venue); err != nil {
		return err
	}
	c.set(sqlite.VenueCopy{Venue: venue})
	w, err := c.local.CopyFill(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	var flagged []core.Ticket
	var batch []core.Control
	stored := false // the tickets are committed and the writer closed
	store := func() error {
		if stored {
			return nil
		}
		stored = true
		if err := w.Commit(ctx); err != nil {
			return err
		}
		return w.Close()
	}
	tpos, cpos, err := db.Snapshot(ctx, changesPage, func(ts []core.Ticket) error {
		for _, t := range ts {
			if t.RejectedByS360 != "" {
				flagged = append(flagged, t)
			}
		}
		return w.Apply(ctx, core.ExportPage{Tickets: ts})
	}, func(vs []postgres.VenueControl) error {
		// The tickets are all read: store them, which frees the writer.
		if err := store(); err != nil {
			return err
		}
		batch = batch[:0]
		for _, v := range vs {
			batch = append(batch, v.Control)
		}
		return c.local.CopyControls(ctx, batch)
	})
	if err != nil {
		return err
	}
	if err := store(); err != nil {
		return err
	}
	if err := c.local.CopyRefusals(ctx, flagged); err != nil {
		return err
	}
	st := sqlite.VenueCopy{Venue: venue, Filled: true, TicketsPos: tpos.String(), ControlsPos: cpos.String()}
	if err := c.local.SaveVenueCopy(ctx, st); err != nil {
		return err
	}
	c.set(st)
	return nil
}

func (c *localCopy) get() sqlite.VenueCopy {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *localCopy) set(st sqlite.VenueCopy) {
	c.mu.Lock()
	c.state = st
	c.mu.Unlock()
}

// unpushed is how many controls wait to be pushed (-1 when unknown).
func (c *localCopy) unpushed(ctx context.Context) int {
	n, err := c.local.CountUnpushed(ctx)
	if err != nil {
		return -1
	}
	return n
}
