package config

import (
	"os"
	"path/filepath"
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
