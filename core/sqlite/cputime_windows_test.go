//go:build windows

package sqlite

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far, all threads (kernel and
// user FILETIMEs count 100 ns).
func cpuTime() time.Duration {
	var c, e, k, u syscall.Filetime
	syscall.GetProcessTimes(syscall.Handle(^uintptr(0)), &c, &e, &k, &u)
	d := func(f syscall.Filetime) time.Duration {
		return time.Duration(uint64(f.HighDateTime)<<32|uint64(f.LowDateTime)) * 100
	}
	return d(k) + d(u)
}
