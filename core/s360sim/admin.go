package s360sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The admin API mirrors the Go admin methods over HTTP, for demo mode and
// for tests driving a sim in another process. It has no authentication:
// keep the sim on loopback (Main's default address is 127.0.0.1). Faults
// never apply here.
//
//	POST /sim/sell      {"n":10,"product":"MATCH01"}  -> {"barcodes":[...]}
//	POST /sim/cancel    {"barcode":"..","cause":".."} -> {"ok":true}
//	POST /sim/blacklist {"barcode":".."}              -> {"ok":true}
//	POST /sim/reprint   {"barcode":".."}              -> {"newBarcode":".."}
//	GET  /sim/controls                                -> [{"acIdentifier":..,...}]
//	GET  /sim/faults, POST /sim/faults {"latency":"200ms","errorRate":0.1,"truncateRate":0,
//	     "malformRate":0,"hangRate":0,"hangFor":"5s","seed":1}  (durations: Go strings or milliseconds)
//	GET  /sim/samples                                 -> [{"kind":..,"barcode":..,"taxNumber":..,"note":..}]
//	POST /sim/password  {"password":".."}             -> {"ok":true}
//	GET  /sim/stats, GET /sim/ticket?barcode=..       -> current truth of one barcode
//	GET  /sim/token                                   -> a fresh bearer token (text), for curl
//
// Errors: {"error":"..."} with 400 (bad request), 404 (unknown barcode or
// product), 409 (ticket not valid).

// jsonDuration reads "250ms" or a number of milliseconds.
type jsonDuration time.Duration

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		v, err := time.ParseDuration(str)
		*d = jsonDuration(v)
		return err
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	*d = jsonDuration(time.Duration(ms * float64(time.Millisecond)))
	return err
}

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

type faultsJSON struct {
	Latency      jsonDuration `json:"latency"`
	ErrorRate    float64      `json:"errorRate"`
	TruncateRate float64      `json:"truncateRate"`
	MalformRate  float64      `json:"malformRate"`
	HangRate     float64      `json:"hangRate"`
	HangFor      jsonDuration `json:"hangFor"`
	Seed         int64        `json:"seed"`
}

type controlJSON struct {
	ACIdentifier   string    `json:"acIdentifier"`
	Barcode        string    `json:"barcode"`
	ControlResult  string    `json:"controlResult"`
	FailureReason  string    `json:"failureReason"`
	AdditionalInfo string    `json:"additionalInfo"`
	ControlDate    time.Time `json:"controlDate"`
	ReceivedAt     time.Time `json:"receivedAt"`
}

type sampleJSON struct {
	Kind      string `json:"kind"`
	Barcode   string `json:"barcode"`
	TaxNumber string `json:"taxNumber"`
	Note      string `json:"note"`
}

func writeAdmin(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrUnknownTicket), errors.Is(err, ErrUnknownProduct):
		status = http.StatusNotFound
	case errors.Is(err, ErrTicketNotValid):
		status = http.StatusConflict
	}
	writeAdmin(w, status, map[string]string{"error": err.Error()})
}

type adminRequest struct {
	N        int    `json:"n"`
	Product  string `json:"product"`
	Barcode  string `json:"barcode"`
	Cause    string `json:"cause"`
	Password string `json:"password"`
}

func (s *Sim) serveAdmin(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/sim"), "/")
	if r.Method == http.MethodGet {
		switch op {
		case "controls":
			cs := s.Controls()
			out := make([]controlJSON, len(cs))
			for i, c := range cs {
				out[i] = controlJSON(c)
			}
			writeAdmin(w, http.StatusOK, out)
		case "faults":
			writeAdmin(w, http.StatusOK, toFaultsJSON(s.CurrentFaults()))
		case "samples":
			out := []sampleJSON{}
			for _, x := range s.Samples() {
				out = append(out, sampleJSON(x))
			}
			writeAdmin(w, http.StatusOK, out)
		case "stats":
			writeAdmin(w, http.StatusOK, s.Stats())
		case "token":
			tok, err := s.Token()
			if err != nil {
				writeAdmin(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte(tok + "\n"))
		case "ticket":
			it, ok := s.Ticket(r.URL.Query().Get("barcode"))
			if !ok {
				adminError(w, ErrUnknownTicket)
				return
			}
			writeAdmin(w, http.StatusOK, it)
		default:
			writeAdmin(w, http.StatusNotFound, map[string]string{"error": "unknown admin path"})
		}
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeAdmin(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET or POST"})
		return
	}
	body, err := readBody(r)
	if err != nil {
		adminError(w, err)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if op == "faults" {
		var f faultsJSON
		if err := json.Unmarshal(body, &f); err != nil {
			adminError(w, err)
			return
		}
		s.SetFaults(Faults{Latency: time.Duration(f.Latency), ErrorRate: f.ErrorRate, TruncateRate: f.TruncateRate,
			MalformRate: f.MalformRate, HangRate: f.HangRate, HangFor: time.Duration(f.HangFor), Seed: f.Seed})
		writeAdmin(w, http.StatusOK, toFaultsJSON(s.CurrentFaults()))
		return
	}
	var req adminRequest
	if err := json.Unmarshal(body, &req); err != nil {
		adminError(w, err)
		return
	}
	ok := map[string]bool{"ok": true}
	switch op {
	case "sell":
		if req.N <= 0 {
			adminError(w, errors.New("n must be positive"))
			return
		}
		if req.Product != "" && s.productIndex(req.Product) < 0 {
			adminError(w, ErrUnknownProduct)
			return
		}
		writeAdmin(w, http.StatusOK, map[string][]string{"barcodes": s.Sell(req.N, req.Product)})
	case "cancel":
		if err := s.Cancel(req.Barcode, req.Cause); err != nil {
			adminError(w, err)
			return
		}
		writeAdmin(w, http.StatusOK, ok)
	case "blacklist":
		if err := s.Blacklist(req.Barcode); err != nil {
			adminError(w, err)
			return
		}
		writeAdmin(w, http.StatusOK, ok)
	case "reprint":
		nb, err := s.Reprint(req.Barcode)
		if err != nil {
			adminError(w, err)
			return
		}
		writeAdmin(w, http.StatusOK, map[string]string{"newBarcode": nb})
	case "password":
		if req.Password == "" {
			adminError(w, errors.New("password must not be empty"))
			return
		}
		s.SetPassword(req.Password)
		writeAdmin(w, http.StatusOK, ok)
	default:
		writeAdmin(w, http.StatusNotFound, map[string]string{"error": "unknown admin path"})
	}
}

func toFaultsJSON(f Faults) faultsJSON {
	return faultsJSON{Latency: jsonDuration(f.Latency), ErrorRate: f.ErrorRate, TruncateRate: f.TruncateRate,
		MalformRate: f.MalformRate, HangRate: f.HangRate, HangFor: jsonDuration(f.HangFor), Seed: f.Seed}
}
