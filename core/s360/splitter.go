package s360

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// itemSplitter cuts the elements of a JSON array out of a stream without
// decoding them: it only tracks strings and nesting. encoding/json's
// Decoder.Decode would scan every item twice with its general state
// machine, which costs more than DecodeItem itself; DecodeItem validates
// each item anyway.
//
// It starts just after the array's '[' and stops after its ']'; whatever it
// read beyond is left in rest().
type itemSplitter struct {
	r      io.Reader
	buf    []byte
	start  int // next unread byte
	end    int // end of valid data in buf
	first  bool
	eof    bool
	rerr   error
	closed bool
}

// maxItem bounds one item: a ticket is a few hundred bytes; a megabyte is a
// broken or hostile answer, not a ticket.
const maxItem = 1 << 20

var errItemTooLarge = errors.New("an item is larger than 1 MiB")

func newItemSplitter(r io.Reader) *itemSplitter {
	return &itemSplitter{r: r, buf: make([]byte, 64<<10), first: true}
}

// fill reads more, keeping buf[from:end]; it returns false when no more
// data can come. Offsets into buf shift by from.
func (s *itemSplitter) fill(from int) (shift int, ok bool) {
	if s.eof {
		return 0, false
	}
	if from > 0 {
		copy(s.buf, s.buf[from:s.end])
		s.end -= from
		s.start -= from
		shift = from
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= 2*maxItem {
			s.rerr = errItemTooLarge
			s.eof = true
			return shift, false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err != nil {
		s.eof = true
		if err != io.EOF {
			s.rerr = err
		}
	}
	return shift, n > 0 || !s.eof
}

// skipWS advances start past white space, reading as needed; false at the
// end of the stream.
func (s *itemSplitter) skipWS() bool {
	for {
		for s.start < s.end && isSpace(s.buf[s.start]) {
			s.start++
		}
		if s.start < s.end {
			return true
		}
		if _, ok := s.fill(s.start); !ok {
			return false
		}
	}
}

// next returns the next element (valid until the next call), or done after
// the closing ']'.
func (s *itemSplitter) next() (raw []byte, done bool, err error) {
	if s.closed {
		return nil, true, nil
	}
	if !s.skipWS() {
		return nil, false, s.eofErr()
	}
	c := s.buf[s.start]
	if c == ']' {
		s.start++
		s.closed = true
		return nil, true, nil
	}
	if !s.first {
		if c != ',' {
			return nil, false, fmt.Errorf("expected ',' or ']' in the item list, found %q", c)
		}
		s.start++
		if !s.skipWS() {
			return nil, false, s.eofErr()
		}
	}
	s.first = false
	begin := s.start
	i := begin
	if c := s.buf[begin]; c != '{' && c != '[' && c != '"' {
		// A scalar (not an item DecodeItem will accept, but let it say so).
		for {
			if i >= s.end {
				shift, ok := s.fill(begin)
				begin, i = begin-shift, i-shift
				if !ok {
					return nil, false, s.eofErr()
				}
				continue
			}
			switch s.buf[i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				s.start = i
				return s.buf[begin:i], false, nil
			}
			if i-begin > maxItem {
				return nil, false, errItemTooLarge
			}
			i++
		}
	}
	depth := 0
	inStr := false
	for {
		if i >= s.end {
			if i-begin > maxItem {
				return nil, false, errItemTooLarge
			}
			shift, ok := s.fill(begin)
			begin, i = begin-shift, i-shift
			if !ok {
				return nil, false, s.eofErr()
			}
			continue
		}
		if inStr {
			// Run to the closing quote (or the end of what is buffered); a
			// backslash skips the byte after it. Strings are short (codes,
			// names, dates): a plain loop beats bytes.IndexByte's setup.
			buf := s.buf[i:s.end]
			j := 0
			for j < len(buf) && buf[j] != '"' && buf[j] != '\\' {
				j++
			}
			if j == len(buf) {
				i = s.end
				continue
			}
			if buf[j] == '\\' {
				i += j + 2
				continue
			}
			i += j + 1
			inStr = false
			if depth == 0 { // the element was a string
				s.start = i
				return s.buf[begin:i], false, nil
			}
			continue
		}
		switch s.buf[i] {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				i++
				s.start = i
				return s.buf[begin:i], false, nil
			}
		}
		i++
	}
}

func (s *itemSplitter) eofErr() error {
	if s.rerr != nil {
		return s.rerr
	}
	return io.ErrUnexpectedEOF
}

// rest is the stream after what the splitter consumed.
func (s *itemSplitter) rest() io.Reader {
	return io.MultiReader(bytes.NewReader(s.buf[s.start:s.end]), s.r)
}
