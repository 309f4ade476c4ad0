package s360sim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// The small methods: getAccessControlCatalog, getControlledTicket,
// getTimeZone. Their answer shapes are [assumed]; each is built in one
// function so it is easy to change.

// TimeZone is the default institution zone (Config.TimeZone), answered by
// getTimeZone.
const TimeZone = "Europe/Zurich"

type timeZoneRequest struct {
	RequestID json.RawMessage `json:"requestId"`
}

// timeZone: {requestId, statusCode:"success", statusDetail:"", timeZone}.
func (s *Sim) timeZone(body []byte) reply {
	var req timeZoneRequest
	id, bad := decodeRequest(body, &req, &req.RequestID)
	if bad != nil {
		return *bad
	}
	b := appendStatus(nil, id, codeSuccess, "")
	b = append(b, `,"timeZone":`...)
	b = appendJSONString(b, s.cfg.TimeZone)
	return reply{status: http.StatusOK, body: append(b, '}')}
}

type catalogRequest struct {
	RequestID  json.RawMessage `json:"requestId"`
	SeasonCode *string         `json:"seasonCode"`
}

// catalog [assumed shape]:
//
//	no seasonCode:   {..., "seasons":[{"code":"SEASON26","name":"Season SEASON26"}]}
//	with seasonCode: {..., "seasonCode":"SEASON26","products":[{"code":"MATCH01",
//	                  "name":"Match MATCH01","performances":[{"code":"PERF01","date":"<RFC3339>"}]}]}
func (s *Sim) catalog(body []byte) reply {
	var req catalogRequest
	id, bad := decodeRequest(body, &req, &req.RequestID)
	if bad != nil {
		return *bad
	}
	if req.SeasonCode == nil || *req.SeasonCode == "" {
		b := appendStatus(nil, id, codeSuccess, "")
		b = append(b, `,"seasons":[{"code":`...)
		b = append(b, s.seasonJSON...)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, "Season "+s.cfg.Season)
		return reply{status: http.StatusOK, body: append(b, "}]}"...)}
	}
	if *req.SeasonCode != s.cfg.Season {
		return bizReply(id, codeInvalid, "Unknown seasonCode: "+*req.SeasonCode)
	}
	b := appendStatus(nil, id, codeSuccess, "")
	b = append(b, `,"seasonCode":`...)
	b = append(b, s.seasonJSON...)
	b = append(b, `,"products":[`...)
	for j := range s.prods {
		p := &s.prods[j]
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = append(b, p.codeJSON...)
		b = append(b, `,"name":`...)
		b = append(b, p.nameJS...)
		b = append(b, `,"performances":[{"code":`...)
		b = append(b, p.perfJSON...)
		b = append(b, `,"date":`...)
		b = append(b, p.perfDateJS...)
		b = append(b, "}]}"...)
	}
	return reply{status: http.StatusOK, body: append(b, "]}"...)}
}

type controlledTicketRequest struct {
	RequestID          json.RawMessage `json:"requestId"`
	BarCodeOrTaxNumber string          `json:"barCodeOrTaxNumber"`
}

// operation is one line of a ticket's history in getControlledTicket.
type operation struct {
	result string // OK | FAIL | OFFLINE_OK | OFFLINE_FAIL | INVALIDATED_TICKET | CANCELLED_TICKET
	date   time.Time
	ac     string // "" => null
}

// lookup resolves a barcode or a tax number. Caller holds mu.
func (s *Sim) lookup(code string) (uint64, bool) {
	if ref, ok := s.parseBarcode(code); ok {
		return ref, true
	}
	return s.parseTax(code)
}

// operations lists the controls and invalidations of ref by date. Caller
// holds mu.
func (s *Sim) operations(ref uint64) []operation {
	var ops []operation
	opOf := func(st uint8) string {
		if st == stInvalidated {
			return "INVALIDATED_TICKET"
		}
		return "CANCELLED_TICKET"
	}
	if refKind(ref) == kindOrig {
		i := refIdx(ref)
		if cls, cause := s.classOf(i); cls != clsPlain {
			st, _ := initialFinal(cls, cause)
			// Initial invalidations happened before the first export: a
			// few hours to ten days before the event.
			h := time.Duration(2+s.rnd(i, streamOps)%240) * time.Hour
			ops = append(ops, operation{result: opOf(st), date: s.cfg.EventDate.Add(-h)})
		}
	}
	var st uint8
	var at int64
	switch {
	case refKind(ref) == kindExtra:
		e := &s.extras[refIdx(ref)]
		st, at = e.state, e.at
	case s.muts[ref] != nil:
		st, at = s.muts[ref].state, s.muts[ref].at
	}
	if st != stValid {
		ops = append(ops, operation{result: opOf(st), date: time.Unix(0, at)})
	}
	for _, k := range s.ctl.byRef[ref] {
		c := &s.ctl.list[k]
		ops = append(ops, operation{result: c.ControlResult, date: c.ControlDate, ac: c.ACIdentifier})
	}
	sort.SliceStable(ops, func(a, b int) bool { return ops[a].date.Before(ops[b].date) })
	return ops
}

