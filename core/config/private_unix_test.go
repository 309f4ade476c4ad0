//go:build unix

package config

import (
	"os"
	"testing"
)

// wantPrivate: a folder is 0700, a file 0600.
func wantPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	want := os.FileMode(0o600)
	if fi.IsDir() {
		want = 0o700
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s has mode %04o, want %04o", path, fi.Mode().Perm(), want)
	}
}

// exposedAs is what Exposure says of a path configtest.Expose opened.
const exposedAs = "mode 0"
