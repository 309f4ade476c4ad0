package cli

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/postgres"
	"s360gate/core/syncer"
	"s360gate/core/venue"
)

// The desktop app on a joined station (`venue join`): a full station of
// the venue, as `sync` is — it takes part in the election (a candidate
// when it holds the S-360 password, gate only otherwise), decides through
// the venue's store, and gives the screens the venue (core.Venue).

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
// that says what a joined station's app is made of. elect: take part in
// the election (false when another process of this station, a `sync`,
// already does).
func (r *runner) openGUIStation(ctx context.Context, link config.VenueLink, own core.Settings, elect bool, log logrus.FieldLogger) (*guiStation, error) {
	db, err := openVenue(ctx, link, own.Station)
	if err != nil {
		return nil, err
	}
	v, _, err := db.VenueSettings(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	run := own.WithVenue(v)
	m := venue.New(venue.Options{DB: db, Station: own, Log: log, Version: buildinfo.Get().Version})
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = m.Beat(bctx) // measures the database's clock; the member retries
	cancel()

	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		if elect {
			m.Run(wctx)
		} else {
			m.RunHeartbeat(wctx)
		}
	})
	vw := newVenueView(db, m, own)
	wg.Go(func() { vw.run(wctx) })
	// The Sync tab shows the venue's exchanges with S-360 as the syncer
	// stores them: an engine that only reads them (it never calls S-360).
	eng := syncer.New(syncer.Options{Settings: run, Remote: noRemote{}, Store: db, Now: m.Now, Log: log})
	wg.Go(func() { followStatus(wctx, eng) })
	(&stack{store: db, log: log}).purgeExpired(ctx, run, m.Now())
	return &guiStation{
		store: db, venue: vw, engine: venueSyncer{eng, vw}, now: m.Now, settings: run,
		close: func() { stop(); wg.Wait(); db.Close() },
	}, nil
}

