package s360sim

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAuth(t *testing.T) {
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	expect := func(name string, want int) {
		t.Helper()
		resp, body, err := c.raw(context.Background(), "getTimeZone", `{"requestId":1}`)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("%s: HTTP %d (%s), want %d", name, resp.StatusCode, resp.Header.Get("X-S360sim-Reason"), want)
		}
		if want == http.StatusUnauthorized && string(body) != string(authBody) {
			t.Fatalf("%s: 401 body %s", name, body)
		}
	}
	expect("good token", 200)

	c.pw = "wrong"
	expect("wrong password", 401)
	c.pw = "demo-password"

	c.op = "other-operator"
	expect("wrong aud", 401)
	c.op = "gate"

	c.inst = "OTHER"
	expect("wrong sub", 401)
	c.inst = "INSTIT"

	tweak := func(name string, want int, f func(jwt.MapClaims)) {
		t.Helper()
		c.claims = f
		expect(name, want)
		c.claims = nil
	}
	now := clk.Now().Unix()
	tweak("expired", 401, func(m jwt.MapClaims) { m["exp"] = now - 1 })
	tweak("no exp", 401, func(m jwt.MapClaims) { delete(m, "exp") })
	tweak("no iat", 401, func(m jwt.MapClaims) { delete(m, "iat") })
	tweak("no iss", 401, func(m jwt.MapClaims) { delete(m, "iss") })
	tweak("stale iat", 401, func(m jwt.MapClaims) { m["iat"] = now - 120 })
	tweak("future iat", 401, func(m jwt.MapClaims) { m["iat"] = now + 120 })
	tweak("iat 29s old", 200, func(m jwt.MapClaims) { m["iat"], m["exp"] = now-29, now+1 })
	tweak("iat in millis", 200, func(m jwt.MapClaims) { m["iat"] = clk.Now().UnixMilli() })
	tweak("iat and exp in millis", 200, func(m jwt.MapClaims) { m["iat"], m["exp"] = clk.Now().UnixMilli(), clk.Now().UnixMilli()+30_000 })
	// S-360 lets a token live 30 s at most [doc].
	tweak("exp iat+30", 200, func(m jwt.MapClaims) { m["exp"] = now + 30 })
	tweak("exp iat+31", 401, func(m jwt.MapClaims) { m["exp"] = now + 31 })
	tweak("exp iat+900", 401, func(m jwt.MapClaims) { m["exp"] = now + 900 })
	tweak("exp in millis, iat+31 s", 401, func(m jwt.MapClaims) { m["exp"] = clk.Now().UnixMilli() + 31_000 })
	tweak("aud as list", 200, func(m jwt.MapClaims) { m["aud"] = []string{"gate"} })

	// Other algorithms and no header at all.
	for name, hdr := range map[string]string{
		"none":       "",
		"not bearer": "Basic Z2F0ZTpkZW1vLXBhc3N3b3Jk",
		"garbage":    "Bearer not.a.jwt",
		"HS512": "Bearer " + func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"sub": "INSTIT", "aud": "gate", "iss": "x",
				"iat": now, "exp": now + 30}).SignedString([]byte("demo-password"))
			return s
		}(),
	} {
		req, _ := http.NewRequest(http.MethodPost, c.endpoint+"/v1_6/getTimeZone", nil)
		req.Header.Set("Content-Type", "application/json")
		if hdr != "" {
			req.Header.Set("Authorization", hdr)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("%s: HTTP %d", name, resp.StatusCode)
		}
	}

	// The operator's password changes mid-run.
	sim.SetPassword("new-secret")
	expect("old password after change", 401)
	c.pw = "new-secret"
	expect("new password", 200)
	if sim.Config().Password != "new-secret" {
		t.Error("Config() should report the current password")
	}
	if st := sim.Stats(); st.AuthFailures < 10 {
		t.Errorf("AuthFailures = %d", st.AuthFailures)
	}
}

func TestIATSkewUnchecked(t *testing.T) {
	clk := newClock()
	cfg := testConfig(clk)
	cfg.MaxIATSkew = -1
	_, c := newTestSim(t, cfg)
	c.now = time.Now // a client that ignores the injected clock
	c.claims = func(m jwt.MapClaims) { m["exp"] = clk.Now().Unix() + 900 }
	if st := c.call("getTimeZone", `{}`, nil); st != 200 {
		t.Fatalf("HTTP %d", st)
	}
}

func TestRateLimit(t *testing.T) {
	for _, status := range []int{509, 429} {
		t.Run(strconv.Itoa(status), func(t *testing.T) { testRateLimit(t, status) })
	}
	// Default: 60 per minute, answered 509.
	if c := New(Config{}).Config(); c.RateLimit != 60 || c.RateLimitStatus != 509 {
		t.Fatalf("defaults %d %d", c.RateLimit, c.RateLimitStatus)
	}
}

// testRateLimit: one window for the whole service, every method counting
// against it [doc], refused with the configured status.
func testRateLimit(t *testing.T, status int) {
	clk := newClock()
	sim, c := newTestSim(t, Config{Seed: 1, Tickets: 100, RateLimit: 5, RateLimitStatus: status, Now: clk.Now})
	call := func(method string) *http.Response {
		t.Helper()
		resp, _, err := c.raw(context.Background(), method, `{"requestId":1}`)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i, m := range []string{"getTimeZone", "getAccessControlCatalog", "getTimeZone", "getControlledTicket", "getTimeZone"} {
		if r := call(m); r.StatusCode != 200 {
			t.Fatalf("call %d: HTTP %d", i, r.StatusCode)
		}
		clk.Advance(time.Second)
	}
	r := call("getTimeZone")
	if r.StatusCode != status || r.Header.Get("Retry-After") != "55" {
		t.Fatalf("6th call: HTTP %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// One budget: another method is refused too.
	if r := call("getAccessControlCatalog"); r.StatusCode != status {
		t.Fatalf("other method: HTTP %d", r.StatusCode)
	}
	clk.Advance(54 * time.Second) // the first call is now 59s old
	if r := call("exportList"); r.StatusCode != status || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("at 59s: HTTP %d Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	clk.Advance(time.Second) // 60s: the window slides past the first call
	if r := call("getTimeZone"); r.StatusCode != 200 {
		t.Fatalf("after the window: HTTP %d", r.StatusCode)
	}
	if r := call("getControlledTicket"); r.StatusCode != status {
		t.Fatalf("budget should be spent again: HTTP %d", r.StatusCode)
	}
	if st := sim.Stats(); st.RateLimited != 4 || st.Requests["getTimeZone"] != 5 {
		t.Fatalf("stats %+v", st)
	}
}
