package s360sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/klauspost/compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Methods of the v1_6 surface.
const (
	mExportList = iota
	mImportControlledTicket
	mGetAccessControlCatalog
	mGetControlledTicket
	mGetTimeZone
	nMethods
)

var methodNames = [nMethods]string{"exportList", "importControlledTicket", "getAccessControlCatalog",
	"getControlledTicket", "getTimeZone"}

func methodByName(name string) int {
	for i, n := range methodNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Business status codes. The real values are not published [assumed]; the
// doc says statusCode holds up to 8 characters, so these do too. Clients
// should treat anything but "success" (any case) as a failure.
const (
	codeSuccess  = "success"
	codeError    = "ERROR"    // e.g. import refused: blacklisted barcodes
	codeInvalid  = "INVALID"  // a request field is missing or wrong
	codeNotFound = "NOTFOUND" // getControlledTicket: no such ticket
)

const maxBody = 64 << 20

// reply is a fully built response, written by writeReply.
type reply struct {
	status     int
	body       []byte
	buf        *[]byte // pooled backing of body, if any
	retryAfter int
	reason     string // X-S360sim-Reason (debug aid)
	allow      string // Allow header (405)
}

func jsonReply(status int, body string) reply { return reply{status: status, body: []byte(body)} }

// bizReply is an HTTP 200 answer with a business status.
func bizReply(reqID []byte, code, detail string) reply {
	return reply{status: http.StatusOK, body: append(appendStatus(nil, reqID, code, detail), '}')}
}

// ServeHTTP serves the whole HTTP surface: the S-360 methods under
// ServicePath+"/v1_6/" and the simulator's admin API under /sim/.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/sim" || strings.HasPrefix(r.URL.Path, "/sim/") {
		s.serveAdmin(w, r)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, ServicePath+"/"+apiVersion+"/")
	m := methodByName(name)
	if !ok || m < 0 {
		writeReply(w, r, jsonReply(http.StatusNotFound, `{"statusCode":"NOTFOUND","statusDetail":"Unknown service method"}`), faultNone)
		return
	}
	s.stats.requests[m].Add(1)
	// Read the body before anything else: net/http notices a client that
	// hangs up (and cancels r.Context()) only once the body is consumed,
	// which the hang fault relies on.
	body, bodyErr := readBody(r)

	// Faults come first: they stand for the network and the proxies in
	// front of the institution, which know nothing about tokens or limits.
	kind, status, f := s.faults.draw()
	if kind != faultNone {
		s.stats.faults.Add(1)
	}
	ctx := r.Context()
	if !wait(ctx, f.Latency, false) {
		// Client gone or server stopping: drop the connection rather than
		// let net/http send an empty 200.
		panic(http.ErrAbortHandler)
	}
	switch kind {
	case faultError:
		writeErrorFault(w, status)
		return
	case faultHang:
		if hook := s.hangHook.Load(); hook != nil {
			(*hook)()
		}
		if !wait(ctx, f.HangFor, true) {
			panic(http.ErrAbortHandler)
		}
	}
	rep := s.handle(m, r, body, bodyErr)
	defer func() {
		if rep.buf != nil {
			putBuf(rep.buf)
		}
	}()
	writeReply(w, r, rep, kind)
}

