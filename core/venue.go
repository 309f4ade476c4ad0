package core

// VenueSettings are the settings a venue's stations share, kept in the
// venue's database and used by whichever station is the syncer: how to
// reach S-360 (never the password: each candidate station holds its own,
// and this type cannot carry one), what the event is, and the entrance
// rules every gate applies. What is a station's own stays in its Settings:
// station name, gate, direction, scanner, sounds, PIN, staleness of its
// local decisions, personal-data purge.
type VenueSettings struct {
	Environment Environment `json:"environment"`
	Endpoint    string      `json:"endpoint"`
	Institution string      `json:"institution"`
	Operator    string      `json:"operator"`
	Partner     string      `json:"partner,omitempty"`

	Season       string   `json:"season"`
	Products     []string `json:"products"`
	Performances []string `json:"performances,omitempty"`
	EventDate    string   `json:"eventDate,omitempty"` // YYYY-MM-DD
	EventDay     bool     `json:"eventDay,omitempty"`
	PageSize     int      `json:"pageSize,omitempty"`

	AllowReentry bool                `json:"allowReentry,omitempty"`
	GateRules    map[string][]string `json:"gateRules,omitempty"`
	TariffRules  map[string]string   `json:"tariffRules"` // {} no prompts, null the defaults
}

// Venue is the venue's part of s.
func (s Settings) Venue() VenueSettings {
	return VenueSettings{
		Environment: s.Environment, Endpoint: s.Endpoint, Institution: s.Institution,
		Operator: s.Operator, Partner: s.Partner,
		Season: s.Season, Products: s.Products, Performances: s.Performances,
		EventDate: s.EventDate, EventDay: s.EventDay, PageSize: s.PageSize,
		AllowReentry: s.AllowReentry, GateRules: s.GateRules, TariffRules: s.TariffRules,
	}
}

// WithVenue is s with the venue's settings in place of its own; the
// station's own fields, password included, stay. What the venue left empty
// takes the defaults, as a loaded station's settings do (a null tariff
// list means the default prompts).
func (s Settings) WithVenue(v VenueSettings) Settings {
	s.Environment, s.Endpoint, s.Institution, s.Operator, s.Partner = v.Environment, v.Endpoint, v.Institution, v.Operator, v.Partner
	s.Season, s.Products, s.Performances = v.Season, v.Products, v.Performances
	s.EventDate, s.EventDay, s.PageSize = v.EventDate, v.EventDay, v.PageSize
	s.AllowReentry, s.GateRules, s.TariffRules = v.AllowReentry, v.GateRules, v.TariffRules
	return s.Defaults()
}

// Validate checks the venue's settings with the same rules and words as a
// station's (Settings.Validate); nil means they can be saved.
func (v VenueSettings) Validate() FieldErrors {
	s := Settings{}.WithVenue(v)
	var errs FieldErrors
	for _, e := range s.Validate() {
		if d := SettingByKey(e.Field); d != nil && d.Venue {
			errs = append(errs, e)
		}
	}
	return errs
}
