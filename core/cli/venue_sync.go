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
	"s360gate/core/syncer"
	"s360gate/core/venue"
)

// VenueTuning, when set, adjusts a joined station's venue options before
// `sync` runs them. Tests only (a shorter lease makes ten handovers take
// seconds); the product never sets it.
var VenueTuning func(*venue.Options)

// venueSync is `sync` on a joined station: it takes part in the election
// (venue.Member). With --once it does its part once — reports in and, if
// it takes the lease, runs one cycle for the venue — and says who the
// venue's syncer is.
func (r *runner) venueSync(fs *flag.FlagSet, cf *connFlags, once bool, st stored, link config.VenueLink) int {
	var other []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "once", "data-dir", "verbose", "password-file":
		default:
			other = append(other, "--"+f.Name)
		}
	})
	if len(other) > 0 {
		return r.fail(ExitUsage, fmt.Sprintf("%s: this station is a station of a venue, whose S-360 settings are the venue's: change them with `s360gate venue init --db DSN %s …` (nothing was saved)",
			strings.Join(other, ", "), other[0]))
	}
	if cf.passwordFile != "" {
		p, err := readPasswordFile(cf.passwordFile)
		if err != nil {
			return r.failErr(err)
		}
		file := st.file
		file.Password = p
		if err := config.Save(r.dataDir, file); err != nil {
			return r.failErr(err)
		}
		st.settings.Password = p
		if e := env(config.PasswordEnv); e != "" {
			st.settings.Password = e
		}
	}
	s := st.settings

	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()
	if once && !r.verbose {
		log.SetLevel(logrus.ErrorLevel)
	}
	release, held, err := lockSync(filepath.Join(r.dataDir, "venue"))
	switch {
	case err != nil:
		return r.fail(ExitFailure, "cannot take the sync lock in "+r.dataDir+": "+err.Error())
	case held:
		return r.fail(ExitFailure, "another `s360gate sync` is already running for this station ("+r.dataDir+")")
	}
	defer release()
	ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var tune func(*venue.Options)
	if once && !r.verbose {
		tune = func(o *venue.Options) {
			o.OnRetry = func(rt syncer.Retry) {
				fmt.Fprintf(r.stderr, "s360gate: %s; trying again in %s (retry %d of %d)\n",
					oneLine(logging.Redact(describe(rt.Err))), rt.Wait.Round(100*time.Millisecond), rt.Retry, rt.Of)
			}
		}
	}
	st2, err := r.openStation(s, link, !once, log, tune)
	if err != nil {
		return r.failErr(err)
	}
	defer st2.Close()
	(&stack{store: st2, log: log}).purgeExpired(ctx, st2.Settings(), st2.Now())

	if !once {
		log.WithFields(logrus.Fields{"station": s.Station, "candidate": s.Password != ""}).Info("s360gate sync running as a station of the venue; stop with Ctrl-C")
		<-ctx.Done()
		log.Info("s360gate sync stopped")
		return ExitOK
	}
	m := st2.Member()
	if m == nil {
		return r.fail(ExitFailure, "the venue's database cannot be reached: "+st2.Link().Error+"; this station decides from its copy of the venue meanwhile")
	}
	rep, err := m.Once(ctx)
	if err != nil && ctx.Err() != nil {
		return r.fail(ExitFailure, fmt.Sprintf("interrupted: %d tickets received and stored, %d controls uploaded; the venue's next sync goes on from there",
			rep.Cycle.Tickets, max(rep.Cycle.Uploaded, 0)))
	}
	if err != nil {
		return r.failErr(err)
	}
	fmt.Fprintln(r.stdout, venueSummary(rep, venueZone(ctx, st2)))
	return ExitOK
}

// venueSummary is `sync --once`'s line on a joined station.
func venueSummary(rep venue.Report, zone *time.Location) string {
	if rep.Syncer {
		return fmt.Sprintf("Synced for the venue as its S-360 client (%s, epoch %d): %s",
			rep.Name, rep.Epoch, strings.TrimPrefix(summary(rep.Cycle), "Synced: "))
	}
	role := "gate only: it holds no S-360 password"
	if rep.Candidate {
		role = "a candidate"
	}
	self := fmt.Sprintf("this station (%s, %s) reported to the venue.", rep.Name, role)
	if !rep.Lease.Held {
		return "No station is the venue's S-360 client now; " + self + " A station holding the S-360 password must run `s360gate sync`."
	}
	return fmt.Sprintf("%s is the venue's S-360 client (since %s, epoch %d); %s",
		rep.Lease.Station, core.FormatIn(rep.Lease.Since, zone, "2006-01-02 15:04:05"), rep.Lease.Epoch, self)
}
