package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core"
)

func sandboxSettings() core.Settings {
	return core.Settings{Environment: core.EnvSandbox, Endpoint: "https://x.example/s", Institution: "INSTIT",
		Operator: "gate", Password: "pa55-Secret-81", Season: "S26", Products: []string{"M1"}}.Defaults()
}

// TestSupervisorPINStoredHashed: the supervisor PIN reaches settings.json
// only as a salted hash, whether the caller hashed it (the settings screen)
// or not; the stored hash matches the PIN and nothing else.
func TestSupervisorPINStoredHashed(t *testing.T) {
	const pin = "480917"
	hashed, err := core.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	for name, given := range map[string]string{"hashed by the caller": hashed, "given in clear": pin} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			s := sandboxSettings()
			s.SupervisorPIN = given
			if err := Save(dir, s); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, FileName))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(pin)) {
				t.Errorf("settings.json holds the PIN in clear:\n%s", b)
			}
			got, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.SupervisorPIN, "pbkdf2-sha256$") {
				t.Errorf("stored PIN %q is not a hash", got.SupervisorPIN)
			}
			if !core.PINMatches(got.SupervisorPIN, pin) || core.PINMatches(got.SupervisorPIN, "480918") || core.PINMatches(got.SupervisorPIN, "") {
				t.Errorf("the stored hash does not match the PIN (only)")
			}
			// Saving what was loaded keeps the same hash: it is not hashed twice.
			if err := Save(dir, got); err != nil {
				t.Fatal(err)
			}
			again, _ := Load(dir)
			if again.SupervisorPIN != got.SupervisorPIN {
				t.Error("a second save changed the stored hash")
			}
		})
	}
	// A clear PIN too short to protect anything is refused, and nothing is
	// written.
	dir := filepath.Join(t.TempDir(), "data")
	s := sandboxSettings()
	s.SupervisorPIN = "12"
	if err := Save(dir, s); core.ErrorCode(err) != core.EInvalid || !strings.Contains(core.ErrorMessage(err), "PIN") {
		t.Errorf("short PIN: %v", err)
	}
	if Exists(dir) {
		t.Error("a refused PIN wrote the settings")
	}
}

// TestPasswordOnlyInOwnerOnlyFile: the password is in settings.json (0600,
// in a 0700 directory), and in no other file Save leaves behind; a save
// over an existing file keeps those permissions.
func TestPasswordOnlyInOwnerOnlyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	s := sandboxSettings()
	for i := 0; i < 2; i++ { // create, then replace
		if err := Save(dir, s); err != nil {
			t.Fatal(err)
		}
		s.Station = "GATE 2"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Errorf("the data directory holds %v, want only %s (no temporary file left)", entries, FileName)
	}
	wantPrivate(t, filepath.Join(dir, FileName))
	wantPrivate(t, dir)
	if d := Describe(s); strings.Contains(d, s.Password) {
		t.Errorf("Describe shows the password: %s", d)
	}
}

// TestDescribeHidesAddressCredentials: settings are logged with Describe;
// a password typed into the address does not reach the log.
func TestDescribeHidesAddressCredentials(t *testing.T) {
	s := sandboxSettings()
	s.Endpoint = "https://user:in-url-Pw-5@x.example/s"
	if d := Describe(s); strings.Contains(d, "in-url-Pw-5") || strings.Contains(d, s.Password) || !strings.Contains(d, "x.example/s") {
		t.Errorf("Describe: %s", d)
	}
}
