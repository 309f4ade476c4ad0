//go:build unix

package cli

import (
	"os"
	"testing"
)

// exposedPasswordFiles are password files the group or others may read.
func exposedPasswordFiles(t *testing.T, pw string) []string {
	t.Helper()
	var files []string
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		p := writeSecretFile(t, pw)
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}
