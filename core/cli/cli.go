// Package cli is s360gate's command line: the subcommands, and the wiring of
// store, S-360 client, sync engine and (injected) GUI that every one of them
// shares.
//
// The GUI is passed in as a function so that this package never imports
// Fyne: the headless commands (sync, scan, …) must build and run on a
// turnstile controller or a server with no display and no GL.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"s360gate/core"
	"s360gate/core/buildinfo"
	"s360gate/core/config"
	"s360gate/core/logging"
)

// Exit codes. Scripts driving gates key on them.
const (
	ExitOK      = 0
	ExitFailure = 1 // something failed; the message says what
	ExitUsage   = 2 // the command line is wrong; nothing was changed
	ExitRefused = 3 // the S-360 call policy says not now; the message says when
)

// GUI runs the desktop app on app and returns when its window closes.
type GUI func(app App) error

// runner is one invocation: its streams and the options shared by every
// subcommand.
type runner struct {
	ctx     context.Context
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	gui     GUI
	dataDir string
	verbose bool
	// lang is --lang ("": the station's language).
	lang string
	// refusal is the first setting flag refused, in its words.
	refusal string
	// notices are what loadSettings told on stderr, for the desktop app's
	// log (nobody reads its stderr).
	notices []string
	restart atomic.Bool // the GUI asked to be started again once closed
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(r *runner, args []string) int
}

var commands []command

func init() {
	// Assigned here, not in the declaration: the run funcs print the usage,
	// which reads this list (an initialization cycle otherwise).
	commands = []command{
		{"sync", "[--once] [connection flags]", "fetch the ticket list from S-360 and upload the controls (--once: one cycle)", (*runner).sync},
		{"scan", "[--gate G] [--station NAME] [--direction in|out] [--helpdesk]", "read one scan per line on stdin, print one JSON verdict per line", (*runner).scan},
		{"lookup", "[--remote] QUERY", "find tickets by taxNumber, barcode, container or holder name (audited); --remote: and what S-360 says now", (*runner).lookup},
		{"controls", "[--format csv|json] [--since TIME]", "print the control log", (*runner).controls},
		{"testsession", "[--gate G] [--station NAME] [--direction in|out] [--report-dir DIR] [--wait]", "prove the interface with the institution's test tickets: one per line on stdin (CODE [EXPECTED]), uploaded, checked at S-360, reported as CSV and HTML", (*runner).testSession},
		{"purge", "--personal-data [--before YYYY-MM-DD | --all]", "erase holder identities of past events", (*runner).purge},
		{"venue", "init|join|leave|status [flags]", "a venue's stations share one PostgreSQL database and one elected S-360 client (see `s360gate help venue`)", (*runner).venue},
		{"sim", "[flags]", "run a simulated S-360 (see `s360gate sim --help`)", (*runner).sim},
		{"bench", "[--tickets N] [--page-size N] [--json]", "measure this machine: ingest, raw store limit, sync cycles, scans, upload, memory", (*runner).bench},
		{"version", "", "print the version, the commit it was built from and the build date (also --version)", (*runner).version},
		{"help", "[COMMAND]", "print this help, or a command's flags", (*runner).help},
	}
}

// Main runs s360gate with args (without the program name) and returns the
// exit code. gui is called for the no-subcommand case.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, gui GUI) int {
	return Run(context.Background(), args, stdin, stdout, stderr, gui)
}

// Run is Main with a context: cancelling it stops a running sync (tests; the
// binary cancels on SIGINT/SIGTERM inside the commands that run long).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, gui GUI) int {
	r := &runner{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, gui: gui, dataDir: config.DefaultDataDir()}
	fs := r.flagSet("s360gate")
	showVersion := fs.Bool("version", false, "print the version, commit and build date")
	rest, err := parseFlags(fs, args, true)
	if err != nil {
		if code, refused := r.refusePassword(args); refused {
			return code
		}
		return r.usageError("", err)
	}
	if *showVersion {
		return r.version(rest)
	}
	if len(rest) == 0 {
		code := r.runGUI()
		if code == ExitOK && r.restart.Load() {
			// Only now: the store is closed and its lock released.
			if err := relaunch(withoutLang(args)); err != nil {
				return r.fail(ExitFailure, "cannot start s360gate again ("+err.Error()+"): start it by hand")
			}
		}
		return code
	}
	// The simulator's own --password sets the fake institution's password;
	// every other command refuses the flag.
	if rest[0] == "sim" {
		return r.sim(rest[1:])
	}
	if code, refused := r.refusePassword(rest); refused {
		return code
	}
	for _, c := range commands {
		if c.name == rest[0] {
			return c.run(r, rest[1:])
		}
	}
	return r.fail(ExitUsage, fmt.Sprintf("unknown command %q (run `s360gate help`)", rest[0]))
}

// fail prints one line on stderr and returns code. The line is redacted: no
// error path may print the password.
func (r *runner) fail(code int, msg string) int {
	fmt.Fprintln(r.stderr, "s360gate: "+oneLine(logging.Redact(msg)))
	return code
}

// failErr reports err in plain words (core.ErrorMessage), with the exit code
// its kind calls for.
func (r *runner) failErr(err error) int {
	var ref *core.PolicyRefusal
	if errors.As(err, &ref) {
		return r.fail(ExitRefused, ref.Error())
	}
	return r.fail(ExitFailure, describe(err))
}

// describe is err in words for a supervisor: the message of every *core.Error
// (joined errors each give theirs), the technical text otherwise. Secrets are
// masked by fail.
func describe(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			if e != nil {
				parts = append(parts, describe(e))
			}
		}
		return strings.Join(parts, "; ")
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	var fe core.FieldErrors
	if errors.As(err, &fe) {
		return fe.Error()
	}
	return err.Error()
}

// oneLine keeps a message on one line: scripts read stderr line by line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
	const max = 600
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func (r *runner) version(args []string) int {
	fs := r.flagSet("version")
	if _, err := parseFlags(fs, args, false); err != nil {
		return r.usageError("version", err)
	}
	fmt.Fprintf(r.stdout, "%s\nS-360 ExternalAccessControlService v1_6\n", buildinfo.Get())
	return ExitOK
}

// env reads an environment variable (S360_PASSWORD, USER).
func env(key string) string { return os.Getenv(key) }
