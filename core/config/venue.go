package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"s360gate/core"
)

// VenueFileName holds a station's link to its venue, beside its settings
// and as private as they are (0600, in the 0700 data directory): the
// venue database's address may hold its password.
const VenueFileName = "venue.json"

// VenueLink makes a data directory a station of a venue (`venue join`):
// the station then decides and records through the venue's database, and
// takes part in electing the venue's S-360 client. Its own settings
// (settings.json) keep what is the station's: name, gate, direction, the
// S-360 password if it may sync.
type VenueLink struct {
	// DB is the venue database's address, as given: a postgres:// URL or a
	// key=value string. Its password, if it holds one, is a secret (the
	// commands mask it everywhere); PGPASSWORD or ~/.pgpass keep it out.
	DB string `json:"db"`
	// TrustedLAN: the supervisor said the venue's network is trusted, so
	// a database on another machine may be reached without TLS.
	TrustedLAN bool      `json:"trustedLan,omitempty"`
	Joined     time.Time `json:"joined"`
}

// LoadVenue reads dir's venue link; ok is false for a station on its own.
func LoadVenue(dir string) (v VenueLink, ok bool, err error) {
	path := filepath.Join(dir, VenueFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return v, false, nil
	}
	if err != nil {
		return v, false, core.Wrap(core.EInvalid, err, "Cannot read the venue link in %s", dir)
	}
	if err := json.Unmarshal(bytes.TrimPrefix(b, utf8BOM), &v); err != nil || v.DB == "" {
		return v, false, core.Errorf(core.EInvalid, "The venue link %s is damaged: join the venue again (s360gate venue join) or remove the file to leave it", path)
	}
	return v, true, nil
}

// SaveVenue writes dir's venue link (atomically, owner-only).
func SaveVenue(dir string, v VenueLink) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(dir, VenueFileName, append(b, '\n'))
}

// LeaveVenue removes dir's venue link: the station is on its own again.
func LeaveVenue(dir string) error {
	err := os.Remove(filepath.Join(dir, VenueFileName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return core.Wrap(core.EUnavailable, err, "Cannot remove the venue link in %s", dir)
	}
	return nil
}
