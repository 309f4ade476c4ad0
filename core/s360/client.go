package s360

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

// Method names of ExternalAccessControlService v1_6 [doc].
const (
	apiVersion  = "v1_6"
	mExportList = "exportList"
	mImport     = "importControlledTicket"
	mControlled = "getControlledTicket"
	mCatalog    = "getAccessControlCatalog"
	mTimeZone   = "getTimeZone"
)

// Defaults.
const (
	DefaultTimeout = 30 * time.Second
	DefaultBudget  = 50                     // requests per minute, every method together
	MaxBudget      = core.RequestsPerMinute // S-360 answers 509 (or 429) beyond 60
)

// Config is what a Client needs. Zero fields take defaults.
type Config struct {
	// Endpoint is the service base, e.g.
	// https://INSTIT.ws.secutix.com/tnci/backend-apis/externalAccessControlService
	Endpoint    string
	Institution string
	Operator    string
	Partner     string // JWT issuer; default Institution
	Password    string
	Timeout     time.Duration // per request (body included); default 30s
	Budget      int           // requests per minute, all methods together; default 50, at most 60
	HTTPClient  *http.Client  // optional (tests); default: TLS-verifying, no proxy magic
	Now         func() time.Time
	// Sleep waits d or until ctx ends (tests inject a fake clock with Now).
	Sleep  func(ctx context.Context, d time.Duration) error
	OnCall func(core.Call) // optional: every attempt, for the store
	Log    logrus.FieldLogger
	// Zone is the institution's time zone as the station stored it (nil:
	// not known yet). S-360's times without an offset are read in it; a
	// getTimeZone answer replaces it (see Client.Zone).
	Zone *time.Location
	// Unlimited lifts the client's own request budget (Budget). It exists
	// for benchmarks against the simulator and is refused for any endpoint
	// that is not on this machine: S-360 itself answers 509 beyond 60
	// requests a minute.
	Unlimited bool
	// UserAgent names the caller in every request's User-Agent header
	// (e.g. "s360gate/1.2 (GATE_A)"): the institution's logs, and a
	// venue's tests, tell the stations apart by it. Default "s360gate".
	UserAgent string
	// Conn, when set, wraps every network connection the default HTTP
	// client opens (under TLS). A venue's syncer uses it to refuse to
	// write a request once its lease may have ended (core/venue): the last
	// check happens right before the bytes leave, however long the process
	// was paused before. Ignored with HTTPClient.
	Conn func(net.Conn) net.Conn
}

// ConfigFrom takes the connection settings of a station.
func ConfigFrom(s core.Settings) Config {
	partner := s.Partner
	if partner == "" {
		partner = s.Institution
	}
	return Config{
		Endpoint:    s.Endpoint,
		Institution: s.Institution,
		Operator:    s.Operator,
		Partner:     partner,
		Password:    s.Password,
	}
}

// Client talks to one S-360 institution. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string // endpoint without trailing slash or version
	key     []byte
	http    *http.Client
	log     logrus.FieldLogger
	lim     *limiter
	zone    atomic.Pointer[time.Location]
	reqID   atomic.Int64
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	timeout time.Duration
}

var _ core.Remote = (*Client)(nil)

