package testsession

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"s360gate/core"
	"s360gate/core/scanner"
	"s360gate/core/words"
)

// Store is what a session needs of the station's store: it decides and
// records the scans like the gate, and tells what became of each control.
type Store interface {
	core.Gate
	core.ControlStore
}

// Options are a session's station and its ways to S-360. Settings, Store
// and Syncer are required.
type Options struct {
	// Settings are the station's (environment, institution, station,
	// gate, direction and scanner as in use).
	Settings core.Settings
	Store    Store
	// Syncer runs the cycle that uploads the session's controls (within
	// the call policy).
	Syncer core.Syncer
	// Remote is asked what S-360 recorded (nil: not configured; the
	// report says so).
	Remote core.Remote
	// Zone is the venue's (nil: the laptop's): the report's times.
	Zone *time.Location
	// Wait: when the call policy refuses the upload for now, wait for the
	// next allowed time (at most an hour before event day) instead of
	// reporting without it.
	Wait bool
	// Lang is the language of the report's messages (default: the
	// station's, Settings.Lang).
	Lang words.Lang
	Now  func() time.Time
	// Sleep waits for the policy (tests: a virtual clock). Default core.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is one test ticket's line of the report.
type Result struct {
	Line     int    `json:"line"`
	Scanned  string `json:"scanned"`
	Expected string `json:"expected,omitempty"`
	// Error: the line or the scan had no verdict (unreadable, not
	// recorded).
	Error   string       `json:"error,omitempty"`
	Outcome core.Outcome `json:"verdict,omitempty"`
	Reason  core.Reason  `json:"reason,omitempty"`
	Message string       `json:"message,omitempty"`
	// Barcode and TaxNumber are the ticket's ("" for an unknown code).
	Barcode   string `json:"barcode,omitempty"`
	TaxNumber string `json:"taxNumber,omitempty"`
	// Control is the recorded control, as it stands after the upload.
	Control *core.Control `json:"control,omitempty"`
	// S360 is what S-360 says of the ticket now; S360Error why it is not
	// known.
	S360      *core.RemoteTicket `json:"s360,omitempty"`
	S360Error string             `json:"s360Error,omitempty"`
	// Recorded says whether S-360 has our control (see Recorded* values).
	Recorded string `json:"recorded,omitempty"`
	// Match is PASS or FAIL against Expected ("" without an expectation).
	Match string `json:"match,omitempty"`
}

// What Result.Recorded says.
const (
	RecordedYes      = "yes"          // among S-360's control operations
	RecordedNo       = "no"           // uploaded, but S-360 does not list it
	RecordedRefused  = "refused"      // S-360 refused it (blacklisted ticket)
	RecordedNotSent  = "not sent"     // never sent: not an S-360 ticket, or an exit
	RecordedPending  = "not sent yet" // the upload did not happen (yet)
	RecordedUnknown  = "unknown"      // S-360 could not be asked
	RecordedNoRecord = ""             // no control (the scan failed)
)

// Match values.
const (
	Pass = "PASS"
	Fail = "FAIL"
)

// Session is one test session. Its methods may be called from several
// goroutines (the desktop app scans on the UI goroutine and finishes on
// another).
type Session struct {
	o       Options
	say     core.Speaker
	mu      sync.Mutex
	started time.Time
	results []Result
}

// New starts a session.
func New(o Options) *Session {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = core.Sleep
	}
	o.Settings = o.Settings.Defaults()
	if o.Lang == "" {
		o.Lang = o.Settings.Lang()
	}
	return &Session{o: o, say: core.Speak(o.Lang, o.Zone), started: o.Now()}
}

// Results are the lines scanned so far (after Finish: with S-360's side).
func (s *Session) Results() []Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Result(nil), s.results...)
}

// Scan decides and records one test ticket as the gate does, and returns
// its line of the report (so far: the station's side).
func (s *Session) Scan(ctx context.Context, l Line) Result {
	r := Result{Line: l.No, Scanned: l.Code, Expected: l.Expected}
	opts := scanner.Options{Terminator: s.o.Settings.ScannerTerminator, Prefix: s.o.Settings.ScannerPrefix, Suffix: s.o.Settings.ScannerSuffix}
	sc, err := opts.Normalize(l.Code)
	if err != nil {
		r.Error = s.say.Error(err)
		return s.add(r)
	}
	r.Scanned = sc.Code
	req := core.ScanRequest{Code: sc.Code, Checkpoint: s.o.Settings.Checkpoint(), Now: s.o.Now()}
	req.Prompts = core.ScannerPrompts(sc.Layout, sc.Odd)
	v, err := s.o.Store.Scan(ctx, req)
	if err != nil {
		r.Error = s.say.T("scan.notRecorded", map[string]any{"Why": s.say.Error(err)})
		return s.add(r)
	}
	r.Outcome, r.Reason, r.Message, r.Control = v.Outcome, v.Reason, s.say.Verdict(&v), v.Control
	if v.Ticket != nil {
		r.Barcode, r.TaxNumber = v.Ticket.Barcode, v.Ticket.TaxNumber
	}
	if l.Expected != "" {
		r.Match = Fail
		if Met(l.Expected, v.Outcome, v.Reason) {
			r.Match = Pass
		}
	}
	return s.add(r)
}

// Invalid records a line that could not be read (ParseLine's error): it
// is in the report, without a verdict.
func (s *Session) Invalid(no int, text string, err error) Result {
	return s.add(Result{Line: no, Scanned: strings.TrimSpace(text), Error: err.Error()})
}

