package s360

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Everything [assumed] about S-360's REST authentication is in this file.
//
// The docs say: HS256, sub = institution, aud = operator, iss = partner,
// iat, exp. They say iat is in epoch millis, but their own example and a
// public client use seconds; public clients sign with the operator's
// password. A token may live at most 30 seconds after iat [doc, REST
// standard page] (one public client's exp = iat + 900 is not allowed), and
// the server expects iat within about a second of the call, so a token is
// made for every request (it costs microseconds). If S-360 turns out to
// want millis, set iatMillis; if aud must be an array, change the claim
// below.

const (
	// TokenLifetime is exp - iat: S-360's maximum [doc].
	TokenLifetime = 30 * time.Second
	iatMillis     = false // [assumed] seconds, as the public client does
)

// signToken forges the bearer token for one request.
func signToken(institution, operator, partner string, key []byte, now time.Time) (string, error) {
	iat := now.Unix()
	exp := now.Add(TokenLifetime).Unix()
	if iatMillis {
		iat = now.UnixMilli()
		exp = now.Add(TokenLifetime).UnixMilli()
	}
	claims := jwt.MapClaims{
		"sub": institution,
		"aud": operator, // a plain string, not jwt's default one-element array
		"iss": partner,
		"iat": iat,
		"exp": exp,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}
