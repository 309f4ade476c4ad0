package s360sim

import (
	"github.com/golang-jwt/jwt/v5"
)

// Token mints a bearer token the simulator accepts right now, signed as a
// real client would sign it (HS256 with the operator password; sub =
// institution, aud = operator, iss = partner, iat in seconds, exp 30 s later,
// the longest S-360 allows). It exists so that a person can page through the list with curl
// (GET /sim/token); tokens must be fresh, so ask for one per request.
func (s *Sim) Token() (string, error) {
	now := s.now()
	claims := jwt.MapClaims{
		"sub": s.cfg.Institution,
		"aud": s.cfg.Operator,
		"iss": s.cfg.Institution,
		"iat": now.Unix(),
		"exp": now.Add(MaxTokenLifetime).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(*s.password.Load()))
}
