package cli

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/s360sim"
	"s360gate/core/syncer"
	"s360gate/core/words"
)

// App is what the desktop app is built from. main.go turns it into ui.Deps:
// this package cannot name the ui types without importing Fyne.
type App struct {
	DataDir string
	Store   Store
	Engine  core.Syncer
	// Settings are the settings in use; SaveSettings validates, stores and
	// applies new ones (a *core.Error wrapping core.FieldErrors if refused).
	Settings     func() core.Settings
	SaveSettings func(core.Settings) error
	// Remote is the current S-360 client, nil when not configured.
	Remote func() core.Remote
	// TestConnection and SettingsRemote work on settings not saved yet (the
	// settings form); they are the ui package's hooks of the same names.
	TestConnection func(ctx context.Context, s core.Settings) (string, error)
	SettingsRemote func(s core.Settings) (core.Remote, error)
	// Restart asks for s360gate to start again, with the same arguments,
	// once the GUI has returned (settings saved for another environment).
	Restart func()
	// Demo lists sample tickets when running on the embedded simulator.
	Demo []DemoTicket
	// Venue is the station's venue when it is a station of one (`venue
	// join`), nil on its own.
	Venue core.Venue
	// VenueLink is the venue link as the Settings screen shows it: the
	// database's address with its password masked, and whether the
	// station is joined. JoinVenue, LeaveVenue and TestVenue are the
	// Settings screen's Venue section (joinVenue, leaveVenue, testVenue:
	// the same as `venue join` and `venue leave`); a join or a leave takes
	// effect at the next start (Restart).
	VenueLink  func() (address string, trustedLAN, joined bool)
	JoinVenue  func(ctx context.Context, j core.VenueJoin) error
	LeaveVenue func(ctx context.Context) error
	TestVenue  func(ctx context.Context, dsn string, trustedLAN bool) (VenueProbe, error)
	// Lang is --lang ("": the station's language setting, else the
	// system's).
	Lang words.Lang
	Log  logrus.FieldLogger
	Now  func() time.Time
}

// DemoTicket is a sample ticket of the embedded simulator.
type DemoTicket struct {
	Kind, Barcode, TaxNumber, Note string
}

// Demo stadium: big enough to feel real, small enough to export in seconds.
const (
	demoTickets = 50000
	demoSeed    = 1
	demoGate    = "N1"
)

// demo is the embedded simulator of a station with nothing configured.
type demo struct {
	sim      *s360sim.Sim
	endpoint string
}

// settings are s pointed at the embedded simulator. They live in memory
// only: the simulator's port changes at every start.
func (d *demo) settings(s core.Settings) core.Settings {
	c := d.sim.Config()
	s.Environment = core.EnvSim
	s.Endpoint, s.Password = d.endpoint, c.Password
	s.Institution, s.Operator, s.Partner = c.Institution, c.Operator, c.Institution
	s.Season, s.Products, s.Performances = c.Season, c.Products, nil
	return s
}

// owns reports whether s is meant for the embedded simulator.
func (d *demo) owns(s core.Settings) bool {
	return d != nil && s.Environment == core.EnvSim && (s.Endpoint == "" || s.Endpoint == d.endpoint)
}

