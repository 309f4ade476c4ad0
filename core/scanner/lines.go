package scanner

import (
	"bufio"
	"errors"
	"io"
)

// Line is one scan read by Lines.
type Line struct {
	// No is the 1-based line number the scan started on (CR, LF and CRLF
	// each end a line; with the tab terminator several scans can share one).
	No int
	// Raw is the text as read, without its terminator. For a line longer
	// than MaxLineBytes it is the first MaxLineBytes bytes.
	Raw string
	// Scan is the normalized scan, valid when Err is nil (its Warnings and
	// Layout are filled in either way).
	Scan Scan
	// Err is nil, the Normalize error, or ErrTooLong for an overlong line.
	Err error
}

// Lines reads one scan per line with the default Options; see Options.Lines.
func Lines(r io.Reader, fn func(Line) error) error { return Options{}.Lines(r, fn) }

// Lines reads scans from r, one per line, for the headless scan command, and
// calls fn with each, normalized. A line is ended by LF, CR or CRLF (a
// scanner on a serial-to-keyboard adapter may send CR alone), and with the
// tab terminator by Tab as well.
//
// Lines that are empty after cleaning (blank lines, the gap in CR LF, a lone
// GS) are skipped silently: pressing Enter twice is not a failed scan. A line
// longer than MaxLineBytes is not kept in memory: fn gets it with an
// ErrTooLong error and reading goes on with the next line; so a bad line never
// stops the stream. Normalize errors are likewise handed to fn in Line.Err.
//
// Lines returns nil at end of input, the read error if reading fails (after
// handing fn the partial last line), or the first error fn returns, which
// stops reading.
func (o Options) Lines(r io.Reader, fn func(Line) error) error {
	o = o.resolved()
	tab := o.Terminator == TerminatorTab
	br := bufio.NewReader(r)

	buf := make([]byte, 0, 256)
	n := 0             // bytes in the current line, including those not kept
	lineNo, no := 1, 1 // current physical line; line the current scan started on
	prevCR := false

	emit := func() error {
		defer func() { buf, n = buf[:0], 0 }()
		if n == 0 {
			return nil
		}
		l := Line{No: no, Raw: string(buf)}
		if n > MaxLineBytes {
			l.Err = newError(ErrTooLong, "scan.err.lineLong", n)
			return fn(l)
		}
		l.Scan, l.Err = o.Normalize(l.Raw)
		if errors.Is(l.Err, ErrEmpty) {
			return nil
		}
		return fn(l)
	}

	for {
		c, rerr := br.ReadByte()
		if rerr != nil {
			if err := emit(); err != nil {
				return err
			}
			if rerr == io.EOF {
				return nil
			}
			return rerr
		}
		switch {
		case c == '\n':
			if err := emit(); err != nil {
				return err
			}
			if !prevCR { // CRLF is one line end, counted at the CR
				lineNo++
			}
			prevCR = false
		case c == '\r':
			if err := emit(); err != nil {
				return err
			}
			lineNo++
			prevCR = true
		case c == '\t' && tab:
			if err := emit(); err != nil {
				return err
			}
			prevCR = false
		default:
			prevCR = false
			if n == 0 {
				no = lineNo
			}
			n++
			if len(buf) < MaxLineBytes {
				buf = append(buf, c)
			}
		}
	}
}
