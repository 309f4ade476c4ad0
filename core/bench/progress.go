package bench

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress is the line on stderr saying what the run is doing: rewritten in
// place with \r on a terminal, plain lines (at most one a second per phase)
// otherwise, so that a log file stays readable.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time
	phase string
	open  bool // a \r line is on screen
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, tty: isTerminal(w)}
}

// isTerminal: a character device (no dependency for one bit).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update says how far a phase is; total 0 means unknown.
func (p *progress) update(phase string, done, total int, unit string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	newPhase := phase != p.phase
	if !p.tty && !newPhase && now.Sub(p.last) < time.Second && (total == 0 || done < total) {
		return
	}
	if p.tty && !newPhase && now.Sub(p.last) < 50*time.Millisecond && (total == 0 || done < total) {
		return
	}
	p.phase, p.last = phase, now
	line := phase + ": " + thousands(done)
	if total > 0 {
		line += " / " + thousands(total)
	}
	if unit != "" {
		line += " " + unit
	}
	p.print(line)
}

// note prints a one-off line (phase start or end).
func (p *progress) note(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.last = "", time.Time{}
	p.print(fmt.Sprintf(format, args...))
}

func (p *progress) print(line string) {
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\033[K", line)
		p.open = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// done ends the \r line so that what follows starts on a fresh one.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprint(p.w, "\r\033[K")
		p.open = false
	}
}

// thousands writes n with commas: 1,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
