package s360sim

import (
	"fmt"
	"time"
)

// ServicePath is the path of the service on an S-360 host; methods live at
// ServicePath + "/v1_6/{method}".
const ServicePath = "/tnci/backend-apis/externalAccessControlService"

// apiVersion is the only version served; the reference says to use v1_6.
const apiVersion = "v1_6"

// Holder styles: where the holder identity fields sit in an exported item.
// The real placement is not published, so the simulator can produce both.
const (
	HolderFlat  = "flat"  // FIRSTNAME, LASTNAME... as top-level item fields
	HolderList  = "list"  // "additionalInfos":[{"key":"FIRSTNAME","value":"Ada"},...]
	HolderMixed = "mixed" // alternate by ticket so clients meet both
)

// Config describes the simulated institution. Zero fields take defaults
// (see DefaultConfig).
type Config struct {
	Institution string   // default "INSTIT"; JWT sub
	Operator    string   // default "gate"; JWT aud
	Password    string   // default "demo-password"; HS256 secret
	Season      string   // default "SEASON26"
	Products    []string // default {"MATCH01", "MATCH02"}; product j has performance "PERF%02d"(j+1)
	Tickets     int      // initial tickets; 0 => 20000; <0 => none (only sold ones)
	Seed        int64    // deterministic data
	RateLimit   int      // requests/minute, all methods together; 0 => 60; <0 => unlimited
	// RateLimitStatus is the HTTP status of a request beyond RateLimit: 509
	// (default, what S-360 answers today) or 429 (what it "will be migrated
	// to" [doc]).
	RateLimitStatus int
	Now             func() time.Time
	// EventDate is the performance date of the first product; product j plays
	// 7*j days later. Zero => three hours after the start of Now's hour (gates open now).
	EventDate   time.Time
	HolderStyle string // HolderFlat | HolderList | HolderMixed (default)
	// TimeZone is the institution's zone, answered by getTimeZone (default
	// TimeZone, "Europe/Zurich"). The times the sim sends are written in it.
	TimeZone string
	// LocalTimes writes every time the sim sends (validity, performance
	// dates, getControlledTicket's) without an offset, as the institution's
	// local time: a client must then know the zone to read them.
	LocalTimes bool

	// MaxIATSkew is how far the token's iat may be from Now (either way).
	// The real server expects "about a second"; 0 => 60s so tests and slow
	// CI machines do not flake; <0 => not checked at all (useful when a test
	// injects a fake Now into the sim but not into the client).
	// Not in the original brief: an additive, optional field.
	MaxIATSkew time.Duration
}

// Defaults.
const (
	defaultInstitution = "INSTIT"
	defaultOperator    = "gate"
	defaultPassword    = "demo-password"
	defaultSeason      = "SEASON26"
	defaultTickets     = 20000
	defaultRateLimit   = 60
	defaultIATSkew     = 60 * time.Second
)

// DefaultConfig returns a Config with every default filled, except
// EventDate, which stays zero so that it is derived from whatever Now the
// caller finally installs (New does it).
func DefaultConfig() Config {
	var c Config
	c.fill()
	return c
}

// fill replaces zero fields with defaults. It copies Products so that the
// caller's slice is never aliased.
func (c *Config) fill() {
	if c.Institution == "" {
		c.Institution = defaultInstitution
	}
	if c.Operator == "" {
		c.Operator = defaultOperator
	}
	if c.Password == "" {
		c.Password = defaultPassword
	}
	if c.Season == "" {
		c.Season = defaultSeason
	}
	if len(c.Products) == 0 {
		c.Products = []string{"MATCH01", "MATCH02"}
	} else {
		c.Products = append([]string(nil), c.Products...)
	}
	if c.Tickets == 0 {
		c.Tickets = defaultTickets
	}
	if c.RateLimit == 0 {
		c.RateLimit = defaultRateLimit
	}
	if c.RateLimitStatus != 429 {
		c.RateLimitStatus = 509
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.TimeZone == "" {
		c.TimeZone = TimeZone
	}
	switch c.HolderStyle {
	case HolderFlat, HolderList, HolderMixed:
	default:
		c.HolderStyle = HolderMixed
	}
	if c.MaxIATSkew == 0 {
		c.MaxIATSkew = defaultIATSkew
	}
}

// performanceCode is the code of the single performance of product j.
func performanceCode(j int) string { return fmt.Sprintf("PERF%02d", j+1) }
