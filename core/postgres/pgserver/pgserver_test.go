//go:build linux

package pgserver

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Clusters left by killed test binaries are removed; a live or young one
// is not.
func TestRemoveStale(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, age time.Duration, pid string) string {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(d, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			os.WriteFile(filepath.Join(d, "data", "postmaster.pid"), []byte(pid+"\n/x\n"), 0o600)
		}
		old := time.Now().Add(-age)
		os.Chtimes(d, old, old)
		return d
	}
	dead := mk("s360gate-pg-dead", 2*time.Hour, "999999999")
	nopid := mk("s360gate-pg-nopid", 2*time.Hour, "")
	live := mk("s360gate-pg-live", 2*time.Hour, strconv.Itoa(os.Getpid()))
	young := mk("s360gate-pg-young", time.Minute, "")
	other := mk("other-dir", 2*time.Hour, "")
	removeStale(root)
	for d, want := range map[string]bool{dead: false, nopid: false, live: true, young: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
