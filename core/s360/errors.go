package s360

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"s360gate/core"
	"s360gate/core/words"
)

// StatusError is S-360 answering with a statusCode other than "success".
// It is the technical cause inside a *core.Error.
type StatusError struct {
	Method string
	Code   string
	Detail string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("S-360 %s answered status %q: %s", e.Method, e.Code, e.Detail)
}

// HTTPError is an HTTP status S-360 answered with, as the technical cause.
type HTTPError struct {
	Method     string
	StatusCode int
	Status     string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("S-360 %s: HTTP %s", e.Method, e.Status)
}

// ErrNoBarcode is an exported item without a barcode: it cannot be keyed,
// so the page it came in is refused rather than silently shortened.
var ErrNoBarcode = errors.New("item has no barcode")

// ItemError is one undecodable item of an exportList page.
type ItemError struct {
	Index int // 0-based position in the page
	Err   error
}

func (e *ItemError) Error() string { return fmt.Sprintf("item %d of the page: %v", e.Index, e.Err) }
func (e *ItemError) Unwrap() error { return e.Err }

// Words for people, as keys of the catalogue (core/words: each screen says
// them in its language; Message is the English). The technical cause goes
// in core.Error.Err.
var (
	msgAuth        = words.EN.T("s360.err.auth", nil)
	msgUnreachable = words.EN.T("s360.err.unreachable", nil)
	msgCancelled   = words.EN.T("s360.err.cancelled", nil)
	msgTimeout     = words.EN.T("s360.err.timeoutShort", nil)
	msgDamaged     = words.EN.T("s360.err.damagedShort", nil)
)

// what names a method the way a supervisor thinks of it ("the ticket
// download"), in each reader's language.
func what(method string) any {
	switch method {
	case mExportList, mImport, mTimeZone, mControlled, mCatalog:
		return words.Key("s360.call." + method)
	}
	return method
}

func authError(err error) error {
	return core.SayWrap(core.EAuth, err, "s360.err.auth", nil)
}

// authErrorSkew: S-360 wants the token's iat within about a second of its
// clock [doc], so a gate laptop with a wrong clock looks exactly like a
// wrong password. The answer's Date header tells which it may be.
func authErrorSkew(err error, date string, iat time.Time) error {
	server, perr := http.ParseTime(date)
	if perr != nil {
		return authError(err)
	}
	skew := iat.Sub(server).Round(time.Second)
	if skew > -clockSlack && skew < clockSlack {
		return authError(err)
	}
	if skew < 0 {
		skew = -skew
	}
	return core.SayWrap(core.EAuth, err, "s360.err.authClock", map[string]any{"Skew": skew.String()})
}

// clockSlack: the Date header has whole seconds and the answer takes time.
const clockSlack = 5 * time.Second

// certificateError words a failed TLS verification, nil if err is none.
// Verification is never switched off (see defaultHTTPClient): an untrusted,
// expired or misnamed certificate may be someone in the middle, and the
// password signs every token. The code is EInvalid: waiting does not fix
// it; the address, the network (a proxy that intercepts TLS) or this
// computer's clock must be fixed.
func certificateError(err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	key, data := "", map[string]any(nil)
	switch {
	case errors.As(err, &hostname):
		key, data = "s360.err.certHost", map[string]any{"Host": hostname.Host}
	case errors.As(err, &unknown):
		key = "s360.err.certUnknown"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		key = "s360.err.certExpired"
	case errors.As(err, &invalid), errors.As(err, &verify):
		key = "s360.err.certInvalid"
	default:
		return nil
	}
	return core.SayWrap(core.EInvalid, err, key, data)
}

func cancelledError(err error) error {
	return core.SayWrap(core.EUnavailable, err, "s360.err.cancelled", nil)
}

func damagedError(method string, err error) error {
	return core.SayWrap(core.EUnavailable, err, "s360.err.damaged", map[string]any{"What": what(method)})
}

