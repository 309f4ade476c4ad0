//go:build unix

package configtest

import (
	"os"
	"testing"
)

// Expose lets every user of the computer read path: mode 0644, or 0755
// for a folder (what umask 022 gives).
func Expose(t testing.TB, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	mode := os.FileMode(0o644)
	if fi.IsDir() {
		mode = 0o755
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
