package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"s360gate/core"
	"s360gate/core/logging"
	"s360gate/core/scanner"
)

// scanOpts are scan's flags: the station for this run only, never stored
// (one settings file, several turnstiles scripted from it).
type scanOpts struct {
	station  settingFlags
	helpdesk bool
}

// stationFlags registers the flags of the station's own settings that have
// one (station, gate, direction): for this run only.
func (o *scanOpts) stationFlags(r *runner, fs *flag.FlagSet) {
	for _, d := range core.SettingsTable {
		if !d.Venue && d.Flag != "" && d.Flag != "lang" {
			o.station.register(r, fs, d.Key)
		}
	}
}

func (r *runner) scanFlags() (*flag.FlagSet, *scanOpts) {
	fs := r.flagSet("scan")
	o := &scanOpts{}
	o.stationFlags(r, fs)
	fs.BoolVar(&o.helpdesk, "helpdesk", false, "check tickets without recording the scans")
	return fs, o
}

// scanOut is one line of scan's output. Turnstile scripts parse it, so its
// keys are a contract: add, never rename.
type scanOut struct {
	Barcode string       `json:"barcode"`
	Verdict core.Outcome `json:"verdict"`
	Reason  core.Reason  `json:"reason"`
	// Message and the prompts' text are in the language of the run
	// (--lang, else the station's); reason and kind never change.
	Message   string      `json:"message"`
	Prompts   []promptOut `json:"prompts"`
	Ticket    *ticketOut  `json:"ticket,omitempty"`
	ControlID string      `json:"controlId,omitempty"`
	Offline   bool        `json:"offline,omitempty"`
	// Local: a station of a venue decided it from its local copy, on its
	// own, because the venue's database did not answer in time.
	Local    bool `json:"local,omitempty"`
	Helpdesk bool `json:"helpdesk,omitempty"`
	// Stale: no successful sync for longer than the staleness limit (the
	// list may miss cancellations); LastSync is the last one, in the
	// venue's zone (absent: never).
	Stale    bool   `json:"stale,omitempty"`
	LastSync string `json:"lastSync,omitempty"`
}

type promptOut struct {
	Kind core.PromptKind `json:"kind"`
	Text string          `json:"text"`
}

type ticketOut struct {
	// Barcode is the ticket's: it differs from the scanned code for an
	// RFID container or a taxNumber typed at the desk.
	Barcode                 string       `json:"barcode"`
	TaxNumber               string       `json:"taxNumber"`
	AudienceSubCategoryCode string       `json:"audienceSubCategoryCode"`
	CancellationCause       string       `json:"cancellationCause"`
	EntranceCode            string       `json:"entranceCode"`
	Holder                  *core.Holder `json:"holder,omitempty"`
}

// errOut is the line for a scan that got no verdict. It has no "verdict"
// key: a script that only looks for ADMIT cannot mistake it for one.
type errOut struct {
	Line    int    `json:"line,omitempty"`
	Barcode string `json:"barcode,omitempty"`
	Error   string `json:"error"`
}

