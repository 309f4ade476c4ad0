package cputime

import (
	"testing"
	"time"
)

// TestProcessMoves: burning CPU shows in Process (a clock tick is 1–16 ms
// of work; the loop stops at the first tick, or after a minute of trying).
func TestProcessMoves(t *testing.T) {
	cpu0 := Process()
	deadline := time.Now().Add(time.Minute)
	x := 0
	for Process() == cpu0 && time.Now().Before(deadline) {
		for i := range 100_000 {
			x += i
		}
	}
	if Process() <= cpu0 {
		t.Fatalf("no CPU time counted (%d)", x)
	}
}