// handle runs the protocol checks in the order a real gateway would, then
// the method itself.
func (s *Sim) handle(m int, r *http.Request, body []byte, bodyErr error) reply {
	if r.Method != http.MethodPost {
		rep := jsonReply(http.StatusMethodNotAllowed, `{"statusCode":"ERROR","statusDetail":"Method not allowed, use POST"}`)
		rep.allow = http.MethodPost
		return rep
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return jsonReply(http.StatusUnsupportedMediaType, `{"statusCode":"ERROR","statusDetail":"Content-Type must be application/json"}`)
	}
	if reason := s.authenticate(r); reason != "" {
		s.stats.authFailures.Add(1)
		return reply{status: http.StatusUnauthorized, body: authBody, reason: reason}
	}
	if ok, wait := s.limiter.allow(s.now()); !ok {
		s.stats.rateLimited.Add(1)
		rep := jsonReply(s.cfg.RateLimitStatus, `{"statusCode":"LIMIT","statusDetail":"Rate limit exceeded: `+
			strconv.Itoa(s.limiter.limit)+` requests per minute for the service (`+methodNames[m]+` refused)"}`)
		rep.retryAfter = retryAfterSeconds(wait)
		return rep
	}
	if bodyErr != nil {
		return jsonReply(http.StatusBadRequest, `{"statusCode":"INVALID","statusDetail":"Unreadable request body"}`)
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return jsonReply(http.StatusBadRequest, `{"statusCode":"INVALID","statusDetail":"Request body must be a JSON object"}`)
	}
	switch m {
	case mExportList:
		return s.exportList(body, r.UserAgent())
	case mImportControlledTicket:
		return s.importControlled(body)
	case mGetAccessControlCatalog:
		return s.catalog(body)
	case mGetControlledTicket:
		return s.controlledTicket(body)
	default:
		return s.timeZone(body)
	}
}

// readBody reads the request body, inflating it if the client gzipped it.
func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = io.LimitReader(r.Body, maxBody+1)
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, err
		}
		rd = io.LimitReader(zr, maxBody+1)
	}
	b, err := io.ReadAll(rd)
	if err == nil && len(b) > maxBody {
		err = errors.New("body too large")
	}
	return b, err
}

// acceptsGzip parses Accept-Encoding enough to honour "gzip" and "gzip;q=0".
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
				continue
			}
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.TrimSpace(k) == "q" {
					q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
				}
			}
			return q > 0
		}
	}
	return false
}

// Gzip at BestSpeed: the benchmark runs the sim in the client's process,
// and the wire is loopback.
var gzPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

type appendWriter struct{ b *[]byte }

func (a appendWriter) Write(p []byte) (int, error) { *a.b = append(*a.b, p...); return len(p), nil }

// writeReply writes rep, gzipped if asked, mangled if a fault says so.
func writeReply(w http.ResponseWriter, r *http.Request, rep reply, kind faultKind) {
	body := rep.body
	if kind == faultMalform {
		body = malform(body)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if rep.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(rep.retryAfter))
	}
	if rep.allow != "" {
		h.Set("Allow", rep.allow)
	}
	if rep.reason != "" {
		h.Set("X-S360sim-Reason", rep.reason)
	}
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		zbuf := gzipPool.get()
		defer gzipPool.put(zbuf)
		zw := gzPool.Get().(*gzip.Writer)
		zw.Reset(appendWriter{zbuf})
		_, _ = zw.Write(body)
		_ = zw.Close()
		gzPool.Put(zw)
		body = *zbuf
		h.Set("Content-Encoding", "gzip")
	}
	if kind == faultTruncate {
		writeTruncated(w, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(body)
}

// ---- request decoding helpers ----------------------------------------------

// requestID validates and normalises the echoed requestId: the doc types it
// as an integer; like a Jackson server, a numeric string is accepted and
// echoed as a number. Absent => null. ok=false for anything else.
func requestID(raw json.RawMessage) ([]byte, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, true
	}
	if t[0] == '"' {
		var str string
		if json.Unmarshal(t, &str) != nil {
			return nil, false
		}
		t = []byte(strings.TrimSpace(str))
	}
	if _, err := strconv.ParseInt(string(t), 10, 64); err != nil {
		return nil, false
	}
	return t, true
}

// flexInt is a JSON long that also accepts a numeric string.
type flexInt struct {
	v   int64
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if string(t) == "null" {
		return nil
	}
	if len(t) > 0 && t[0] == '"' {
		var str string
		if err := json.Unmarshal(t, &str); err != nil {
			return err
		}
		t = []byte(strings.TrimSpace(str))
	}
	v, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		return errors.New("not an integer: " + string(b))
	}
	f.v, f.set = v, true
	return nil
}

