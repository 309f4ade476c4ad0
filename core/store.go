package core

import (
	"context"
	"time"
)

// The store is behind these interfaces so that a second backend (PostgreSQL
// shared by many stations, one elected syncer) is an addition, not a
// rewrite. core/sqlite implements all of them.

// ExportPage is one page of exportList, decoded, in S-360's order.
type ExportPage struct {
	Tickets []Ticket
	// Cursor is S-360's paginationEnd: opaque, stored as given.
	Cursor string
}

// CursorKey names the export a cursor belongs to: one season and product set
// (and performance filter). Changing the set starts a new export.
func CursorKey(season string, products, performances []string) string {
	k := season + "|"
	for i, p := range products {
		if i > 0 {
			k += ","
		}
		k += p
	}
	k += "|"
	for i, p := range performances {
		if i > 0 {
			k += ","
		}
		k += p
	}
	return k
}

// TicketStore holds the exported list.
type TicketStore interface {
	// ApplyPage stores a page's tickets in order (a later item for the same
	// barcode wins) and its cursor, in one transaction: a crash leaves
	// either the page and its cursor, or neither. It must not keep a scan
	// waiting for a whole page: core/sqlite, whose writer is single, commits
	// what it has under the old cursor and lets a waiting scan through.
	ApplyPage(ctx context.Context, key string, page ExportPage) error
	// BeginExport opens an ExportWriter for the pages of one export run
	// under key. A store that has nothing better to offer returns
	// PageAtATime(store, key).
	BeginExport(ctx context.Context, key string) (ExportWriter, error)
	// Cursor is the last stored cursor for key ("" for none).
	Cursor(ctx context.Context, key string) (string, error)
	// Ticket returns one ticket by barcode.
	Ticket(ctx context.Context, barcode string) (Ticket, error)
	// Lookup finds tickets by taxNumber, barcode, container or holder name,
	// with their controls.
	Lookup(ctx context.Context, query string, limit int) ([]TicketRecord, error)
	// TicketCounts is how many tickets are held, valid and not.
	TicketCounts(ctx context.Context) (TicketCounts, error)
}

// ExportWriter stores the pages of one export run, in S-360's order, and
// chooses its transactions: a first export of a million tickets is several
// times faster stored in transactions of a hundred thousand tickets than
// page by page, because every commit rewrites each random page of the
// barcode index it touched.
//
// Whatever it commits, and whenever (a size or age bound, a scan waiting
// for the writer), is the tickets of the pages applied so far with the
// cursor of the last of them, possibly followed by the first tickets of the
// next page under that cursor — what a smaller page size would have left.
// A crash thus loses only work that is simply fetched again from the
// committed cursor.
type ExportWriter interface {
	// Apply stores page after the pages applied before it. It may commit.
	// After an error the writer is spent: Close it and start again from the
	// committed cursor.
	Apply(ctx context.Context, page ExportPage) error
	// Commit commits everything applied so far.
	Commit(ctx context.Context) error
	// Close rolls back what was applied but not committed, finishes what
	// the store deferred during the run (core/sqlite builds the barcode
	// index after a bulk load) and frees the store. It is safe after
	// Commit, and more than once.
	Close() error
}

// PageAtATime is an ExportWriter that commits every page with its cursor
// through ts.ApplyPage, for stores without a better way.
func PageAtATime(ts TicketStore, key string) ExportWriter { return pageAtATime{ts, key} }

type pageAtATime struct {
	ts  TicketStore
	key string
}

func (p pageAtATime) Apply(ctx context.Context, page ExportPage) error {
	return p.ts.ApplyPage(ctx, p.key, page)
}
func (pageAtATime) Commit(context.Context) error { return nil }
func (pageAtATime) Close() error                 { return nil }

// TicketRecord is a ticket and every control of it, for the dispute desk.
type TicketRecord struct {
	Ticket   Ticket    `json:"ticket"`
	Controls []Control `json:"controls"`
}

// TicketCounts is what the station holds.
type TicketCounts struct {
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
}

// ScanRequest is one scan to decide and, unless Helpdesk, record.
type ScanRequest struct {
	Code       string // normalised scan
	Checkpoint Checkpoint
	// Helpdesk checks without recording ("check without burning").
	Helpdesk bool
	// Prompts added by the caller (e.g. a scanner layout warning).
	Prompts []Prompt
	Now     time.Time
	// ControlID is the id to record the control under ("": the store makes
	// one). A station of a venue chooses it before it asks the venue, so
	// that the venue's record and its own, if it has to decide alone, are
	// one control (see core/venue).
	ControlID string
}

