package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
)

// connFlags are the connection and event settings sync accepts. Given once,
// they are stored in the data directory and reused by later runs.
type connFlags struct {
	environment, endpoint, institution, operator, partner, season string
	products, performances                                        stringList
	eventDay                                                      bool
	eventDate                                                     string
	pageSize                                                      int
	passwordFile                                                  string
}

func (c *connFlags) register(fs *flag.FlagSet) {
	c.registerVenue(fs)
	fs.StringVar(&c.passwordFile, "password-file", "", "read the operator password from `FILE` (first line) and store it")
}

// registerVenue registers the flags of the settings a venue's stations
// share (core.VenueSettings): `sync` and `venue init` take them alike.
func (c *connFlags) registerVenue(fs *flag.FlagSet) {
	fs.StringVar(&c.environment, "environment", "", "`ENV`: sim, sandbox, preprod or production")
	fs.StringVar(&c.endpoint, "endpoint", "", "the service `URL` up to (without) /v1_6; https, or http on this machine")
	fs.StringVar(&c.institution, "institution", "", "the institution `CODE` (JWT sub)")
	fs.StringVar(&c.operator, "operator", "", "the operator `NAME` (JWT aud)")
	fs.StringVar(&c.partner, "partner", "", "the partner `NAME` (JWT iss; default: the institution)")
	fs.StringVar(&c.season, "season", "", "the season `CODE`")
	fs.Var(&c.products, "product", "a product `CODE` (repeat, or comma-separate)")
	fs.Var(&c.performances, "performance", "a performance `CODE` to narrow the list to (repeat, or comma-separate)")
	fs.BoolVar(&c.eventDay, "event-day", false, "force event-day mode (one sync a minute in preprod/production); --event-day=false to clear")
	fs.StringVar(&c.eventDate, "event-date", "", "the event `DATE`, YYYY-MM-DD (event-day mode on that day)")
	fs.IntVar(&c.pageSize, "page-size", 0, "tickets per exportList page (`N`, 1-10000)")
}

// apply writes the flags that were given onto s. A usage error names the flag.
func (c *connFlags) apply(fs *flag.FlagSet, s *core.Settings) error {
	var err, pageErr error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "environment":
			var e core.Environment
			if e, err = core.ParseEnvironment(c.environment); err == nil {
				s.Environment = e
			}
		case "endpoint":
			s.Endpoint = strings.TrimRight(strings.TrimSpace(c.endpoint), "/")
		case "institution":
			s.Institution = c.institution
		case "operator":
			s.Operator = c.operator
		case "partner":
			s.Partner = c.partner
		case "season":
			s.Season = c.season
		case "product":
			s.Products = c.products
		case "performance":
			s.Performances = c.performances
		case "event-day":
			s.EventDay = c.eventDay
		case "event-date":
			s.EventDate = c.eventDate
		case "page-size":
			// 0 would silently mean the default: a page size typed on the
			// command line is one S-360 must be asked for.
			if c.pageSize < 1 || c.pageSize > 10000 {
				pageErr = fmt.Errorf("--page-size must be between 1 and 10000 (got %d)", c.pageSize)
			}
			s.PageSize = c.pageSize
		}
	})
	if err != nil {
		return fmt.Errorf("--environment: %s", core.ErrorMessage(err))
	}
	return pageErr
}

// changed reports whether any flag that is stored was given.
func changed(fs *flag.FlagSet, except ...string) bool {
	any := false
	fs.Visit(func(f *flag.Flag) {
		for _, e := range except {
			if f.Name == e {
				return
			}
		}
		any = true
	})
	return any
}

// flagNames maps Settings.Validate's field names to the flags that set them,
// so that a refusal tells the user what to type.
var flagNames = map[string]string{
	"environment": "--environment", "endpoint": "--endpoint", "institution": "--institution",
	"operator": "--operator", "partner": "--partner", "season": "--season", "products": "--product",
	"performances": "--performance", "eventDate": "--event-date", "pageSize": "--page-size",
	"station": "--station", "gate": "--gate", "direction": "--direction",
}

