package core

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Settings are everything a station is configured with. They are stored in
// the data directory (core/config) and edited in the GUI or by flags.
type Settings struct {
	Environment Environment `json:"environment"`
	// Endpoint is the service base URL, up to and without "/v1_6".
	Endpoint    string `json:"endpoint"`
	Institution string `json:"institution"`
	Operator    string `json:"operator"`
	Partner     string `json:"partner,omitempty"` // JWT issuer; default: institution
	// Password is the operator's password. It is kept in the data directory
	// with owner-only permissions and never written anywhere else.
	Password string `json:"password,omitempty"`

	Season       string   `json:"season"`
	Products     []string `json:"products"`
	Performances []string `json:"performances,omitempty"`
	EventDate    string   `json:"eventDate,omitempty"` // YYYY-MM-DD
	EventDay     bool     `json:"eventDay,omitempty"`  // force event-day mode
	PageSize     int      `json:"pageSize,omitempty"`

	Station      string              `json:"station"`
	Gate         string              `json:"gate,omitempty"`
	Direction    Direction           `json:"direction,omitempty"`
	AllowReentry bool                `json:"allowReentry,omitempty"`
	GateRules    map[string][]string `json:"gateRules,omitempty"`
	TariffRules  map[string]string   `json:"tariffRules"` // kept when empty: {} means "no prompts", null means "the defaults"
	HideHolder   bool                `json:"hideHolderAtGate,omitempty"`

	ScannerTerminator string `json:"scannerTerminator,omitempty"` // enter | tab
	ScannerPrefix     string `json:"scannerPrefix,omitempty"`
	ScannerSuffix     string `json:"scannerSuffix,omitempty"`
	Mute              bool   `json:"mute,omitempty"`

	// SupervisorPIN is a hash (HashPIN), never the PIN itself.
	SupervisorPIN    string `json:"supervisorPin,omitempty"`
	StalenessMinutes int    `json:"stalenessMinutes,omitempty"`
	PurgeAfterDays   int    `json:"purgeAfterDays,omitempty"`
	// VenueFallbackMs: how long a station of a venue waits for the venue's
	// database to answer a scan before it decides from its local copy (0:
	// DefaultVenueFallback).
	VenueFallbackMs int `json:"venueFallbackMs,omitempty"`
}

// DefaultVenueFallback is Settings.VenueFallbackMs when not set.
const DefaultVenueFallback = 500 * time.Millisecond

// VenueFallback is how long a scan waits for the venue's database.
func (s Settings) VenueFallback() time.Duration {
	if s.VenueFallbackMs <= 0 {
		return DefaultVenueFallback
	}
	return time.Duration(s.VenueFallbackMs) * time.Millisecond
}

// Defaults fills what was left empty with what a venue would expect, and
// writes what names things in its one spelling (Normalize).
func (s Settings) Defaults() Settings {
	s = s.Normalize()
	if s.Environment == "" {
		s.Environment = EnvSim
	}
	if s.Partner == "" {
		s.Partner = s.Institution
	}
	if s.PageSize == 0 {
		s.PageSize = 5000
	}
	if s.Station == "" {
		s.Station = "STATION1"
	}
	if s.Direction == "" {
		s.Direction = DirectionIn
	}
	if s.ScannerTerminator == "" {
		s.ScannerTerminator = "enter"
	}
	if s.StalenessMinutes == 0 {
		s.StalenessMinutes = 15
	}
	if s.TariffRules == nil {
		s.TariffRules = map[string]string{"CHILD": "AGE CHECK: under 16", "SENIOR": "AGE CHECK: 65 or over", "STUDENT": "CHECK STUDENT CARD"}
	}
	return s
}

// Normalize writes the values that name things in their one spelling: an
// environment, direction or scanner terminator typed in another case in a
// hand-edited file ("PRODUCTION", "Out", "exit", "Tab") is the same one,
// and must mean the same call policy and the same store. A value that
// names nothing is left as it is, for Validate to refuse.
func (s Settings) Normalize() Settings {
	if e, err := ParseEnvironment(strings.TrimSpace(string(s.Environment))); err == nil && s.Environment != "" {
		s.Environment = e
	}
	if s.Direction != "" {
		if d, err := ParseDirection(strings.ToLower(strings.TrimSpace(string(s.Direction)))); err == nil {
			s.Direction = d
		}
	}
	if t := strings.ToLower(strings.TrimSpace(s.ScannerTerminator)); t == "enter" || t == "tab" {
		s.ScannerTerminator = t
	}
	return s
}

// syncOnly are the settings only the sync and the desktop app's own
// screens use: a mistake in one of them must never stop a gate (`scan`)
// from deciding on the tickets it holds. The others decide which store is
// read and what is admitted.
var syncOnly = map[string]bool{"endpoint": true, "institution": true, "operator": true, "partner": true,
	"password": true, "pageSize": true, "eventDay": true, "eventDate": true, "purgeAfterDays": true,
	"supervisorPin": true, "mute": true}

// SyncOnly reports whether the setting named field (its JSON name) is used
// by the sync (and the app's screens) only, never to decide at the gate.
func SyncOnly(field string) bool { return syncOnly[field] }

// AtTheGate keeps the refusals of settings a gate decides with.
func (fe FieldErrors) AtTheGate() FieldErrors {
	var out FieldErrors
	for _, e := range fe {
		if !SyncOnly(e.Field) {
			out = append(out, e)
		}
	}
	return out
}

