package s360sim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestGzip(t *testing.T) {
	clk := newClock()
	_, c := newTestSim(t, testConfig(clk))
	body := `{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","nbMaxResults":500}`
	post := func(enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, c.endpoint+"/v1_6/exportList", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token())
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc) // set by hand: the transport will not inflate
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, plain := post("")
	if resp.Header.Get("Content-Encoding") != "" || !json.Valid(plain) {
		t.Fatal("plain answer expected without Accept-Encoding")
	}
	for _, enc := range []string{"gzip", "br, gzip;q=0.8", "GZIP"} {
		resp, zipped := post(enc)
		if resp.Header.Get("Content-Encoding") != "gzip" || len(zipped) >= len(plain)/3 {
			t.Fatalf("%q: Content-Encoding %q, %d bytes vs %d", enc, resp.Header.Get("Content-Encoding"), len(zipped), len(plain))
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		inflated, err := io.ReadAll(zr)
		if err != nil || !json.Valid(inflated) || len(inflated) != len(plain) {
			t.Fatalf("%q: inflated %d bytes, err %v", enc, len(inflated), err)
		}
	}
	if resp, _ := post("gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzip;q=0 means no gzip")
	}
	// A gzipped request body is accepted too.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(`{"requestId":5}`))
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.endpoint+"/v1_6/getTimeZone", &zb)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+c.token())
	resp, err := c.hc.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("gzipped request: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestHTTPSurface(t *testing.T) {
	clk := newClock()
	_, c := newTestSim(t, testConfig(clk))
	do := func(method, path, ctype, body string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, c.endpoint+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.Header.Set("Authorization", "Bearer "+c.token())
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	cases := []struct {
		method, path, ctype, body string
		want                      int
	}{
		{"POST", "/v1_6/getTimeZone", "application/json", `{"requestId":1}`, 200},
		{"POST", "/v1_6/getTimeZone", "application/json; charset=UTF-8", `{}`, 200},
		{"POST", "/v1_6/noSuchMethod", "application/json", `{}`, 404},
		{"POST", "/v1_5/getTimeZone", "application/json", `{}`, 404},
		{"GET", "/v1_6/getTimeZone", "", "", 405},
		{"POST", "/v1_6/getTimeZone", "text/plain", `{}`, 415},
		{"POST", "/v1_6/getTimeZone", "", `{}`, 415},
		{"POST", "/v1_6/getTimeZone", "application/json", `{"requestId":`, 400},
		{"POST", "/v1_6/getTimeZone", "application/json", `[1]`, 400},
		{"POST", "/v1_6/getTimeZone", "application/json", ``, 400},
	}
	for _, tc := range cases {
		resp, b := do(tc.method, tc.path, tc.ctype, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s %q: HTTP %d (%s), want %d", tc.method, tc.path, tc.ctype, resp.StatusCode, b, tc.want)
		}
		if resp.StatusCode == 405 && resp.Header.Get("Allow") != "POST" {
			t.Errorf("405 without Allow: POST")
		}
		if resp.StatusCode != 200 && !json.Valid(b) {
			t.Errorf("%s %s: error body is not JSON: %s", tc.method, tc.path, b)
		}
	}
	_, b := do("POST", "/v1_6/getTimeZone", "application/json", `{"requestId":42}`)
	if string(b) != `{"requestId":42,"statusCode":"success","statusDetail":"","timeZone":"Europe/Zurich"}` {
		t.Fatalf("getTimeZone: %s", b)
	}
	_, b = do("POST", "/v1_6/getTimeZone", "application/json", `{"requestId":"x"}`)
	var st status
	if json.Unmarshal(b, &st) != nil || st.StatusCode != "INVALID" {
		t.Fatalf("bad requestId: %s", b)
	}
	// Field names are case-sensitive, as on a Java server, at any depth.
	for _, body := range []string{
		`{"requestId":3,"ListType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","nbMaxResults":5}`,
		`{"requestId":3,"controlledTickets":[{"acIdentifier":"G","barCode":"1","controlDate":"2026-11-27T18:00:00Z","controlResult":"OK"}]}`,
	} {
		_, b = do("POST", "/v1_6/importControlledTicket", "application/json", body)
		if json.Unmarshal(b, &st) != nil || st.StatusCode != "INVALID" || !strings.Contains(st.StatusDetail, "Unrecognized field") || string(st.RequestID) != "3" {
			t.Fatalf("miscased field: %s", b)
		}
	}
	_, b = do("POST", "/v1_6/exportList", "application/json", `{"requestId":3,"listType":7}`)
	if json.Unmarshal(b, &st) != nil || st.StatusCode != "INVALID" || string(st.RequestID) != "3" {
		t.Fatalf("wrong field type: %s", b)
	}
}

func TestCatalog(t *testing.T) {
	clk := newClock()
	_, c := newTestSim(t, Config{Seed: 1, Tickets: 10, RateLimit: -1, Now: clk.Now, Products: []string{"A", "B", "C"}})
	var seasons struct {
		status
		Seasons []struct{ Code, Name string } `json:"seasons"`
	}
	c.call("getAccessControlCatalog", `{"requestId":1}`, &seasons)
	if seasons.StatusCode != "success" || len(seasons.Seasons) != 1 || seasons.Seasons[0].Code != "SEASON26" {
		t.Fatalf("seasons: %+v", seasons)
	}
	var prods struct {
		status
		SeasonCode string `json:"seasonCode"`
		Products   []struct {
			Code, Name   string
			Performances []struct{ Code, Date string } `json:"performances"`
		} `json:"products"`
	}
	c.call("getAccessControlCatalog", `{"requestId":1,"seasonCode":"SEASON26"}`, &prods)
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	if len(prods.Products) != 3 || prods.Products[2].Code != "C" || prods.Products[2].Performances[0].Code != "PERF03" ||
		!at(prods.Products[0].Performances[0].Date).Equal(time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)) ||
		!at(prods.Products[1].Performances[0].Date).Equal(time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)) {
		t.Fatalf("products: %+v", prods)
	}
	var st status
	c.call("getAccessControlCatalog", `{"requestId":1,"seasonCode":"NOPE"}`, &st)
	if st.StatusCode != "INVALID" {
		t.Fatalf("unknown season: %+v", st)
	}
}
