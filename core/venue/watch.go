package venue

import "sync"

// watch holds a value and tells subscribers of its changes, as core.Venue
// promises: the current value at once, then every change, each subscriber
// on a goroutine of its own, never two calls at once for one subscriber; a
// slow one skips intermediate values, never the last.
type watch[T any] struct {
	mu   sync.Mutex
	v    T
	subs map[int]*subscriber[T]
	next int
}

type subscriber[T any] struct {
	fn      func(T)
	pending chan T // holds the latest value not delivered yet (one slot)
	stop    chan struct{}
}

func (w *watch[T]) get() T {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.v
}

// update changes the value with fn and tells every subscriber.
func (w *watch[T]) update(fn func(*T)) T {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(&w.v)
	for _, s := range w.subs {
		s.offer(w.v)
	}
	return w.v
}

// offer replaces the value waiting for s, if any, by v.
func (s *subscriber[T]) offer(v T) {
	select {
	case <-s.pending:
	default:
	}
	s.pending <- v
}

func (w *watch[T]) subscribe(fn func(T)) (cancel func()) {
	s := &subscriber[T]{fn: fn, pending: make(chan T, 1), stop: make(chan struct{})}
	w.mu.Lock()
	if w.subs == nil {
		w.subs = map[int]*subscriber[T]{}
	}
	id := w.next
	w.next++
	w.subs[id] = s
	s.offer(w.v)
	w.mu.Unlock()
	go func() {
		for {
			select {
			case <-s.stop:
				return
			case v := <-s.pending:
				s.fn(v)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			delete(w.subs, id)
			w.mu.Unlock()
			close(s.stop)
		})
	}
}
