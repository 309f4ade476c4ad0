package core

import (
	"context"
	"time"
)

// A station of a venue (`venue join`) decides through the venue's database
// while it answers, and from its local copy of the venue when it does not.
// These types are how the screens and commands see that, without knowing
// PostgreSQL or SQLite: core/venue implements them.

// LinkState is a station's link to its venue's database.
type LinkState struct {
	// Up: the station decides through the venue. Down: it decides from
	// its local copy, on its own (its controls are OffVenue), until the
	// venue answers again and it has pushed them.
	Up bool `json:"up"`
	// Since is when the link went up or down (zero: not known yet, the
	// station is starting).
	Since time.Time `json:"since,omitzero"`
	// Error says, while down, why (in words).
	Error string `json:"error,omitempty"`
	// Unpushed counts this station's controls decided off the venue and
	// not stored in the venue yet.
	Unpushed int `json:"unpushed"`
	// CopyReady: the local copy holds the venue's list, so the station can
	// decide without the venue. A station that joined and never reached
	// its venue has none: it cannot decide alone, and says so.
	CopyReady bool `json:"copyReady"`
	// CopiedAt is when the local copy was last brought up to date with
	// the venue (zero: never).
	CopiedAt time.Time `json:"copiedAt,omitzero"`
}

// VenueStation is another station of the venue, as the venue last heard of
// it.
type VenueStation struct {
	Name       string    `json:"name"`
	Gate       string    `json:"gate,omitempty"`
	Direction  Direction `json:"direction"`
	Candidate  bool      `json:"candidate"` // holds the S-360 password
	Syncer     bool      `json:"syncer"`    // the venue's S-360 client now
	Online     bool      `json:"online"`    // heard of lately
	LastHeard  time.Time `json:"lastHeard"`
	ScansToday int       `json:"scansToday"`
	// Pending counts its controls decided off the venue, not pushed yet
	// (as it last reported).
	Pending int `json:"pending"`
}

// VenueStatus is a station's view of its venue, for the screens.
type VenueStatus struct {
	// Station is this station's name in the venue; Candidate: it holds the
	// S-360 password; Syncing: it is the venue's S-360 client now.
	Station   string    `json:"station"`
	Candidate bool      `json:"candidate"`
	Syncing   bool      `json:"syncing"`
	Link      LinkState `json:"link"`
	// Syncer is the station that is the venue's S-360 client ("" when
	// none is), since when and with which epoch.
	Syncer      string    `json:"syncer,omitempty"`
	SyncerSince time.Time `json:"syncerSince,omitzero"`
	SyncerEpoch int64     `json:"syncerEpoch,omitempty"`
	// Stations are the venue's stations, by name; Online counts those
	// heard of lately.
	Stations []VenueStation `json:"stations"`
	Online   int            `json:"online"`
	// DoubleEntries are the venue's, oldest second entry first.
	DoubleEntries []DoubleEntry `json:"doubleEntries"`
	// ReadAt is when the venue was last read (its database's clock); Error
	// why the last read failed (the rest is then as last read).
	ReadAt time.Time `json:"readAt,omitzero"`
	Error  string    `json:"error,omitempty"`
	// Zone is the venue's time zone (nil: the laptop's).
	Zone *time.Location `json:"-"`
}

// Venue is a joined station's venue as its screens use it. Subscribers
// are called with the current value at once, then on every change, each
// on a goroutine of its own, never two calls at once; a slow one skips
// intermediate values, never the last.
type Venue interface {
	// Link is the station's link to the venue's database now.
	Link() LinkState
	// SubscribeLink calls fn on every change of the link (the banner
	// "VENUE LINK DOWN — deciding locally since 19:04", the attention
	// sound once) until cancel is called.
	SubscribeLink(fn func(LinkState)) (cancel func())
	// Status is the venue as last read (every few seconds), with the link.
	Status() VenueStatus
	Subscribe(fn func(VenueStatus)) (cancel func())
	// DoubleEntriesOf lists the double entries of one ticket (the dispute
	// desk: "also admitted at 19:06, gate S2, STATION7, while the venue
	// link was down", AlsoAdmitted).
	DoubleEntriesOf(ctx context.Context, barcode string) ([]DoubleEntry, error)
}

// VenueJoin is what joining a venue takes (`venue join`, the Settings
// screen's Venue section).
type VenueJoin struct {
	// DB is the venue database's address (postgres://… or key=value).
	DB         string
	TrustedLAN bool
	Station    string
	Gate       string
	Direction  Direction
	// Password, when set, is the S-360 operator password, stored in this
	// station's settings: the station becomes a candidate to be the
	// venue's S-360 client. Empty keeps the stored one.
	Password string
}
