package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"s360gate/core/internal/cputime"
)

// What bench reads of the machine and the process is there on the systems
// gate laptops run (Linux's /proc and getrusage, Windows' API), and moves
// when the process works: CPU time with computing, written bytes and write
// calls with writing, the peak resident set with memory touched.
func TestResourcesMeasured(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("figures are read on Linux and Windows")
	}
	m := machine()
	if m.CPUModel == "" || m.Kernel == "" || m.Cores < 1 {
		t.Errorf("machine: %+v", m)
	}

	cpu0 := cputime.Process()
	deadline := time.Now().Add(10 * time.Second)
	x := uint64(1)
	for cputime.Process() == cpu0 && time.Now().Before(deadline) { // a clock tick: 1–16 ms of work
		for i := 0; i < 1_000_000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	if cputime.Process() <= cpu0 {
		t.Errorf("CPU time did not move in 10 s of computing (%d)", x)
	}

	io0 := ioNow()
	f, err := os.Create(filepath.Join(t.TempDir(), "w"))
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 64<<10)
	for range 16 {
		if _, err := f.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	io1 := ioNow()
	switch {
	case underWine() && io1 == ioCounters{}:
		t.Log("Wine does not count a process's writes (GetProcessIoCounters answers zero)")
	case io1.wchar-io0.wchar < 16*64<<10 || io1.syscw-io0.syscw < 16:
		t.Errorf("1 MiB in 16 writes counted as %d bytes in %d calls", io1.wchar-io0.wchar, io1.syscw-io0.syscw)
	}

	peak0 := peakRSS()
	mem := make([]byte, 64<<20)
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	if peak := peakRSS(); peak < 64<<20 || peak < peak0 {
		t.Errorf("peak RSS %d after touching 64 MiB (was %d)", peak, peak0)
	}
	runtime.KeepAlive(mem)
}
