package s360sim

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkEncodePage measures page building alone (generation + JSON
// encoding) over a 1,000,000-ticket sim, 10,000 items per page.
func BenchmarkEncodePage(b *testing.B) {
	sim := New(Config{Seed: 1, Tickets: 1_000_000, RateLimit: -1})
	q := exportQuery{list: listGrey, max: 10000}
	buf := make([]byte, 0, 8<<20)
	items := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, n, cursor, _ := sim.page(buf[:0], &q)
		items += n
		buf = out
		if q.start, _ = sim.decodeCursor(cursor); q.start >= sim.end() {
			q.start = 0
		}
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(len(buf))/10000, "bytes/item")
}

// BenchmarkExportHTTP measures the whole handler (auth, JSON parse, page,
// optional gzip) without the network.
func BenchmarkExportHTTP(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			sim := New(Config{Seed: 1, Tickets: 1_000_000, RateLimit: -1})
			c := newClient(b, sim, "")
			cur := ""
			before := sim.Stats().Items
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := fmt.Sprintf(`{"requestId":1,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26","paginationStart":%q,"nbMaxResults":10000}`, cur)
				req := httptest.NewRequest(http.MethodPost, ServicePath+"/v1_6/exportList", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+c.token())
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				rec := httptest.NewRecorder()
				sim.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("HTTP %d", rec.Code)
				}
				// Next cursor (outside the measure for gzip); wrap at the end.
				b.StopTimer()
				s := rec.Body.Bytes()
				if gz {
					zr, _ := gzip.NewReader(bytes.NewReader(s))
					s, _ = io.ReadAll(zr)
				}
				if bytes.Contains(s, []byte(`"accessControlListItems":[]`)) {
					cur = ""
				} else {
					j := bytes.LastIndex(s, []byte(`"paginationEnd":"`))
					cur = string(s[j+17 : len(s)-3])
				}
				b.StartTimer()
			}
			items := sim.Stats().Items - before
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
