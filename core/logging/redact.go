// Package logging sets up the station's log and keeps secrets and personal
// data out of it.
//
// A gate laptop's log is read by people who must not learn the operator's
// password (it opens the institution's S-360) nor who holds which ticket
// (holder identity is personal data, kept for the dispute desk only). So
// redaction is done by the formatter, on every entry, whatever the caller
// passed: a forgotten field or an error that quotes a request body cannot
// leak.
package logging

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"s360gate/core"
)

// Redacted replaces a personal-data field's value; SecretMask a secret.
const (
	Redacted   = "[redacted]"
	SecretMask = "[secret]"
)

// The registry is process-wide on purpose: a password becomes known deep in
// the command that reads it, long after loggers (and libraries holding them)
// were created, and every one of them must hide it from then on.
var secrets struct {
	sync.RWMutex
	list []string
}

// Secret registers s: from now on it is replaced by SecretMask wherever it
// appears in a log message or field. Register a password as soon as it is
// known. Every non-empty value is honoured, even a short one: a log mangled by
// a one-letter password is a lesser harm than a leaked password.
func Secret(s string) {
	if s == "" {
		return
	}
	secrets.Lock()
	defer secrets.Unlock()
	for _, have := range secrets.list {
		if have == s {
			return
		}
	}
	secrets.list = append(secrets.list, s)
}

// Redact replaces every registered secret in s, in the spellings a formatter
// or an encoder may give it (as is, Go-quoted, JSON-escaped), and what is a
// credential or personal data whoever wrote it: bearer tokens and JWTs (a
// request's Authorization header quoted by an error), and the values of
// holder keys in JSON text (an item quoted by an error).
func Redact(s string) string {
	secrets.RLock()
	for _, sec := range secrets.list {
		for _, form := range spellings(sec) {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, SecretMask)
			}
		}
	}
	secrets.RUnlock()
	if strings.Contains(s, "eyJ") {
		s = jwtLike.ReplaceAllString(s, SecretMask)
	}
	if strings.Contains(s, "Bearer ") {
		s = bearer.ReplaceAllString(s, "${1}"+SecretMask)
	}
	if strings.Contains(s, `"`) {
		s = redactPersonalJSON(s)
	}
	return s
}

var (
	// jwtLike is a compact JWS: base64url of a JSON header ("eyJ" is "{\"")
	// and two more dot-separated parts.
	jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)
	// bearer is an Authorization header's credential (RFC 6750 spelling).
	bearer = regexp.MustCompile(`(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}`)

	// JSON text with holder identity, as S-360 sends it: flat keys
	// ("FIRSTNAME":"Ada", "holderName":…) and key/value entries
	// ({"key":"FIRSTNAME","value":"Ada"}, either order; "name" or "code"
	// for "key"). Quotes may be escaped once (text quoted by %q).
	jq         = `\\?"`
	jsonValue  = `(?:"(?:[^"\\]|\\.)*"|\\"(?:[^"\\]|\\[^"])*\\"|-?[0-9][0-9.eE+-]*)`
	holderKeys = `(?:first_?name|last_?name|sur_?name|given_?name|full_?name|id_?number|birth_?date|date_?of_?birth|country_?code|e_?mail|phone|[a-z_-]*holder[a-z_-]*)`
	flatKey    = regexp.MustCompile(`(?i)(` + jq + holderKeys + jq + `\s*:\s*)` + jsonValue)
	entryKV    = regexp.MustCompile(`(?i)(` + jq + `(?:key|name|code)` + jq + `\s*:\s*` + jq + holderKeys + jq + `\s*,\s*` + jq + `value` + jq + `\s*:\s*)` + jsonValue)
	entryVK    = regexp.MustCompile(`(?i)(` + jq + `value` + jq + `\s*:\s*)` + jsonValue + `(\s*,\s*` + jq + `(?:key|name|code)` + jq + `\s*:\s*` + jq + holderKeys + jq + `)`)
)

// redactPersonalJSON replaces the values of holder keys in JSON text.
func redactPersonalJSON(s string) string {
	s = entryKV.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	s = entryVK.ReplaceAllString(s, `${1}"`+Redacted+`"${2}`)
	return flatKey.ReplaceAllString(s, `${1}"`+Redacted+`"`)
}

func spellings(sec string) []string {
	forms := []string{sec}
	if q := strconv.Quote(sec); q[1:len(q)-1] != sec {
		forms = append(forms, q[1:len(q)-1])
	}
	if j, err := json.Marshal(sec); err == nil && string(j[1:len(j)-1]) != sec {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	return forms
}

// personalKeys are field names (lower case, letters only) that carry a
// holder's identity. Any key containing "holder" is personal too.
var personalKeys = map[string]bool{
	"firstname": true, "lastname": true, "surname": true, "givenname": true,
	"name": true, "fullname": true, "idnumber": true, "birthdate": true,
	"dateofbirth": true, "dob": true, "birthday": true, "countrycode": true,
	"nationality": true, "email": true, "phone": true,
}

// secretKeys are field names whose value is a credential whatever it is,
// registered or not (lower case, letters only).
var secretKeys = map[string]bool{
	"password": true, "passwd": true, "secret": true, "token": true,
	"authorization": true, "jwt": true, "bearer": true,
}

// foldKey is key in lower case, letters only: "ID_NUMBER" and "idNumber"
// are one name.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, key)
}

// IsPersonalKey reports whether a field named key holds personal data.
func IsPersonalKey(key string) bool {
	k := foldKey(key)
	return personalKeys[k] || strings.Contains(k, "holder")
}

// RedactValue is what a field value becomes in the log: Redacted for a
// personal key or a holder, SecretMask for a credential's key, a ticket without its holder, secrets masked in
// anything that prints as text. Numbers, booleans and times stay as they are
// so formatters keep their types.
func RedactValue(key string, v any) any {
	if IsPersonalKey(key) {
		return Redacted
	}
	if secretKeys[foldKey(key)] {
		return SecretMask
	}
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, time.Time, time.Duration:
		return v
	case string:
		return Redact(x)
	case error:
		return Redact(x.Error())
	case core.Holder, *core.Holder:
		return Redacted
	case core.Ticket:
		x.Holder, x.Raw = core.Holder{}, nil
		return Redact(fmt.Sprintf("%+v", x))
	case *core.Ticket:
		if x == nil {
			return v
		}
		return RedactValue(key, *x)
	case core.TicketRecord:
		return RedactValue(key, x.Ticket)
	case core.Settings:
		x.Password = ""
		return Redact(fmt.Sprintf("%+v", x))
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = RedactValue(k, e)
		}
		return Redact(fmt.Sprintf("%+v", m))
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = RedactValue(k, e)
		}
		return Redact(fmt.Sprintf("%+v", m))
	case fmt.Stringer:
		return Redact(x.String())
	}
	return Redact(fmt.Sprintf("%+v", v))
}