// FieldError is a refusal of one setting, shown beside its field.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors are all the refusals of one attempt to save.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// For returns the message for one field, "" if it is fine.
func (fe FieldErrors) For(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

var (
	codeRe = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)
	nameRe = regexp.MustCompile(`^[A-Za-z0-9_.\- ]{1,64}$`)
)

// Validate checks every setting; nil means all can be saved. Connection
// fields are only required outside the simulator, where they come from the
// embedded demo.
func (s Settings) Validate() FieldErrors {
	var errs FieldErrors
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if _, err := ParseEnvironment(string(s.Environment)); err != nil {
		bad("environment", "choose sim, sandbox, preprod or production")
	}
	if s.Endpoint != "" || s.Environment != EnvSim {
		if err := CheckEndpoint(s.Endpoint); err != nil {
			bad("endpoint", "%s", ErrorMessage(err))
		}
	}
	if s.Environment != EnvSim {
		if s.Institution == "" {
			bad("institution", "required: the institution code S-360 gave you")
		}
		if s.Operator == "" {
			bad("operator", "required: the operator (user name) S-360 gave you")
		}
		if s.Season == "" {
			bad("season", "required: the season code of the event")
		}
		if len(s.Products) == 0 {
			bad("products", "required: at least one product code")
		}
	}
	for _, f := range []struct{ name, v string }{{"institution", s.Institution}, {"operator", s.Operator}, {"partner", s.Partner}, {"season", s.Season}, {"gate", s.Gate}} {
		if f.v != "" && !codeRe.MatchString(f.v) {
			bad(f.name, "use letters, digits, '-', '_' or '.' only (at most 64)")
		}
	}
	for _, list := range []struct {
		name string
		v    []string
	}{{"products", s.Products}, {"performances", s.Performances}} {
		for _, c := range list.v {
			if !codeRe.MatchString(c) {
				bad(list.name, "%q is not a code: use letters, digits, '-', '_' or '.'", c)
				break
			}
		}
	}
	if s.Station != "" && !nameRe.MatchString(s.Station) {
		bad("station", "use letters, digits, spaces, '-', '_' or '.' (at most 64)")
	}
	if s.EventDate != "" {
		if _, err := time.Parse("2006-01-02", s.EventDate); err != nil {
			bad("eventDate", "write the date as YYYY-MM-DD")
		}
	}
	if s.PageSize < 0 || s.PageSize > 10000 {
		bad("pageSize", "between 1 and 10000")
	}
	if s.Direction != "" {
		if _, err := ParseDirection(string(s.Direction)); err != nil {
			bad("direction", "in or out")
		}
	}
	if s.ScannerTerminator != "" && !slices.Contains([]string{"enter", "tab"}, s.ScannerTerminator) {
		bad("scannerTerminator", "enter or tab")
	}
	if len(s.ScannerPrefix) > 8 || len(s.ScannerSuffix) > 8 {
		bad("scannerPrefix", "prefix and suffix are at most 8 characters")
	}
	for code, gates := range s.GateRules {
		if !codeRe.MatchString(code) {
			bad("gateRules", "%q is not an entrance code", code)
		}
		for _, g := range gates {
			if !codeRe.MatchString(g) {
				bad("gateRules", "%q is not a gate", g)
			}
		}
	}
	for code, text := range s.TariffRules {
		if !codeRe.MatchString(code) {
			bad("tariffRules", "%q is not a tariff code", code)
		}
		if strings.TrimSpace(text) == "" || len(text) > 80 {
			bad("tariffRules", "the prompt for %s must be 1 to 80 characters", code)
		}
	}
	if s.StalenessMinutes < 0 || s.StalenessMinutes > 7*24*60 {
		bad("stalenessMinutes", "between 0 and 10080 minutes")
	}
	if s.PurgeAfterDays < 0 || s.PurgeAfterDays > 3650 {
		bad("purgeAfterDays", "between 0 (never) and 3650 days")
	}
	if s.VenueFallbackMs != 0 && (s.VenueFallbackMs < 50 || s.VenueFallbackMs > 5000) {
		bad("venueFallbackMs", "between 50 and 5000 milliseconds")
	}
	return errs
}

// CheckEndpoint refuses anything but https, except plain http on loopback
// (the simulator): credentials never cross a network in clear text.
func CheckEndpoint(raw string) error {
	if raw == "" {
		return Errorf(EInvalid, "required: the S-360 service address (https://…)")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Errorf(EInvalid, "not a web address: %q", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return Errorf(EInvalid, "use https:// (plain http is only allowed on this machine, for the simulator)")
	}
	return Errorf(EInvalid, "use an https:// address")
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Event is the event the settings describe. Its Day is the calendar date
// typed, whatever zone the laptop is in (see Event.Day).
func (s Settings) Event() Event {
	ev := Event{Season: s.Season, Products: s.Products, Performances: s.Performances}
	if d, err := time.Parse("2006-01-02", s.EventDate); err == nil {
		ev.Day = d
	}
	return ev
}

// Checkpoint is the decision context the settings describe.
func (s Settings) Checkpoint() Checkpoint {
	return Checkpoint{
		Station: Station{Name: s.Station, Gate: s.Gate, Direction: s.Direction},
		Event:   s.Event(),
		Rules: Rules{
			AllowReentry: s.AllowReentry,
			ExtraGates:   s.GateRules,
			Tariffs:      s.TariffRules,
			HideHolder:   s.HideHolder,
		},
		Staleness: time.Duration(s.StalenessMinutes) * time.Minute,
	}
}
