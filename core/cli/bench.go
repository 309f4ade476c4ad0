package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"s360gate/core/bench"
	"s360gate/core/config"
)

type benchOpts struct {
	tickets, pageSize int
	json              bool
	cpuProfile        string
	// the venue's bench
	venue                      bool
	venueDB                    string
	stations, scans, failovers int
}

func (r *runner) benchFlags() (*flag.FlagSet, *benchOpts) {
	fs := r.flagSet("bench")
	o := &benchOpts{}
	fs.IntVar(&o.tickets, "tickets", bench.DefaultTickets, "`N` tickets in the simulated list")
	fs.IntVar(&o.pageSize, "page-size", bench.DefaultPageSize, "exportList page size (nbMaxResults)")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the table")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (go tool pprof)")
	fs.BoolVar(&o.venue, "venue", false, "measure the venue's PostgreSQL store and syncer failover instead (see README, Performance)")
	fs.StringVar(&o.venueDB, "venue-db", "", "with --venue: an empty PostgreSQL database (`DSN`) to measure on; default: start a server of its own")
	fs.IntVar(&o.stations, "stations", bench.DefaultVenueStations, "with --venue: `N` stations scanning at once")
	fs.IntVar(&o.scans, "scans", bench.DefaultVenueScans, "with --venue: scans in all")
	fs.IntVar(&o.failovers, "failovers", bench.DefaultVenueFailovers, "with --venue: times the syncer is killed")
	return fs, o
}

// bench measures this machine with the product's own code against the
// in-process simulator (core/bench). Its databases go to --data-dir when
// one is given (bench.db, never the station's own files), else to a
// temporary directory removed afterwards.
func (r *runner) bench(args []string) int {
	fs, o := r.benchFlags()
	pos, err := parseFlags(fs, args, false)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(r.stdout, "Usage: s360gate bench [--tickets N] [--page-size N] [--data-dir DIR] [--json]\n"+
			"       s360gate bench --venue [--venue-db DSN] [--tickets N] [--stations N] [--scans N] [--failovers N] [--json]\n"+
			"  Measures export ingest, the raw store limit, store readiness, incremental cycles,\n"+
			"  scan decisions, upload and peak memory against the in-process simulator. With the\n"+
			"  venue flag: the venue's PostgreSQL store (export, scans of many stations) and the\n"+
			"  syncer's failover instead.\n\nFlags:\n")
		printFlags(r.stdout, fs)
		return ExitOK
	}
	if err != nil {
		return r.usageError("bench", err)
	}
	if len(pos) > 0 {
		return r.usageError("bench", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	if o.tickets < 1 || o.pageSize < 1 || o.pageSize > 10000 {
		return r.usageError("bench", errors.New("--tickets must be positive and --page-size between 1 and 10000"))
	}
	dir := ""
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "data-dir" })
	if given || r.dataDir != config.DefaultDataDir() {
		dir = r.dataDir
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return r.fail(ExitFailure, "cannot create the CPU profile: "+err.Error())
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return r.fail(ExitFailure, "cannot start the CPU profile: "+err.Error())
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.venue {
		return r.benchVenue(ctx, o)
	}
	res, err := bench.Run(ctx, bench.Options{Tickets: o.tickets, PageSize: o.pageSize, DataDir: dir, Progress: r.stderr})
	if err != nil {
		return r.fail(ExitFailure, "bench: "+describe(err))
	}
	return r.benchOut(o.json, res, res.WriteTable)
}

// benchVenue is `bench --venue`: the venue's store and failover
// (core/bench.RunVenue), its stations run as this very binary.
func (r *runner) benchVenue(ctx context.Context, o *benchOpts) int {
	if o.stations < 1 || o.scans < 1 || o.failovers < 1 {
		return r.usageError("bench", errors.New("--stations, --scans and --failovers must be positive"))
	}
	if o.venueDB != "" {
		maskDSN(o.venueDB)
	}
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	res, err := bench.RunVenue(ctx, bench.VenueOptions{DB: o.venueDB, Tickets: o.tickets, PageSize: o.pageSize,
		Stations: o.stations, Scans: o.scans, Failovers: o.failovers, Exe: exe, Progress: r.stderr})
	if err != nil {
		return r.fail(ExitFailure, "bench: "+describe(err))
	}
	return r.benchOut(o.json, res, res.WriteTable)
}

// benchOut prints a bench's result: one JSON object, or its table.
func (r *runner) benchOut(asJSON bool, res any, table func(io.Writer) error) int {
	if asJSON {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return r.fail(ExitFailure, err.Error())
		}
		fmt.Fprintln(r.stdout, string(b))
		return ExitOK
	}
	if err := table(r.stdout); err != nil {
		return r.fail(ExitFailure, err.Error())
	}
	return ExitOK
}
