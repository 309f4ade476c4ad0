//go:build windows

package bench

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// On Windows the figures come from the Win32 API. Windows has no load
// average (it reads as zero) and cannot reset a process's peak working
// set, so the peak RSS there is the whole run's, raw baseline included.

var (
	kernel32                 = windows.NewLazySystemDLL("kernel32.dll")
	procGetProcessMemoryInfo = kernel32.NewProc("K32GetProcessMemoryInfo")
	procGetProcessIoCounters = kernel32.NewProc("GetProcessIoCounters")
)

// cpuModel is the first processor's name as the registry holds it.
func cpuModel() string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `HARDWARE\DESCRIPTION\System\CentralProcessor\0`, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	s, _, err := k.GetStringValue("ProcessorNameString")
	if err != nil {
		return ""
	}
	return s
}

// kernelVersion is Windows' own version number ("10.0.22631"), which
// RtlGetVersion reports whatever the program's compatibility manifest says.
func kernelVersion() string {
	v := windows.RtlGetVersion()
	return fmt.Sprintf("%d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber)
}

func loadAvg() [3]float64 { return [3]float64{} }

// ioNow is what the process wrote so far, all devices (files, pipes,
// sockets): bytes and write operations.
func ioNow() ioCounters {
	var c windows.IO_COUNTERS
	if ok, _, _ := procGetProcessIoCounters.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&c))); ok == 0 {
		return ioCounters{}
	}
	return ioCounters{wchar: c.WriteTransferCount, syscw: c.WriteOperationCount}
}

func resetPeakRSS() bool { return false }

// processMemoryCounters is PROCESS_MEMORY_COUNTERS (psapi.h).
type processMemoryCounters struct {
	cb                         uint32
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// peakRSS is the process's peak working set, in bytes.
func peakRSS() uint64 {
	var m processMemoryCounters
	m.cb = uint32(unsafe.Sizeof(m))
	if ok, _, _ := procGetProcessMemoryInfo.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&m)), uintptr(m.cb)); ok == 0 {
		return 0
	}
	return uint64(m.PeakWorkingSetSize)
}
