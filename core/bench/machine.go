package bench

import "runtime"

// Machine is what the figures were measured on. Benchmarks without the
// machine and its load are not figures.
type Machine struct {
	CPUModel  string `json:"cpu_model"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	Kernel    string `json:"kernel,omitempty"`
	// Load averages (1, 5, 15 minutes) at the start and at the end of the
	// run: the machine may be shared.
	LoadStart [3]float64 `json:"load_avg_start"`
	LoadEnd   [3]float64 `json:"load_avg_end"`
}

func machine() Machine {
	return Machine{
		CPUModel:  cpuModel(),
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
		Kernel:    kernelVersion(),
		LoadStart: loadAvg(),
	}
}

// What the machine tells of itself and of this process's use of it is read
// the way each system offers it: /proc and getrusage on Linux
// (resources_unix.go), the Win32 API on Windows (resources_windows.go).
// Whatever a system does not offer reads as zero.

// ioCounters are the process's writes so far: bytes handed to write-like
// calls (files, pipes, sockets) and how many calls.
type ioCounters struct{ wchar, syscw uint64 }
