package s360sim

import (
	"encoding/json"
	"strings"
	"time"
)

// importControlledTicket [doc + Q&A]: controls reported back by the access
// control system.
//
//   - Transactional: if any reported barcode was blacklisted (Blacklist(), or
//     an initial ticket blacklisted after it reached the white list), nothing
//     is imported and the answer is HTTP 200, statusCode "ERROR",
//     statusDetail "Failed to import controlledTickets:<b1>,<b2>" naming each
//     such barcode once, in request order (the Q&A shows one barcode after
//     the colon, no space; the comma list for several is [assumed]).
//   - Barcodes S-360 never issued are ignored (Q&A).
//   - The same control (barcode + controlDate + acIdentifier + result) sent
//     twice is recorded once: clients retry after timeouts.
//   - Malformed controls (unknown controlResult, unparseable controlDate,
//     missing barcode or acIdentifier) fail the whole call with INVALID.
//   - The field is spelled "additionnalInfo" (sic) as in the doc; the
//     correct spelling is not read, like a strict real server would not.

// ReceivedControl is one control as S-360 recorded it.
type ReceivedControl struct {
	ACIdentifier, Barcode, ControlResult, FailureReason, AdditionalInfo string
	ControlDate                                                         time.Time
	ReceivedAt                                                          time.Time
}

var controlResults = map[string]bool{"OK": true, "FAIL": true, "OFFLINE_OK": true, "OFFLINE_FAIL": true}

type ctrlKey struct {
	ref    uint64
	date   int64
	ac     string
	result string
}

type controlStore struct {
	list  []ReceivedControl
	seen  map[ctrlKey]struct{}
	byRef map[uint64][]int32
}

func (c *controlStore) init() {
	c.seen = make(map[ctrlKey]struct{})
	c.byRef = make(map[uint64][]int32)
}

type importRequest struct {
	RequestID         json.RawMessage `json:"requestId"`
	ControlledTickets []struct {
		ACIdentifier    string  `json:"acIdentifier"`
		Barcode         string  `json:"barcode"`
		ControlDate     string  `json:"controlDate"`
		ControlResult   string  `json:"controlResult"`
		FailureReason   *string `json:"failureReason"`
		AdditionnalInfo *string `json:"additionnalInfo"`
	} `json:"controlledTickets"`
}

// ISO-8601 forms accepted for controlDate. A date without offset is read in
// the institution's time zone.
var controlDateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

func (s *Sim) parseControlDate(v string) (time.Time, bool) {
	for i, l := range controlDateLayouts {
		var t time.Time
		var err error
		if i == len(controlDateLayouts)-1 {
			t, err = time.ParseInLocation(l, v, s.zone)
		} else {
			t, err = time.Parse(l, v)
		}
		if err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Sim) importControlled(body []byte) reply {
	var req importRequest
	id, bad := decodeRequest(body, &req, &req.RequestID)
	if bad != nil {
		return *bad
	}
	dates := make([]time.Time, len(req.ControlledTickets))
	for i, c := range req.ControlledTickets {
		if c.Barcode == "" {
			return bizReply(id, codeInvalid, "controlledTickets["+itoa(i)+"]: barcode is mandatory")
		}
		if c.ACIdentifier == "" {
			return bizReply(id, codeInvalid, "controlledTickets["+itoa(i)+"]: acIdentifier is mandatory")
		}
		if !controlResults[c.ControlResult] {
			return bizReply(id, codeInvalid, "controlledTickets["+itoa(i)+"]: invalid controlResult: "+c.ControlResult)
		}
		t, ok := s.parseControlDate(c.ControlDate)
		if !ok {
			return bizReply(id, codeInvalid, "controlledTickets["+itoa(i)+"]: invalid controlDate: "+c.ControlDate)
		}
		dates[i] = t
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	refs := make([]uint64, len(req.ControlledTickets))
	known := make([]bool, len(refs))
	var refused []string
	seenRefused := map[uint64]bool{}
	for i, c := range req.ControlledTickets {
		refs[i], known[i] = s.parseBarcode(c.Barcode)
		if known[i] && s.isBlacklisted(refs[i]) && !seenRefused[refs[i]] {
			seenRefused[refs[i]] = true
			refused = append(refused, c.Barcode)
		}
	}
	if len(refused) > 0 {
		return bizReply(id, codeError, "Failed to import controlledTickets:"+strings.Join(refused, ","))
	}
	for i, c := range req.ControlledTickets {
		if !known[i] {
			continue
		}
		k := ctrlKey{ref: refs[i], date: dates[i].UnixNano(), ac: c.ACIdentifier, result: c.ControlResult}
		if _, dup := s.ctl.seen[k]; dup {
			continue
		}
		s.ctl.seen[k] = struct{}{}
		s.ctl.byRef[refs[i]] = append(s.ctl.byRef[refs[i]], int32(len(s.ctl.list)))
		s.ctl.list = append(s.ctl.list, ReceivedControl{
			ACIdentifier: c.ACIdentifier, Barcode: c.Barcode, ControlResult: c.ControlResult,
			FailureReason: deref(c.FailureReason), AdditionalInfo: deref(c.AdditionnalInfo),
			ControlDate: dates[i], ReceivedAt: now,
		})
		s.stats.imp.Add(1)
	}
	return bizReply(id, codeSuccess, "")
}

// Controls returns every control received, in order, de-duplicated.
func (s *Sim) Controls() []ReceivedControl {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]ReceivedControl(nil), s.ctl.list...)
}
