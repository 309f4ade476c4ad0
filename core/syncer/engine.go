// Package syncer is the sync engine: it keeps the station's copy of the S-360
// GREY list up to date (exportList, from the stored cursor) and reports the
// gates' controls back (importControlledTicket), within the institution's
// call policy.
//
// The engine talks to S-360 only through core.Remote and to the disk only
// through the core store interfaces, so it is tested with in-memory fakes as
// well as with the real client, simulator and SQLite store. S-360 keeps the
// pagination state on the client side and allows one client per product
// (s360-api.md, "One client per product"): a station runs one Engine, and
// cycles never overlap.
package syncer

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// Store is what the engine needs of the station's store.
type Store interface {
	core.TicketStore
	core.ControlStore
	core.SyncLog
}

// Options configure an Engine. Remote and Store are required; every other
// zero field takes the default named beside it.
type Options struct {
	Settings core.Settings
	Remote   core.Remote
	Store    Store
	Now      func() time.Time   // default time.Now
	Log      logrus.FieldLogger // default logrus.StandardLogger()
	// UploadBatch is how many controls go in one importControlledTicket
	// call (default 500).
	UploadBatch int
	// Sleep waits between retries and between Run's checks; tests inject a
	// virtual clock here. Default: a timer that stops when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Every is Run's gap between cycles where the policy sets none (sim,
	// sandbox). Default 60 s.
	Every time.Duration
	// Poll is how often Run looks for new controls to upload (and refreshes
	// the pending count). It is also the shortest gap between two cycles
	// Run starts for uploads on demand. Default 5 s.
	Poll time.Duration
	// Retries is how many times a call failing transiently is retried within
	// a cycle (default 3); Backoff is the first wait (default 2 s), doubled
	// each time, jittered, capped at 30 s.
	Retries int
	Backoff time.Duration
	// OnRetry (may be nil) is told of each retry before its wait: a
	// command run by hand says why it is waiting (the log says it too).
	OnRetry func(Retry)
}

// Retry is a call that failed transiently and is about to be retried.
type Retry struct {
	Method string
	Err    error
	Retry  int // 1 for the first retry
	Of     int // retries allowed
	Wait   time.Duration
}

// CycleReport says what one cycle did.
type CycleReport struct {
	Started  time.Time
	Pages    int  // exportList answers received
	Tickets  int  // tickets received and stored
	Drained  bool // the export reached the end of the list for now
	Uploaded int  // controls S-360 acknowledged
	Rejected int  // controls S-360 refused (blacklisted tickets)
	Skipped  int  // pending controls never sent: no S-360 barcode, or an exit
	Pending  int  // controls still waiting after the cycle (-1: unknown)

	ExportErr, UploadErr   error
	ExportTook, UploadTook time.Duration
	Took                   time.Duration
}

// Engine is the sync engine. It implements core.Syncer.
type Engine struct {
	remote  core.Remote
	store   Store
	now     func() time.Time
	log     logrus.FieldLogger
	sleep   func(ctx context.Context, d time.Duration) error
	batch   int
	every   time.Duration
	poll    time.Duration
	retries int
	backoff time.Duration
	jitter  func() float64
	onRetry func(Retry)

	mu       sync.Mutex
	settings core.Settings
	state    core.SyncState // as last read from or written to the store
	busy     bool           // a cycle is under way
	status   core.SyncStatus
	progress time.Time // when Received was last announced
	counted  time.Time // when Tickets was last counted during an export
	seq      uint64    // status version, for subscribers
	subs     map[*subscriber]struct{}
}

var _ core.Syncer = (*Engine)(nil)

