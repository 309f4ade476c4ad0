package s360sim

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeClock is injected as Config.Now: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tclient is a minimal raw-HTTP S-360 client for the tests (the product
// client lives in core/s360 and is deliberately not used here).
type tclient struct {
	t        testing.TB
	endpoint string
	hc       *http.Client
	inst, op string
	pw       string
	now      func() time.Time
	gzip     bool
	claims   func(jwt.MapClaims) // tweak claims before signing
	agent    string              // User-Agent, when set
}

// newTestSim starts sim behind httptest and returns a client for it.
func newTestSim(t testing.TB, cfg Config) (*Sim, *tclient) {
	t.Helper()
	sim := New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, newClient(t, sim, srv.URL+ServicePath)
}

func newClient(t testing.TB, sim *Sim, endpoint string) *tclient {
	c := sim.Config()
	return &tclient{t: t, endpoint: endpoint, hc: &http.Client{Timeout: 30 * time.Second},
		inst: c.Institution, op: c.Operator, pw: c.Password, now: c.Now}
}

func (c *tclient) token() string {
	now := c.now()
	cl := jwt.MapClaims{"sub": c.inst, "aud": c.op, "iss": "s360gate-test", "iat": now.Unix(), "exp": now.Unix() + 30}
	if c.claims != nil {
		c.claims(cl)
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, cl).SignedString([]byte(c.pw))
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// raw posts body to method and returns the response with its (inflated)
// body.
func (c *tclient) raw(ctx context.Context, method string, body any) (*http.Response, []byte, error) {
	var rd io.Reader
	switch v := body.(type) {
	case []byte:
		rd = bytes.NewReader(v)
	case string:
		rd = bytes.NewReader([]byte(v))
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/v1_6/"+method, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token())
	if c.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if c.agent != "" {
		req.Header.Set("User-Agent", c.agent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, b, err
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return resp, b, err
		}
		b, err = io.ReadAll(zr)
		if err != nil {
			return resp, b, err
		}
	}
	return resp, b, nil
}

// call posts and decodes a 200 answer into out; it returns the status.
func (c *tclient) call(method string, body, out any) int {
	c.t.Helper()
	resp, b, err := c.raw(context.Background(), method, body)
	if err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s: decoding %q: %v", method, truncate(b), err)
		}
	}
	return resp.StatusCode
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

type status struct {
	RequestID    json.RawMessage `json:"requestId"`
	StatusCode   string          `json:"statusCode"`
	StatusDetail string          `json:"statusDetail"`
}

// wItem is an exported item as the wire carries it.
type wItem struct {
	Barcode             string  `json:"barcode"`
	TicketState         string  `json:"ticketState"`
	CancellationCause   *string `json:"cancellationCause"`
	Audience            string  `json:"audienceSubCategoryCode"`
	TaxNumber           string  `json:"taxNumber"`
	EntranceCode        string  `json:"entranceCode"`
	ContainerIdentifier *string `json:"containerIdentifier"`
	SeasonCode          string  `json:"seasonCode"`
	ProductCode         string  `json:"productCode"`
	PerformanceCode     string  `json:"performanceCode"`
	Sector              string  `json:"sector"`
	Block               *string `json:"block"`
	Row                 *string `json:"row"`
	Seat                *string `json:"seat"`
	ValidityStartDate   string  `json:"validityStartDate"`
	ValidityEndDate     string  `json:"validityEndDate"`
	FirstName           *string `json:"FIRSTNAME"`
	LastName            *string `json:"LASTNAME"`
	IDNumber            *string `json:"ID_NUMBER"`
	BirthDate           *string `json:"BIRTHDATE"`
	CountryCode         *string `json:"COUNTRY_CODE"`
	AdditionalInfos     []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"additionalInfos"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// holder reads a holder field wherever it sits.
func (w *wItem) holder(key string) string {
	for _, kv := range w.AdditionalInfos {
		if kv.Key == key {
			return kv.Value
		}
	}
	switch key {
	case "FIRSTNAME":
		return str(w.FirstName)
	case "LASTNAME":
		return str(w.LastName)
	case "ID_NUMBER":
		return str(w.IDNumber)
	case "BIRTHDATE":
		return str(w.BirthDate)
	}
	return str(w.CountryCode)
}

// asItem converts to the Go Item for comparisons with Sim.Ticket/AllItems.
func (w *wItem) asItem(t testing.TB) Item {
	from, err1 := time.Parse(time.RFC3339, w.ValidityStartDate)
	to, err2 := time.Parse(time.RFC3339, w.ValidityEndDate)
	if err1 != nil || err2 != nil {
		t.Fatalf("validity dates %q %q", w.ValidityStartDate, w.ValidityEndDate)
	}
	return Item{Barcode: w.Barcode, State: w.TicketState, CancellationCause: str(w.CancellationCause),
		AudienceSubCategoryCode: w.Audience, TaxNumber: w.TaxNumber, EntranceCode: w.EntranceCode,
		ContainerIdentifier: str(w.ContainerIdentifier), SeasonCode: w.SeasonCode, ProductCode: w.ProductCode,
		PerformanceCode: w.PerformanceCode, Sector: w.Sector, Block: str(w.Block), Row: str(w.Row), Seat: str(w.Seat),
		ValidFrom: from, ValidTo: to, FirstName: w.holder("FIRSTNAME"), LastName: w.holder("LASTNAME"),
		IDNumber: w.holder("ID_NUMBER"), BirthDate: w.holder("BIRTHDATE"), CountryCode: w.holder("COUNTRY_CODE")}
}

func sameItem(a, b Item) bool {
	if !a.ValidFrom.Equal(b.ValidFrom) || !a.ValidTo.Equal(b.ValidTo) {
		return false
	}
	a.ValidFrom, a.ValidTo = b.ValidFrom, b.ValidTo
	return a == b
}

type exportResp struct {
	status
	Data *struct {
		Items []wItem `json:"accessControlListItems"`
		End   string  `json:"paginationEnd"`
	} `json:"accessControlListData"`
}

type exportReq struct {
	RequestID        int      `json:"requestId"`
	ListType         string   `json:"listType"`
	TicketType       string   `json:"ticketType"`
	SeasonCode       string   `json:"seasonCode"`
	ProductCodes     []string `json:"productCodes,omitempty"`
	PerformanceCodes []string `json:"performanceCodes,omitempty"`
	PaginationStart  *string  `json:"paginationStart"`
	NbMaxResults     int      `json:"nbMaxResults"`
}

// export fetches one page; it fails the test on anything but success.
func (c *tclient) export(list string, start *string, max int, products ...string) ([]wItem, string) {
	c.t.Helper()
	var r exportResp
	req := exportReq{RequestID: 7, ListType: list, TicketType: "ALL", SeasonCode: "SEASON26",
		ProductCodes: products, PaginationStart: start, NbMaxResults: max}
	if st := c.call("exportList", req, &r); st != http.StatusOK || r.StatusCode != "success" || r.Data == nil {
		c.t.Fatalf("exportList: HTTP %d %s %s", st, r.StatusCode, r.StatusDetail)
	}
	return r.Data.Items, r.Data.End
}

// drain exports from start until an empty page; it returns every item, the
// pages (non-empty) and the final cursor.
func (c *tclient) drain(list string, start *string, max int, products ...string) (all []wItem, pages [][]wItem, end string) {
	c.t.Helper()
	cur := start
	for {
		items, next := c.export(list, cur, max, products...)
		if len(items) == 0 {
			if cur != nil && next != *cur {
				c.t.Fatalf("empty page: paginationEnd %q != paginationStart %q", next, *cur)
			}
			return all, pages, next
		}
		all = append(all, items...)
		pages = append(pages, items)
		cur = &next
	}
}

func allItems(sim *Sim) []Item {
	var out []Item
	sim.AllItems(func(it Item) bool { out = append(out, it); return true })
	return out
}

func sampleOf(t testing.TB, sim *Sim, kind string) Sample {
	t.Helper()
	for _, s := range sim.Samples() {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no sample of kind %q", kind)
	return Sample{}
}

// testConfig is the usual small, unlimited, clock-injected config.
func testConfig(clk *fakeClock) Config {
	return Config{Seed: 42, Tickets: 5000, RateLimit: -1, Now: clk.Now}
}
