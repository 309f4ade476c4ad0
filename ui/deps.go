// Package ui is the supervisor's desktop app: the gate view, the dispute
// desk, sync status and settings. It talks to the engine through core types
// only; main.go (via core/cli) builds the Deps and calls Run.
package ui

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
	"s360gate/core/words"
)

// Store is what the screens need of the station's store.
type Store interface {
	core.TicketStore
	core.Gate
	core.ControlStore
	// Audit records a dispute-desk lookup (who, when, what query).
	Audit(ctx context.Context, who, query string, at time.Time) error
}

// DemoTicket is a sample barcode shown in demo mode, clickable to scan.
type DemoTicket struct {
	Kind    string // "valid", "child", "cancelled", ...
	Barcode string
	Note    string // what the user will see, e.g. "AGE CHECK prompt"
}

// Deps is everything the app is built from.
type Deps struct {
	DataDir string
	Store   Store
	Engine  core.Syncer
	// Settings returns the current settings; SaveSettings validates and
	// stores new ones (a *core.Error wrapping core.FieldErrors when refused)
	// and applies them to the running engine. A *core.Error with Code
	// core.EConflict means stored but not applied (a restart is needed):
	// its message is shown as a notice, not as a refusal.
	Settings     func() core.Settings
	SaveSettings func(core.Settings) error
	// Remote is the current S-360 client (nil when not configured): the
	// dispute desk's "what S-360 says now", Test connection, the catalog.
	Remote func() core.Remote
	// Restart, when set, asks for s360gate to start again once its window
	// has closed: settings saved for another environment take effect then.
	Restart func()
	// Demo is non-nil when running on the embedded simulator.
	Demo []DemoTicket
	// Venue is the station's venue on a station of one (`venue join`): the
	// top bar's venue line, the link banner, the Sync tab's stations and
	// double entries, the desk's double entries. Nil on its own.
	Venue core.Venue
	// The Settings screen's Venue section (nil: not offered). VenueLink
	// is the stored link (the address with its password masked); a join
	// or a leave takes effect at the next start (Restart). TestVenue with
	// dsn "" tests the stored link.
	VenueLink  func() (address string, trustedLAN, joined bool)
	JoinVenue  func(ctx context.Context, j core.VenueJoin) error
	LeaveVenue func(ctx context.Context) error
	TestVenue  func(ctx context.Context, dsn string, trustedLAN bool) (VenueProbe, error)
	// Lang is the language asked for this run (s360gate --lang); empty:
	// the station's language setting, else the system's.
	Lang words.Lang
	Log  logrus.FieldLogger
	Now  func() time.Time
}

// VenueProbe is what Test connection found of a venue's database.
type VenueProbe struct {
	Address          string // host:port/database, no password
	Online, Stations int
	Syncer           string // the venue's S-360 client now ("" none)
}
