package logging

import (
	"io"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"
)

// FileName is the GUI's log inside the data directory.
const FileName = "s360gate.log"

// maxLogBytes: at startup a larger log is moved aside to FileName+".1", so a
// laptop left running for a season cannot fill its disk with logs.
const maxLogBytes = 20 << 20

// Formatter wraps another formatter and redacts every entry before and after
// formatting: fields and message first (so a personal field never reaches
// the inner formatter), then the bytes (so a secret the inner formatter
// produced from some value's own printing is still caught).
type Formatter struct {
	Inner logrus.Formatter
}

// Format implements logrus.Formatter.
func (f *Formatter) Format(e *logrus.Entry) ([]byte, error) {
	c := *e
	c.Data = make(logrus.Fields, len(e.Data))
	for k, v := range e.Data {
		c.Data[k] = RedactValue(k, v)
	}
	c.Message = Redact(e.Message)
	b, err := f.Inner.Format(&c)
	if err != nil {
		return nil, err
	}
	return []byte(Redact(string(b))), nil
}

// New is a logger writing redacted text to out.
func New(out io.Writer, verbose bool) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(out)
	l.SetFormatter(&Formatter{Inner: &logrus.TextFormatter{
		FullTimestamp:   true,
		DisableColors:   true,
		TimestampFormat: "2006-01-02T15:04:05.000Z07:00",
	}})
	l.SetLevel(logrus.InfoLevel)
	if verbose {
		l.SetLevel(logrus.DebugLevel)
	}
	return l
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// Setup makes the process's logger. With out non-nil (headless commands:
// stderr) it writes there; with out nil (the GUI, which has no terminal) it
// appends to FileName in dataDir, readable by its owner only. If the file
// cannot be opened it falls back to stderr and says so: losing the log must
// not stop a gate. Close the returned Closer on exit.
func Setup(dataDir string, verbose bool, out io.Writer) (*logrus.Logger, io.Closer) {
	if out != nil {
		return New(out, verbose), nopCloser{}
	}
	f, err := openFile(dataDir)
	if err != nil {
		l := New(os.Stderr, verbose)
		l.WithError(err).Warn("cannot open the log file; logging to stderr")
		return l, nopCloser{}
	}
	return New(f, verbose), f
}

func openFile(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogBytes {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	// OpenFile's mode only applies to a new file; an old one may have been
	// created wider by hand or by an earlier version.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
