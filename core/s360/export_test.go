package s360

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"s360gate/core"
)

func TestExportListRequestAndCursor(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		if rec.Body["paginationStart"] == nil {
			answer(w, rec, "success", "", `"accessControlListData":{"paginationEnd":"CUR-1","accessControlListItems":[{"barcode":"1","ticketState":"VALID"},{"barcode":"1","ticketState":"INVALIDATED"}]}`)
			return
		}
		// paginationEnd after the items this time.
		answer(w, rec, "success", "", `"accessControlListData":{"accessControlListItems":[],"paginationEnd":"CUR-2"}`)
	})
	c, _, _ := newTestClient(t, ts.URL)
	req := core.ExportRequest{Season: "SEASON26", Products: []string{"M1", "M2"}, PageSize: 100}
	page, err := c.ExportList(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if page.Cursor != "CUR-1" || len(page.Tickets) != 2 || page.Tickets[1].State != core.StateInvalidated || page.Tickets[0].State != core.StateValid {
		t.Fatalf("page %+v", page)
	}
	req.Cursor = page.Cursor
	page, err = c.ExportList(context.Background(), req)
	if err != nil || page.Cursor != "CUR-2" || len(page.Tickets) != 0 {
		t.Fatalf("page %+v, %v", page, err)
	}
	reqs := ts.Requests()
	b := reqs[0].Body
	if reqs[0].Method != "exportList" || b["listType"] != "GREY" || b["ticketType"] != "ALL" || b["seasonCode"] != "SEASON26" ||
		b["nbMaxResults"] != float64(100) || fmt.Sprint(b["productCodes"]) != "[M1 M2]" {
		t.Errorf("body %s", reqs[0].Raw)
	}
	if v, present := b["paginationStart"]; !present || v != nil {
		t.Errorf("first paginationStart must be null: %s", reqs[0].Raw)
	}
	if _, present := b["performanceCodes"]; present {
		t.Errorf("empty performanceCodes sent: %s", reqs[0].Raw)
	}
	if reqs[1].Body["paginationStart"] != "CUR-1" {
		t.Errorf("cursor not passed: %s", reqs[1].Raw)
	}
}

func TestExportListEnvelopeTolerance(t *testing.T) {
	bodies := map[string]string{
		"status last":       `{"accessControlListData":{"accessControlListItems":[{"barcode":"1"}],"paginationEnd":"E"},"requestId":1,"statusCode":"Success","statusDetail":null}`,
		"null data":         `{"requestId":1,"statusCode":"SUCCESS","accessControlListData":null}`,
		"null items":        `{"requestId":1,"statusCode":"success","accessControlListData":{"accessControlListItems":null,"paginationEnd":"E"}}`,
		"other casing":      `{"RequestId":1,"StatusCode":"success","AccessControlListData":{"PaginationEnd":"E","AccessControlListItems":[{"BARCODE":1}],"extra":{"x":[1]}}}`,
		"numeric cursor":    `{"statusCode":"success","accessControlListData":{"paginationEnd":12345,"accessControlListItems":[]}}`,
		"unknown top field": `{"statusCode":"success","debug":[{"a":1}],"accessControlListData":{"accessControlListItems":[{"barcode":"1"}],"paginationEnd":"E"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { io.WriteString(w, body) })
			c, _, _ := newTestClient(t, ts.URL)
			page, err := c.ExportList(context.Background(), core.ExportRequest{Season: "S", Cursor: "PREV"})
			if err != nil {
				t.Fatal(err)
			}
			if page.Cursor == "" {
				t.Errorf("lost the cursor")
			}
		})
	}
}

func TestExportListMissingCursorKeepsPrevious(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "success", "", `"accessControlListData":{"accessControlListItems":[]}`)
	})
	c, _, _ := newTestClient(t, ts.URL)
	page, err := c.ExportList(context.Background(), core.ExportRequest{Season: "S", Cursor: "PREV"})
	if err != nil || page.Cursor != "PREV" {
		t.Fatalf("%+v %v", page, err)
	}
}

func TestExportListFailures(t *testing.T) {
	cases := map[string]struct {
		body string
		code string
	}{
		"status first":     {`{"statusCode":"ERROR","statusDetail":"Unknown season","accessControlListData":{"accessControlListItems":[{"barcode":"1"}]}}`, core.EInvalid},
		"status after":     {`{"accessControlListData":{"accessControlListItems":[{"barcode":"1"}]},"statusCode":"ERROR","statusDetail":"Unknown season"}`, core.EInvalid},
		"status then junk": {`{"statusCode":"ERROR","statusDetail":"Unknown season","accessControlListData":{"accessControlListItems":[{"barc`, core.EInvalid},
		"no barcode":       {`{"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1"},{"ticketState":"VALID"}]}}`, core.EInvalid},
		"bad item":         {`{"statusCode":"success","accessControlListData":{"accessControlListItems":[7]}}`, core.EInvalid},
		"truncated":        {`{"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1"},{"barc`, core.EUnavailable},
		"malformed":        {`{"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1"}}}}`, core.EUnavailable},
		"no status":        {`{"accessControlListData":{"accessControlListItems":[]}}`, core.EUnavailable},
		"not an object":    {`"success"`, core.EUnavailable},
		"trailing":         {`{"statusCode":"success"}]`, core.EUnavailable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { io.WriteString(w, tc.body) })
			c, _, _ := newTestClient(t, ts.URL)
			page, err := c.ExportList(context.Background(), core.ExportRequest{Season: "S"})
			wantCode(t, err, tc.code)
			if len(page.Tickets) != 0 || page.Cursor != "" {
				t.Errorf("a failed page returned data: %+v", page)
			}
			if name == "no barcode" {
				var ie *ItemError
				if !errors.As(err, &ie) || ie.Index != 1 || !errors.Is(err, ErrNoBarcode) {
					t.Errorf("want ItemError{1, ErrNoBarcode}: %v", err)
				}
				if !strings.Contains(core.ErrorMessage(err), "item 2") {
					t.Errorf("message %q", core.ErrorMessage(err))
				}
			}
		})
	}
}

func TestExportListSeasonRequired(t *testing.T) {
	c, _, _ := newTestClient(t, "http://127.0.0.1:1")
	_, err := c.ExportList(context.Background(), core.ExportRequest{})
	wantCode(t, err, core.EInvalid)
}

func TestExportListFuncStreamsAndStops(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		w.Write(pageBody(50, "NEXT"))
	})
	c, _, _ := newTestClient(t, ts.URL)
	var seen []string
	cursor, n, err := c.ExportListFunc(context.Background(), core.ExportRequest{Season: "S"}, func(tk *core.Ticket) error {
		seen = append(seen, tk.Barcode)
		return nil
	})
	if err != nil || cursor != "NEXT" || n != 50 || len(seen) != 50 || seen[49] != barcodeOf(49) {
		t.Fatalf("cursor %q n %d err %v seen %d", cursor, n, err, len(seen))
	}
	stop := errors.New("disk full")
	_, n, err = c.ExportListFunc(context.Background(), core.ExportRequest{Season: "S"}, func(tk *core.Ticket) error {
		if tk.Barcode == barcodeOf(10) {
			return stop
		}
		return nil
	})
	if err != stop || n != 10 {
		t.Fatalf("callback error not returned as is: %v (n=%d)", err, n)
	}
}