// runGUI runs the desktop app. With nothing configured (or the simulator
// chosen without an address) it starts the demo stadium first, so the app
// is useful on the first click.
func (r *runner) runGUI() int {
	if r.gui == nil {
		return r.fail(ExitUsage, "this build has no desktop app: use a subcommand (see `s360gate help`)")
	}
	link, joined, err := r.venueLink()
	if err != nil {
		return r.failErr(err)
	}
	st, err := r.loadSettings()
	if err != nil {
		return r.failErr(err)
	}
	if err := config.EnsureDir(r.dataDir); err != nil { // private from the start
		return r.failErr(err)
	}
	r.protect()
	log, closer := logging.Setup(r.dataDir, r.verbose, nil)
	defer closer.Close()
	for _, n := range r.notices {
		log.Warn(n)
	}
	s := st.settings
	if joined {
		return r.runJoinedGUI(st, link, log)
	}

	var dm *demo
	if wantsDemo(r.dataDir, s) {
		sim := s360sim.New(s360sim.Config{Tickets: demoTickets, Seed: demoSeed})
		endpoint, stop, err := sim.Start("127.0.0.1:0")
		if err != nil {
			log.WithError(err).Error("cannot start the demo simulator")
			return r.fail(ExitFailure, "cannot start the demo simulator: "+err.Error())
		}
		defer stop()
		dm = &demo{sim: sim, endpoint: endpoint}
		if !config.Exists(r.dataDir) && s.Gate == "" {
			// A first run stands at gate N1 of the demo stadium, so that its
			// wrong-gate sample (entrance S2) shows WRONG_GATE, as a new
			// user expects of "every verdict".
			s.Gate = demoGate
		}
		s = dm.settings(s)
		log.WithField("endpoint", endpoint).Info("demo: embedded S-360 simulator started")
	}
	logging.Secret(s.Password)

	path := filepath.Join(r.dataDir, storeFile(s, dm != nil))
	if dm != nil {
		// The demo stadium is generated anew at every start, its event a few
		// hours from now: yesterday's demo tickets (expired, already used)
		// would only confuse. The demo's store starts empty each time.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				log.WithError(err).Warn("cannot reset the demo store")
			}
		}
	}
	store, err := openStore(path)
	if err != nil {
		log.WithError(err).Error("cannot open the store")
		return r.failErr(err)
	}
	defer store.Close()
	stk := newStack(store, s, log, nil)

	release, held, err := lockSync(path)
	if err != nil {
		log.WithError(err).Warn("cannot take the sync lock; syncing anyway")
	} else if !held {
		defer release()
	}
	ctx, cancel := context.WithCancel(r.ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		stk.purgeExpired(ctx, s, time.Now())
		if held {
			log.Warn("another s360gate is syncing this station: showing its progress, not syncing")
			followStatus(ctx, stk.engine)
			return
		}
		// The first cycle starts at once: the demo stadium's list arrives
		// while the window opens.
		_ = stk.engine.Run(ctx)
	})
	// The engine must be stopped before the store closes (deferred above).
	defer wg.Wait()
	defer cancel()

	app := r.app(stk, s, path, st, dm, log)
	log.WithField("settings", config.Describe(s)).Info("s360gate starting")
	if err := r.gui(app); err != nil {
		log.WithError(err).Error("the desktop app failed")
		return r.failErr(err)
	}
	return ExitOK
}

