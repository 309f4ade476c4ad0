//go:build windows

package cputime

import (
	"time"

	"golang.org/x/sys/windows"
)

// Process is this process's CPU time so far (0 if it cannot be read):
// kernel and user FILETIMEs, which count 100 ns.
func Process() time.Duration {
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(windows.CurrentProcess(), &created, &exited, &kernel, &user) != nil {
		return 0
	}
	return Ticks(kernel) + Ticks(user)
}

// Ticks is a FILETIME holding a duration (100 ns units), not a date.
func Ticks(f windows.Filetime) time.Duration {
	return time.Duration(uint64(f.HighDateTime)<<32|uint64(f.LowDateTime)) * 100
}