// fieldMessage is FieldErrors in flag words, one line.
func fieldMessage(errs core.FieldErrors) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		name := e.Field
		if f, ok := flagNames[name]; ok {
			name = f
		} else {
			name = "setting " + name
		}
		parts[i] = name + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

// stored is what the data directory holds. settings is what the commands run
// with: stored, with S360_PASSWORD over the stored password. stored keeps the
// file's password so that a password given by the environment is used but
// never written down.
type stored struct {
	settings core.Settings
	file     core.Settings
	// warning is said once the command is under way (see warn): settings
	// the command can do without that the file holds wrong.
	warning string
}

// warn says st's warning on stderr. Commands call it once their store is
// open: a command that fails says one line, its failure.
func (r *runner) warn(st stored) {
	if st.warning != "" {
		fmt.Fprintln(r.stderr, "s360gate: "+oneLine(logging.Redact(st.warning)))
	}
}

// protect makes the data directory and its settings file private when
// other users of the computer can read them (config.Protect), and says so
// on stderr, each thing once; the lines are kept for the desktop app's log.
func (r *runner) protect() {
	for _, n := range config.Protect(r.dataDir) {
		if !slices.Contains(r.notices, n) {
			fmt.Fprintln(r.stderr, "s360gate: "+oneLine(n))
			r.notices = append(r.notices, n)
		}
	}
}

// loadSettings reads the data directory's settings and registers every
// password it meets as a secret before anything can log it. A setting of
// the wrong type in the file stops the command, naming the setting. First
// it makes the data directory private if it is not (protect).
func (r *runner) loadSettings() (stored, error) { return r.load(false) }

// loadStoreSettings is loadSettings for the commands that only read and
// write the station's store (scan, lookup, controls, purge): a sync-only
// setting the file holds with the wrong type (a page size in quotes) is
// said on stderr and does not stop them. A gate must go on deciding on the
// tickets it holds whatever the sync settings say.
func (r *runner) loadStoreSettings() (stored, error) { return r.load(true) }

func (r *runner) load(storeOnly bool) (stored, error) {
	r.protect()
	s, err := config.Load(r.dataDir)
	if err != nil {
		var fe core.FieldErrors
		if !storeOnly || !errors.As(err, &fe) || len(fe.AtTheGate()) > 0 {
			return stored{}, err
		}
	}
	st := stored{settings: s, file: s}
	if err != nil {
		st.warning = core.ErrorMessage(err) + " (only the sync uses them: going on)"
	}
	if p := env(config.PasswordEnv); p != "" {
		logging.Secret(p)
		st.file.Password, err = config.FilePassword(r.dataDir)
		if err != nil {
			return stored{}, err
		}
	}
	logging.Secret(st.file.Password)
	return st, nil
}

// readPasswordFile reads the first line of path. Only a trailing newline is
// removed: spaces may be part of a password.
func readPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", core.Wrap(core.EInvalid, err, "Cannot read the password file %s", path)
	}
	// As ssh does with keys: a password others can read may already be
	// someone else's. Nothing is stored until the file is private.
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		who, err := config.Exposure(path)
		if err != nil {
			return "", core.Wrap(core.EInvalid, err, "Cannot tell who may read the password file %s", path)
		}
		if who != "" {
			return "", core.Errorf(core.EInvalid, "The password file %s can be read by other users of this computer (%s): make it private with %s and run again",
				path, who, config.PrivateHint(path))
		}
	}
	p, _, _ := strings.Cut(string(b), "\n")
	p = strings.TrimSuffix(p, "\r")
	if p == "" {
		return "", core.Errorf(core.EInvalid, "The password file %s is empty", path)
	}
	logging.Secret(p)
	return p, nil
}
