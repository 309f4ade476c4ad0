package cli

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/s360"
	"s360gate/core/syncer"
)

// syncFlags: sync stores the venue's S-360 settings that have a flag
// (connection and event), given once and reused.
func (r *runner) syncFlags() (*flag.FlagSet, *connFlags, *bool) {
	fs := r.flagSet("sync")
	c := &connFlags{}
	for _, d := range core.SettingsTable {
		if d.Venue && d.Flag != "" {
			c.register(r, fs, d.Key)
		}
	}
	fs.StringVar(&c.passwordFile, "password-file", "", "read the operator password from `FILE` (first line) and store it")
	once := fs.Bool("once", false, "run one cycle, print a summary and exit (3 if the call policy says not now)")
	return fs, c, once
}

// connFlags are sync's setting flags and the password file.
type connFlags struct {
	settingFlags
	passwordFile string
}

// sync configures the station from flags (stored for next time) and keeps it
// in sync with S-360: one cycle with --once, until SIGINT/SIGTERM otherwise.
func (r *runner) sync(args []string) int {
	fs, cf, once := r.syncFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("sync", err)
	}
	if len(pos) > 0 {
		return r.usageError("sync", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	st, err := r.loadSettings()
	if err != nil {
		return r.failErr(err)
	}
	if link, joined, err := r.venueLink(); err != nil {
		return r.failErr(err)
	} else if joined {
		return r.venueSync(fs, cf, *once, st, link)
	}
	s, code := r.configure(fs, cf, st)
	if code != ExitOK {
		return code
	}

	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()
	if *once && !r.verbose {
		// One line on stdout says what happened; the log would repeat it.
		log.SetLevel(logrus.ErrorLevel)
	}
	path := filepath.Join(r.dataDir, storeFile(s, false))
	release, held, err := lockSync(path)
	switch {
	case err != nil:
		return r.fail(ExitFailure, "cannot take the sync lock in "+r.dataDir+": "+err.Error())
	case held:
		return r.fail(ExitFailure, "another s360gate (the desktop app or `s360gate sync`) is already syncing "+r.dataDir+": a station has one sync")
	}
	defer release()
	store, err := openStore(path)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	var onRetry func(syncer.Retry)
	if *once && !r.verbose {
		// The log is quiet here: without this, an unreachable S-360 is
		// half a minute of silence before the one-line answer.
		onRetry = func(rt syncer.Retry) {
			fmt.Fprintf(r.stderr, "s360gate: %s; trying again in %s (retry %d of %d)\n",
				oneLine(logging.Redact(describe(rt.Err))), rt.Wait.Round(100*time.Millisecond), rt.Retry, rt.Of)
		}
	}
	stk := newStack(store, s, log, onRetry)

	ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	stk.purgeExpired(ctx, s, time.Now())
	if *once {
		rep, err := stk.engine.RunCycle(ctx)
		if err != nil && ctx.Err() != nil {
			// Ctrl-C or SIGTERM: "context canceled" would tell the IT
			// person nothing; what was received is kept.
			return r.fail(ExitFailure, fmt.Sprintf("interrupted: %d tickets received and stored, %d controls uploaded; the next sync goes on from there",
				rep.Tickets, max(rep.Uploaded, 0)))
		}
		if err != nil {
			return r.failErr(err)
		}
		fmt.Fprintln(r.stdout, summary(rep))
		return ExitOK
	}
	log.WithField("settings", config.Describe(s)).Info("s360gate sync running; stop with Ctrl-C")
	// The engine logs each cycle (start, counts, errors) itself.
	if err := stk.engine.Run(ctx); err != nil && ctx.Err() == nil {
		return r.failErr(err)
	}
	log.Info("s360gate sync stopped")
	return ExitOK
}

// configure merges the flags into the stored settings, refuses what cannot
// work, and stores the result — all before anything is opened, so that a
// refused command line changes nothing.
func (r *runner) configure(fs *flag.FlagSet, cf *connFlags, st stored) (core.Settings, int) {
	file := st.file
	cf.apply(&file)
	if cf.passwordFile != "" {
		p, err := readPasswordFile(cf.passwordFile)
		if err != nil {
			return file, r.failErr(err)
		}
		file.Password = p
	}
	file = file.Defaults()
	given := changed(fs, "once", "data-dir", "verbose")
	if errs := file.Validate(); errs != nil {
		if given {
			return file, r.fail(ExitUsage, fieldMessage(errs)+" (nothing was saved)")
		}
		return file, r.fail(ExitFailure, "the stored settings are incomplete: "+fieldMessage(errs)+" (give them as flags; see `s360gate help sync`)")
	}
	run := file
	if p := env(config.PasswordEnv); p != "" {
		run.Password = p
	}
	switch {
	case run.Environment == core.EnvSim && run.Endpoint == "":
		return run, r.fail(ExitUsage, syncGap(run))
	case run.Password == "":
		return run, r.fail(ExitUsage, "no password: put it in a file only you can read and pass --password-file FILE (it is stored in "+r.dataDir+"), or set S360_PASSWORD")
	}
	if gap := syncGap(run); gap != "" {
		return run, r.fail(ExitUsage, gap)
	}
	if err := checkSwitch(r.dataDir, st.file, file); err != nil {
		return run, r.fail(ExitUsage, core.ErrorMessage(err))
	}
	if given {
		if err := config.Save(r.dataDir, file); err != nil {
			return run, r.failErr(err)
		}
		r.protect() // a data folder Save created
	}
	return run, ExitOK
}

// syncGap says what a headless sync with s lacks, the password aside (a
// station's own, never a venue's): "" when nothing. Validate lets the
// simulator go without an address and codes (the desktop app fills them
// from its embedded one); a headless sync needs them all, and an address
// and names the client accepts.
func syncGap(s core.Settings) string {
	switch {
	case s.Environment == core.EnvSim && s.Endpoint == "":
		return "the simulator has no address: start `s360gate sim` and pass the --endpoint it prints (the desktop app starts its own)"
	case s.Institution == "" || s.Operator == "" || s.Season == "" || len(s.Products) == 0:
		return "give --institution, --operator, --season and --product (once: they are stored)"
	}
	cfg := s360.ConfigFrom(s)
	if cfg.Password == "" {
		cfg.Password = "-" // checked elsewhere: only the address and names are checked here
	}
	if _, err := s360.New(cfg); err != nil {
		return core.ErrorMessage(err) + " (nothing was saved)"
	}
	return ""
}

// checkSwitch refuses to point a store that already holds a ticket list at
// another institution of the same environment (another environment has its
// own store, see storeFile): the old list would be admitted at the new
// institution's gates, and the stored cursor belongs to the other one.
func checkSwitch(dir string, old, next core.Settings) error {
	if !config.Exists(dir) || old.Environment != next.Environment || strings.EqualFold(old.Institution, next.Institution) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, storeFile(old, false))); err != nil {
		return nil
	}
	return core.Errorf(core.EInvalid, "%s already holds the %s ticket list of institution %s: use a new --data-dir for %s",
		dir, old.Environment, old.Institution, next.Institution)
}

// summary is sync --once's one line.
func summary(rep syncer.CycleReport) string {
	list := "list complete"
	if !rep.Drained {
		list = "more to come"
	}
	s := fmt.Sprintf("Synced: %d tickets received (%s), %d controls uploaded, %d rejected", rep.Tickets, list, rep.Uploaded, rep.Rejected)
	if rep.Pending > 0 {
		s += fmt.Sprintf(", %d pending", rep.Pending)
	}
	return s + "."
}
