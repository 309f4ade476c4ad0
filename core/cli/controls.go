package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/venue"
)

func (r *runner) controlsFlags() (*flag.FlagSet, *string, *string) {
	fs := r.flagSet("controls")
	format := fs.String("format", "csv", "`csv` or json")
	since := fs.String("since", "", "only controls at or after `TIME` (RFC 3339, or YYYY-MM-DD: that day's midnight at the venue)")
	return fs, format, since
}

// controlsHeader is the CSV's first row.
var controlsHeader = []string{"id", "at", "station", "gate", "direction", "scanned", "barcode", "verdict", "reason",
	"message", "override", "override_reason", "offline", "upload", "upload_detail", "uploaded_at",
	"off_venue", "double_entry"}

// controls prints the control log, oldest first, streamed from the store so
// that a season's log never sits in memory.
func (r *runner) controls(args []string) int {
	fs, format, sinceFlag := r.controlsFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("controls", err)
	}
	if len(pos) > 0 {
		return r.usageError("controls", fmt.Errorf("unexpected argument %q", pos[0]))
	}
	if *format != "csv" && *format != "json" {
		return r.usageError("controls", fmt.Errorf("--format: csv or json, not %q", *format))
	}
	if *sinceFlag != "" {
		if _, err = parseTime(*sinceFlag, nil); err != nil {
			return r.usageError("controls", fmt.Errorf("--since: %v", err))
		}
	}
	st, err := r.loadStoreSettings()
	if err != nil {
		return r.failErr(err)
	}
	store, _, err := r.stationStore(st.settings)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	r.warn(st)
	// Times are the venue's (with its offset), and a date is midnight
	// there: the laptop may be set to any zone.
	zone := venueZone(r.ctx, store)
	say := r.speaker(st.settings, zone)
	var since time.Time
	if *sinceFlag != "" {
		since, _ = parseTime(*sinceFlag, zone)
	}

	also, err := alsoAdmitted(r.ctx, store, say)
	if err != nil {
		return r.failErr(err)
	}

	out := bufio.NewWriterSize(r.stdout, 64<<10)
	var emit func(core.Control) error
	var end func() error
	if *format == "csv" {
		w := csv.NewWriter(out)
		if err := w.Write(controlsHeader); err != nil {
			return ExitFailure
		}
		emit = func(c core.Control) error {
			return w.Write(append(controlRow(&c, say), strconv.FormatBool(c.OffVenue), also(&c)))
		}
		end = func() error { w.Flush(); return w.Error() }
	} else {
		// A JSON array, written element by element.
		n := 0
		emit = func(c core.Control) error {
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			n++
			inZone(&c, zone)
			b, err := json.Marshal(sayControl(c, say, also(&c)))
			if err != nil {
				return err
			}
			_, err = out.WriteString(sep + string(b))
			return err
		}
		end = func() error {
			tail := "\n]\n"
			if n == 0 {
				tail = "[]\n"
			}
			_, err := out.WriteString(tail)
			return err
		}
	}
	if err := store.Controls(r.ctx, core.ControlFilter{Since: since}, emit); err != nil {
		out.Flush()
		return r.failErr(err)
	}
	if err := end(); err != nil {
		return ExitFailure
	}
	if err := out.Flush(); err != nil {
		return ExitFailure
	}
	return ExitOK
}

// controlOut is a control as the commands print it: as stored, with its
// message said in the run's language (the store keeps facts, not words).
// DoubleEntry, on a control of a ticket let in twice by stations of a venue
// that could not see each other, says the other entry ("also admitted at
// 19:06, gate S2, STATION7, while the venue link was down").
type controlOut struct {
	core.Control
	Message     string `json:"message"`
	DoubleEntry string `json:"doubleEntry,omitempty"`
}

func sayControl(c core.Control, say core.Speaker, also string) controlOut {
	return controlOut{Control: c, Message: say.Control(&c), DoubleEntry: also}
}

// alsoAdmitted says, beside a control of a double entry of a joined
// station's venue, the other entry ("" for any other control, and on a
// station of its own).
func alsoAdmitted(ctx context.Context, store Store, say core.Speaker) (func(*core.Control) string, error) {
	none := func(*core.Control) string { return "" }
	st, ok := store.(*venue.Station)
	if !ok {
		return none, nil
	}
	ds, err := st.DoubleEntries(ctx)
	if err != nil {
		if core.ErrorCode(err) == core.EUnavailable {
			return none, nil // cut off: the copy's controls, without the venue's report
		}
		return nil, err
	}
	byID := make(map[string]*core.DoubleEntry, 2*len(ds))
	for i := range ds {
		byID[ds[i].First.ID], byID[ds[i].Second.ID] = &ds[i], &ds[i]
	}
	now := st.Now()
	return func(c *core.Control) string {
		if d, ok := byID[c.ID]; ok {
			other, _ := d.Other(c.ID)
			return say.AlsoAdmitted(&other, now)
		}
		return ""
	}, nil
}

// inZone puts c's times in the venue's zone (nil: the laptop's).
func inZone(c *core.Control, zone *time.Location) {
	c.At = c.At.In(core.ZoneOr(zone))
	if !c.UploadedAt.IsZero() {
		c.UploadedAt = c.UploadedAt.In(core.ZoneOr(zone))
	}
}

// controlRow is a control as a CSV row. Times are written as the JSON
// format writes them (RFC 3339 with the stored microseconds, the venue's
// offset), so both exports of one control agree to the digit. uploaded_at
// is when S-360 acknowledged the control: empty unless it did.
func controlRow(c *core.Control, say core.Speaker) []string {
	inZone(c, say.Zone)
	up := ""
	if c.Upload == core.UploadDone && !c.UploadedAt.IsZero() {
		up = c.UploadedAt.Format(time.RFC3339Nano)
	}
	return []string{
		c.ID, c.At.Format(time.RFC3339Nano), cell(c.Station), cell(c.Gate), string(c.Direction), cell(c.Scanned),
		cell(c.Barcode), string(c.Outcome), string(c.Reason), cell(say.Control(c)), strconv.FormatBool(c.Override),
		cell(c.OverrideReason), strconv.FormatBool(c.Offline), string(c.Upload), cell(c.UploadDetail), up,
	}
}

// cell defuses spreadsheet formulas: the log is opened in Excel, and the
// scanned text is whatever a QR code said ("=HYPERLINK(…)" would run as a
// formula). A leading apostrophe makes it text; numbers are left alone.
func cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}

// parseTime reads RFC 3339, or a date: its midnight in zone (the venue's;
// nil: the laptop's).
func parseTime(s string, zone *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := core.ParseDateIn(s, zone); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("write the time as YYYY-MM-DD or RFC 3339 (2026-11-27T18:00:00+01:00), not %q", s)
}
