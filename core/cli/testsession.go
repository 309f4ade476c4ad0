package cli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/logging"
	"s360gate/core/testsession"
)

// ReportDir is where test-session reports go inside the data directory.
const ReportDir = testsession.DirName

type testSessionOpts struct {
	scanOpts
	reportDir string
	wait      bool
}

func (r *runner) testSessionFlags() (*flag.FlagSet, *testSessionOpts) {
	fs := r.flagSet("testsession")
	o := &testSessionOpts{}
	o.stationFlags(r, fs)
	fs.StringVar(&o.reportDir, "report-dir", "", "write the report (CSV and HTML) into `DIR`; default: test-sessions in the data directory")
	fs.BoolVar(&o.wait, "wait", false, "when the call policy does not allow the upload yet, wait for it (up to an hour before event day)")
	return fs, o
}

// testSession proves the two-way interface with the institution's test
// tickets: one ticket per line on stdin ("CODE [EXPECTED]"), each decided
// and recorded as at the gate; then one sync cycle uploads the controls
// and S-360 is asked what it recorded of each ticket. The report goes to
// a CSV file and a printable HTML page; stdout says it line by line. Exit
// 0 when every expectation is met and S-360 lists every control uploaded.
func (r *runner) testSession(args []string) int {
	fs, o := r.testSessionFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("testsession", err)
	}
	if len(pos) > 0 {
		return r.usageError("testsession", fmt.Errorf("unexpected argument %q (test tickets are read from stdin, one per line: CODE [EXPECTED])", pos[0]))
	}
	if code, refused := r.refusedJoined("A test session"); refused {
		return code
	}
	st, err := r.loadSettings()
	if err != nil {
		return r.failErr(err)
	}
	s := st.settings
	if code := r.stationOverrides(fs, &o.scanOpts, &s); code != ExitOK {
		return code
	}
	if errs := s.Validate(); errs != nil {
		return r.fail(ExitFailure, "the stored settings are not complete: "+fieldMessage(errs))
	}
	path, err := requireStore(r.dataDir, s)
	if err != nil {
		return r.failErr(err)
	}
	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()
	log.SetLevel(logrus.ErrorLevel) // stdout tells the story; --verbose for the log
	if r.verbose {
		log.SetLevel(logrus.DebugLevel)
	}
	release, held, err := lockSync(path)
	switch {
	case err != nil:
		return r.fail(ExitFailure, "cannot take the sync lock in "+r.dataDir+": "+err.Error())
	case held:
		return r.fail(ExitFailure, "another s360gate is syncing "+r.dataDir+": run the test session from it (the desktop app's Sync tab), or stop it first")
	}
	defer release()
	store, err := openStore(path)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	run := s
	if p := env(config.PasswordEnv); p != "" {
		run.Password = p
	}
	stk := newStack(store, run, log, nil)
	if stk.remote.current() == nil {
		_, err := stk.remote.get()
		return r.failErr(err)
	}
	ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	_ = stk.engine.Refresh(ctx)
	zone := venueZone(ctx, store)
	sess := testsession.New(testsession.Options{Settings: run, Store: store, Syncer: stk.engine, Remote: stk.remote,
		Zone: zone, Wait: o.wait, Lang: r.speaker(run, zone).Lang})

	in := bufio.NewScanner(r.stdin)
	in.Buffer(make([]byte, 4096), 4096)
	for no := 1; in.Scan(); no++ {
		l, skip, err := testsession.ParseLine(no, in.Text())
		if skip {
			continue
		}
		var res testsession.Result
		if err != nil {
			res = sess.Invalid(no, in.Text(), err)
		} else {
			res = sess.Scan(ctx, l)
		}
		fmt.Fprintln(r.stdout, scannedWords(res))
	}
	if err := in.Err(); err != nil {
		return r.fail(ExitFailure, "reading the test tickets: "+err.Error())
	}
	if len(sess.Results()) == 0 {
		return r.usageError("testsession", fmt.Errorf("no test ticket on stdin: one per line, CODE [EXPECTED]"))
	}
	fmt.Fprintln(r.stdout, "Uploading the controls and asking S-360 what it recorded…")
	rep := sess.Finish(ctx)
	writeReport(r.stdout, rep)
	dir := o.reportDir
	if dir == "" {
		dir = filepath.Join(r.dataDir, ReportDir)
	}
	csvPath, htmlPath, err := rep.Save(dir)
	if err != nil {
		return r.failErr(err)
	}
	fmt.Fprintf(r.stdout, "Report: %s\n        %s\n", htmlPath, csvPath)
	if !rep.OK() {
		return r.fail(ExitFailure, "test session: "+rep.Summary()+" (see "+htmlPath+")")
	}
	return ExitOK
}

// scannedWords is a line's verdict as it is scanned.
func scannedWords(res testsession.Result) string {
	s := fmt.Sprintf("line %d: %s — ", res.Line, res.Scanned)
	if res.Error != "" {
		return s + res.Error
	}
	s += string(res.Outcome) + " " + string(res.Reason) + " (" + res.Message + ")"
	if res.Expected != "" {
		s += ", expected " + res.Expected + ": " + res.Match
	}
	return s
}

// writeReport is the report in words, a line per ticket.
func writeReport(w io.Writer, rep *testsession.Report) {
	fmt.Fprintln(w, rep.Upload)
	for _, res := range rep.Results {
		s := fmt.Sprintf("line %d: %s", res.Line, res.Scanned)
		if res.Error != "" {
			fmt.Fprintln(w, s+" — "+res.Error)
			continue
		}
		s += " — " + string(res.Outcome) + " " + string(res.Reason)
		if res.Match != "" {
			s += " " + res.Match
		}
		switch {
		case res.S360 != nil:
			s += "; S-360: " + string(res.S360.Ticket.State)
			var ops []string
			for _, op := range res.S360.Operations {
				ops = append(ops, op.Result+" "+core.FormatIn(op.At, rep.Zone, "15:04:05"))
			}
			if len(ops) > 0 {
				s += " (" + strings.Join(ops, ", ") + ")"
			}
		case res.S360Error != "":
			s += "; " + res.S360Error
		}
		if res.Recorded != "" {
			s += "; our control at S-360: " + res.Recorded
		}
		fmt.Fprintln(w, s)
	}
	fmt.Fprintln(w, rep.Summary()+".")
}
