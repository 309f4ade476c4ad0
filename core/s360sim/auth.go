package s360sim

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Authentication follows the reference: "Authorization: Bearer <JWT>",
// HS256 signed with the operator password; sub = institution, aud =
// operator, iss = partner (any non-empty), iat, exp.
//
// A refusal is HTTP 401 with the body
//
//	{"statusCode":"AUTH_ERR","statusDetail":"Authentication failed"}
//
// [assumed shape: the real body is not published; statusCode stays within
// the documented 8 characters]. The detail never says why (a real server
// would not either); the reason is in the X-S360sim-Reason header to help
// whoever debugs a client.
//
// Lifetime: S-360 lets a token live at most 30 seconds after iat [doc]; a
// token whose exp is later than iat + MaxTokenLifetime is refused, as S-360
// may refuse it.
//
// Freshness: the real server wants iat "within about a second" of its clock.
// The sim accepts Config.MaxIATSkew (default 60s) either way, measured with
// Config.Now: a test that injects Now must sign with the same clock (or set
// MaxIATSkew < 0). iat is accepted in seconds or, as the doc claims,
// milliseconds (any value above 1e11 is taken as millis).

// authenticate returns "" when the request carries an acceptable token,
// else the reason of the refusal.
func (s *Sim) authenticate(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "missing Authorization header"
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "Authorization is not a Bearer token"
	}
	secret := []byte(*s.password.Load())
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(strings.TrimSpace(tok), claims,
		func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithSubject(s.cfg.Institution),
		jwt.WithAudience(s.cfg.Operator),
	)
	if err != nil {
		return err.Error()
	}
	if iss, _ := claims["iss"].(string); iss == "" {
		return "iss (partner) claim missing"
	}
	iat, ok := claims["iat"].(float64)
	if !ok {
		return "iat claim missing"
	}
	exp, _ := claims["exp"].(float64)
	if iat > 1e11 { // milliseconds
		iat /= 1000
	}
	if exp > 1e11 {
		exp /= 1000
	}
	if life := exp - iat; life > MaxTokenLifetime.Seconds() {
		return fmt.Sprintf("token lives %.0f s (exp - iat); at most %.0f s are allowed", life, MaxTokenLifetime.Seconds())
	}
	if s.cfg.MaxIATSkew >= 0 {
		sec, frac := math.Modf(iat)
		issued := time.Unix(int64(sec), int64(frac*1e9))
		skew := s.now().Sub(issued)
		if skew < 0 {
			skew = -skew
		}
		if skew > s.cfg.MaxIATSkew {
			return "iat too far from server time (" + skew.Round(time.Millisecond).String() + ")"
		}
	}
	return ""
}

// MaxTokenLifetime is the longest exp - iat accepted [doc: "Each token can
// have an expiration time of 30 seconds after" its issue].
const MaxTokenLifetime = 30 * time.Second

var authBody = []byte(`{"statusCode":"AUTH_ERR","statusDetail":"Authentication failed"}`)