// scan decides one scan per line of stdin and prints one JSON object per
// line, written before the next line is read: it drives turnstiles through
// pipes, and a person is waiting at each one.
func (r *runner) scan(args []string) int {
	fs, o := r.scanFlags()
	pos, err := parseFlags(fs, args, false)
	if err != nil {
		return r.usageError("scan", err)
	}
	if len(pos) > 0 {
		return r.usageError("scan", fmt.Errorf("unexpected argument %q (scans are read from stdin)", pos[0]))
	}
	st, err := r.loadStoreSettings()
	if err != nil {
		return r.failErr(err)
	}
	s := st.settings
	if code := r.stationOverrides(fs, o, &s); code != ExitOK {
		return code
	}
	store, s, err := r.stationStore(s)
	if err != nil {
		return r.failErr(err)
	}
	defer store.Close()
	r.warn(st)
	log, closer := logging.Setup(r.dataDir, r.verbose, r.stderr)
	defer closer.Close()

	cp := s.Checkpoint() // the store decides in the venue's zone (Checkpoint.Zone)
	now := clockOf(store)
	zone := venueZone(r.ctx, store)
	say := r.speaker(s, zone)
	opts := scanner.Options{Terminator: s.ScannerTerminator, Prefix: s.ScannerPrefix, Suffix: s.ScannerSuffix}
	errWrite := fmt.Errorf("stdout closed")
	write := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		// One Write per line, unbuffered: the verdict is on the pipe before
		// the next scan is read.
		if _, err := r.stdout.Write(append(b, '\n')); err != nil {
			return errWrite
		}
		return nil
	}
	err = opts.Lines(r.stdin, func(l scanner.Line) error {
		if l.Err != nil {
			return write(errOut{Line: l.No, Error: say.Error(l.Err)})
		}
		req := core.ScanRequest{Code: l.Scan.Code, Checkpoint: cp, Helpdesk: o.helpdesk, Now: now()}
		req.Prompts = core.ScannerPrompts(l.Scan.Layout, l.Scan.Odd)
		v, err := store.Scan(r.ctx, req)
		if err != nil {
			// Never a verdict without a record: the turnstile stays shut.
			log.WithError(err).WithField("line", l.No).Error("scan not recorded")
			return write(errOut{Line: l.No, Barcode: l.Scan.Code, Error: oneLine(logging.Redact(say.T("scan.notRecorded", map[string]any{"Why": describe(err)})))})
		}
		return write(verdictOut(&v, s.HideHolder, say))
	})
	switch {
	case err == errWrite:
		return ExitFailure // nobody is reading: nothing to tell
	case err != nil:
		return r.fail(ExitFailure, "reading the scans: "+err.Error())
	}
	return ExitOK
}

// stationOverrides applies --gate/--station/--direction for this run and
// validates them as the settings screen would.
func (r *runner) stationOverrides(fs *flag.FlagSet, o *scanOpts, s *core.Settings) int {
	o.station.apply(s)
	// Only what the gate decides with: a mistake in a sync setting must
	// not shut a turnstile.
	if errs := s.Validate().AtTheGate(); errs != nil {
		if changed(fs, "data-dir", "verbose", "helpdesk", "lang") {
			return r.fail(ExitUsage, fieldMessage(errs))
		}
		return r.fail(ExitFailure, "the stored settings are not valid: "+fieldMessage(errs))
	}
	return ExitOK
}

// verdictOut is a verdict as scan prints it. The holder is shown only when
// the station may show it (HideHolder keeps it for the dispute desk).
func verdictOut(v *core.Verdict, hideHolder bool, say core.Speaker) scanOut {
	out := scanOut{
		Barcode: v.Scanned, Verdict: v.Outcome, Reason: v.Reason, Message: say.Verdict(v),
		Prompts: []promptOut{}, Helpdesk: v.Helpdesk, Local: v.Local,
	}
	for i := range v.Prompts {
		out.Prompts = append(out.Prompts, promptOut{Kind: v.Prompts[i].Kind, Text: say.Prompt(&v.Prompts[i])})
	}
	if c := v.Control; c != nil {
		out.ControlID, out.Offline, out.Local = c.ID, c.Offline, out.Local || c.OffVenue
	}
	if v.Stale {
		out.Stale = true
		if !v.LastSync.IsZero() {
			out.LastSync = v.LastSync.In(core.ZoneOr(say.Zone)).Format(time.RFC3339)
		}
	}
	if t := v.Ticket; t != nil {
		out.Ticket = &ticketOut{
			Barcode: t.Barcode, TaxNumber: t.TaxNumber, AudienceSubCategoryCode: t.AudienceSubCategoryCode,
			CancellationCause: t.CancellationCause, EntranceCode: t.EntranceCode,
		}
		if !hideHolder && !t.Holder.IsZero() {
			h := t.Holder
			out.Ticket.Holder = &h
		}
	}
	return out
}
