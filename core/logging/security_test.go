package logging

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// The formatter's promise: whatever the caller passed — a forgotten field,
// an error quoting a request or an item — no credential and no holder
// identity reaches the log.

const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJJTlNUSVQiLCJhdWQiOiJnYXRlIn0.Jq3y0Vf6qk2mH1cXo_9-ZbC4R8sPwLtNdE7uAaYxKgM"

func logged(t *testing.T, fn func(l *logrus.Logger)) string {
	t.Helper()
	var buf bytes.Buffer
	fn(New(&buf, true))
	return buf.String()
}

// TestTokensNeverLogged: bearer tokens and JWTs are masked wherever they
// appear, registered or not.
func TestTokensNeverLogged(t *testing.T) {
	out := logged(t, func(l *logrus.Logger) {
		l.Info("request failed with Authorization: Bearer " + testJWT)
		l.WithError(fmt.Errorf("post: %w", errors.New("header Authorization=[Bearer "+testJWT+"]"))).Warn("call")
		l.WithField("header", "Bearer opaque-token_123.abc").Debug("opaque")
		l.WithField("echo", map[string]any{"tok": testJWT}).Debug("map")
		l.Debugf("quoted %q", testJWT)
	})
	for _, leak := range []string{testJWT, "eyJ", "Jq3y0Vf6qk2mH1cXo", "opaque-token_123"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	if strings.Count(out, SecretMask) < 5 {
		t.Errorf("tokens not masked:\n%s", out)
	}
}

// TestHolderInQuotedItemsNeverLogged: an item quoted by an error, a raw
// item as a field, a decoded map: the holder's values are redacted, the
// rest (barcode, state) stays readable.
func TestHolderInQuotedItemsNeverLogged(t *testing.T) {
	item := `{"barcode":"7415628301550254","ticketState":"VALID","FIRSTNAME":"Zebulon","LASTNAME":"O'Quixote",` +
		`"ID_NUMBER":"PX99887766","BIRTHDATE":"1987-03-12","COUNTRY_CODE":"CH","holder":{"firstName":"Zebulon","idNumber":12345678},` +
		`"additionalInfos":[{"key":"FIRSTNAME","value":"Zebulon"},{"value":"Quixotic","name":"last_name"},{"code":"BIRTH_DATE","value":"1987-03-12"}],` +
		`"email":"z@example.com"}`
	out := logged(t, func(l *logrus.Logger) {
		l.WithError(errors.New("cannot decode item " + item)).Error("export")
		l.WithField("raw", item).Debug("raw item")
		l.WithField("item", map[string]any{"barcode": "7415628301550254", "LASTNAME": "Quixotic", "nested": map[string]any{"idNumber": "PX99887766"}}).Debug("map")
		l.WithField("kv", map[string]string{"FIRSTNAME": "Zebulon"}).Debug("map")
		l.Errorf("wrapped: %v", fmt.Errorf("item %q", item))
		l.Info("decoded " + item)
	})
	for _, leak := range []string{"Zebulon", "Quixot", "PX99887766", "1987-03-12", "12345678", "z@example.com"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	if !strings.Contains(out, "7415628301550254") || !strings.Contains(out, "VALID") {
		t.Errorf("the redaction ate the ticket itself:\n%s", out)
	}
}

// TestRedactKeepsOrdinaryText: redaction does not mangle what is not a
// secret nor personal (a log nobody can read is no log).
func TestRedactKeepsOrdinaryText(t *testing.T) {
	for _, s := range []string{
		`S-360 refused the ticket download: {"statusCode":"ERROR","statusDetail":"season unknown"}`,
		`sync cycle done pages=3 tickets=5000`,
		`{"barcode":"123","name":"MATCH01","entranceCode":"N1"}`,
		`the bearer of this ticket`,
	} {
		if got := Redact(s); got != s {
			t.Errorf("Redact(%q) = %q", s, got)
		}
	}
}

// TestSecretsInEverySpelling: a registered password is masked as is,
// Go-quoted, JSON-escaped, in a field, in an error, in a map.
func TestSecretsInEverySpelling(t *testing.T) {
	const pw = `pä$$"w\ord-77`
	Secret(pw)
	out := logged(t, func(l *logrus.Logger) {
		l.Info("login " + pw)
		l.Infof("quoted %q", pw)
		l.WithField("body", `{"password":"`+strings.ReplaceAll(strings.ReplaceAll(pw, `\`, `\\`), `"`, `\"`)+`"}`).Info("json")
		l.WithError(errors.New("auth with " + pw)).Warn("err")
		l.WithField("cfg", map[string]any{"secret": pw, "pw2": pw}).Info("map")
	})
	for _, leak := range spellings(pw) {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	if strings.Contains(out, "$$") {
		t.Errorf("a part of the password leaked:\n%s", out)
	}
}
