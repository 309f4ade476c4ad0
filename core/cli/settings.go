package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/words"
)

// Setting flags are built from the settings' one description
// (core.SettingsTable): the flag's name, its help and the reading and
// checking of its value. A value is read and checked when the flag is
// parsed, so that a refusal names the flag (exit 2) before anything is
// opened or stored; the command then applies the values given to the
// settings it runs with.

// settingFlags are the setting flags of one command and the values given.
type settingFlags struct {
	given map[string][]string // setting key → the texts given, in order
	r     *runner
}

// settingFlag is one setting's flag.
type settingFlag struct {
	d  *core.Setting
	sf *settingFlags
}

// flagNotes say what a flag does beyond its setting's help.
var flagNotes = map[string]string{
	"products":     "repeat, or comma-separate",
	"performances": "repeat, or comma-separate",
	"eventDay":     "--event-day=false to clear",
	"station":      "this run only; default: stored",
	"gate":         "this run only; default: stored",
	"direction":    "this run only; default: stored",
}

// register adds the flags of settings keys to fs.
func (sf *settingFlags) register(r *runner, fs *flag.FlagSet, keys ...string) {
	if sf.given == nil {
		sf.given = map[string][]string{}
	}
	sf.r = r
	for _, k := range keys {
		d := core.SettingByKey(k)
		fs.Var(&settingFlag{d: d, sf: sf}, d.Flag, flagUsage(d, flagNotes[k]))
	}
}

// flagUsage is a setting's help as the command line says it (English: the
// command line's words are; printFlags names the value after d.Arg).
func flagUsage(d *core.Setting, note string) string {
	u := d.Help(words.EN)
	if note != "" {
		u += " (" + note + ")"
	}
	return u
}

func (f *settingFlag) String() string { return "" }

// IsBoolFlag lets a yes-or-no setting's flag be given without a value.
func (f *settingFlag) IsBoolFlag() bool { return f.d.Kind == core.KindBool }

// Set reads and checks one value as its setting does; a list flag may be
// given again to add to it.
func (f *settingFlag) Set(text string) error {
	var scratch core.Settings
	if fe := f.d.Given(&scratch, text); fe != nil {
		return f.sf.r.refuse(f.d.Flag, fe)
	}
	if f.d.Kind != core.KindCodes {
		f.sf.given[f.d.Key] = nil
	}
	f.sf.given[f.d.Key] = append(f.sf.given[f.d.Key], text)
	return nil
}

// apply writes the values given onto s.
func (sf *settingFlags) apply(s *core.Settings) {
	for _, d := range core.SettingsTable {
		if texts, ok := sf.given[d.Key]; ok {
			d.Given(s, strings.Join(texts, ","))
		}
	}
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

// fieldMessage is FieldErrors in flag words, one line: a refusal names the
// flag that sets the setting (as its description says), or the setting.
func fieldMessage(errs core.FieldErrors) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		name := "setting " + e.Field
		if d := core.SettingByKey(e.Field); d != nil && d.Flag != "" && d.Flag != "lang" {
			name = "--" + d.Flag
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

// refuse keeps a setting flag's refusal in its words for usageError (the
// flag package would put its own around it) and returns it as an error.
func (r *runner) refuse(flagName string, fe *core.FieldError) error {
	msg := "--" + flagName + ": " + fe.Message
	if r.refusal == "" {
		r.refusal = msg
	}
	return errors.New(msg)
}

// langFlag is --lang, which every command takes: the language of the
// words it writes for people (scan's and lookup's "message", the test
// session's lines and report) for this run, instead of the station's.
type langFlag struct{ r *runner }

func (f langFlag) String() string { return "" }

func (f langFlag) Set(text string) error {
	var scratch core.Settings
	if fe := core.SettingByKey("language").Given(&scratch, text); fe != nil {
		return f.r.refuse("lang", fe)
	}
	f.r.lang = scratch.Language
	return nil
}

// speaker says things in the language of this run (--lang, else the
// station's setting, else the system's), at the venue in zone.
func (r *runner) speaker(s core.Settings, zone *time.Location) core.Speaker {
	if r.lang != "" {
		s.Language = r.lang
	}
	return core.Speak(s.Lang(), zone)
}
