package s360

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"s360gate/core"
)

func TestNewValidates(t *testing.T) {
	base := Config{Institution: "INSTIT", Operator: "gate", Password: "pw"}
	for _, ep := range []string{"http://example.com/x", "http://10.0.0.1/x", "ftp://localhost/x", "", "not a url"} {
		cfg := base
		cfg.Endpoint = ep
		if _, err := New(cfg); core.ErrorCode(err) != core.EInvalid {
			t.Errorf("New(%q) = %v, want EInvalid", ep, err)
		}
	}
	for _, ep := range []string{"https://instit.ws.secutix.com/tnci/backend-apis/externalAccessControlService/", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:1/x"} {
		cfg := base
		cfg.Endpoint = ep
		c, err := New(cfg)
		if err != nil {
			t.Fatalf("New(%q): %v", ep, err)
		}
		if strings.HasSuffix(c.base, "/") {
			t.Errorf("trailing slash kept: %s", c.base)
		}
		if tr, ok := c.http.Transport.(*http.Transport); !ok || (tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify) || !tr.DisableCompression {
			t.Errorf("transport not as intended: %+v", c.http.Transport)
		}
	}
	cfg := base
	cfg.Endpoint = "https://h/svc/v1_6/"
	c, _ := New(cfg)
	if c.base != "https://h/svc" {
		t.Errorf("base %q", c.base)
	}
	for _, mod := range []func(*Config){
		func(c *Config) { c.Institution = "" }, func(c *Config) { c.Operator = "" }, func(c *Config) { c.Password = "" },
	} {
		cfg := base
		cfg.Endpoint = "https://h/svc"
		mod(&cfg)
		if _, err := New(cfg); core.ErrorCode(err) != core.EInvalid {
			t.Errorf("missing field accepted: %v", err)
		}
	}
	cfg.Budget = 500
	c, _ = New(cfg)
	if c.lim.budget != MaxBudget {
		t.Errorf("budget %d, want clamp to %d", c.lim.budget, MaxBudget)
	}
}

func TestConfigFrom(t *testing.T) {
	cfg := ConfigFrom(core.Settings{Endpoint: "https://h", Institution: "I", Operator: "O", Password: "P"})
	if cfg.Partner != "I" || cfg.Endpoint != "https://h" || cfg.Operator != "O" || cfg.Password != "P" {
		t.Fatalf("%+v", cfg)
	}
}

// TestRequestShape: URL, headers, token claims, incrementing requestId.
func TestRequestShape(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "SUCCESS", "", `"timeZone":"Europe/Zurich"`)
	})
	c, clk, _ := newTestClient(t, ts.URL+"/tnci/backend-apis/externalAccessControlService/", func(c *Config) { c.Partner = "PARTNER" })
	for i := 0; i < 2; i++ {
		tz, err := c.TestConnection(context.Background())
		if err != nil || tz != "Europe/Zurich" {
			t.Fatalf("TestConnection = %q, %v", tz, err)
		}
	}
	reqs := ts.Requests()
	for i, rec := range reqs {
		if rec.Header.Get("Content-Type") != "application/json" || rec.Header.Get("Accept") != "application/json" || rec.Header.Get("Accept-Encoding") != "gzip" {
			t.Errorf("headers: %v", rec.Header)
		}
		if id, _ := rec.Body["requestId"].(float64); int(id) != i+1 {
			t.Errorf("requestId %v, want %d", rec.Body["requestId"], i+1)
		}
		auth := rec.Header.Get("Authorization")
		tok, err := jwt.Parse(strings.TrimPrefix(auth, "Bearer "), func(*jwt.Token) (any, error) { return []byte(testPassword), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(clk.Now))
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		cl := tok.Claims.(jwt.MapClaims)
		iat := clk.Now().Unix()
		if cl["sub"] != "INSTIT" || cl["aud"] != "gate" || cl["iss"] != "PARTNER" || cl["iat"] != float64(iat) || cl["exp"] != float64(iat+30) {
			t.Errorf("claims %v", cl)
		}
	}
	if p := reqs[0].Method; p != "getTimeZone" {
		t.Errorf("method %s", p)
	}
}

func TestPartnerDefaultsToInstitution(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, "success", "", "") })
	c, _, _ := newTestClient(t, ts.URL)
	if _, err := c.TestConnection(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok, _, _ := jwt.NewParser().ParseUnverified(strings.TrimPrefix(ts.Requests()[0].Header.Get("Authorization"), "Bearer "), jwt.MapClaims{})
	if tok.Claims.(jwt.MapClaims)["iss"] != "INSTIT" {
		t.Fatal("iss is not the institution")
	}
}