// controlledTicket answers the documented shape [doc, v1_1/v1_2 pages]:
//
//	{..., "controlledTicketData": {"barcode", "taxNumber",
//	   "state": "VALID"|"CANCELLED", "duplicate": bool, "ticketKind",
//	   "ticketMedium": "CONTENT"|"E_TICKET"|"THERMAL"|"MOBILE",
//	   "printingDateTime", "containerIdentifier", "containerTicket": bool,
//	   "controlOperations": [{"controlOperationType", "operationDateTime"}]}}
//
// The state knows only VALID and CANCELLED; an invalidated (reprinted)
// ticket is CANCELLED with an INVALIDATED_TICKET operation. The operations
// are the ticket's invalidations and the controls imported for it, by date.
// What the doc does not say is made up here, deterministically: the
// medium (CONTENT for a ticket held on an RFID card, else mostly E_TICKET,
// some MOBILE and THERMAL), the kind ("TICKET") and the printing time (days
// before the event; a reprint's, when it was reprinted).
//
// Unknown barcode or tax number: HTTP 200, statusCode "NOTFOUND",
// statusDetail "Ticket not found".
func (s *Sim) controlledTicket(body []byte) reply {
	var req controlledTicketRequest
	id, bad := decodeRequest(body, &req, &req.RequestID)
	if bad != nil {
		return *bad
	}
	if req.BarCodeOrTaxNumber == "" {
		return bizReply(id, codeInvalid, "barCodeOrTaxNumber is mandatory")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ref, ok := s.lookup(req.BarCodeOrTaxNumber)
	if !ok {
		return bizReply(id, codeNotFound, "Ticket not found")
	}
	var a attrs
	s.attrsOf(ref, &a)
	st, _ := s.current(ref)
	b := appendStatus(nil, id, codeSuccess, "")
	b = append(b, `,"controlledTicketData":{"barcode":"`...)
	b = s.appendBarcode(b, ref)
	b = append(b, `","taxNumber":"`...)
	b = s.appendTax(b, ref)
	b = append(b, `","state":`...)
	if st == stValid {
		b = append(b, `"VALID"`...)
	} else {
		b = append(b, `"CANCELLED"`...)
	}
	dup, printed := s.printing(ref)
	b = append(b, `,"duplicate":`...)
	b = strconv.AppendBool(b, dup)
	b = append(b, `,"ticketKind":"TICKET","ticketMedium":"`...)
	b = append(b, s.medium(ref, &a)...)
	b = append(b, `","printingDateTime":`...)
	b = appendJSONString(b, s.formatTime(printed))
	b = append(b, `,"containerIdentifier":`...)
	b = s.appendContainer(b, &a)
	b = append(b, `,"containerTicket":false,"controlOperations":[`...)
	for i, op := range s.operations(ref) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"controlOperationType":`...)
		b = appendJSONString(b, op.result)
		b = append(b, `,"operationDateTime":`...)
		b = appendJSONString(b, s.formatTime(op.date))
		b = append(b, '}')
	}
	return reply{status: http.StatusOK, body: append(b, "]}}"...)}
}

// printing says whether ref is a reprint (a duplicate) and when it was
// printed. Caller holds mu.
func (s *Sim) printing(ref uint64) (duplicate bool, at time.Time) {
	switch refKind(ref) {
	case kindRepl: // reprinted before the first export
		h := time.Duration(1+s.rnd(refIdx(ref), streamOps)%240) * time.Hour
		return true, s.cfg.EventDate.Add(-h)
	case kindExtra:
		e := &s.extras[refIdx(ref)]
		return e.src != 0, time.Unix(0, e.at)
	}
	days := time.Duration(3+s.rnd(refIdx(ref), streamOps)%60) * 24 * time.Hour
	return false, s.cfg.EventDate.Add(-days).Truncate(time.Minute)
}

// medium is the ticketMedium of ref. Caller holds mu.
func (s *Sim) medium(ref uint64, a *attrs) string {
	if a.box != 0 {
		return "CONTENT" // on an RFID card
	}
	switch s.rnd(refIdx(ref)+refKind(ref), streamOps) % 20 {
	case 0, 1, 2:
		return "THERMAL"
	case 3, 4, 5, 6, 7:
		return "MOBILE"
	}
	return "E_TICKET"
}
