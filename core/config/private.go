package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// A station's data directory holds the S-360 password (settings.json) and
// the holder identities (the stores), and a gate laptop is shared: other
// users of the computer must not read them. How "others can read this" is
// told and undone depends on the system, in one place per system:
// private_unix.go (mode bits) and private_windows.go (ACLs).
//
//   - Exposure(path) says who besides the owner can read path ("" if
//     nobody);
//   - MakePrivate(path) leaves it to its owner (and on Windows the
//     system's own accounts) and describes what it set;
//   - PrivateHint(path) is the command a person types to do the same.

// makePrivate is MakePrivate; tests make it fail.
var makePrivate = MakePrivate

// Protect keeps the data directory and its settings file private. When other
// users can read them it makes them private, and it returns one line for
// each it changed or could not change, for the command to say so.
//
// Failing to change them does not stop anything: a gate whose data sits
// on a read-only medium, or on a drive that keeps no permissions, must
// still scan. The line tells the supervisor what to do instead.
func Protect(dir string) []string {
	var notes []string
	for _, it := range []struct{ path, what string }{
		{dir, "data folder"},
		{filepath.Join(dir, FileName), "settings file"},
		{filepath.Join(dir, VenueFileName), "venue link"}, // may hold the venue database's password
	} {
		who, err := Exposure(it.path)
		switch {
		case errors.Is(err, fs.ErrNotExist) || err == nil && who == "":
			continue
		case err != nil:
			notes = append(notes, fmt.Sprintf("Cannot tell who may read the %s %s: %v", it.what, it.path, err))
			continue
		}
		now, err := makePrivate(it.path)
		if err != nil {
			notes = append(notes, fmt.Sprintf("The %s %s can be read by other users of this computer (%s) and could not be made private (%v): run %s, or use a data folder only you can open (--data-dir)",
				it.what, it.path, who, err, PrivateHint(it.path)))
			continue
		}
		notes = append(notes, fmt.Sprintf("The %s %s could be read by other users of this computer (%s): made private (%s)", it.what, it.path, who, now))
	}
	return notes
}