// New checks the configuration and makes a client. Plain http is refused
// except on this machine (the simulator): the password signs every token.
func New(cfg Config) (*Client, error) {
	ep := strings.TrimSpace(cfg.Endpoint)
	if err := core.CheckEndpoint(ep); err != nil {
		return nil, err
	}
	if u, err := url.Parse(ep); err == nil && u.User != nil {
		// A password in the address would be stored and shown with it.
		return nil, core.Errorf(core.EInvalid, "the service address must not hold a user name or password: S-360 is signed in to with the operator and password settings")
	}
	ep = strings.TrimRight(ep, "/")
	// Settings say "without /v1_6", but a pasted full address is forgiven.
	ep = strings.TrimSuffix(ep, "/"+apiVersion)
	switch {
	case cfg.Institution == "":
		return nil, core.Errorf(core.EInvalid, "required: the institution code S-360 gave you")
	case cfg.Operator == "":
		return nil, core.Errorf(core.EInvalid, "required: the operator (user name) S-360 gave you")
	case cfg.Password == "":
		return nil, core.Errorf(core.EInvalid, "required: the operator's password")
	}
	if cfg.Partner == "" {
		cfg.Partner = cfg.Institution
	}
	if cfg.Unlimited {
		if u, err := url.Parse(ep); err != nil || !core.IsLoopback(u.Hostname()) {
			return nil, core.Errorf(core.EInvalid, "an unlimited request budget is only for the simulator on this machine")
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Budget > MaxBudget {
		cfg.Budget = MaxBudget
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = core.Sleep
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		cfg.Log = l
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient(cfg.Conn)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "s360gate"
	}
	lim := newLimiter(cfg.Budget)
	if cfg.Unlimited {
		lim.budget = math.MaxInt
	}
	c := &Client{
		cfg: cfg, base: ep, key: []byte(cfg.Password), http: hc,
		log: cfg.Log, lim: lim, now: cfg.Now, sleep: cfg.Sleep,
		timeout: cfg.Timeout,
	}
	c.zone.Store(cfg.Zone)
	return c, nil
}

// defaultHTTPClient verifies TLS as Go does by default (never
// InsecureSkipVerify). We ask for gzip ourselves and decompress ourselves,
// so transparent decompression is off. Redirects may not leave https.
func defaultHTTPClient(wrap func(net.Conn) net.Conn) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableCompression = true
	tr.MaxIdleConnsPerHost = 4
	if wrap != nil {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return wrap(c), nil
		}
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return core.CheckEndpoint(req.URL.String())
		},
	}
}

// outcome of one attempt.
type outcome int

const (
	done     outcome = iota // success, or an error
	slowDown                // 509/429: S-360 asks us to slow down
)

// finalError carries an error through the decoding untouched and without
// retry: an error of the caller's callback, or a refusal that came after
// items were already handed out.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }

// do sends one request: the request budget (limiter), a fresh token, one
// attempt. body builds the JSON body for a request id; decode reads a 2xx
// answer.
//
// The client never tries again by itself: the sync engine owns retries
// (core/syncer/backoff.go), where a cycle knows what is worth another
// attempt, waits with its own clock and says so to the person watching;
// two loops one inside the other multiplied the attempts (a 509 was tried
// 16 times a cycle). A person's own question (the dispute desk, a test
// connection) gets S-360's answer at once, "slow down" included. Every
// attempt goes through the limiter, so the budget counts each one.
func (c *Client) do(ctx context.Context, method string,
	body func(id int64) ([]byte, error), decode func(r io.Reader) error) error {
	if err := c.wait(ctx, method); err != nil {
		return err
	}
	id := c.reqID.Add(1)
	b, err := body(id)
	if err != nil {
		return core.Wrap(core.EInternal, err, "Cannot prepare the request to S-360")
	}
	out, retryAfter, err := c.attempt(ctx, method, id, b, decode)
	if out == slowDown {
		c.log.WithFields(logrus.Fields{"method": method, "retryAfter": retryAfter.String()}).Warn("s360: slowed down by S-360")
		return core.SayWrap(core.ERefused, &core.SlowDown{RetryAfter: retryAfter, Err: err}, "s360.err.slowDown", nil)
	}
	return err
}

