package venue

import (
	"sync"
	"testing"
	"time"
)

// A subscriber gets the value at once, then changes; a slow one skips
// values in between but always ends with the last; never two calls at
// once.
func TestWatchDeliversTheLast(t *testing.T) {
	var w watch[int]
	w.update(func(v *int) { *v = 1 })
	var mu sync.Mutex
	var got []int
	busy := false
	release := make(chan struct{})
	first := make(chan struct{})
	cancel := w.subscribe(func(v int) {
		mu.Lock()
		if busy {
			t.Error("two calls at once")
		}
		busy = true
		got = append(got, v)
		mu.Unlock()
		if v == 1 {
			close(first)
			<-release // slow on the first value
		}
		mu.Lock()
		busy = false
		mu.Unlock()
	})
	<-first
	for i := 2; i <= 100; i++ {
		w.update(func(v *int) { *v = i })
	}
	close(release)
	eventually(t, 5*time.Second, "the last value delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0 && got[len(got)-1] == 100
	})
	cancel()
	mu.Lock()
	n := len(got)
	mu.Unlock()
	if n > 3 || got[0] != 1 {
		t.Fatalf("got %v: the slow subscriber should see 1, then at most one value in between, then 100", got)
	}
	w.update(func(v *int) { *v = 101 })
	cancel() // twice is fine
}
