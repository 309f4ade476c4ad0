package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/s360"
	"s360gate/core/sqlite"
	"s360gate/core/syncer"
	"s360gate/core/venue"
)

// DBName is the production store inside the data directory. Every other
// environment keeps its own list beside it (storeFile), so that switching
// a station from sandbox to production can never leave sandbox test tickets
// where a production gate would admit them, nor pass one server's cursor to
// another.
const DBName = "s360gate.db"

// storeFile is the store of the environment s points at; demo is the
// embedded simulator's, which is regenerated at every start.
func storeFile(s core.Settings, demo bool) string {
	switch {
	case demo:
		return "s360gate-demo.db"
	case s.Environment == core.EnvProduction:
		return DBName
	}
	return "s360gate-" + string(s.Environment) + ".db"
}

// Store is what the commands and the GUI need of the station's store:
// core/sqlite's DB.
type Store interface {
	core.Store
	// Audit records a dispute-desk lookup (who, when, what query).
	Audit(ctx context.Context, who, query string, at time.Time) error
	// PurgePersonalData erases holder identities of tickets whose event
	// ended before the given time, and says how many it erased.
	PurgePersonalData(ctx context.Context, before time.Time) (int, error)
	// ReadOnly reports a store that cannot be written (a read-only medium):
	// it is read, and every write fails in words.
	ReadOnly() bool
}

var _ Store = (*sqlite.DB)(nil)

// openStore opens the store at path. Commands call it only once their input
// is validated, so a mistake on the command line never creates or migrates
// a database. A variable so that tests can make the store fail.
var openStore = func(path string) (Store, error) {
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// wantsDemo: nothing is configured, or the simulator is chosen without an
// address. The desktop app then runs the embedded demo stadium, and the
// other commands read its store.
func wantsDemo(dir string, s core.Settings) bool {
	return !config.Exists(dir) || (s.Environment == core.EnvSim && s.Endpoint == "")
}

// requireStore refuses commands that read the station's data when the data
// directory holds none for the configured environment: a mistyped
// --data-dir must not silently give a turnstile an empty ticket list (every
// scan denied) or an empty report.
func requireStore(dir string, s core.Settings) (string, error) {
	name := storeFile(s, wantsDemo(dir, s))
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		return "", core.Errorf(core.ENotFound, "No ticket list (%s) in %s: run `s360gate sync` first (or pass the right --data-dir)", name, dir)
	}
	return path, nil
}

// existingStore opens the store the settings point at, refusing (see
// requireStore) to create one: the reading commands' way in.
func existingStore(dir string, s core.Settings) (Store, error) {
	path, err := requireStore(dir, s)
	if err != nil {
		return nil, err
	}
	return openStore(path)
}

// venueZone is the venue's time zone as the sync engine stored it (nil:
// none known, the laptop's). Reports and messages show times in it.
func venueZone(ctx context.Context, store core.SyncLog) *time.Location {
	st, err := store.SyncState(ctx)
	if err != nil {
		return nil
	}
	return st.Zone()
}

// stack is a running station: store, S-360 client and sync engine.
type stack struct {
	store  Store
	remote *remoteSwitch
	engine *syncer.Engine
	log    logrus.FieldLogger
}

// newStack wires a station on an open store. The client can be missing
// (settings incomplete, in the GUI): the engine's cycles then fail with the
// reason until settings are saved.
func newStack(store Store, s core.Settings, log logrus.FieldLogger, onRetry func(syncer.Retry)) *stack {
	st := &stack{store: store, remote: &remoteSwitch{}, log: log}
	r, err := st.newClient(s)
	if err != nil {
		st.remote.set(nil, err)
	} else {
		st.remote.set(r, nil)
	}
	st.engine = syncer.New(syncer.Options{Settings: s, Remote: st.remote, Store: store, Log: log, OnRetry: onRetry})
	return st
}

