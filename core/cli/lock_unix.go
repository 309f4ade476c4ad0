//go:build unix

package cli

import (
	"errors"
	"os"
	"syscall"
)

// lockSync takes the store's sync lock without waiting. S-360 keeps one
// cursor and one call schedule per client (s360-api.md, "One client per
// product"): two processes syncing one store would export the same pages
// twice and could both pass the hourly policy check. The lock is released
// by the kernel when the process ends, however it ends.
func lockSync(storePath string) (release func(), held bool, err error) {
	f, err := os.OpenFile(storePath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, false, nil
}