// Gate decides scans and records them durably before answering.
type Gate interface {
	Scan(ctx context.Context, req ScanRequest) (Verdict, error)
	// Override admits a denied control on a supervisor's reason.
	Override(ctx context.Context, controlID, reason string, now time.Time) (Verdict, error)
}

// ControlFilter selects controls for reports and the live feed.
type ControlFilter struct {
	Since   time.Time
	Barcode string
	// Scanned is the code as scanned: for a code that is in no ticket
	// (Barcode empty), whose controls the dispute desk still shows.
	Scanned string
	Upload  UploadState
	Limit   int  // 0: all
	Newest  bool // newest first
}

// ControlStore is the control log and its upload state.
type ControlStore interface {
	Controls(ctx context.Context, f ControlFilter, fn func(Control) error) error
	// PendingControls are controls S-360 has not acknowledged, oldest first.
	PendingControls(ctx context.Context, limit int) ([]Control, error)
	MarkUploaded(ctx context.Context, ids []string, at time.Time) error
	// MarkRejected records S-360's refusal (never retried) and flags the
	// tickets so that the gate denies them from now on.
	MarkRejected(ctx context.Context, ids []string, detail string, at time.Time) error
	ControlCounts(ctx context.Context, since time.Time) (ControlCounts, error)
}

// ControlCounts feed the gate's counters and the sync status.
type ControlCounts struct {
	// Admitted and Denied count scans of people coming in; Exited counts
	// scans at an exit, whatever their outcome (nobody is kept in).
	Admitted int            `json:"admitted"`
	Denied   map[Reason]int `json:"denied"`
	Exited   int            `json:"exited"`
	Pending  int            `json:"pending"`
	Rejected int            `json:"rejected"`
}

// Call is one request made to S-360, kept so that limits survive restarts.
type Call struct {
	Method   string
	At       time.Time
	OK       bool
	Detail   string // technical; no secret, no personal data
	Duration time.Duration
	// Budgeted: the call counts against the client's request budget, so
	// its record must survive a crash (an unlimited client, for the
	// simulator on this machine, has no budget to protect).
	Budgeted bool
}

// SyncState is what the engine remembers between runs.
type SyncState struct {
	LastCycle    time.Time `json:"lastCycle"` // start of the last cycle that called S-360
	LastExportOK time.Time `json:"lastExportOK"`
	LastUploadOK time.Time `json:"lastUploadOK"`
	LastError    string    `json:"lastError,omitempty"`
	LastErrorAt  time.Time `json:"lastErrorAt"`
	// LastErrorSaid is LastError in the catalogue's words, for screens in
	// another language. Stores keep only the English: a state read back
	// from one (another process's sync) has none.
	LastErrorSaid  []Said `json:"-"`
	ExportComplete bool   `json:"exportComplete"` // drained at least once
	// TimeZone is the institution's zone as getTimeZone named it ("" when
	// never known; see core/zone.go), TimeZoneAt when it was last asked.
	TimeZone   string    `json:"timeZone,omitempty"`
	TimeZoneAt time.Time `json:"timeZoneAt"`
}

// Zone is the venue's zone the state names; nil (the laptop's) when none
// is known or the name is not one.
func (s SyncState) Zone() *time.Location { return LoadZone(s.TimeZone) }

// LastSuccess is the last time S-360 answered a cycle well.
func (s SyncState) LastSuccess() time.Time {
	if s.LastExportOK.After(s.LastUploadOK) {
		return s.LastExportOK
	}
	return s.LastUploadOK
}

// SyncLog keeps the engine's state and its calls.
type SyncLog interface {
	RecordCall(ctx context.Context, c Call) error
	// CallsSince lists calls at or after t, oldest first.
	CallsSince(ctx context.Context, t time.Time) ([]Call, error)
	SyncState(ctx context.Context) (SyncState, error)
	SaveSyncState(ctx context.Context, s SyncState) error
}

// AuditEntry is one dispute-desk lookup: who searched for what, and when.
// The dispute desk shows personal data, and who looked at whose is kept.
type AuditEntry struct {
	At    time.Time `json:"at"`
	Who   string    `json:"who"`
	Query string    `json:"query"`
}

// Store is everything a station keeps.
type Store interface {
	TicketStore
	Gate
	ControlStore
	SyncLog
	Close() error
}
