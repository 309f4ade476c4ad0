package sync

import (
	"context"
	"errors"

	"s360gate/core"
)

// export fetches the GREY list from the stored cursor until it is drained
// for now, committing each page with its cursor before asking for the next:
// every request starts from the cursor just committed, so a crash or a
// shutdown never makes the station fetch past a committed cursor twice.
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
			if err := e.store.ApplyPage(context.WithoutCancel(ctx), key, page); err != nil {
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
