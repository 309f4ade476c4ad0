package core

import (
	"context"
	"strings"
	"time"
)

// Remote is S-360 as the sync engine and the dispute desk see it.
// core/s360 implements it over REST.
type Remote interface {
	// ExportList fetches one page of the GREY list after cursor.
	ExportList(ctx context.Context, req ExportRequest) (ExportPage, error)
	// ImportControls reports controls. When S-360 refuses some barcodes
	// (blacklisted after export), it returns a *RejectedError and, the call
	// being transactional, nothing of the batch was imported.
	ImportControls(ctx context.Context, controls []Control) error
	// TestConnection calls getTimeZone: a cheap proof that address and
	// credentials work. It returns the institution's time zone.
	TestConnection(ctx context.Context) (string, error)
	// ControlledTicket is S-360's current view of one ticket.
	ControlledTicket(ctx context.Context, barcodeOrTaxNumber string) (RemoteTicket, error)
	// Catalog lists seasons (season == "") or the products of a season.
	Catalog(ctx context.Context, season string) ([]CatalogEntry, error)
}

// ExportRequest asks for one page of the list.
type ExportRequest struct {
	Season       string
	Products     []string
	Performances []string
	Cursor       string // "" on the very first call
	PageSize     int
}

// RejectedError is S-360 refusing to import controls of blacklisted tickets
// ("Failed to import controlledTickets:<barcode>,…"). Retrying is pointless.
type RejectedError struct {
	Barcodes []string
	Detail   string
}

func (e *RejectedError) Error() string {
	return "S-360 refused controls of " + strings.Join(e.Barcodes, ", ") + ": " + e.Detail
}

// RemoteTicket is what getControlledTicket answers (controlledTicketData
// [doc]): the ticket as S-360 sees it now (barcode, taxNumber, state,
// containerIdentifier, and whatever exported fields come along), what only
// this method tells, and S-360's control operations.
type RemoteTicket struct {
	Ticket Ticket `json:"ticket"`
	// Duplicate: the ticket is a reprint (nil: S-360 did not say).
	Duplicate *bool `json:"duplicate"`
	// TicketKind is S-360's kind of ticket, as sent.
	TicketKind string `json:"ticketKind,omitempty"`
	// TicketMedium is CONTENT, E_TICKET, THERMAL or MOBILE (v1_0 called it
	// ticketSupport).
	TicketMedium string `json:"ticketMedium,omitempty"`
	// PrintedAt is printingDateTime: when the ticket was (last) printed.
	PrintedAt time.Time `json:"printedAt,omitzero"`
	// ContainerTicket: the ticket is a container (an RFID card holding
	// other tickets) (nil: S-360 did not say).
	ContainerTicket *bool             `json:"containerTicket"`
	Operations      []RemoteOperation `json:"operations"`
}

// RemoteOperation is one control or invalidation S-360 knows of
// (controlOperations [doc]).
type RemoteOperation struct {
	Result string    `json:"result"` // controlOperationType: OK, OFFLINE_OK, FAIL, OFFLINE_FAIL, INVALIDATED_TICKET, CANCELLED_TICKET
	At     time.Time `json:"at"`     // operationDateTime
	Device string    `json:"device,omitempty"`
}

// Controlled reports whether the operation is a control made at a gate (as
// opposed to S-360 invalidating or cancelling the ticket).
func (o *RemoteOperation) Controlled() bool {
	switch o.Result {
	case "OK", "OFFLINE_OK", "FAIL", "OFFLINE_FAIL":
		return true
	}
	return false
}

// Has reports whether S-360 recorded c among its operations: the same
// result, at the same second (controls are sent to the second), and at the
// same device when S-360 names one.
func (rt *RemoteTicket) Has(c *Control) bool {
	for i := range rt.Operations {
		op := &rt.Operations[i]
		if op.Result != c.ControlResult() || op.At.IsZero() {
			continue
		}
		if d := op.At.Sub(c.At.Truncate(time.Second)); d < -time.Second || d > time.Second {
			continue
		}
		if op.Device != "" && c.Station != "" && !strings.EqualFold(op.Device, c.Station) {
			continue
		}
		return true
	}
	return false
}

// CatalogEntry is a season or a product (with its performances).
type CatalogEntry struct {
	Code         string         `json:"code"`
	Name         string         `json:"name"`
	Performances []CatalogEntry `json:"performances,omitempty"`
	Date         time.Time      `json:"date,omitzero"`
}

// SyncStatus is what the engine tells the screens.
type SyncStatus struct {
	Environment  Environment  `json:"environment"`
	Online       bool         `json:"online"`  // last call reached S-360
	Called       bool         `json:"called"`  // a call was made since the engine started (else Online means nothing yet)
	Running      bool         `json:"running"` // a cycle is under way
	Phase        string       `json:"phase,omitempty"`
	Received     int          `json:"received"` // tickets received in the running export
	LastExportOK time.Time    `json:"lastExportOK"`
	LastUploadOK time.Time    `json:"lastUploadOK"`
	NextAllowed  time.Time    `json:"nextAllowed"`
	Tickets      TicketCounts `json:"tickets"`
	Pending      int          `json:"pending"`
	Rejected     []Control    `json:"rejected,omitempty"`
	LastError    string       `json:"lastError,omitempty"` // plain words
	// LastErrorSaid is LastError in the catalogue's words (none when the
	// status comes from another process's store: LastError then).
	LastErrorSaid []Said    `json:"-"`
	LastErrorAt   time.Time `json:"lastErrorAt"`
	// TimeZone is the institution's zone as getTimeZone named it ("":
	// not known yet; times are then the laptop's).
	TimeZone string `json:"timeZone,omitempty"`

	// RejectedCount is every control S-360 refused (Rejected lists the
	// newest only).
	RejectedCount int `json:"rejectedCount,omitempty"`
	// The running export: pages received, since when, their size. S-360
	// does not say how long its list is; what sets the pace is the
	// client's request budget (Budget requests a minute), and while the
	// client waits for it BudgetWait is when the next request may go.
	Pages       int       `json:"pages,omitempty"`
	ExportStart time.Time `json:"exportStart,omitzero"`
	PageSize    int       `json:"pageSize,omitempty"`
	Budget      int       `json:"budget,omitempty"`
	BudgetWait  time.Time `json:"budgetWait,omitzero"`
}

// Budgeted is a Remote that keeps to a request budget of its own (the
// S-360 client): the sync status says when a request waits for it.
type Budgeted interface {
	// NextSlot is when a request could go without waiting (S-360 counts
	// every method against one budget).
	NextSlot() time.Time
	// Budget is how many requests a minute, all methods together, it
	// allows itself.
	Budget() int
}

// Syncer is the sync engine as the screens and commands drive it.
type Syncer interface {
	// SyncNow runs one cycle if the policy allows; otherwise it returns a
	// *PolicyRefusal naming the next allowed time.
	SyncNow(ctx context.Context) error
	Status() SyncStatus
	// Subscribe calls fn on every status change until the returned func is called.
	Subscribe(fn func(SyncStatus)) (cancel func())
}

// SlowDown is S-360 asking us to slow down (HTTP 509 or 429, or a "too
// many requests" status): the S-360 client's ERefused error wraps it, and
// whoever tries again (the sync engine) waits at least RetryAfter (0: S-360
// did not say).
type SlowDown struct {
	RetryAfter time.Duration
	Err        error
}

func (e *SlowDown) Error() string {
	if e.Err != nil {
		return "slow down: " + e.Err.Error()
	}
	return "slow down"
}

func (e *SlowDown) Unwrap() error { return e.Err }
