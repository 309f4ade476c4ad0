package s360

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"s360gate/core"
)

// DefaultPageSize is used when ExportRequest.PageSize is 0.
const DefaultPageSize = 5000

// exportBody is the exportList request [doc]. paginationStart is null on
// the very first call.
type exportBody struct {
	RequestID        int64    `json:"requestId"`
	ListType         string   `json:"listType"`
	TicketType       string   `json:"ticketType"`
	SeasonCode       string   `json:"seasonCode"`
	ProductCodes     []string `json:"productCodes"`
	PerformanceCodes []string `json:"performanceCodes,omitempty"`
	PaginationStart  *string  `json:"paginationStart"`
	NbMaxResults     int      `json:"nbMaxResults"`
}

// ExportList fetches one page of the GREY list after req.Cursor, items in
// S-360's order (a later item for the same barcode wins; the store applies
// that rule). An item that cannot be decoded fails the whole page.
func (c *Client) ExportList(ctx context.Context, req core.ExportRequest) (core.ExportPage, error) {
	var page core.ExportPage
	// A full GREY page holds about nbMaxResults items (a little more when
	// invalid counterparts come along): reserving that at its first item
	// spares a million-ticket export the copies of a growing slice, and an
	// empty page allocates nothing.
	hint := req.PageSize
	if hint <= 0 || hint > 10000 {
		hint = DefaultPageSize
	}
	cursor, _, err := c.exportList(ctx, req, func() { page.Tickets = page.Tickets[:0] },
		func(t *core.Ticket) error {
			if page.Tickets == nil {
				page.Tickets = make([]core.Ticket, 0, hint+hint/16)
			}
			page.Tickets = append(page.Tickets, *t)
			return nil
		})
	if err != nil {
		return core.ExportPage{}, err
	}
	page.Cursor = cursor
	return page, nil
}

// ExportListFunc is ExportList streaming: fn gets each item as soon as it
// is decoded, so a page is never held in memory. The *Ticket is reused for
// the next item: fn must copy what it keeps. An error of fn stops the
// download and is returned as is.
//
// cursor is the page's paginationEnd and n the number of items given to
// fn; fn sees each item of the page once. On error the cursor must not be stored: fn may have seen items of a
// page that then failed (e.g. a status after the items, or a cut answer),
// so apply items and cursor in one transaction.
func (c *Client) ExportListFunc(ctx context.Context, req core.ExportRequest, fn func(*core.Ticket) error) (cursor string, n int, err error) {
	return c.exportList(ctx, req, nil, fn)
}

func (c *Client) exportList(ctx context.Context, req core.ExportRequest, begin func(), fn func(*core.Ticket) error) (string, int, error) {
	if req.Season == "" {
		return "", 0, core.Errorf(core.EInvalid, "The season code is required to download tickets")
	}
	size := req.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	products := req.Products
	if products == nil {
		products = []string{}
	}
	var start *string
	if req.Cursor != "" {
		start = &req.Cursor
	}
	var (
		cursor string
		n      int
	)
	err := c.do(ctx, mExportList,
		func(id int64) ([]byte, error) {
			return json.Marshal(exportBody{
				RequestID: id, ListType: "GREY", TicketType: "ALL",
				SeasonCode: req.Season, ProductCodes: products, PerformanceCodes: req.Performances,
				PaginationStart: start, NbMaxResults: size,
			})
		},
		func(r io.Reader) error {
			if begin != nil {
				begin()
			}
			n = 0
			var (
				end   string
				found bool
				err   error
			)
			end, found, n, err = decodeExportIn(r, fn, c.Zone())
			var se *StatusError
			if n > 0 && errors.As(err, &se) {
				// Items went out before the status: no retry (of a "slow
				// down" in the body) may hand them out again.
				se.Code, se.Detail = c.redact(se.Code), c.redact(se.Detail)
				return &finalError{statusFailure(se)}
			}
			if err != nil {
				return err
			}
			cursor = end
			if !found {
				// Keep our place rather than start over from nothing.
				cursor = req.Cursor
				c.log.WithField("items", n).Warn("s360: exportList answer has no paginationEnd; keeping the previous cursor")
			}
			return nil
		})
	if err != nil {
		return "", n, err
	}
	return cursor, n, nil
}

// Envelope keys of the exportList answer [doc], normalised. paginationEnd
// and the items are accepted before or after each other, inside
// accessControlListData or (tolerance) at the top level.
const (
	kData       = "accesscontrollistdata"
	kItems      = "accesscontrollistitems"
	kPagination = "paginationend"
	kCode       = "statuscode"
	kDetail     = "statusdetail"
)

