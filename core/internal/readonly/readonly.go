// Package readonly makes files and folders impossible to write, as on a
// read-only medium, for the tests of the store and the commands.
package readonly

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Dir makes dir and the files in it read-only until the test ends:
// immutable as root (chattr +i: root writes whatever the mode), by mode
// otherwise. It skips the test when this file system cannot do it.
func Dir(t testing.TB, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	all := append(files, dir)
	if os.Geteuid() == 0 {
		for _, f := range all {
			if out, err := exec.Command("chattr", "+i", f).CombinedOutput(); err != nil {
				t.Skipf("cannot make %s immutable as root: %v %s", f, err, out)
			}
			t.Cleanup(func() { exec.Command("chattr", "-i", f).Run() })
		}
	} else {
		for _, f := range files {
			os.Chmod(f, 0o400)
		}
		os.Chmod(dir, 0o500)
		t.Cleanup(func() {
			os.Chmod(dir, 0o700)
			for _, f := range files {
				os.Chmod(f, 0o600)
			}
		})
	}
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("the folder can still be written")
	}
}
