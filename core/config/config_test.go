package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core"
)

func TestSaveLoadOwnerOnlyAndAllOrNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := core.Settings{Environment: core.EnvSandbox, Endpoint: "https://x.example/s", Institution: "INSTIT",
		Operator: "gate", Password: "pa55-secret", Season: "S26", Products: []string{"M1"}}.Defaults()
	if err := Save(dir, s); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, filepath.Join(dir, FileName))
	wantPrivate(t, dir)
	before, _ := os.ReadFile(filepath.Join(dir, FileName))

	bad := s
	bad.Endpoint = "http://example.com/plain"
	if err := Save(dir, bad); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("bad endpoint saved: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Fatal("a refused save changed the stored settings")
	}

	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Password != "pa55-secret" || got.Endpoint != s.Endpoint {
		t.Fatalf("loaded %+v", got)
	}
	t.Setenv(PasswordEnv, "from-env")
	if got, _ := Load(dir); got.Password != "from-env" {
		t.Fatal("S360_PASSWORD must override the stored password")
	}
}

func TestLoadMissingAndDamaged(t *testing.T) {
	dir := t.TempDir()
	s, err := Load(dir)
	if err != nil || s.Environment != core.EnvSim {
		t.Fatalf("a first run starts on the simulator: %+v %v", s, err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("damaged settings: %v", err)
	}
}

// TestLoadHandEdited: a file written in Notepad (byte-order mark), values
// in another case, settings of the wrong type and broken JSON: each says
// which setting and what is wrong with it, without its value.
func TestLoadHandEdited(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("\xef\xbb\xbf" + `{"environment":"PRODUCTION","direction":"Out","scannerTerminator":"Tab","season":"S26"}`)
	s, err := Load(dir)
	if err != nil {
		t.Fatalf("a byte-order mark: %v", err)
	}
	if s.Environment != core.EnvProduction || !s.Environment.Limited() || s.Direction != core.DirectionOut || s.ScannerTerminator != "tab" {
		t.Fatalf("not canonical: %q %q %q", s.Environment, s.Direction, s.ScannerTerminator)
	}

	write(`{"pageSize":"5000","password":12345678,"eventDay":"yes","products":"MATCH01","season":"S26","station":"GATE 1"}`)
	s, err = Load(dir)
	var fe core.FieldErrors
	if core.ErrorCode(err) != core.EInvalid || !errors.As(err, &fe) || len(fe) != 4 {
		t.Fatalf("wrong types: %v", err)
	}
	msg := core.ErrorMessage(err)
	for _, want := range []string{`pageSize: must be a whole number, without quotes, not text in quotes`,
		`password: must be text in quotes, not a number`, `eventDay: must be true or false, without quotes, not text in quotes`,
		`products: must be a list in [ ]`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "12345678") || strings.Contains(msg, "5000") {
		t.Errorf("message %q shows a value", msg)
	}
	// The others are read all the same.
	if s.Season != "S26" || s.Station != "GATE 1" || s.PageSize != 5000 /* the default */ {
		t.Errorf("settings beside the wrong ones: %+v", s)
	}
	if fe.AtTheGate().For("products") == "" || fe.AtTheGate().For("pageSize") != "" {
		t.Errorf("at the gate: %v", fe.AtTheGate())
	}

	write("{\n  \"season\": \"S26\"\n  \"station\": \"x\"\n}")
	_, err = Load(dir)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "line 3, column 3") || !strings.Contains(msg, "not valid JSON") {
		t.Errorf("syntax error: %q", msg)
	}
}