// newClient builds an S-360 client for s. Every call it makes is recorded in
// the store and the calls of the last minute are replayed into its limiter,
// so that restarting the program does not reset S-360's rate count.
func (st *stack) newClient(s core.Settings) (*s360.Client, error) {
	cfg := s360.ConfigFrom(s)
	cfg.Log = st.log
	cfg.UserAgent = venue.UserAgent(buildinfo.Get().Version, s.Station)
	// A joined station's calls count in the venue's budget on the venue's
	// clock (the database's).
	cfg.Now = clockOf(st.store)
	// S-360's times without an offset are the institution's: read them in
	// the zone stored when getTimeZone last answered.
	cfg.Zone = venueZone(context.Background(), st.store)
	cfg.OnCall = func(c core.Call) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := st.store.RecordCall(ctx, c); err != nil {
			st.log.WithError(err).Warn("cannot record an S-360 call")
		}
	}
	cl, err := s360.New(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if calls, err := st.store.CallsSince(ctx, cfg.Now().Add(-time.Minute)); err == nil {
		cl.Seed(calls)
	} else {
		st.log.WithError(err).Warn("cannot read the recent S-360 calls")
	}
	return cl, nil
}

// purgeExpired applies Settings.PurgeAfterDays: holder identities of events
// that ended more than that many days ago are erased at every start.
func (st *stack) purgeExpired(ctx context.Context, s core.Settings, now time.Time) {
	if s.PurgeAfterDays <= 0 {
		return
	}
	before := now.AddDate(0, 0, -s.PurgeAfterDays)
	n, err := st.store.PurgePersonalData(ctx, before)
	if err != nil {
		st.log.WithError(err).Error("cannot purge old personal data")
		return
	}
	if n > 0 {
		st.log.WithFields(logrus.Fields{"tickets": n, "before": before.Format(time.DateOnly)}).Info("purged holder data of past events")
	}
}

// remoteSwitch is the engine's S-360: settings saved in the GUI replace the
// client underneath a running engine without rebuilding it (the engine keeps
// its cursor, schedule and subscribers).
type remoteSwitch struct {
	mu  sync.RWMutex
	r   core.Remote
	err error // why there is no client
}

var _ core.Remote = (*remoteSwitch)(nil)

func (w *remoteSwitch) set(r core.Remote, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.r, w.err = r, err
}

// current is the client, nil when the settings do not allow one.
func (w *remoteSwitch) current() core.Remote {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.r
}

func (w *remoteSwitch) get() (core.Remote, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.r == nil {
		return nil, core.Wrap(core.EInvalid, fmt.Errorf("%w: %w", core.ErrNoRemote, w.err), "S-360 is not configured: %s", core.ErrorMessage(w.err))
	}
	return w.r, nil
}

// NextSlot and Budget are the client's (core.Budgeted), for the status.
func (w *remoteSwitch) NextSlot() time.Time {
	if b, ok := w.current().(core.Budgeted); ok {
		return b.NextSlot()
	}
	return time.Time{}
}

func (w *remoteSwitch) Budget() int {
	if b, ok := w.current().(core.Budgeted); ok {
		return b.Budget()
	}
	return 0
}

func (w *remoteSwitch) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	r, err := w.get()
	if err != nil {
		return core.ExportPage{}, err
	}
	return r.ExportList(ctx, req)
}

func (w *remoteSwitch) ImportControls(ctx context.Context, cs []core.Control) error {
	r, err := w.get()
	if err != nil {
		return err
	}
	return r.ImportControls(ctx, cs)
}

func (w *remoteSwitch) TestConnection(ctx context.Context) (string, error) {
	r, err := w.get()
	if err != nil {
		return "", err
	}
	return r.TestConnection(ctx)
}

func (w *remoteSwitch) ControlledTicket(ctx context.Context, code string) (core.RemoteTicket, error) {
	r, err := w.get()
	if err != nil {
		return core.RemoteTicket{}, err
	}
	return r.ControlledTicket(ctx, code)
}

func (w *remoteSwitch) Catalog(ctx context.Context, season string) ([]core.CatalogEntry, error) {
	r, err := w.get()
	if err != nil {
		return nil, err
	}
	return r.Catalog(ctx, season)
}
