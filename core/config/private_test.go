package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"s360gate/core/config/configtest"
)

// A data folder and settings file other users can read are made private,
// and each is named in a line that says what was done; the settings still
// load. Private ones are left alone and nothing is said.
func TestProtectMakesDataPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	settings := filepath.Join(dir, FileName)
	if err := Save(dir, sandboxSettings()); err != nil {
		t.Fatal(err)
	}
	if notes := Protect(dir); notes != nil {
		t.Fatalf("a data folder Save made says %q", notes)
	}
	configtest.Expose(t, dir)
	configtest.Expose(t, settings)
	for _, p := range []string{dir, settings} {
		if who, err := Exposure(p); err != nil || !strings.Contains(who, exposedAs) {
			t.Fatalf("Exposure(%s) = %q, %v; want %q", p, who, err, exposedAs)
		}
	}

	notes := Protect(dir)
	if len(notes) != 2 || !strings.Contains(notes[0], "data folder "+dir) || !strings.Contains(notes[1], "settings file "+settings) {
		t.Fatalf("notes %q", notes)
	}
	for i, p := range []string{dir, settings} {
		if !strings.Contains(notes[i], exposedAs) || !strings.Contains(notes[i], "made private") {
			t.Errorf("note %q does not say who could read it and what was done", notes[i])
		}
		if who, err := Exposure(p); err != nil || who != "" {
			t.Errorf("after Protect, Exposure(%s) = %q, %v", p, who, err)
		}
		wantPrivate(t, p)
	}
	if s, err := Load(dir); err != nil || s.Password != sandboxSettings().Password {
		t.Errorf("settings after Protect: %v", err)
	}
	if notes := Protect(dir); notes != nil {
		t.Errorf("a second Protect says %q", notes)
	}
	// A data folder that does not exist yet (a first run) is no news.
	if notes := Protect(filepath.Join(dir, "none")); notes != nil {
		t.Errorf("missing folder: %q", notes)
	}
}

// Files created in a folder MakePrivate made private are private too, on
// Windows by the folder's inherited entries, including those already in
// it.
func TestMakePrivateCoversTheFolder(t *testing.T) {
	dir := t.TempDir()
	before := filepath.Join(dir, "before.db")
	if err := os.WriteFile(before, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	configtest.Expose(t, dir)
	if _, err := MakePrivate(dir); err != nil {
		t.Fatal(err)
	}
	after := filepath.Join(dir, "after.db")
	if err := os.WriteFile(after, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, before, after} {
		if who, err := Exposure(p); err != nil || who != "" {
			t.Errorf("Exposure(%s) = %q, %v", p, who, err)
		}
	}
}

// The hint is a command for this system naming the path.
func TestPrivateHint(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := PrivateHint(p)
	if !strings.Contains(h, p) || !(strings.HasPrefix(h, "chmod 600 ") || strings.HasPrefix(h, "icacls ")) {
		t.Errorf("hint %q", h)
	}
}

// What cannot be made private (a FAT drive, a read-only medium) is said,
// with who can read it and what to do, and the settings are still used.
func TestProtectSaysWhatItCannotChange(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := Save(dir, sandboxSettings()); err != nil {
		t.Fatal(err)
	}
	configtest.Expose(t, dir)
	orig := makePrivate
	makePrivate = func(string) (string, error) { return "", errors.New("this drive does not keep permissions") }
	defer func() { makePrivate = orig }()
	notes := Protect(dir) // and settings.json, where the folder hands its ACL down
	if len(notes) == 0 || !strings.Contains(notes[0], "data folder") {
		t.Fatalf("notes %q", notes)
	}
	for _, want := range []string{dir, exposedAs, "could not be made private", "this drive does not keep permissions", PrivateHint(dir), "--data-dir"} {
		if !strings.Contains(notes[0], want) {
			t.Errorf("note %q lacks %q", notes[0], want)
		}
	}
	if _, err := Load(dir); err != nil {
		t.Error(err)
	}
}

// A station's venue link may hold the venue database's password: it is
// kept private like the settings.
func TestProtectVenueLink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := SaveVenue(dir, VenueLink{DB: "postgres://gate:pw@127.0.0.1/venue"}); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, VenueFileName)
	wantPrivate(t, link)
	configtest.Expose(t, link)
	notes := Protect(dir)
	if len(notes) != 1 || !strings.Contains(notes[0], "venue link "+link) || !strings.Contains(notes[0], "made private") {
		t.Fatalf("notes %q", notes)
	}
	wantPrivate(t, link)
	if l, ok, err := LoadVenue(dir); err != nil || !ok || l.DB == "" {
		t.Fatalf("LoadVenue after Protect: %+v %v %v", l, ok, err)
	}
}
