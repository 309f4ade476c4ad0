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
	var before time.Time
	if o.before != "" {
		if before, err = time.ParseInLocation(time.DateOnly, o.before, time.Local); err != nil {
			return r.usageError("purge", fmt.Errorf("--before: write the date as YYYY-MM-DD, not %q", o.before))
		}
	}
	st, err := r.loadStoreSettings()
	if err != nil {
		return r.failErr(err)
	}
	if before.IsZero() && !o.all {
		before = defaultPurgeBefore(st.settings, time.Now())
	}
	store, err := existingStore(r.dataDir, st.settings)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	r.warn(st)
	n, err := store.PurgePersonalData(r.ctx, before)
	if err != nil {
		return r.failErr(err)
	}
	if o.all {
		fmt.Fprintf(r.stdout, "Purged the holder data of %d tickets (all).\n", n)
		return ExitOK
	}
	fmt.Fprintf(r.stdout, "Purged the holder data of %d tickets (validity ended before %s).\n", n, before.Format("2006-01-02 15:04"))
	return ExitOK
}

// defaultPurgeBefore: the retention setting if there is one; otherwise the
// start of today, so that today's event keeps its holders.
func defaultPurgeBefore(s core.Settings, now time.Time) time.Time {
	if s.PurgeAfterDays > 0 {
		return now.AddDate(0, 0, -s.PurgeAfterDays)
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}
