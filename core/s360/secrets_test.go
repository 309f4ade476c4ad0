package s360

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

// TestNoSecretsInErrorsOrLogs drives every failure path, with a server that
// echoes the token and the password back, and greps what a supervisor or a
// log reader could see.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	var tokens []string
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, rec recorded) {
		auth := r.Header.Get("Authorization")
		tokens = append(tokens, strings.TrimPrefix(auth, "Bearer "))
		mode := rec.Body["seasonCode"]
		switch mode {
		case "ECHO":
			answer(w, rec, "ERROR", "bad header "+auth+" for password "+testPassword, "")
		case "AUTH":
			answer(w, rec, "AUTH", "Invalid token "+auth, "")
		case "401":
			w.WriteHeader(401)
			io.WriteString(w, auth)
		case "500":
			w.WriteHeader(500)
			io.WriteString(w, auth+testPassword)
		case "BROKEN":
			io.WriteString(w, `{"statusCode":"success","x":"`+auth)
		case "HOLDER":
			answer(w, rec, "success", "", `"accessControlListData":{"accessControlListItems":[{"barcode":"1","FIRSTNAME":"Zebulon","LASTNAME":"Quixotic","ID_NUMBER":"PX99887766"}],"paginationEnd":"E"}`)
		case "NOBARCODE":
			answer(w, rec, "success", "", `"accessControlListData":{"accessControlListItems":[{"FIRSTNAME":"Zebulon","LASTNAME":"Quixotic","ID_NUMBER":"PX99887766"}]}`)
		case "509":
			w.WriteHeader(509)
		}
	})
	c, _, lb := newTestClient(t, ts.URL)
	var errs []error
	for _, mode := range []string{"ECHO", "AUTH", "401", "500", "BROKEN", "HOLDER", "NOBARCODE", "509"} {
		_, err := c.ExportList(context.Background(), core.ExportRequest{Season: mode})
		if mode != "HOLDER" && err == nil {
			t.Errorf("%s: no error", mode)
		}
		errs = append(errs, err)
	}
	err := c.ImportControls(context.Background(), []core.Control{{Barcode: "1", At: time.Now()}})
	errs = append(errs, err)

	// A timeout and an unreachable host too.
	c2, _, lb2 := newTestClient(t, "http://127.0.0.1:1/svc")
	_, err = c2.TestConnection(context.Background())
	errs = append(errs, err)

	var seen strings.Builder
	for _, e := range errs {
		if e != nil {
			fmt.Fprintf(&seen, "%v\n%s\n%#v\n", e, core.ErrorMessage(e), e)
		}
	}
	seen.WriteString(lb.String())
	seen.WriteString(lb2.String())
	text := seen.String()
	if !strings.Contains(text, "level=debug") {
		t.Fatal("nothing was logged at debug level: the test proves nothing")
	}
	for _, secret := range append([]string{testPassword, "eyJ", "Zebulon", "Quixotic", "PX99887766"}, tokens...) {
		if secret != "" && strings.Contains(text, secret) {
			t.Errorf("%q leaked:\n%s", secret, text)
		}
	}
}
