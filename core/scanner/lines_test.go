package scanner

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// collect runs Lines and renders each Line as "No:Code" or "No:!sentinel".
func collect(t *testing.T, o Options, r io.Reader) ([]string, error) {
	t.Helper()
	var out []string
	err := o.Lines(r, func(l Line) error {
		if l.Err != nil {
			out = append(out, fmt.Sprintf("%d:!%s", l.No, sentinelName(l.Err)))
			return nil
		}
		out = append(out, fmt.Sprintf("%d:%s", l.No, l.Scan.Code))
		return nil
	})
	return out, err
}

func sentinelName(err error) string {
	for _, s := range []error{ErrEmpty, ErrTooLong, ErrTooShort, ErrGarbage, ErrMultiple} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "other: " + err.Error()
}

func TestLines(t *testing.T) {
	long := strings.Repeat("8", MaxLineBytes+1)
	cases := []struct {
		name string
		opts Options
		in   string
		want []string
	}{
		{name: "LF", in: "1111\n2222\n", want: []string{"1:1111", "2:2222"}},
		{name: "CRLF", in: "1111\r\n2222\r\n", want: []string{"1:1111", "2:2222"}},
		{name: "CR only", in: "1111\r2222\r", want: []string{"1:1111", "2:2222"}},
		{name: "no final newline", in: "1111\n2222", want: []string{"1:1111", "2:2222"}},
		{name: "blank lines skipped, numbers kept", in: "\n\n1111\n  \n\x1d\n2222\n", want: []string{"3:1111", "6:2222"}},
		{name: "BOM and AIM", in: "\ufeff]C01111\n", want: []string{"1:1111"}},
		{name: "bad lines reported, reading goes on", in: "12\n+++\n1111\n", want: []string{"1:!scan too short", "2:!scan unreadable", "3:1111"}},
		{name: "tab inside a line, enter terminator", in: "1111\t2222\n3333\n", want: []string{"1:!two codes in one scan", "2:3333"}},
		{name: "tab terminator splits", opts: Options{Terminator: "tab"}, in: "1111\t2222\t\n3333\t", want: []string{"1:1111", "1:2222", "2:3333"}},
		{name: "tab terminator, Enter still ends", opts: Options{Terminator: "tab"}, in: "1111\n2222\r\n", want: []string{"1:1111", "2:2222"}},
		{name: "layout mapping", in: "&é\"'(-è_çà\n", want: []string{"1:1234567890"}},
		{name: "prefix", opts: Options{Prefix: "@"}, in: "@1111\n", want: []string{"1:1111"}},
		{name: "exactly MaxLineBytes is read (then too long a code)", in: strings.Repeat("8", MaxLineBytes) + "\n1111\n", want: []string{"1:!scan too long", "2:1111"}},
		{name: "overlong line reported, reading goes on", in: "1111\n" + long + "\n2222\n", want: []string{"1:1111", "2:!scan too long", "3:2222"}},
		{name: "overlong last line", in: long, want: []string{"1:!scan too long"}},
		{name: "empty input", in: "", want: nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := collect(t, c.opts, strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestLinesOverlongLine(t *testing.T) {
	// 1 MB on one line: reported once, with its length, without keeping it.
	in := strings.Repeat("9", 1<<20) + "\n1111\n"
	var lines []Line
	err := Lines(strings.NewReader(in), func(l Line) error { lines = append(lines, l); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	l := lines[0]
	if !errors.Is(l.Err, ErrTooLong) || l.Err.Error() != "Line too long (1048576 bytes): not a ticket barcode" {
		t.Errorf("overlong line error = %v", l.Err)
	}
	if len(l.Raw) != MaxLineBytes {
		t.Errorf("overlong Raw kept %d bytes, want %d", len(l.Raw), MaxLineBytes)
	}
	if lines[1].Err != nil || lines[1].Scan.Code != "1111" {
		t.Errorf("line after the overlong one = %+v", lines[1])
	}
}

func TestLinesRawAndWarnings(t *testing.T) {
	var got Line
	_ = Lines(strings.NewReader("  T26ß0001234 \r\n"), func(l Line) error { got = l; return nil })
	if got.Raw != "  T26ß0001234 " || got.Scan.Code != "T26-0001234" || got.Scan.Layout != LayoutQWERTZ || len(got.Scan.Warnings) != 1 {
		t.Errorf("got %+v", got)
	}
}

func TestLinesCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Lines(strings.NewReader("1111\n2222\n3333\n"), func(Line) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("err = %v after %d lines, want stop after 2", err, n)
	}
}

func TestLinesReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("1111\n2222"), iotest.ErrReader(boom))
	got, err := collect(t, Options{}, r)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	// The partial last line is still handed over.
	if strings.Join(got, "|") != "1:1111|2:2222" {
		t.Errorf("got %q", got)
	}
}

func TestLinesOneByteReader(t *testing.T) {
	got, err := collect(t, Options{}, iotest.OneByteReader(strings.NewReader("]C01111\r\n2222\n")))
	if err != nil || strings.Join(got, "|") != "1:1111|2:2222" {
		t.Errorf("got %q, %v", got, err)
	}
}
