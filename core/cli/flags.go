package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"s360gate/core"
	"s360gate/core/logging"
)

// flagSet makes a subcommand's flag set with the options every command
// accepts. Their defaults are the values already parsed, so --data-dir works
// before the subcommand (parsed by the top level) and after it (here).
func (r *runner) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported on one line by usageError
	fs.StringVar(&r.dataDir, "data-dir", r.dataDir, "the station's data `directory` (settings, tickets, controls, log)")
	fs.BoolVar(&r.verbose, "verbose", r.verbose, "log more (debug level)")
	fs.Var(langFlag{r}, "lang", flagUsage(core.SettingByKey("language"), "this run only"))
	return fs
}

// parseFlags parses args, flags and positional arguments in any order ("--"
// ends the flags). With stopAtFirst, it stops at the first positional
// argument instead (the top level: what follows belongs to the subcommand).
func parseFlags(fs *flag.FlagSet, args []string, stopAtFirst bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if stopAtFirst {
			return rest, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable flag; each value may also be comma-separated
// (codes never contain commas). Given at all, it replaces the stored list.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// refusePassword refuses --password with the reason. It runs before any
// parsing so that the refusal is the same for every command, and it
// registers the value as a secret so that nothing ever prints it.
func (r *runner) refusePassword(args []string) (int, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name != "password" {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		logging.Secret(val)
		return r.fail(ExitUsage, "there is no --password flag: a password on the command line is visible to every user in `ps` and stays in the shell history. "+
			"Put it in a file only you can read and pass --password-file FILE (it is then stored in the data directory), or set S360_PASSWORD"), true
	}
	return 0, false
}

// usageError reports a command-line mistake on one line (exit 2), or prints
// the help when it was asked for (exit 0).
func (r *runner) usageError(cmd string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		if cmd == "" {
			return r.help(nil)
		}
		return r.help([]string{cmd})
	}
	if r.refusal != "" {
		err = errors.New(r.refusal)
	}
	where := "s360gate help"
	if cmd != "" {
		where += " " + cmd
		return r.fail(ExitUsage, fmt.Sprintf("%s: %v (see `%s`)", cmd, err, where))
	}
	return r.fail(ExitUsage, fmt.Sprintf("%v (see `%s`)", err, where))
}

// usage is the whole command surface, for help and --help.
func usage() string {
	var b strings.Builder
	b.WriteString(`s360gate: gate access control synchronised with S-360 (SecuTix 360)

Usage:
  s360gate [--data-dir DIR] [--verbose]            the desktop app (the demo stadium on first run)
  s360gate [--data-dir DIR] COMMAND [flags]         --data-dir and --verbose go before or after COMMAND
  s360gate --version                               the version, commit and build date

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-11s %s\n              %s\n", c.name, c.args, c.summary)
	}
	b.WriteString(`
Connection settings (sync flags) are stored in the data directory once given.
There is no --password flag: use --password-file FILE or S360_PASSWORD.
Exit codes: 0 done, 1 failed, 2 wrong command line, 3 S-360 call not allowed yet.
`)
	return b.String()
}

// help prints the usage, or one command's flags.
func (r *runner) help(args []string) int {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(r.stdout, usage())
		return ExitOK
	}
	if args[0] == "sim" {
		return r.sim([]string{"--help"})
	}
	if args[0] == "venue" {
		return r.venueHelp(args[1:])
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		fs := r.commandFlags(c.name)
		fmt.Fprintf(r.stdout, "Usage: s360gate %s %s\n  %s\n\nFlags:\n", c.name, c.args, c.summary)
		printFlags(r.stdout, fs)
		return ExitOK
	}
	return r.fail(ExitUsage, fmt.Sprintf("unknown command %q (run `s360gate help`)", args[0]))
}

// printFlags is fs.PrintDefaults, but a setting's flag names its value as
// the setting's description does (Setting.Arg).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if sf, ok := f.Value.(*settingFlag); ok {
			name = sf.d.Arg
		} else if _, ok := f.Value.(langFlag); ok {
			name = core.SettingByKey("language").Arg
		}
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if _, err := strconv.Atoi(f.DefValue); err == nil && f.DefValue != "0" {
			line += " (default " + f.DefValue + ")"
		} else if err != nil && f.DefValue != "" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// commandFlags is the flag set of a command, for its help.
func (r *runner) commandFlags(name string) *flag.FlagSet {
	switch name {
	case "sync":
		fs, _, _ := r.syncFlags()
		return fs
	case "scan":
		fs, _ := r.scanFlags()
		return fs
	case "controls":
		fs, _, _ := r.controlsFlags()
		return fs
	case "purge":
		fs, _ := r.purgeFlags()
		return fs
	case "lookup":
		fs, _ := r.lookupFlags()
		return fs
	case "testsession":
		fs, _ := r.testSessionFlags()
		return fs
	case "bench":
		fs, _ := r.benchFlags()
		return fs
	}
	return r.flagSet(name)
}