// venueSyncer is the Sync tab's engine on a joined station: the venue's
// status; Sync now is the syncer's to do.
type venueSyncer struct {
	*syncer.Engine
	v *venueView
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

// statusEvery is how often the venue's status is read.
const statusEvery = 3 * time.Second

// venueView is core.Venue on the venue's store: the status read every few
// seconds; the link is up while the store answers. It keeps no local copy
// (CopyReady false): cut off, the station cannot decide.
type venueView struct {
	db  *postgres.DB
	m   *venue.Member
	own core.Settings

	mu     sync.Mutex
	status core.VenueStatus
	subs   map[int]*watcher[core.VenueStatus]
	links  map[int]*watcher[core.LinkState]
	next   int
}

func newVenueView(db *postgres.DB, m *venue.Member, own core.Settings) *venueView {
	return &venueView{db: db, m: m, own: own,
		status: core.VenueStatus{Station: own.Station, Candidate: own.Password != "", Link: core.LinkState{Up: true, Since: m.Now(), CopyReady: false}},
		subs:   map[int]*watcher[core.VenueStatus]{}, links: map[int]*watcher[core.LinkState]{}}
}

func (v *venueView) run(ctx context.Context) {
	for {
		rctx, cancel := context.WithTimeout(ctx, statusEvery)
		st, err := readVenueStatus(rctx, v.db)
		cancel()
		if ctx.Err() != nil {
			return
		}
		v.set(st, err)
		if core.Sleep(ctx, statusEvery) != nil {
			return
		}
	}
}

// set publishes a read of the venue (err: the read failed).
func (v *venueView) set(st core.VenueStatus, err error) {
	v.mu.Lock()
	old := v.status
	link := old.Link
	now := v.m.Now()
	if err != nil {
		if link.Up {
			link = core.LinkState{Since: now, CopyReady: false}
		}
		link.Error = core.Speak("", nil).Error(err)
		st = old
		st.Error = link.Error
	} else {
		if !link.Up {
			link = core.LinkState{Up: true, Since: now, CopyReady: false}
		}
		st.Station, st.Candidate = v.own.Station, v.own.Password != ""
		_, st.Syncing = v.m.Syncing()
	}
	st.Link = link
	v.status = st
	subs, links := mapValues(v.subs), mapValues(v.links)
	v.mu.Unlock()
	for _, w := range subs {
		w.offer(st)
	}
	if !reflect.DeepEqual(old.Link, link) {
		for _, w := range links {
			w.offer(link)
		}
	}
}

func (v *venueView) Link() core.LinkState { return v.Status().Link }

func (v *venueView) Status() core.VenueStatus {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.status
}

func (v *venueView) Subscribe(fn func(core.VenueStatus)) func() {
	return subscribe(v, v.subs, fn, func() core.VenueStatus { return v.status })
}

func (v *venueView) SubscribeLink(fn func(core.LinkState)) func() {
	return subscribe(v, v.links, fn, func() core.LinkState { return v.status.Link })
}

func (v *venueView) DoubleEntriesOf(ctx context.Context, barcode string) ([]core.DoubleEntry, error) {
	all, err := v.db.DoubleEntries(ctx)
	if err != nil {
		return nil, err
	}
	var out []core.DoubleEntry
	for _, d := range doubleEntries(all) {
		if d.Barcode == barcode {
			out = append(out, d)
		}
	}
	return out, nil
}

// readVenueStatus reads the syncer, the stations and the double entries.
func readVenueStatus(ctx context.Context, db *postgres.DB) (core.VenueStatus, error) {
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
	for _, x := range stations {
		online := x.Silent <= 3*venue.HeartbeatEvery
		if online {
			st.Online++
		}
		st.Stations = append(st.Stations, core.VenueStation{Name: x.Name, Gate: x.Gate, Direction: x.Direction,
			Candidate: x.Candidate, Syncer: x.Syncer, Online: online, LastHeard: x.LastHeard, ScansToday: x.ScansToday, Pending: x.Pending})
	}
	des, err := db.DoubleEntries(ctx)
	if err != nil {
		return st, err
	}
	st.DoubleEntries = doubleEntries(des)
	if s, err := db.SyncState(ctx); err == nil {
		st.Zone = s.Zone()
	}
	st.ReadAt = li.DBNow
	return st, nil
}

func doubleEntries(des []postgres.DoubleEntry) []core.DoubleEntry {
	out := make([]core.DoubleEntry, 0, len(des))
	for _, d := range des {
		f, s := d.First.Control, d.Second.Control
		f.OffVenue, s.OffVenue = d.First.OffVenue, d.Second.OffVenue
		out = append(out, core.DoubleEntry{Barcode: d.Barcode, First: f, Second: s})
	}
	return out
}

// watcher delivers the last value offered to one subscriber, on a
// goroutine of its own: never two calls at once, a slow one skips
// intermediate values, never the last.
type watcher[T any] struct {
	fn   func(T)
	mu   sync.Mutex
	v    T
	have bool
	busy bool
	gone bool
}

func (w *watcher[T]) offer(v T) {
	w.mu.Lock()
	w.v, w.have = v, true
	if w.busy || w.gone {
		w.mu.Unlock()
		return
	}
	w.busy = true
	w.mu.Unlock()
	go func() {
		for {
			w.mu.Lock()
			if !w.have || w.gone {
				w.busy = false
				w.mu.Unlock()
				return
			}
			v := w.v
			w.have = false
			w.mu.Unlock()
			w.fn(v)
		}
	}()
}

func subscribe[T any](v *venueView, m map[int]*watcher[T], fn func(T), cur func() T) func() {
	w := &watcher[T]{fn: fn}
	v.mu.Lock()
	id := v.next
	v.next++
	m[id] = w
	now := cur()
	v.mu.Unlock()
	w.offer(now)
	return func() {
		v.mu.Lock()
		delete(m, id)
		v.mu.Unlock()
		w.mu.Lock()
		w.gone = true
		w.mu.Unlock()
	}
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