// decodeRequest unmarshals body into req; on failure it returns the
// business error reply to send.
func decodeRequest(body []byte, req any, rawID *json.RawMessage) ([]byte, *reply) {
	if key := miscasedField(body); key != "" {
		id := probeID(body)
		rep := bizReply(id, codeInvalid, "Unrecognized field \""+key+"\" (field names are case-sensitive)")
		return nil, &rep
	}
	if err := json.Unmarshal(body, req); err != nil {
		id := probeID(body)
		rep := bizReply(id, codeInvalid, "Invalid request: "+err.Error())
		return nil, &rep
	}
	id, ok := requestID(*rawID)
	if !ok {
		rep := bizReply(nil, codeInvalid, "Invalid requestId")
		return nil, &rep
	}
	return id, nil
}

// probeID digs the requestId out of a request that failed to decode, so
// that even the error answer echoes it when possible.
func probeID(body []byte) []byte {
	var probe struct {
		RequestID json.RawMessage `json:"requestId"`
	}
	_ = json.Unmarshal(body, &probe)
	id, _ := requestID(probe.RequestID)
	return id
}

// requestFields are the field names of every request, spelled as the
// service does.
var requestFields = []string{"requestId", "listType", "ticketType", "seasonCode", "productCodes",
	"performanceCodes", "paginationStart", "nbMaxResults", "controlledTickets", "acIdentifier", "barcode",
	"controlDate", "controlResult", "failureReason", "additionnalInfo", "barCodeOrTaxNumber"}

// miscasedField returns the first object key, at any depth, that differs
// from a request field only by case. encoding/json matches keys without
// regard to case, a Java server does not: "ListType" would be ignored there
// and must not work here, or the sim would hide a client bug.
func miscasedField(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	key, _ := walkKeys(dec)
	return key
}

// walkKeys consumes one JSON value and reports the first miscased key in it.
func walkKeys(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return "", nil
	}
	for dec.More() {
		if d == '{' {
			kt, err := dec.Token()
			if err != nil {
				return "", err
			}
			if k, _ := kt.(string); isMiscased(k) {
				return k, nil
			}
		}
		if key, err := walkKeys(dec); key != "" || err != nil {
			return key, err
		}
	}
	_, err = dec.Token() // the closing delimiter
	return "", err
}

func isMiscased(k string) bool {
	for _, f := range requestFields {
		if k != f && strings.EqualFold(k, f) {
			return true
		}
	}
	return false
}

// ---- statistics --------------------------------------------------------------

type counters struct {
	requests                                             [nMethods]atomic.Int64
	rateLimited, authFailures, faults, pages, items, imp atomic.Int64
}

// Stats counts what the sim served.
type Stats struct {
	Requests     map[string]int64 // per method; every request routed to it, refused or faulted included
	RateLimited  int64            // HTTP 509 (or 429) served
	AuthFailures int64            // HTTP 401 served
	Faults       int64            // requests that drew a fault
	Pages        int64            // successful exportList pages
	Items        int64            // items in those pages
	Imported     int64            // controls recorded (after de-duplication)
	// ChainBreaks counts exportList requests that went on with a cursor
	// chain another request had abandoned: two clients interleaving on one
	// export (see ChainBreaks).
	ChainBreaks int64
}

// Stats returns a snapshot of the counters.
func (s *Sim) Stats() Stats {
	st := Stats{Requests: make(map[string]int64, nMethods)}
	for i := range methodNames {
		st.Requests[methodNames[i]] = s.stats.requests[i].Load()
	}
	st.RateLimited = s.stats.rateLimited.Load()
	st.AuthFailures = s.stats.authFailures.Load()
	st.Faults = s.stats.faults.Load()
	st.Pages = s.stats.pages.Load()
	st.Items = s.stats.items.Load()
	st.Imported = s.stats.imp.Load()
	st.ChainBreaks = int64(len(s.ChainBreaks()))
	return st
}