// New makes an engine. It does no I/O: Run (or Refresh) loads the status.
func New(o Options) *Engine {
	e := &Engine{
		remote:   o.Remote,
		store:    o.Store,
		now:      o.Now,
		log:      o.Log,
		sleep:    o.Sleep,
		batch:    o.UploadBatch,
		every:    o.Every,
		poll:     o.Poll,
		retries:  o.Retries,
		backoff:  o.Backoff,
		onRetry:  o.OnRetry,
		jitter:   rand.Float64,
		settings: o.Settings.Defaults(),
		subs:     map[*subscriber]struct{}{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = logrus.StandardLogger()
	}
	e.log = e.log.WithField("component", "sync")
	if e.sleep == nil {
		e.sleep = core.Sleep
	}
	if e.batch <= 0 {
		e.batch = 500
	}
	if e.every <= 0 {
		e.every = time.Minute
	}
	if e.poll <= 0 {
		e.poll = 5 * time.Second
	}
	if e.retries <= 0 {
		e.retries = 3
	}
	if e.backoff <= 0 {
		e.backoff = 2 * time.Second
	}
	e.status.Environment = e.settings.Environment
	return e
}

// UpdateSettings replaces the settings (edited in the GUI). A cycle under
// way finishes with the settings it started with; the next one uses these.
func (e *Engine) UpdateSettings(s core.Settings) {
	s = s.Defaults()
	e.update(func(st *core.SyncStatus) {
		e.settings = s
		st.Environment = s.Environment
		st.NextAllowed = nextAllowed(s, e.state.LastCycle, e.now(), e.state.Zone())
	})
}

// Settings returns the settings the next cycle will use.
func (e *Engine) Settings() core.Settings {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings
}

// errBusy answers a cycle asked for while one is under way: cycles never
// overlap, there is one cursor and one call schedule.
var errBusy = core.Errorf(core.ERefused, "A sync is already under way")

// SyncNow runs one cycle if the policy allows; otherwise it returns a
// *core.PolicyRefusal naming the next allowed time.
func (e *Engine) SyncNow(ctx context.Context) error {
	_, err := e.RunCycle(ctx)
	return err
}

// RunCycle runs one cycle (export, then upload) if the policy allows, and
// says what it did. The error joins the export's and the upload's.
func (e *Engine) RunCycle(ctx context.Context) (CycleReport, error) {
	rep := CycleReport{Pending: -1}
	if !e.claim() {
		return rep, errBusy
	}
	defer e.release()
	s := e.Settings()
	if err := e.admit(ctx, s, &rep); err != nil {
		return rep, err
	}
	e.log.WithFields(logrus.Fields{"environment": s.Environment, "season": s.Season, "products": s.Products}).Info("sync cycle starting")
	t0 := time.Now() // durations on the monotonic clock, whatever Now is

	e.checkZone(ctx)
	e.setPhase("export", true)
	rep.ExportErr = e.export(ctx, s, &rep)
	rep.ExportTook = time.Since(t0)

	// The upload is attempted whatever became of the export (and the export
	// was attempted before): one failing must not starve the other. Only a
	// shutdown stops the cycle.
	if ctx.Err() == nil {
		t1 := time.Now()
		e.setPhase("upload", true)
		rep.UploadErr = e.upload(ctx, &rep)
		rep.UploadTook = time.Since(t1)
	} else {
		rep.UploadErr = ctx.Err()
	}
	rep.Took = time.Since(t0)
	err := errors.Join(rep.ExportErr, rep.UploadErr)
	if ctx.Err() != nil {
		err = ctx.Err() // shutting down: that is the news; the report has the rest
	}
	e.finish(ctx, s, &rep, err)
	return rep, err
}

// admit applies the policy and, when a cycle may start, records its start
// before anything is asked of S-360: a crash from here on cannot give the
// station a second free cycle.
func (e *Engine) admit(ctx context.Context, s core.Settings, rep *CycleReport) error {
	now := e.now()
	state, err := e.store.SyncState(ctx)
	if err != nil {
		return e.fail(ctx, e.storeErr(ctx, err, "Cannot read the sync state from the disk"))
	}
	zone := state.Zone()
	if state.LastCycle.After(now) {
		// The clock ran fast during the last cycle and was corrected since
		// (or was set back). Count that cycle as having started now, and
		// store it so: S-360's rule holds in real time, the station waits
		// one interval at most, and the next allowed time it is told holds
		// at the next try instead of moving on with the clock.
		state.LastCycle = now
		if err := e.store.SaveSyncState(ctx, state); err != nil {
			e.log.WithError(err).Warn("cannot record the corrected time of the last sync")
		}
	}
	if ref := refusal(s, state.LastCycle, now, zone); ref != nil {
		e.setState(state, ref.Next)
		return ref
	}
	state.LastCycle = now
	if err := e.store.SaveSyncState(ctx, state); err != nil {
		return e.fail(ctx, core.Wrap(core.EUnavailable, err, "Cannot record the sync on the disk, so S-360 was not called"))
	}
	e.setState(state, nextAllowed(s, now, now, zone))
	rep.Started = now
	return nil
}

// finish persists the outcome of a cycle and refreshes the status. It runs
// even when ctx was cancelled, so that what was done is not forgotten.
func (e *Engine) finish(ctx context.Context, s core.Settings, rep *CycleReport, err error) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	e.mu.Lock()
	state := e.state
	e.mu.Unlock()
	end := e.now()
	if rep.ExportErr == nil {
		state.LastExportOK = end
		if rep.Drained {
			state.ExportComplete = true
		}
	}
	// An upload with nothing to send asked nothing of S-360: it proves no
	// contact unless the export of the same cycle reached S-360. Counting it
	// would keep a station cut off from S-360 "fresh" for ever (LastSuccess
	// decides whether its controls are reported OFFLINE_*).
	if rep.UploadErr == nil && (rep.Uploaded+rep.Rejected > 0 || rep.ExportErr == nil) {
		state.LastUploadOK = end
	}
	shown, said := shownError(ctx, err)
	if shown != "" {
		state.LastError, state.LastErrorSaid, state.LastErrorAt = shown, said, end
	}
	if serr := e.store.SaveSyncState(bg, state); serr != nil {
		e.log.WithError(serr).Error("cannot save the sync state")
	}
	e.setState(state, nextAllowed(s, state.LastCycle, end, state.Zone()))
	if rerr := e.Refresh(bg); rerr != nil {
		e.log.WithError(rerr).Warn("cannot refresh the sync status")
	}
	e.mu.Lock()
	rep.Pending = e.status.Pending
	e.mu.Unlock()
	e.setPhase("", false)

	f := logrus.Fields{
		"pages": rep.Pages, "tickets": rep.Tickets, "drained": rep.Drained,
		"uploaded": rep.Uploaded, "rejected": rep.Rejected, "skipped": rep.Skipped, "pending": rep.Pending,
		"export": rep.ExportTook.Round(time.Millisecond), "upload": rep.UploadTook.Round(time.Millisecond),
	}
	if err != nil {
		e.log.WithFields(f).WithError(err).Warn("sync cycle ended with errors")
		return
	}
	e.log.WithFields(f).Info("sync cycle done")
}

// claim marks a cycle as under way; false if one already is.
func (e *Engine) claim() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.busy {
		return false
	}
	e.busy = true
	return true
}

func (e *Engine) release() {
	e.mu.Lock()
	e.busy = false
	e.mu.Unlock()
}

// Preflight checks address and credentials with one cheap call
// (getTimeZone) and says so in words for the settings screen.
func Preflight(ctx context.Context, remote core.Remote) (string, error) {
	tz, err := remote.TestConnection(ctx)
	if err != nil {
		return plainWords(err), err
	}
	if tz == "" {
		return "Connected — S-360 answers", nil
	}
	return "Connected — S-360 answers, time zone " + tz, nil
}