func TestGzipAnswers(t *testing.T) {
	for _, label := range []bool{true, false} {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			io.WriteString(zw, `{"requestId":1,"statusCode":"success","statusDetail":"","timeZone":"UTC"}`)
			zw.Close()
			if label {
				w.Header().Set("Content-Encoding", "gzip")
			}
			w.Write(b.Bytes())
		})
		c, _, _ := newTestClient(t, ts.URL)
		tz, err := c.TestConnection(context.Background())
		if err != nil || tz != "UTC" {
			t.Fatalf("label=%v: %q %v", label, tz, err)
		}
	}
}

func TestHTTPErrors(t *testing.T) {
	cases := []struct {
		status int
		code   string
		calls  int // attempts: always one (the engine retries)
	}{
		{401, core.EAuth, 1}, {403, core.EAuth, 1}, {404, core.EInvalid, 1}, {400, core.EInvalid, 1},
		{500, core.EUnavailable, 1}, {503, core.EUnavailable, 1},
	}
	for _, tc := range cases {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { w.WriteHeader(tc.status) })
		c, _, _ := newTestClient(t, ts.URL)
		_, err := c.TestConnection(context.Background())
		wantCode(t, err, tc.code)
		if n := len(ts.Requests()); n != tc.calls {
			t.Errorf("HTTP %d: %d attempts, want %d", tc.status, n, tc.calls)
		}
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != tc.status {
			t.Errorf("HTTP %d: no HTTPError inside %v", tc.status, err)
		}
		if tc.code == core.EAuth && !strings.HasPrefix(core.ErrorMessage(err), msgAuth) {
			t.Errorf("auth message %q", core.ErrorMessage(err))
		}
	}
}

func TestStatusFailures(t *testing.T) {
	cases := []struct {
		code, detail, want string
	}{
		{"ERROR", "Invalid season code", core.EInvalid},
		{"AUTH_KO", "Authentication failed", core.EAuth},
		{"FAILED", "Technical error, try again later", core.EUnavailable},
		{"", "", core.EInvalid},
	}
	for _, tc := range cases {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { answer(w, rec, tc.code, tc.detail, "") })
		c, _, _ := newTestClient(t, ts.URL)
		_, err := c.TestConnection(context.Background())
		wantCode(t, err, tc.want)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != tc.code || se.Detail != tc.detail || se.Method != "getTimeZone" {
			t.Errorf("StatusError: %#v in %v", se, err)
		}
	}
}

func TestDamagedAnswers(t *testing.T) {
	bodies := []string{``, `{`, `{"statusCode":"success"`, `[1,2]`, `{"statusDetail":"no code"}`, `<html>oops</html>`, "\x1f\x8b\x08garbage",
		`{"statusCode":"success"} {"more":1}`}
	for _, body := range bodies {
		ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { io.WriteString(w, body) })
		c, _, _ := newTestClient(t, ts.URL)
		_, err := c.TestConnection(context.Background())
		wantCode(t, err, core.EUnavailable)
		if !strings.Contains(core.ErrorMessage(err), msgDamaged) {
			t.Errorf("%q: message %q", body, core.ErrorMessage(err))
		}
	}
}

// TestTruncatedBody: a Content-Length the body does not honour.
func TestTruncatedBody(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		w.Header().Set("Content-Length", "500")
		io.WriteString(w, `{"requestId":1,"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1"`)
	})
	c, _, _ := newTestClient(t, ts.URL)
	_, err := c.ExportList(context.Background(), core.ExportRequest{Season: "S"})
	wantCode(t, err, core.EUnavailable)
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c, _, _ := newTestClient(t, ts.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	_, err := c.TestConnection(context.Background())
	wantCode(t, err, core.EUnavailable)
	if !strings.Contains(core.ErrorMessage(err), msgTimeout) {
		t.Errorf("message %q", core.ErrorMessage(err))
	}
	if n := len(ts.Requests()); n != 1 {
		t.Errorf("a timeout was retried: %d attempts", n)
	}
}