func (s *Session) add(r Result) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Line == 0 {
		r.Line = len(s.results) + 1
	}
	if r.Expected != "" && r.Match == "" {
		r.Match = Fail // no verdict is not the expected one
	}
	s.results = append(s.results, r)
	return r
}

// Finish uploads the session's controls (one sync cycle, within the call
// policy), asks S-360 about each ticket and compares, and returns the
// report. It keeps going when a step fails: the report says what could not
// be done, which is what the IT person needs to hear.
func (s *Session) Finish(ctx context.Context) *Report {
	rep := &Report{
		Environment: s.o.Settings.Environment, Institution: s.o.Settings.Institution,
		Station: s.o.Settings.Station, Gate: s.o.Settings.Gate, Direction: s.o.Settings.Direction,
		Started: s.started, Zone: s.o.Zone, Lang: s.say.Lang,
	}
	rep.Upload = s.upload(ctx)
	results := s.Results()
	s.refreshControls(ctx, results)
	s.askS360(ctx, results)
	for i := range results {
		results[i].Recorded = recorded(&results[i])
	}
	rep.Results = results
	rep.Finished = s.o.Now()
	s.mu.Lock()
	s.results = results
	s.mu.Unlock()
	return rep
}

// upload runs a sync cycle and says what became of it, in words.
func (s *Session) upload(ctx context.Context) string {
	if s.o.Syncer == nil {
		return s.say.T("session.noEngine", nil)
	}
	for waits := 0; ; waits++ {
		err := s.o.Syncer.SyncNow(ctx)
		var ref *core.PolicyRefusal
		switch {
		case err == nil:
			return s.say.T("session.uploaded", map[string]any{"At": s.say.Time(s.o.Now(), "15:04:05")})
		case errors.As(err, &ref) && s.o.Wait && waits < 3: // the engine's own clock may disagree by a little
			if werr := s.o.Sleep(ctx, ref.Next.Sub(s.o.Now())); werr != nil {
				return s.say.T("session.notUploaded", map[string]any{"Why": s.say.Error(werr)})
			}
			continue
		case errors.As(err, &ref):
			return s.say.T("session.notYet", map[string]any{"Refusal": s.say.Error(ref)})
		}
		return s.say.T("session.uploadFailed", map[string]any{"Why": s.say.Error(err)})
	}
}

// refreshControls reads each control as it stands after the upload.
func (s *Session) refreshControls(ctx context.Context, results []Result) {
	for i := range results {
		c := results[i].Control
		if c == nil {
			continue
		}
		f := core.ControlFilter{Barcode: c.Barcode, Since: c.At}
		if c.Barcode == "" {
			f = core.ControlFilter{Since: c.At, Limit: 1000}
		}
		_ = s.o.Store.Controls(ctx, f, func(got core.Control) error {
			if got.ID == c.ID {
				results[i].Control = &got
			}
			return nil
		})
	}
}

// askS360 asks getControlledTicket once per ticket (by barcode, or the
// scanned code when the station did not know it: S-360 may).
func (s *Session) askS360(ctx context.Context, results []Result) {
	type answer struct {
		rt  *core.RemoteTicket
		err string
	}
	asked := map[string]answer{}
	for i := range results {
		r := &results[i]
		if r.Error != "" && r.Control == nil {
			continue
		}
		code := r.Barcode
		if code == "" {
			code = r.Scanned
		}
		a, ok := asked[code]
		if !ok {
			switch {
			case s.o.Remote == nil:
				a.err = "S-360 is not configured on this station"
			default:
				cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				rt, err := s.o.Remote.ControlledTicket(cctx, code)
				cancel()
				switch {
				case core.ErrorCode(err) == core.ENotFound:
					a.err = "S-360 does not know " + code
				case err != nil:
					a.err = core.ErrorMessage(err)
				default:
					a.rt = &rt
				}
			}
			asked[code] = a
		}
		r.S360, r.S360Error = a.rt, a.err
	}
}

// recorded says whether S-360 has r's control.
func recorded(r *Result) string {
	c := r.Control
	switch {
	case c == nil:
		return RecordedNoRecord
	case c.Upload == core.UploadLocal:
		return RecordedNotSent
	case c.Upload == core.UploadRejected:
		return RecordedRefused
	case c.Upload == core.UploadPending:
		return RecordedPending
	case r.S360 == nil:
		return RecordedUnknown
	case r.S360.Has(c):
		return RecordedYes
	}
	return RecordedNo
}

// Summary is the report in one line: "5 tickets: 4 PASS, 1 FAIL; S-360
// has 4 of the 4 controls sent".
func (rep *Report) Summary() string {
	pass, fail, sent, yes := 0, 0, 0, 0
	for _, r := range rep.Results {
		switch r.Match {
		case Pass:
			pass++
		case Fail:
			fail++
		}
		switch r.Recorded {
		case RecordedYes:
			sent, yes = sent+1, yes+1
		case RecordedNo, RecordedUnknown:
			sent++
		}
	}
	say := core.Speak(rep.Lang, rep.Zone)
	s := say.N("report.summary", len(rep.Results), map[string]any{"Pass": pass, "Fail": fail})
	if n := len(rep.Results) - pass - fail; n > 0 {
		s += say.T("report.unexpected", map[string]any{"N": n})
	}
	return s + say.T("report.listed", map[string]any{"Yes": yes, "Sent": sent})
}

// OK reports a session without a FAIL, whose uploaded controls S-360 all
// lists.
func (rep *Report) OK() bool {
	for _, r := range rep.Results {
		if r.Match == Fail || r.Recorded == RecordedNo || r.Recorded == RecordedUnknown || r.Recorded == RecordedPending {
			return false
		}
	}
	return true
}