func timeoutError(method string, err error) error {
	return core.SayWrap(core.EUnavailable, err, "s360.err.timeout", map[string]any{"What": what(method)})
}

// statusFailure gives a non-success status words and a code. A detail naming
// rejected barcodes becomes a *core.RejectedError inside.
func statusFailure(se *StatusError) error {
	// The refusal first: it names barcodes, whose digits may read like
	// anything (…4015… is not an HTTP 401).
	if barcodes, ok := ParseRejected(se.Detail); ok && se.Method == mImport {
		n := len(barcodes)
		msg := fmt.Sprintf("S-360 refused the controls of %d ticket(s) blacklisted after they were downloaded (%s); nothing of this upload was recorded",
			n, strings.Join(barcodes, ", "))
		if n > 5 {
			msg = fmt.Sprintf("S-360 refused the controls of %d tickets blacklisted after they were downloaded; nothing of this upload was recorded", n)
		}
		return &core.Error{Code: core.EInvalid, Message: msg,
			Err: &core.RejectedError{Barcodes: barcodes, Detail: se.Detail}}
	}
	if looksLikeAuth(se.Code, se.Detail) {
		return authError(se)
	}
	code := core.EInvalid
	if looksTransient(se.Code, se.Detail) {
		code = core.EUnavailable
	}
	if looksNotFound(se.Detail) && se.Method == mControlled {
		code = core.ENotFound
	}
	detail := shorten(se.Detail, 160)
	if detail == "" {
		detail = "status " + shorten(se.Code, 16)
	}
	// S-360's own words follow ours as they are: they are its language.
	return core.SayWrap(code, se, "s360.err.refused", map[string]any{"What": what(se.Method), "Detail": detail})
}

// looksLikeAuth: the status codes are not published [assumed]; these words
// are what an authentication failure plausibly says.
func looksLikeAuth(code, detail string) bool {
	s := strings.ToLower(code + " " + detail)
	for _, w := range []string{"unauthori", "authenticat", "forbidden", "credential", "password", "jwt", "token", "access denied"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	// The status numbers only as numbers of their own, not inside a
	// barcode, a product code or a date.
	return authNumber.MatchString(s)
}

var authNumber = regexp.MustCompile(`(^|[^0-9a-z])40[13]($|[^0-9a-z])`)

// looksTransient: failures that say the server, not the request, is at fault.
func looksTransient(code, detail string) bool {
	s := strings.ToLower(code + " " + detail)
	for _, w := range []string{"technical", "internal", "unavailable", "timeout", "timed out", "temporar", "try again", "maintenance"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// looksLikeRateLimit: S-360 might say "slow down" in the body as well.
func looksLikeRateLimit(code, detail string) bool {
	s := strings.ToLower(code + " " + detail)
	return code == "509" || code == "429" || strings.Contains(s, "rate limit") || strings.Contains(s, "too many requests")
}

func looksNotFound(detail string) bool {
	s := strings.ToLower(detail)
	return strings.Contains(s, "not found") || strings.Contains(s, "unknown") || strings.Contains(s, "does not exist") || strings.Contains(s, "no ticket")
}

// shorten keeps a server text readable on a screen.
func shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// jwtLike matches a compact JWS: a server echoing our token back in a detail
// must not put it in an error or a log.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

// redact removes the password and anything token-like from text S-360 sent.
func (c *Client) redact(s string) string {
	if c.cfg.Password != "" && strings.Contains(s, c.cfg.Password) {
		s = strings.ReplaceAll(s, c.cfg.Password, "[redacted]")
	}
	if strings.Contains(s, "eyJ") {
		s = jwtLike.ReplaceAllString(s, "[redacted]")
	}
	return s
}

// isCancel reports whether ctx itself (not our per-request timeout) ended.
func isCancel(ctx context.Context) bool { return ctx.Err() != nil }
