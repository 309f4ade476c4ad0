package cli

import (
	"flag"
	"fmt"
	"time"

	"s360gate/core"
)

type purgeOpts struct {
	personal, all bool
	before        string
}

func (r *runner) purgeFlags() (*flag.FlagSet, *purgeOpts) {
	fs := r.flagSet("purge")
	o := &purgeOpts{}
	fs.BoolVar(&o.personal, "personal-data", false, "erase holder identities (name, ID number, birth date, country)")
	fs.StringVar(&o.before, "before", "", "of tickets whose validity ended before `DATE` (YYYY-MM-DD); default: the purge-after-days setting, or today")
	fs.BoolVar(&o.all, "all", false, "of every ticket, today's event included")
	return fs, o
}

// purge erases holder identities of past events. What to purge must be said
// (--personal-data): the command is irreversible.
func (r *runner) purge(args []string) int {
	fs, o := r.purgeFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("purge", err)
	}
	if len(pos) > 0 {
		return r.usageError("purge", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	if !o.personal {
		return r.usageError("purge", fmt.Errorf("say what to purge: --personal-data"))
	}
	if o.all && o.before != "" {
		return r.usageError("purge", fmt.Errorf("--all and --before exclude each other"))
	}
	if o.before != "" {
		if _, err = time.Parse(time.DateOnly, o.before); err != nil {
			return r.usageError("purge", fmt.Errorf("--before: write the date as YYYY-MM-DD, not %q", o.before))
		}
	}
	st, err := r.loadStoreSettings()
	if err != nil {
		return r.failErr(err)
	}
	store, s, err := r.stationStore(st.settings)
	if err != nil {
		return r.failErr(err)
	}
	st.settings = s
	defer store.Close()
	r.warn(st)
	// A date is the start of that day at the venue, whatever zone the
	// laptop is in.
	zone := venueZone(r.ctx, store)
	var before time.Time
	switch {
	case o.before != "":
		before, _ = core.ParseDateIn(o.before, zone)
	case !o.all:
		before = defaultPurgeBefore(st.settings, time.Now(), zone)
	}
	n, err := store.PurgePersonalData(r.ctx, before)
	if err != nil {
		return r.failErr(err)
	}
	if o.all {
		fmt.Fprintf(r.stdout, "Purged the holder data of %d tickets (all).\n", n)
		return ExitOK
	}
	fmt.Fprintf(r.stdout, "Purged the holder data of %d tickets (validity ended before %s).\n", n, core.FormatIn(before, zone, "2006-01-02 15:04"))
	return ExitOK
}

// defaultPurgeBefore: the retention setting if there is one; otherwise the
// start of today at the venue (zone; nil: the laptop's), so that today's
// event keeps its holders.
func defaultPurgeBefore(s core.Settings, now time.Time, zone *time.Location) time.Time {
	if s.PurgeAfterDays > 0 {
		return now.AddDate(0, 0, -s.PurgeAfterDays)
	}
	y, m, d := core.DateIn(now, zone)
	return core.MidnightIn(y, m, d, zone)
}