// withoutLang is args without --lang: the app restarted from its Settings
// speaks the language saved there (a new language is a reason to restart),
// whatever the first start was told for its own run.
func withoutLang(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "lang" {
			if !hasVal {
				i++ // its value
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// relaunch starts s360gate again with args; a variable so that tests start
// no process. The new process opens the store this one has just closed.
var relaunch = func(args []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Start()
}

// followStatus refreshes the engine's status from the store, written by the
// process that holds the sync lock, until ctx ends.
func followStatus(ctx context.Context, e *syncer.Engine) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		_ = e.Refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// app builds the GUI's dependencies on a running stack.
func (r *runner) app(stk *stack, s core.Settings, path string, st stored, dm *demo, log logrus.FieldLogger) App {
	g := &guiState{r: r, stk: stk, cur: s, path: path, filePassword: st.file.Password, demo: dm, log: log}
	a := App{
		DataDir:        r.dataDir,
		Store:          stk.store,
		Engine:         stk.engine,
		Settings:       g.settings,
		SaveSettings:   g.save,
		Remote:         stk.remote.current,
		TestConnection: g.testConnection,
		SettingsRemote: g.settingsRemote,
		Restart:        func() { r.restart.Store(true) },
		Lang:           words.Lang(r.lang),
		Log:            log,
		Now:            time.Now,
	}
	r.venueHooks(&a, false)
	if dm != nil {
		for _, smp := range dm.sim.Samples() {
			a.Demo = append(a.Demo, DemoTicket{Kind: smp.Kind, Barcode: smp.Barcode, TaxNumber: smp.TaxNumber, Note: demoNote(smp, s)})
		}
	}
	return a
}

// demoNote is what a demo card says: the simulator's words, unless this
// demo station's set-up makes the verdict another one. It checks both of
// the simulator's matches, and the second is played a week after the first
// (s360sim.Config.EventDate): its ticket is refused as not valid yet, not
// as another match's.
func demoNote(smp s360sim.Sample, s core.Settings) string {
	if smp.Kind == "other-product" && len(s.Products) > 1 {
		return "a ticket for " + s.Products[1] + ", the match a week later: DENY, not valid yet (this demo station checks " +
			strings.Join(s.Products, " and ") + ")"
	}
	return smp.Note
}

// guiState is the GUI's settings: those in use, and how to change them.
type guiState struct {
	r            *runner
	stk          *stack
	path         string // the open store
	filePassword string // the stored one (S360_PASSWORD is never written)
	demo         *demo
	log          logrus.FieldLogger
	// venue is the station's own settings file on a joined station (nil on
	// its own): its S-360 settings are the venue's, never written here.
	venue *core.Settings

	mu  sync.Mutex
	cur core.Settings
	// pending holds settings saved for the next start (another environment
	// or ticket list): later saves from the running screens (direction,
	// mute) must not write the running connection back over them.
	pending *core.Settings
}

// sameConnection: a and b use the same S-360 and ticket list; what decides which ticket list and S-360 a station uses.
func sameConnection(a, b core.Settings) bool {
	return a.Environment == b.Environment && a.Endpoint == b.Endpoint &&
		strings.EqualFold(a.Institution, b.Institution) && a.Operator == b.Operator &&
		a.Season == b.Season && slices.Equal(a.Products, b.Products) && slices.Equal(a.Performances, b.Performances)
}

// withConnection is s with the connection of c.
func withConnection(s, c core.Settings) core.Settings {
	s.Environment, s.Endpoint, s.Institution, s.Operator, s.Partner, s.Password = c.Environment, c.Endpoint, c.Institution, c.Operator, c.Partner, c.Password
	s.Season, s.Products, s.Performances = c.Season, c.Products, c.Performances
	return s
}

func (g *guiState) settings() core.Settings {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cur
}

// forRun is s as the engine and clients use it: pointed at the demo if it
// is meant for it.
func (g *guiState) forRun(s core.Settings) core.Settings {
	if g.demo.owns(s) {
		return g.demo.settings(s)
	}
	return s
}

func (g *guiState) settingsRemote(s core.Settings) (core.Remote, error) {
	s = g.forRun(s.Defaults())
	logging.Secret(s.Password)
	cl, err := g.stk.newClient(s)
	if err != nil {
		return nil, err
	}
	return cl, nil
}

func (g *guiState) testConnection(ctx context.Context, s core.Settings) (string, error) {
	r, err := g.settingsRemote(s)
	if err != nil {
		return "", err
	}
	return r.TestConnection(ctx)
}

// errRestart: the settings were stored, but point at another ticket list
// than the open one; a running app does not swap its store under the gates.
func errRestart(env core.Environment) error {
	return core.Say(core.EConflict, "settings.savedRestart", map[string]any{"Env": string(env)})
}

// save validates s, stores it and applies it to the running engine.
func (g *guiState) save(s core.Settings) error {
	s = s.Defaults()
	g.mu.Lock()
	if g.pending != nil && sameConnection(s, g.cur) {
		s = withConnection(s, *g.pending)
	}
	g.mu.Unlock()
	if errs := s.Validate(); errs != nil {
		return &core.Error{Code: core.EInvalid, Message: "Settings not saved: " + errs.Error(), Err: errs}
	}
	if g.venue != nil {
		return g.saveJoined(s)
	}
	run, persist := g.forRun(s), s
	if g.demo.owns(s) {
		persist.Endpoint, persist.Password = "", "" // the demo's, valid until exit
	} else if p := env(config.PasswordEnv); p != "" && s.Password == p {
		persist.Password = g.filePassword // given by the environment: not written
	}
	logging.Secret(run.Password)
	toDemo := g.demo == nil && s.Environment == core.EnvSim && s.Endpoint == ""
	if toDemo || filepath.Join(g.r.dataDir, storeFile(run, g.demo.owns(s))) != g.path {
		if err := config.Save(g.r.dataDir, persist); err != nil {
			return err
		}
		g.mu.Lock()
		g.pending = &s
		g.mu.Unlock()
		g.log.WithField("settings", config.Describe(run)).Info("settings saved; restart needed")
		return errRestart(run.Environment)
	}
	if err := g.checkInstitution(run); err != nil {
		return err
	}
	cl, clErr := g.stk.newClient(run)
	if err := config.Save(g.r.dataDir, persist); err != nil {
		return err
	}
	if clErr != nil {
		g.stk.remote.set(nil, clErr)
	} else {
		g.stk.remote.set(cl, nil)
	}
	g.mu.Lock()
	g.cur = run
	g.mu.Unlock()
	g.stk.engine.UpdateSettings(run)
	g.log.WithField("settings", config.Describe(run)).Info("settings saved")
	return nil
}

// checkInstitution refuses another institution on a store that holds a
// list (see checkSwitch).
func (g *guiState) checkInstitution(run core.Settings) error {
	cur := g.settings()
	if strings.EqualFold(cur.Institution, run.Institution) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tc, err := g.stk.store.TicketCounts(ctx)
	if err != nil || tc.Valid+tc.Invalid == 0 {
		return err
	}
	return core.FieldErrors{{Field: "institution", Message: "This station holds the ticket list of " + cur.Institution +
		": start s360gate with another data folder (--data-dir) for " + run.Institution + "."}}
}

// runJoinedGUI runs the desktop app on a station of a venue: the same
// engine as `sync` there (openGUIStation), the screens on the venue.
func (r *runner) runJoinedGUI(st stored, link config.VenueLink, log logrus.FieldLogger) int {
	s := st.settings
	logging.Secret(s.Password)
	// One member of the venue per station: a `sync` already running for
	// it is the one taking part in the election; the app then only
	// decides and reports.
	release, held, err := lockSync(filepath.Join(r.dataDir, "venue"))
	elect := err == nil && !held
	if elect {
		defer release()
	} else {
		log.Warn("another s360gate is this station's member of the venue (its `sync`): this app decides and reports, it does not sync")
	}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	gs, err := r.openGUIStation(ctx, link, s, elect, log)
	cancel()
	if err != nil {
		log.WithError(err).Error("cannot open the venue")
		return r.failErr(err)
	}
	defer gs.close()
	g := &guiState{r: r, path: "", filePassword: st.file.Password, log: log, cur: gs.settings, venue: &st.file}
	a := App{
		DataDir:      r.dataDir,
		Store:        gs.store,
		Engine:       gs.engine,
		Venue:        gs.venue,
		Settings:     g.settings,
		SaveSettings: g.save,
		// The venue's S-360 client is the only one: this app asks S-360
		// nothing of its own (Test connection, the desk's question).
		Remote:  func() core.Remote { return nil },
		Restart: func() { r.restart.Store(true) },
		Lang:    words.Lang(r.lang),
		Log:     log,
		Now:     gs.now,
	}
	r.venueHooks(&a, elect)
	log.WithFields(logrus.Fields{"settings": config.Describe(s), "candidate": s.Password != "", "elect": elect}).
		Info("s360gate starting as a station of the venue")
	if err := r.gui(a); err != nil {
		log.WithError(err).Error("the desktop app failed")
		return r.failErr(err)
	}
	return ExitOK
}

// venueHooks gives the app the Settings screen's Venue section. self: this
// app is the station's member of the venue (it gives its syncer's turn up
// as it closes, so leaving is not refused for it).
func (r *runner) venueHooks(a *App, self bool) {
	a.VenueLink = func() (string, bool, bool) {
		l, ok, err := r.venueLink()
		if err != nil || !ok {
			return "", false, false
		}
		return logging.Redact(l.DB), l.TrustedLAN, true
	}
	a.JoinVenue = func(ctx context.Context, j core.VenueJoin) error {
		_, err := r.joinVenue(ctx, j)
		return err
	}
	a.LeaveVenue = func(ctx context.Context) error {
		_, err := r.leaveVenue(ctx, self)
		return err
	}
	a.TestVenue = func(ctx context.Context, dsn string, trusted bool) (VenueProbe, error) {
		if dsn == "" { // the stored link
			l, ok, err := r.venueLink()
			if err != nil {
				return VenueProbe{}, err
			}
			if ok {
				dsn, trusted = l.DB, l.TrustedLAN
			}
		}
		return r.testVenue(ctx, dsn, trusted, "")
	}
}

// saveJoined stores a joined station's own settings: its S-360 settings
// stay the venue's (shown, never written to the station's file). A new
// name, gate, S-360 password or venue wait takes effect at the next start
// (the running station engine was opened with them).
func (g *guiState) saveJoined(s core.Settings) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	persist := withConnection(s, *g.venue)
	if p := env(config.PasswordEnv); p != "" && s.Password == p {
		persist.Password = g.venue.Password
	}
	if err := config.Save(g.r.dataDir, persist); err != nil {
		return err
	}
	old := g.cur
	run := s.WithVenue(old.Venue())
	*g.venue, g.cur = persist, run
	g.log.WithField("settings", config.Describe(run)).Info("settings saved")
	if s.Station != old.Station || s.Gate != old.Gate || s.Password != old.Password || s.VenueFallbackMs != old.VenueFallbackMs {
		return core.Say(core.EConflict, "venue.savedRestart", nil)
	}
	return nil
}
