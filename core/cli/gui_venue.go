package cli

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/syncer"
)

// The desktop app on a joined station (`venue join`): a full station of
// the venue, as `sync` is — it takes part in the election (a candidate
// when it holds the S-360 password, gate only otherwise), decides through
// the venue's database and, when that does not answer, from its local
// copy, and gives the screens the venue (core.Venue).

// guiStation is a joined station as the desktop app runs it.
type guiStation struct {
	store    Store
	venue    core.Venue
	engine   core.Syncer
	now      func() time.Time
	settings core.Settings // the station's own under the venue's
	close    func()
}

// openGUIStation opens the joined station the app runs on: the one place
// that says what a joined station's app is made of — the station engine
// `sync` runs (venue.OpenStation through openStation: the venue's
// database, the local copy it decides from when the venue does not
// answer, the push of what it decided alone, the venue's status), and a
// read-only view of the venue's exchanges with S-360 for the Sync tab.
// elect: take part in the election (false when another process of this
// station, a `sync`, already does).
func (r *runner) openGUIStation(ctx context.Context, link config.VenueLink, own core.Settings, elect bool, log logrus.FieldLogger) (*guiStation, error) {
	st, err := r.openStation(own, link, elect, log)
	if err != nil {
		return nil, err
	}
	run := st.Settings()
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	// The Sync tab shows the venue's exchanges with S-360 as the syncer
	// stores them: an engine that only reads them (it never calls S-360).
	eng := syncer.New(syncer.Options{Settings: run, Remote: noRemote{}, Store: st, Now: st.Now, Log: log})
	wg.Go(func() { followStatus(wctx, eng) })
	wg.Go(func() { (&stack{store: st, log: log}).purgeExpired(wctx, run, st.Now()) })
	return &guiStation{
		store: st, venue: st, engine: venueSyncer{eng, st}, now: st.Now, settings: run,
		close: func() { stop(); wg.Wait(); st.Close() },
	}, nil
}

// venueSyncer is the Sync tab's engine on a joined station: the venue's
// status; Sync now is the syncer's to do.
type venueSyncer struct {
	*syncer.Engine
	v core.Venue
}

// Status is the venue's exchanges with S-360: this station reached S-360
// when the venue's syncer last did.
func (s venueSyncer) Status() core.SyncStatus { return venueSyncStatus(s.Engine.Status()) }

func (s venueSyncer) Subscribe(fn func(core.SyncStatus)) func() {
	return s.Engine.Subscribe(func(st core.SyncStatus) { fn(venueSyncStatus(st)) })
}

// venueSyncStatus is st (read from the venue's store, where no call of
// this process is) with the connection of the venue's syncer: online when
// its last exchange with S-360 went well.
func venueSyncStatus(st core.SyncStatus) core.SyncStatus {
	last := st.LastExportOK
	if st.LastUploadOK.After(last) {
		last = st.LastUploadOK
	}
	st.Called = !last.IsZero() || !st.LastErrorAt.IsZero()
	st.Online = !last.IsZero() && !last.Before(st.LastErrorAt)
	return st
}

func (s venueSyncer) SyncNow(ctx context.Context) error {
	st := s.v.Status()
	if st.Syncer == "" {
		return core.Say(core.EConflict, "venue.syncNone", nil)
	}
	return core.Say(core.EConflict, "venue.syncBy", map[string]any{"Station": st.Syncer})
}

// noRemote is the read-only engine's S-360: never called.
type noRemote struct{}

var errNoRemote = errors.New("this station's app does not call S-360: the venue's S-360 client does")

func (noRemote) ExportList(context.Context, core.ExportRequest) (core.ExportPage, error) {
	return core.ExportPage{}, errNoRemote
}
func (noRemote) ImportControls(context.Context, []core.Control) error { return errNoRemote }
func (noRemote) TestConnection(context.Context) (string, error)       { return "", errNoRemote }
func (noRemote) Catalog(context.Context, string) ([]core.CatalogEntry, error) {
	return nil, errNoRemote
}
func (noRemote) ControlledTicket(context.Context, string) (core.RemoteTicket, error) {
	return core.RemoteTicket{}, errNoRemote
}