// exportDecoder walks the answer with encoding/json's token API and cuts
// the item list with an itemSplitter, so that only one item at a time is in
// memory.
type exportDecoder struct {
	dec     *json.Decoder
	body    io.Reader // what dec reads from
	fn      func(*core.Ticket) error
	t       core.Ticket
	dates   dateCache
	n       int
	st      answerStatus
	cursor  string
	hasEnd  bool
	stopped bool // a failure status was read: stop handing items out
}

type answerStatus struct {
	code, detail string
	hasCode      bool
}

func (s answerStatus) ok() bool { return s.hasCode && isSuccess(s.code) }

func decodeExport(r io.Reader, fn func(*core.Ticket) error) (cursor string, found bool, n int, err error) {
	return decodeExportIn(r, fn, nil)
}

// decodeExportIn is decodeExport reading times without an offset in loc
// (the institution's zone; nil: the laptop's).
func decodeExportIn(r io.Reader, fn func(*core.Ticket) error, loc *time.Location) (cursor string, found bool, n int, err error) {
	d := &exportDecoder{dec: json.NewDecoder(r), body: r, fn: fn, dates: dateCache{loc: loc}}
	d.dec.UseNumber()
	for {
		if err = d.object(0); err != errSpliced {
			break
		}
	}
	if err == nil {
		if _, terr := d.dec.Token(); terr != io.EOF {
			err = errors.New("data after the end of the answer")
		}
	}
	if d.st.hasCode && !d.st.ok() {
		// A refusal is what matters, even if the rest of it is damaged.
		return "", false, d.n, &StatusError{Method: mExportList, Code: d.st.code, Detail: d.st.detail}
	}
	var ue *finalError
	var ie *ItemError
	if err != nil && !errors.As(err, &ue) && !errors.As(err, &ie) {
		err = fmt.Errorf("exportList answer: %w", err)
	}
	if err == nil && !d.st.hasCode {
		err = errors.New("exportList answer has no statusCode")
	}
	return d.cursor, d.hasEnd, d.n, err
}

// object reads an object (or null): level 0 is the answer, 1 is
// accessControlListData.
func (d *exportDecoder) object(level int) error {
	if null, err := open(d.dec, '{'); err != nil || null {
		return err
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch normalize(key) {
		case kCode:
			d.st.code, err = d.scalar()
			d.st.hasCode = true
			if !d.st.ok() {
				d.stopped = true
			}
		case kDetail:
			d.st.detail, err = d.scalar()
		case kPagination:
			var v string
			if v, err = d.scalar(); v != "" {
				d.cursor, d.hasEnd = v, true
			}
		case kItems:
			err = d.items(level)
		case kData:
			if level == 0 {
				err = d.object(1)
				break
			}
			fallthrough
		default:
			err = d.skip()
		}
		if err != nil {
			return err
		}
	}
	return expectDelim(d.dec, '}')
}

// errSpliced: items() replaced d.dec; parsing restarts on the new one.
var errSpliced = errors.New("item list read; decoder spliced")

// items reads the item list (or null) one item at a time. The Token API
// brought us to the '['; from there an itemSplitter cuts items out of the
// stream much faster than Decoder.Decode would. After the ']' a new Decoder
// takes over, fed with a prefix that reopens the objects we are inside
// ({"_":0 or {"accessControlListData":{"_":0) so that the keys after the
// list (paginationEnd, statusCode…) are read by the same code as before it.
func (d *exportDecoder) items(level int) error {
	if null, err := open(d.dec, '['); err != nil || null {
		return err
	}
	sp := newItemSplitter(io.MultiReader(d.dec.Buffered(), d.body))
	for idx := 0; ; idx++ {
		raw, done, err := sp.next()
		if err != nil {
			return err
		}
		if done {
			break
		}
		if d.stopped {
			continue
		}
		if err := decodeItemCached(raw, &d.t, &d.dates); err != nil {
			return &ItemError{Index: idx, Err: err}
		}
		if err := d.fn(&d.t); err != nil {
			return &finalError{err}
		}
		d.n++
	}
	prefix := `{"_":0`
	if level == 1 {
		prefix = `{"` + kData + `":{"_":0`
	}
	d.body = io.MultiReader(strings.NewReader(prefix), sp.rest())
	d.dec = json.NewDecoder(d.body)
	d.dec.UseNumber()
	return errSpliced
}

// open reads the opening delimiter of a value; null is allowed anywhere
// [assumed: an institution can configure fields to be exported as null].
func open(dec *json.Decoder, want json.Delim) (null bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	if tok == nil {
		return true, nil
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return false, fmt.Errorf("expected %q, found %v", want, tok)
	}
	return false, nil
}

// scalar reads a string, number, bool or null as text.
func (d *exportDecoder) scalar() (string, error) {
	var v any
	if err := d.dec.Decode(&v); err != nil {
		return "", err
	}
	return scalarText(v), nil
}

func (d *exportDecoder) skip() error {
	var raw json.RawMessage
	return d.dec.Decode(&raw)
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}
