//go:build unix

package sqlite

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process used so far, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
