//go:build !unix && !windows

package cli

// lockSync is not enforced on this platform: run one syncing process per
// data directory (see lock_unix.go and lock_windows.go).
func lockSync(string) (func(), bool, error) { return func() {}, false, nil }
