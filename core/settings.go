package core

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"s360gate/core/words"
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

	// Language is the language the station speaks: en, fr, de or it;
	// empty: the system's (Lang).
	Language string `json:"language,omitempty"`

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
		s.PageSize = DefaultPageSize
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
		s.StalenessMinutes = DefaultStaleness
	}

	if s.TariffRules == nil {
		s.TariffRules = DefaultTariffRules(s.Lang())
	}
	return s
}

// Lang is the language the station speaks: its setting, or the system's.
func (s Settings) Lang() words.Lang {
	if l, err := words.Parse(s.Language); err == nil {
		return l
	}
	return words.System()
}

// Normalize writes the values that name things in their one spelling: an
// environment, direction, scanner terminator or language typed in another
// case in a hand-edited file ("PRODUCTION", "Out", "exit", "Tab", "FR")
// is the same one, and must mean the same call policy and the same store.
// A value that names nothing is left as it is, for Validate to refuse.
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
	if s.Language != "" {
		if l, err := words.Parse(s.Language); err == nil {
			s.Language = string(l)
		}
	}
	return s
}

// SyncOnly reports whether the setting named field (its JSON name) is never
// used to decide at the gate: the sync's, the app's screens', the words'.
func SyncOnly(field string) bool {
	d := SettingByKey(field)
	return d != nil && !d.Decides
}

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

// FieldError is a refusal of one setting, shown beside its field. Key and
// Data are its words in the catalogue (Speaker.Field says them in the
// reader's language); Message is the English, for the command line and
// logs. A refusal never quotes a secret.
type FieldError struct {
	Field   string
	Message string
	Key     string
	Data    map[string]any
}

// NewFieldError is the refusal of field in key's words.
func NewFieldError(field, key string, data map[string]any) FieldError {
	return FieldError{Field: field, Key: key, Data: data, Message: words.EN.T(key, data)}
}

// FieldErrorOf is err as the refusal of one setting (its words kept).
func FieldErrorOf(field string, err error) FieldError {
	fe := FieldError{Field: field, Message: ErrorMessage(err)}
	var e *Error
	if errors.As(err, &e) {
		fe.Key, fe.Data = e.Key, e.Data
	}
	return fe
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

// Field is a refusal in this Speaker's language.
func (s Speaker) Field(e FieldError) string {
	if e.Key == "" {
		return e.Message
	}
	return s.T(e.Key, e.Data)
}

// Validate checks every setting (SettingsTable); nil means all can be
// saved. Connection fields are only required outside the simulator,
// where they come from the embedded demo.
func (s Settings) Validate() FieldErrors {
	var errs FieldErrors
	for _, d := range SettingsTable {
		errs = append(errs, d.Check(&s)...)
	}
	return errs
}

// CheckEndpoint refuses anything but https, except plain http on loopback
// (the simulator): credentials never cross a network in clear text.
func CheckEndpoint(raw string) error {
	if raw == "" {
		return Say(EInvalid, "setting.endpoint.required", nil)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Say(EInvalid, "settings.err.url", map[string]any{"Value": strconv.Quote(raw)})
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return Say(EInvalid, "settings.err.http", nil)
	}
	return Say(EInvalid, "settings.err.https", nil)
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
