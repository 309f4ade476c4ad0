// Package config keeps a station's settings in its data directory.
//
// Settings (the password among them) live in one JSON file readable by its
// owner only, inside a directory only its owner can enter: a gate laptop is
// shared, and the operator password opens the institution's S-360.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"s360gate/core"
)

// FileName is the settings file inside the data directory.
const FileName = "settings.json"

// PasswordEnv, when set, overrides the stored password (kiosks, scripts).
const PasswordEnv = "S360_PASSWORD"

// DefaultDataDir is under the user's config directory.
func DefaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "s360gate")
	}
	return ".s360gate"
}

// EnsureDir creates the data directory owner-only. On Windows the mode is
// ignored and a new folder inherits its parent's ACL, which outside the
// user's profile lets every user read it: MakePrivate gives it its own. A
// folder that cannot be made private (a FAT drive) is still used: Protect
// says so, at once and at every start.
func EnsureDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return core.Wrap(core.EInvalid, err, "Cannot create the data folder %s", dir)
	}
	_, _ = MakePrivate(dir)
	return nil
}

// Load reads the settings of dir. A missing file is not an error: it gives
// the defaults (a first run, on the simulator). The password from
// S360_PASSWORD wins over the stored one.
//
// Settings of the wrong type are named in the error, a *core.Error
// wrapping core.FieldErrors, and the settings are returned all the same
// with the others read (see decode): a command that does not need the
// wrong ones may go on.
func Load(dir string) (core.Settings, error) {
	var s core.Settings
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	var loadErr error
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return s, core.Wrap(core.EInvalid, err, "Cannot read the settings in %s", dir)
	default:
		if err := decode(b, &s); err != nil {
			var fe core.FieldErrors
			if !errors.As(err, &fe) {
				return s, core.Wrap(core.EInvalid, err, "The settings file %s is damaged: %s", path, err)
			}
			loadErr = &core.Error{Code: core.EInvalid, Err: fe,
				Message: "The settings file " + path + " has settings of the wrong type: " + fe.Error()}
		}
	}
	if p := os.Getenv(PasswordEnv); p != "" {
		s.Password = p
	}
	return s.Defaults(), loadErr
}

// FilePassword is the password stored in dir's settings file, whatever
// S360_PASSWORD says ("" when there is none).
func FilePassword(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", core.Wrap(core.EInvalid, err, "Cannot read the settings in %s", dir)
	}
	var p struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(b, utf8BOM), &p); err != nil {
		return "", core.Wrap(core.EInvalid, err, "The settings file %s is damaged", filepath.Join(dir, FileName))
	}
	return p.Password, nil
}

// Exists reports whether dir holds saved settings.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileName))
	return err == nil
}

// Save validates and writes the settings atomically: a crash or a full disk
// leaves the old file whole, never half a new one.
//
// The supervisor PIN is written as a hash only: a PIN that is not one
// (HashPIN's format) is hashed here, so that no caller can put it in the
// file in clear.
func Save(dir string, s core.Settings) error {
	s = s.Normalize()
	if errs := s.Validate(); errs != nil {
		return &core.Error{Code: core.EInvalid, Message: "Settings not saved: " + errs.Error(), Err: errs}
	}
	if s.SupervisorPIN != "" && !isPINHash(s.SupervisorPIN) {
		h, err := core.HashPIN(s.SupervisorPIN)
		if err != nil {
			return &core.Error{Code: core.EInvalid, Message: "Settings not saved: supervisorPin: " + core.ErrorMessage(err), Err: err}
		}
		s.SupervisorPIN = h
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(dir, FileName, append(b, '\n'))
}

// writePrivate writes name in dir atomically, readable by its owner only:
// a crash or a full disk leaves the old file whole, never half a new one.
func writePrivate(dir, name string, b []byte) error {
	if err := EnsureDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".settings-*.tmp")
	if err != nil {
		return core.SayWrap(core.EUnavailable, err, "config.cannotWrite", map[string]any{"Dir": dir})
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(b)
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), filepath.Join(dir, name))
		}
		if err == nil {
			return nil
		}
	}
	tmp.Close()
	return core.SayWrap(core.EUnavailable, err, "config.cannotWrite", map[string]any{"Dir": dir})
}

// isPINHash reports whether pin has the shape core.HashPIN gives:
// "pbkdf2-sha256$<iterations>$<salt>$<key>".
func isPINHash(pin string) bool {
	parts := strings.Split(pin, "$")
	return len(parts) == 4 && parts[0] == "pbkdf2-sha256" && parts[1] != "" && parts[2] != "" && parts[3] != ""
}

// Describe is a one-line summary for logs and status, without secrets.
func Describe(s core.Settings) string {
	return fmt.Sprintf("environment=%s endpoint=%s institution=%s operator=%s season=%s products=%v station=%s gate=%s",
		s.Environment, redactedURL(s.Endpoint), s.Institution, s.Operator, s.Season, s.Products, s.Station, s.Gate)
}

// redactedURL is raw without a password it may hold ("https://user:xxxxx@…").
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