func TestCancelledContext(t *testing.T) {
	started := make(chan struct{}, 1)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	c, _, _ := newTestClient(t, ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.TestConnection(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled inside, got %v", err)
	}
	if core.ErrorMessage(err) != msgCancelled {
		t.Errorf("message %q", core.ErrorMessage(err))
	}
}

func TestConnectionRefused(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {})
	url := ts.URL
	ts.Close()
	c, _, _ := newTestClient(t, url)
	_, err := c.TestConnection(context.Background())
	wantCode(t, err, core.EUnavailable)
	if core.ErrorMessage(err) != msgUnreachable {
		t.Errorf("message %q", core.ErrorMessage(err))
	}
}

// TestSlowDown: HTTP 509 and 429 (into which S-360 says 509 "will be
// migrated") are the same "slow down": one attempt, refused (ERefused)
// with S-360's Retry-After for whoever tries again (the sync engine owns
// retries), never slept on here.
func TestSlowDown(t *testing.T) {
	for _, status := range []int{509, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
				w.Header().Set("Retry-After", "20")
				w.WriteHeader(status)
			})
			var calls []core.Call
			c, clk, _ := newTestClient(t, ts.URL, func(c *Config) { c.OnCall = func(call core.Call) { calls = append(calls, call) } })
			_, err := c.TestConnection(context.Background())
			wantCode(t, err, core.ERefused)
			var slow *core.SlowDown
			if !errors.As(err, &slow) || slow.RetryAfter != 20*time.Second {
				t.Errorf("Retry-After not handed on: %v", err)
			}
			if !strings.Contains(core.ErrorMessage(err), "slow down") {
				t.Errorf("message %q", core.ErrorMessage(err))
			}
			if len(clk.Slept()) != 0 || len(ts.Requests()) != 1 || len(calls) != 1 || calls[0].OK || calls[0].Method != "getTimeZone" {
				t.Errorf("slept %v, %d requests, calls %+v", clk.Slept(), len(ts.Requests()), calls)
			}
		})
	}
}

// A failing request is tried once, whatever the method: the engine
// decides about another attempt.
func TestOneAttempt(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) { w.WriteHeader(503) })
	c, clk, _ := newTestClient(t, ts.URL)
	err := c.ImportControls(context.Background(), []core.Control{{Barcode: "1", At: clk.Now()}})
	wantCode(t, err, core.EUnavailable)
	_, err = c.ExportList(context.Background(), core.ExportRequest{Season: "S"})
	wantCode(t, err, core.EUnavailable)
	if n := len(ts.Requests()); n != 2 || len(clk.Slept()) != 0 {
		t.Errorf("%d attempts for 2 calls, slept %v", n, clk.Slept())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "7": 7 * time.Second, "0.5": 500 * time.Millisecond, "-3": 0, "junk": 0, "99999": 2 * time.Minute,
		now.Add(30 * time.Second).Format(http.TimeFormat): 30 * time.Second,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestAuthClockSkew: a wrong clock breaks the token's iat check exactly like
// a wrong password; the Date of S-360's answer tells the supervisor which.
func TestAuthClockSkew(t *testing.T) {
	var serverTime time.Time
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		w.Header().Set("Date", serverTime.UTC().Format(http.TimeFormat))
		w.WriteHeader(401)
	})
	c, clk, _ := newTestClient(t, ts.URL)
	serverTime = clk.Now().Add(2 * time.Second)
	_, err := c.TestConnection(context.Background())
	if core.ErrorMessage(err) != msgAuth {
		t.Errorf("in sync: %q", core.ErrorMessage(err))
	}
	serverTime = clk.Now().Add(-3 * time.Minute)
	_, err = c.TestConnection(context.Background())
	wantCode(t, err, core.EAuth)
	if msg := core.ErrorMessage(err); !strings.HasPrefix(msg, msgAuth) || !strings.Contains(msg, "clock") || !strings.Contains(msg, "3m0s") {
		t.Errorf("skewed: %q", msg)
	}
}

// Every call recorded for the store says whether it counts against the
// client's request budget: the store must not lose those across a crash
// (an export commits the page being stored when one is recorded), while an
// unlimited client, for the simulator on this machine, has none.
func TestRecordedCallsSayIfBudgeted(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		answer(w, rec, "success", "", `"timeZone":"UTC"`)
	})
	for _, unlimited := range []bool{false, true} {
		var calls []core.Call
		c, _, _ := newTestClient(t, ts.URL, func(c *Config) {
			c.Unlimited = unlimited
			c.OnCall = func(call core.Call) { calls = append(calls, call) }
		})
		if _, err := c.TestConnection(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(calls) != 1 || calls[0].Budgeted == unlimited {
			t.Errorf("unlimited %v: calls %+v", unlimited, calls)
		}
	}
}
