package s360sim

import (
	"encoding/json"
	"net/http"
)

// exportList [doc]: the tickets to control, incrementally, in order.
//
// Semantics chosen where the doc is silent [assumed]:
//   - GREY is the full history: an initial entry shows the state the ticket
//     had at that point of the sequence, a change-log entry the ticket's
//     current state. Apply in order, later wins.
//   - WHITE and BLACK are compacted: each barcode appears once, at its latest
//     entry, and only if that entry is valid (WHITE) or invalid (BLACK). A
//     WHITE-only client would otherwise keep tickets that were cancelled
//     later. WHITE ∪ BLACK drained from the start = every barcode, once.
//   - In GREY, an invalid item right after the valid item of the same
//     barcode does not count toward nbMaxResults (the doc's "counts as
//     one"), so a page may exceed it and never splits such a pair.
//   - paginationEnd of an empty page is the cursor given, unchanged. If the
//     filters skipped entries the position moved, and a fresh cursor for the
//     new position is returned.
//   - productCodes / performanceCodes that the season does not have are a
//     business error (INVALID), so a typo in the supervisor's settings shows
//     at once instead of as an empty list.
const maxPageSize = 10000

type exportRequest struct {
	RequestID        json.RawMessage `json:"requestId"`
	ListType         *string         `json:"listType"`
	TicketType       *string         `json:"ticketType"`
	SeasonCode       *string         `json:"seasonCode"`
	ProductCodes     []string        `json:"productCodes"`
	PerformanceCodes []string        `json:"performanceCodes"`
	PaginationStart  *string         `json:"paginationStart"`
	NbMaxResults     flexInt         `json:"nbMaxResults"`
}

const (
	listGrey = iota
	listWhite
	listBlack
)

// exportQuery is a validated exportList request.
type exportQuery struct {
	list      int
	third     bool   // THIRD_PARTY only
	products  []bool // nil = all
	max       int
	start     uint64
	cursor    string // as given; "" = from the beginning
	hasCursor bool
}

func (s *Sim) exportList(body []byte, agent string) reply {
	var req exportRequest
	id, bad := decodeRequest(body, &req, &req.RequestID)
	if bad != nil {
		return *bad
	}
	q, detail := s.parseExport(&req)
	if detail != "" {
		return bizReply(id, codeInvalid, detail)
	}
	buf := getBuf()
	b := appendStatus(*buf, id, codeSuccess, "")
	b = append(b, `,"accessControlListData":{"accessControlListItems":[`...)
	b, items, cursor, detail := s.page(b, &q)
	if detail != "" {
		*buf = b
		putBuf(buf)
		return bizReply(id, codeInvalid, detail)
	}
	b = append(b, `],"paginationEnd":`...)
	b = appendJSONString(b, cursor)
	b = append(b, "}}"...)
	*buf = b
	s.chains.record(exportKey(&req), q.cursor, cursor, agent, s.now())
	s.stats.pages.Add(1)
	s.stats.items.Add(int64(items))
	return reply{status: http.StatusOK, body: b, buf: buf}
}

func (s *Sim) parseExport(req *exportRequest) (q exportQuery, detail string) {
	if req.ListType == nil {
		return q, "listType is mandatory"
	}
	switch *req.ListType {
	case "GREY":
		q.list = listGrey
	case "WHITE":
		q.list = listWhite
	case "BLACK":
		q.list = listBlack
	default:
		return q, "Invalid listType: " + *req.ListType
	}
	if req.TicketType == nil {
		return q, "ticketType is mandatory"
	}
	switch *req.TicketType {
	case "ALL":
	case "THIRD_PARTY":
		q.third = true
	default:
		return q, "Invalid ticketType: " + *req.TicketType
	}
	if req.SeasonCode == nil || *req.SeasonCode == "" {
		return q, "seasonCode is mandatory"
	}
	if *req.SeasonCode != s.cfg.Season {
		return q, "Unknown seasonCode: " + *req.SeasonCode
	}
	if len(req.ProductCodes) > 0 {
		q.products = make([]bool, len(s.prods))
		for _, c := range req.ProductCodes {
			j := s.productIndex(c)
			if j < 0 {
				return q, "Unknown productCode: " + c
			}
			q.products[j] = true
		}
	}
	if len(req.PerformanceCodes) > 0 {
		perf := make([]bool, len(s.prods))
		for _, c := range req.PerformanceCodes {
			j := -1
			for k := range s.prods {
				if s.prods[k].perf == c {
					j = k
				}
			}
			if j < 0 {
				return q, "Unknown performanceCode: " + c
			}
			perf[j] = true
		}
		if q.products == nil {
			q.products = perf
		} else {
			for j := range q.products {
				q.products[j] = q.products[j] && perf[j]
			}
		}
	}
	if !req.NbMaxResults.set || req.NbMaxResults.v <= 0 {
		return q, "nbMaxResults is mandatory and must be positive"
	}
	q.max = maxPageSize
	if req.NbMaxResults.v < maxPageSize {
		q.max = int(req.NbMaxResults.v)
	}
	if req.PaginationStart != nil && *req.PaginationStart != "" {
		pos, ok := s.decodeCursor(*req.PaginationStart)
		if !ok {
			return q, "Invalid paginationStart"
		}
		q.start, q.cursor, q.hasCursor = pos, *req.PaginationStart, true
	}
	return q, ""
}

// page appends the items of one page to b and returns the cursor after it.
func (s *Sim) page(b []byte, q *exportQuery) (out []byte, items int, cursor, detail string) {
	s.mu.RLock()
	end := s.end()
	pos := q.start
	if pos > end { // a cursor of an earlier run with a longer change log
		s.mu.RUnlock()
		return b, 0, "", "Invalid paginationStart"
	}
	var (
		a         attrs
		counted   int
		prevRef   uint64
		prevValid bool
	)
	for ; pos < end; pos++ {
		e, ok := s.entryAt(pos)
		if !ok {
			continue
		}
		switch q.list {
		case listWhite:
			if !e.last || e.state != stValid {
				continue
			}
		case listBlack:
			if !e.last || e.state == stValid {
				continue
			}
		}
		s.attrsOf(e.ref, &a)
		if q.products != nil && !q.products[a.product] || q.third && !a.third {
			continue
		}
		counts := !(q.list == listGrey && e.state != stValid && prevValid && prevRef == e.ref)
		if counts {
			if counted >= q.max {
				break
			}
			counted++
		}
		if items > 0 {
			b = append(b, ',')
		}
		b = s.appendItem(b, e.ref, e.state, e.cause, &a)
		items++
		prevRef, prevValid = e.ref, e.state == stValid
	}
	s.mu.RUnlock()
	if q.hasCursor && pos == q.start {
		return b, items, q.cursor, ""
	}
	return b, items, s.encodeCursor(pos), ""
}
