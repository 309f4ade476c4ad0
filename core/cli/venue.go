package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"s360gate/core"
)

// `s360gate venue …`: many stations share one PostgreSQL database (the
// venue's store, core/postgres) and one of them, elected, is the venue's
// S-360 client (core/venue). The README's "Venue mode" says how to set a
// venue up.

// venueCommand is one subcommand of venue.
type venueCommand struct {
	name, args, summary string
	flags               func(r *runner) *flag.FlagSet
	run                 func(r *runner, args []string) int
}

var venueCommands []venueCommand

func init() {
	venueCommands = []venueCommand{
		{"init", "--db DSN [--trusted-lan] [--environment ENV] [--endpoint URL] [--institution CODE] [--operator NAME] [--partner NAME] [--season CODE] [--product CODE]... [--performance CODE]... [--event-day] [--event-date YYYY-MM-DD] [--page-size N]",
			"create or upgrade the venue database and store the venue's S-360 settings (again: changes only those given)",
			func(r *runner) *flag.FlagSet { fs, _, _ := r.venueInitFlags(); return fs }, (*runner).venueInit},
		{"join", "--db DSN --station NAME [--gate G] [--direction in|out] [--password-file F] [--trusted-lan]",
			"make this data directory a station of the venue (with a password file: a candidate to be its S-360 client)",
			func(r *runner) *flag.FlagSet { fs, _ := r.venueJoinFlags(); return fs }, (*runner).venueJoin},
		{"leave", "", "make this station standalone again (its own data stays)",
			func(r *runner) *flag.FlagSet { return r.flagSet("venue leave") }, (*runner).venueLeave},
		{"status", "[--json] [--db DSN [--trusted-lan]]", "the venue's syncer, stations, tickets, last exchanges with S-360 and next allowed call",
			func(r *runner) *flag.FlagSet { fs, _ := r.venueStatusFlags(); return fs }, (*runner).venueStatus},
	}
}

// venue dispatches `venue SUBCOMMAND`.
func (r *runner) venue(args []string) int {
	if len(args) == 0 {
		return r.fail(ExitUsage, "venue: say what to do: init, join, leave or status (see `s360gate help venue`)")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return r.venueHelp(args[1:])
	}
	for _, c := range venueCommands {
		if c.name == args[0] {
			return c.run(r, args[1:])
		}
	}
	return r.fail(ExitUsage, fmt.Sprintf("venue: unknown command %q: init, join, leave or status (see `s360gate help venue`)", args[0]))
}

// venueHelp prints the venue commands, or one's flags.
func (r *runner) venueHelp(args []string) int {
	if len(args) > 0 {
		for _, c := range venueCommands {
			if c.name != args[0] {
				continue
			}
			fmt.Fprintf(r.stdout, "Usage: s360gate [--data-dir DIR] venue %s %s\n  %s\n\nFlags:\n", c.name, c.args, c.summary)
			fs := c.flags(r)
			fs.SetOutput(r.stdout)
			fs.PrintDefaults()
			return ExitOK
		}
		return r.fail(ExitUsage, fmt.Sprintf("venue: unknown command %q", args[0]))
	}
	var b strings.Builder
	b.WriteString("Usage: s360gate [--data-dir DIR] venue COMMAND [flags]\n\n" +
		"A venue's stations share one PostgreSQL database; one of them, elected, is the venue's S-360 client.\n\nCommands:\n")
	for _, c := range venueCommands {
		fmt.Fprintf(&b, "  %-7s %s\n          %s\n", c.name, c.args, c.summary)
	}
	b.WriteString("\nOn a joined station, `sync` takes part in the election, and scan, lookup, controls and purge\n" +
		"work on the venue's data. DSN: postgres://USER@HOST[:PORT]/DB?sslmode=require or host=… dbname=…;\n" +
		"the database password from the DSN, PGPASSWORD or ~/.pgpass.\n")
	fmt.Fprint(r.stdout, b.String())
	return ExitOK
}

// venueUsage reports a venue subcommand's command-line mistake (exit 2),
// or prints its help.
func (r *runner) venueUsage(cmd string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return r.venueHelp([]string{cmd})
	}
	if r.refusal != "" { // a setting flag's refusal, in sync's words
		err = errors.New(r.refusal)
	}
	return r.fail(ExitUsage, fmt.Sprintf("venue %s: %v (see `s360gate help venue %s`)", cmd, err, cmd))
}

// parseVenueFlags parses a venue subcommand's flags, which take no
// positional argument.
func (r *runner) parseVenueFlags(cmd string, fs *flag.FlagSet, args []string) int {
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.venueUsage(cmd, err)
	}
	if len(pos) > 0 {
		return r.venueUsage(cmd, fmt.Errorf("unexpected argument %q", pos[0]))
	}
	return ExitOK
}

// who saved something: the account running the command, on this machine.
func byWhom(what string) string {
	host, _ := os.Hostname()
	u := env("USER")
	switch {
	case u != "" && host != "":
		return what + " (" + u + "@" + host + ")"
	case host != "":
		return what + " (" + host + ")"
	}
	return what
}

// refusedJoined refuses a command that does not work on a joined station
// yet, in words.
func (r *runner) refusedJoined(what string) (int, bool) {
	_, joined, err := r.venueLink()
	if err != nil {
		return r.failErr(err), true
	}
	if !joined {
		return ExitOK, false
	}
	return r.fail(ExitFailure, what+" works on a station on its own; this one ("+r.dataDir+") is a station of a venue: "+
		"use another --data-dir, or `s360gate venue leave` first"), true
}

// describeVenue is a venue's S-360 settings on one line, without secrets
// (there are none in them).
func describeVenue(v core.VenueSettings) string {
	s := core.Settings{}.WithVenue(v)
	d := fmt.Sprintf("environment %s, endpoint %s, institution %s, operator %s, season %s, products %s",
		s.Environment, orNone(s.Endpoint), orNone(s.Institution), orNone(s.Operator), orNone(s.Season), orNone(strings.Join(s.Products, ",")))
	if len(s.Performances) > 0 {
		d += ", performances " + strings.Join(s.Performances, ",")
	}
	switch {
	case s.EventDay:
		d += ", event-day mode"
	case s.EventDate != "":
		d += ", event date " + s.EventDate
	}
	return d + fmt.Sprintf(", pages of %d", s.PageSize)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
