package syncer

import (
	"context"
	"errors"

	"s360gate/core"
)

// export fetches the GREY list from the stored cursor until it is drained
// for now. Fetching and storing overlap: while a page is being stored, the
// next one is already asked for, from the cursor the page brought (S-360's
// cursor is a position the client keeps; asking from it again after a
// crash is what asking from the committed cursor means). The store's
// ExportWriter chooses the transactions, and the engine commits whenever it
// has no next page in hand, so the writer is never held while S-360 is
// being waited for. Whatever is committed is whole pages with the cursor of
// the last one: after a crash or a shutdown the next run starts from it and
// fetches again only what was not committed.
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
	w, err := e.store.BeginExport(ctx, key)
	if err != nil {
		return e.storeErr(ctx, err, saveWords)
	}
	defer w.Close()

	req := core.ExportRequest{Season: s.Season, Products: s.Products, Performances: s.Performances, PageSize: s.PageSize}
	e.update(func(st *core.SyncStatus) {
		st.Pages, st.ExportStart, st.PageSize = 0, e.now(), s.PageSize
	})
	fetchCtx, stop := context.WithCancel(ctx)
	pages := make(chan fetched, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.fetch(fetchCtx, req, cursor, pages)
	}()
	defer func() {
		stop()
		for range pages {
		}
		<-done
	}()

	// Pages in hand are stored even when shutting down, so that they are
	// never asked for again.
	bg := context.WithoutCancel(ctx)
	for f := range pages {
		if f.err != nil {
			if err := w.Commit(bg); err != nil {
				return e.storeErr(ctx, err, saveWords)
			}
			return f.err
		}
		rep.Pages++
		if len(f.page.Tickets) > 0 || f.moved {
			if err := w.Apply(bg, f.page); err != nil {
				return e.storeErr(ctx, err, saveWords)
			}
			rep.Tickets += len(f.page.Tickets)
		}
		e.received(rep.Tickets, rep.Pages)
		switch f.last {
		case drained:
			rep.Drained = true // nothing new for now [assumed meaning of an empty page]
		case stuck:
			e.log.WithField("pages", rep.Pages).Warn("S-360 returned items without moving the cursor; export stopped for this cycle")
			rep.Drained = true
		}
		if len(pages) == 0 {
			if err := w.Commit(bg); err != nil {
				return e.storeErr(ctx, err, saveWords)
			}
			e.stored(bg)
		}
	}
	// Closing may finish what the store deferred (core/sqlite builds the
	// barcode index after a first export): part of the export's time, and
	// its failure is the export's.
	if err := w.Close(); err != nil {
		return e.storeErr(ctx, err, saveWords)
	}
	return nil
}

const saveWords = "Cannot save the tickets received from S-360 (disk full?)"

// fetched is one exportList answer, or the error that ended the fetching.
type fetched struct {
	page  core.ExportPage
	moved bool // the cursor moved
	last  endReason
	err   error
}

type endReason int

const (
	more    endReason = iota
	drained           // an empty page: the list is drained for now
	stuck             // items but no new cursor: asking again would loop
)

// fetch asks S-360 for pages, each from the cursor the previous one
// brought, and hands them over in order. It stops after the last page or
// an error (sent as the last value), and closes out.
func (e *Engine) fetch(ctx context.Context, req core.ExportRequest, cursor string, out chan<- fetched) {
	defer close(out)
	seen := map[string]bool{cursor: true}
	for {
		if err := ctx.Err(); err != nil {
			out <- fetched{err: err} // shutting down: do not start a request
			return
		}
		req.Cursor = cursor
		var page core.ExportPage
		e.budgetWait("exportList")
		err := e.call(ctx, "exportList", func(ctx context.Context) error {
			var err error
			page, err = e.remote.ExportList(ctx, req)
			return err
		})
		e.budgetWait("")
		if err != nil {
			out <- fetched{err: err}
			return
		}
		if page.Cursor == "" {
			// No paginationEnd (null) [assumed possible]: stay where we are
			// rather than forget the position and start the list again.
			page.Cursor = cursor
		}
		f := fetched{page: page, moved: page.Cursor != cursor}
		switch {
		case len(page.Tickets) == 0:
			f.last = drained
		case !f.moved || seen[page.Cursor]:
			// S-360 answered items but no new position: asking again would
			// get the same page forever. Stop here; the next cycle resumes.
			f.last = stuck
		}
		out <- f
		if f.last != more {
			return
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
