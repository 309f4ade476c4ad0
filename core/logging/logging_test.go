package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"s360gate/core"
)

func TestRedactsSecretsAndHolder(t *testing.T) {
	const pw = `s3cr3t-"pw"-1`
	Secret(pw)
	var buf bytes.Buffer
	log := New(&buf, true)
	holder := core.Holder{FirstName: "Adaline", LastName: "Lovelacey", IDNumber: "X99887766", BirthDate: "1990-02-03"}
	tk := &core.Ticket{Barcode: "123456789", TaxNumber: "T1", Holder: holder}
	log.WithFields(logrus.Fields{
		"firstName": "Adaline", "last_name": "Lovelacey", "ID_NUMBER": "X99887766",
		"birthDate": "1990-02-03", "holderName": "Adaline Lovelacey", "name": "Adaline",
		"holder": holder, "ticket": tk, "settings": core.Settings{Password: pw, Station: "S1"},
		"url":   "https://x/?p=" + pw,
		"count": 3, "Password": "unregistered-pw-9",
	}).WithError(errors.New("auth failed with " + pw)).Info("logging in with password " + pw)
	log.Printf("quoted %q", pw)
	out := buf.String()
	for _, leak := range []string{pw, `s3cr3t-\"pw\"-1`, "s3cr3t", "Adaline", "Lovelacey", "X99887766", "1990-02-03", "unregistered-pw-9"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	for _, want := range []string{"count=3", "123456789", Redacted, SecretMask, "S1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestPersonalKeys(t *testing.T) {
	for _, k := range []string{"firstName", "FIRSTNAME", "last-name", "idNumber", "birth_date", "holder", "Name", "holderFirstName"} {
		if !IsPersonalKey(k) {
			t.Errorf("%s should be personal", k)
		}
	}
	for _, k := range []string{"station", "barcode", "gate", "taxNumber", "error"} {
		if IsPersonalKey(k) {
			t.Errorf("%s should not be personal", k)
		}
	}
}

func TestSetupFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	Secret("file-secret-42")
	log, c := Setup(dir, false, nil)
	log.WithField("lastName", "Smithers").Info("hello file-secret-42")
	log.Debug("not shown")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if !strings.Contains(s, "hello") || strings.Contains(s, "file-secret-42") || strings.Contains(s, "Smithers") || strings.Contains(s, "not shown") {
		t.Errorf("log file:\n%s", s)
	}
}
