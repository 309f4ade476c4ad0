package sync

import (
	"context"
	"errors"
	"time"

	"s360gate/core"
)

// export fetches the GREY list from the stored cursor until it is drained
// for now, committing each page with its cursor before asking for the next:
// every request starts from the cursor just committed, so a crash or a
// shutdown never makes the station fetch past a committed cursor twice.
// A page is committed in chunks (see apply), the cursor with the last one.
//
// The client asks for listType GREY and ticketType ALL; the engine chooses
// season, products, performances, page size and cursor.
func (e *Engine) export(ctx context.Context, s core.Settings, rep *CycleReport) error {
	if s.Season == "" {
		// seasonCode is mandatory for S-360: do not spend a call on it.
		return core.Errorf(core.EInvalid, "No season configured: set the season code the institution gave you in Settings")
	}
	key := core.CursorKey(s.Season, s.Products, s.Performances)
	cursor, err := e.store.Cursor(ctx, key)
	if err != nil {
		return e.storeErr(ctx, err, "Cannot read the export position from the disk")
	}
	req := core.ExportRequest{Season: s.Season, Products: s.Products, Performances: s.Performances, PageSize: s.PageSize}
	seen := map[string]bool{cursor: true}
	for {
		if err := ctx.Err(); err != nil {
			return err // shutting down: do not start a request
		}
		req.Cursor = cursor
		var page core.ExportPage
		err := e.call(ctx, "exportList", func(ctx context.Context) error {
			var err error
			page, err = e.remote.ExportList(ctx, req)
			return err
		})
		if err != nil {
			return err
		}
		rep.Pages++
		if page.Cursor == "" {
			// No paginationEnd (null) [assumed possible]: stay where we are
			// rather than forget the position and start the list again.
			page.Cursor = cursor
		}
		moved := page.Cursor != cursor
		if len(page.Tickets) > 0 || moved {
			// The page is in hand: store it even if we are shutting down, so
			// that it is never asked for again.
			if err := e.apply(context.WithoutCancel(ctx), key, cursor, page); err != nil {
				return e.storeErr(ctx, err, "Cannot save the tickets received from S-360 (disk full?)")
			}
			rep.Tickets += len(page.Tickets)
			e.received(rep.Tickets)
		}
		switch {
		case len(page.Tickets) == 0:
			rep.Drained = true // nothing new for now [assumed meaning of an empty page]
			return nil
		case !moved || seen[page.Cursor]:
			// S-360 answered items but no new position: asking again would
			// get the same page forever. Stop here; the next cycle resumes.
			e.log.WithField("pages", rep.Pages).Warn("S-360 returned items without moving the cursor; export stopped for this cycle")
			rep.Drained = true
			return nil
		}
		seen[page.Cursor] = true
		cursor = page.Cursor
	}
}

// Storing a page holds the store's only writer, and every scan at the
// gates waits for it meanwhile: a 5,000-ticket page takes tens of
// milliseconds on a fast laptop, far more on a slow one, which would show
// at the gate whenever an export runs during opening hours (a restart, a
// replacement station). So a page is stored in chunks, each its own
// ApplyPage, sized so that one takes about applyBudget: a scan waits at
// most about that long. Every chunk but the last keeps the cursor the page
// was asked with; the last stores the page's new cursor. A crash between
// chunks leaves a prefix of the page (a prefix of S-360's order, as a
// smaller page would have) under the old cursor, so the page is asked for
// again and stored whole, later items winning as always.
const (
	applyBudget     = 2 * time.Millisecond
	applyFirstChunk = 64
	applyMinChunk   = 16
	applyMaxChunk   = 10000
)

// yielder is a store whose ApplyPage never holds the writer for a whole
// page while a scan waits (core/sqlite commits what it has and lets the
// scan through): it gets whole pages, which it stores much faster than
// chunks — every commit rewrites the barcode index pages it touched, and a
// chunk of 64 random barcodes touches 64 of them. Measured at a million
// tickets: chunks of 64 cost about 40% of the export's throughput.
type yielder interface{ YieldsToScans() bool }

// apply stores page, asked for at cursor before, in chunks (whole when the
// store yields to scans itself).
func (e *Engine) apply(ctx context.Context, key, before string, page core.ExportPage) error {
	if y, ok := e.store.(yielder); ok && y.YieldsToScans() {
		return e.store.ApplyPage(ctx, key, page)
	}
	ts := page.Tickets
	for {
		n := min(len(ts), e.chunk)
		part := core.ExportPage{Tickets: ts[:n], Cursor: before}
		if n == len(ts) {
			part.Cursor = page.Cursor
		}
		start := time.Now()
		if err := e.store.ApplyPage(ctx, key, part); err != nil {
			return err
		}
		took := e.since(start)
		switch {
		case took > applyBudget:
			e.chunk = max(e.chunk/2, applyMinChunk)
		case took < applyBudget/2 && n == e.chunk:
			e.chunk = min(e.chunk*2, applyMaxChunk)
		}
		ts = ts[n:]
		if len(ts) == 0 {
			return nil
		}
	}
}

// storeErr words a store failure; a shutdown stays a shutdown.
func (e *Engine) storeErr(ctx context.Context, err error, words string) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	if core.ErrorCode(err) != core.EInternal {
		return err // the store already said it in words
	}
	return core.Wrap(core.EUnavailable, err, "%s", words)
}