func barcodeOf(i int) string { return fmt.Sprintf("74156283015502%010d", i) }

// pageBody is an exportList answer with n realistic items.
func pageBody(n int, cursor string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"requestId":1,"statusCode":"success","statusDetail":"","accessControlListData":{"accessControlListItems":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		item := sampleItem(i)
		b.Write(bytes.Replace(item, []byte(`"barcode":"74156283015502540`+string(rune('0'+i%10))+`"`), []byte(`"barcode":"`+barcodeOf(i)+`"`), 1))
	}
	b.WriteString(`],"paginationEnd":"` + cursor + `"}}`)
	return b.Bytes()
}

// BenchmarkExportPage: one 5,000-item gzipped page over loopback HTTP,
// decoded and streamed, per item.
func BenchmarkExportPage(b *testing.B) {
	const n = 5000
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(pageBody(n, "NEXT"))
	zw.Close()
	ts := newTestServer(b, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	})
	c, _, _ := newTestClient(b, ts.URL, func(c *Config) { c.Budget = 60 })
	c.lim.budget = 1 << 30 // the benchmark measures decoding, not the limit
	b.ReportAllocs()
	b.ResetTimer()
	items := 0
	for b.Loop() {
		_, k, err := c.ExportListFunc(context.Background(), core.ExportRequest{Season: "S", PageSize: n}, func(*core.Ticket) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		items += k
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkDecodeExport: the decoding alone, no HTTP, no gzip.
func BenchmarkDecodeExport(b *testing.B) {
	body := pageBody(5000, "NEXT")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	items := 0
	for b.Loop() {
		_, _, k, err := decodeExport(bytes.NewReader(body), func(*core.Ticket) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		items += k
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "tickets/s")
}

// TestExportSlowDownInBody: a "slow down" status in the answer is S-360
// asking to slow down (ERefused, for the engine to retry) when it comes
// first, and a failure of the page once items were handed out.
func TestExportSlowDownInBody(t *testing.T) {
	var n int
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		n++
		switch {
		case rec.Body["seasonCode"] == "FIRST" && n == 1:
			io.WriteString(w, `{"statusCode":"LIMIT","statusDetail":"Too many requests","accessControlListData":null}`)
		case rec.Body["seasonCode"] == "AFTER":
			io.WriteString(w, `{"accessControlListData":{"accessControlListItems":[{"barcode":"1"}]},"statusCode":"LIMIT","statusDetail":"Rate limit exceeded"}`)
		default:
			io.WriteString(w, `{"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1"}],"paginationEnd":"E"}}`)
		}
	})
	c, _, _ := newTestClient(t, ts.URL)
	_, err := c.ExportList(context.Background(), core.ExportRequest{Season: "FIRST"})
	var slow *core.SlowDown
	if core.ErrorCode(err) != core.ERefused || !errors.As(err, &slow) || n != 1 {
		t.Fatalf("%v after %d requests", err, n)
	}
	page, err := c.ExportList(context.Background(), core.ExportRequest{Season: "FIRST"})
	if err != nil || len(page.Tickets) != 1 || n != 2 {
		t.Fatalf("%+v %v after %d requests", page, err, n)
	}
	n = 0
	seen := 0
	_, _, err = c.ExportListFunc(context.Background(), core.ExportRequest{Season: "AFTER"}, func(*core.Ticket) error { seen++; return nil })
	if err == nil || seen != 1 || n != 1 {
		t.Fatalf("err %v, items seen %d over %d requests", err, seen, n)
	}
}