// attempt is one HTTP exchange.
func (c *Client) attempt(ctx context.Context, method string, id int64, body []byte,
	decode func(r io.Reader) error) (out outcome, retryAfter time.Duration, err error) {
	at := c.now()
	start := time.Now()
	httpStatus, received := 0, int64(0)
	defer func() {
		dur := time.Since(start)
		ok := err == nil
		detail := fmt.Sprintf("HTTP %d", httpStatus)
		if !ok {
			detail += ": " + shorten(c.redact(err.Error()), 200)
		}
		c.log.WithFields(logrus.Fields{
			"method": method, "requestId": id, "http": httpStatus, "ok": ok,
			"duration": dur.Round(time.Millisecond).String(), "sent": len(body), "received": received,
		}).Debug("s360: call")
		if c.cfg.OnCall != nil {
			c.cfg.OnCall(core.Call{Method: method, At: at, OK: ok, Detail: detail, Duration: dur, Budgeted: !c.cfg.Unlimited})
		}
	}()

	tok, err := signToken(c.cfg.Institution, c.cfg.Operator, c.cfg.Partner, c.key, at)
	if err != nil {
		return done, 0, core.Wrap(core.EInternal, errors.New("cannot sign the token"), "Cannot prepare the request to S-360")
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+"/"+apiVersion+"/"+method, bytes.NewReader(body))
	if err != nil {
		return done, 0, core.Wrap(core.EInvalid, err, "The S-360 service address is not usable")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", c.cfg.UserAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportFailure(ctx, actx, method, err)
	}
	defer func() {
		// After a good answer, drain what little is left so that the
		// connection can be reused; after a bad one, never wait for more.
		if err == nil {
			_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		}
		resp.Body.Close()
	}()
	httpStatus = resp.StatusCode
	herr := &HTTPError{Method: method, StatusCode: resp.StatusCode, Status: resp.Status}
	switch sc := resp.StatusCode; {
	case sc == http.StatusUnauthorized || sc == http.StatusForbidden:
		return done, 0, authErrorSkew(herr, resp.Header.Get("Date"), at)
	case sc == 509 || sc == http.StatusTooManyRequests:
		return slowDown, parseRetryAfter(resp.Header.Get("Retry-After"), c.now()), herr
	case sc >= 500:
		return done, 0, core.SayWrap(core.EUnavailable, herr, "s360.err.http5xx", map[string]any{"Status": sc, "What": what(method)})
	case sc == http.StatusNotFound:
		return done, 0, core.SayWrap(core.EInvalid, herr, "s360.err.http404", nil)
	case sc < 200 || sc >= 300:
		return done, 0, core.SayWrap(core.EInvalid, herr, "s360.err.http", map[string]any{"Status": sc, "What": what(method)})
	}

	cr := &countingReader{r: resp.Body}
	defer func() { received = cr.n }()
	r, err := decompressed(resp, cr)
	if err == nil {
		err = decode(r)
	}
	if err == nil {
		return done, 0, nil
	}
	return c.decodeFailure(ctx, actx, method, err)
}

// transportFailure words an error of http.Client.Do.
func (c *Client) transportFailure(ctx, actx context.Context, method string, err error) (outcome, time.Duration, error) {
	switch {
	case isCancel(ctx):
		return done, 0, cancelledError(err)
	case errors.Is(actx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return done, 0, timeoutError(method, err)
	}
	var ce *core.Error // e.g. a redirect refused by CheckEndpoint
	if errors.As(err, &ce) {
		return done, 0, ce
	}
	// A certificate that does not verify is not a network hiccup: retrying
	// cannot help, and the supervisor must read why.
	if cerr := certificateError(err); cerr != nil {
		return done, 0, cerr
	}
	return done, 0, core.SayWrap(core.EUnavailable, err, "s360.err.unreachable", nil)
}

// decodeFailure words an error met while reading a 2xx answer.
func (c *Client) decodeFailure(ctx, actx context.Context, method string, err error) (outcome, time.Duration, error) {
	var (
		se *StatusError
		ue *finalError
		ie *ItemError
	)
	switch {
	case errors.As(err, &ue):
		return done, 0, ue.err
	case errors.As(err, &se):
		se.Detail = c.redact(se.Detail)
		se.Code = c.redact(se.Code)
		if looksLikeRateLimit(se.Code, se.Detail) {
			return slowDown, 0, se
		}
		return done, 0, statusFailure(se)
	case errors.As(err, &ie):
		return done, 0, &core.Error{Code: core.EInvalid,
			Message: fmt.Sprintf("S-360 sent a ticket that cannot be read (item %d of the page); the page was not applied", ie.Index+1), Err: err}
	case isCancel(ctx):
		return done, 0, cancelledError(err)
	case errors.Is(actx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return done, 0, timeoutError(method, err)
	}
	return done, 0, damagedError(method, err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// parseRetryAfter reads seconds or an HTTP date; at most two minutes are
// honoured (S-360's window is one minute).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 {
		d = time.Duration(n * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, 2*time.Minute)
}

// decompressed reads gzip whether or not S-360 labels it: we asked for it
// explicitly, so Go's transport leaves decoding to us.
func decompressed(resp *http.Response, body io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(body, 32<<10)
	magic, _ := br.Peek(2)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Encoding")), "gzip") || gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	return br, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
