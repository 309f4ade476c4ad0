//go:build linux

// Package pgserver starts a throw-away PostgreSQL server: initdb and the
// postgres binary from Debian's `postgresql` package, in a temporary
// directory, listening on a free loopback port. The tests start one per
// test binary (core/postgres/pgtest), and `s360gate bench --venue` one for
// its venue measurements when it is given no database.
//
// PostgreSQL refuses to run as root: under root (CI, a venue server set up
// by hand) initdb and postgres run as the system user `postgres` that
// Debian's package creates, and the temporary directory is given to that
// user. The server is stopped with its parent (Pdeathsig), so none is left
// behind.
package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL cluster in a temporary directory.
type Server struct {
	dir    string // temporary directory: data/, the socket, the log
	bindir string
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
	cred   *syscall.Credential // nil when not root
	n      atomic.Int64        // databases created
}

// ErrNotInstalled is returned by Start when no PostgreSQL server binaries
// are found.
var ErrNotInstalled = errors.New("no PostgreSQL server found (initdb and postgres in /usr/lib/postgresql/*/bin, pg_config --bindir or $PG_BINDIR): install it with `sudo apt-get install -y postgresql`")

// BinDir finds the directory of initdb and postgres: $PG_BINDIR, the newest
// /usr/lib/postgresql/N/bin (Debian keeps the server binaries off the
// PATH), or pg_config --bindir.
func BinDir() (string, error) {
	ok := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if ok(d) {
			return d, nil
		}
		return "", fmt.Errorf("PG_BINDIR=%s holds no initdb and postgres", d)
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if ok(d) {
			return d, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); ok(d) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

// version is N of /usr/lib/postgresql/N/bin (0 if not a number).
func version(bindir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bindir)), 64)
	return v
}

// Start initialises a cluster in a new temporary directory and starts it.
func Start() (*Server, error) {
	bindir, err := BinDir()
	if err != nil {
		return nil, err
	}
	removeStale(tempRoot())
	dir, err := os.MkdirTemp(tempRoot(), "s360gate-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bindir: bindir}
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("PostgreSQL refuses to run as root, and there is no user postgres to run it as (%v)", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
	}
	// Trust on loopback only, for a throw-away cluster; -N: no fsync of
	// the new cluster's files (it lives as long as the process that made it).
	out, err := s.run(filepath.Join(bindir, "initdb"), "-D", s.data(), "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-N")
	if err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	var lastErr error
	for range 5 { // a free port can be taken by someone else before postgres binds it
		if s.port, err = freePort(); err != nil {
			return fail(err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s, nil
		}
	}
	return fail(lastErr)
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// run runs a server binary as the cluster's owner.
func (s *Server) run(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// start runs postgres as a child process and waits until it accepts
// connections.
func (s *Server) start() error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(s.bindir, "postgres"), "-D", s.data(),
		"-p", strconv.Itoa(s.port), "-k", s.dir, "-c", "listen_addresses=127.0.0.1",
		// Room for many stations' pools at once (the concurrency tests and
		// benchmarks give every station its own).
		"-c", "max_connections=300",
		"-c", "shared_buffers=128MB",
		// Durable commits as at a venue (fsync on): the scan benchmark
		// measures a real commit.
		"-c", "fsync=on", "-c", "synchronous_commit=on")
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	cmd.Stdout, cmd.Stderr = logf, logf
	// SIGINT (fast shutdown) if the process that started it dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGINT}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.DSN("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited at start: %s", s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("postgres did not accept connections within 60 s: %v\n%s", err, s.logTail())
		}
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

func (s *Server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
}

// Port is the loopback TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// DSN is a URL for database db as the superuser over loopback TCP.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// CreateDatabase makes a new empty database and returns its DSN and a
// function that drops it (closing whatever connections are left).
func (s *Server) CreateDatabase(ctx context.Context) (string, func() error, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	if err := s.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0`); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() error {
		return s.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
	return s.DSN(name), drop, nil
}

// Exec runs one statement on the maintenance database as the superuser.
func (s *Server) Exec(ctx context.Context, sql string, args ...any) error {
	c, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, sql, args...)
	return err
}

// Restart stops the server at once, as a crash or a power cut of its host
// would (immediate shutdown: what was committed is recovered from the
// WAL), and starts it again on the same port and data. Every connection
// is cut meanwhile. Tests of stations riding out a restart use it.
func (s *Server) Restart() error {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.kill()
		}
	}
	return s.start()
}

// Stop shuts the server down (fast) and removes its directory.
func (s *Server) Stop() error {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.kill()
		}
	}
	return os.RemoveAll(s.dir)
}

// tempRoot is where clusters go: $TMPDIR, unless running as root with a
// $TMPDIR the postgres user cannot reach (e.g. under /root), then /tmp.
func tempRoot() string {
	dir := os.TempDir()
	if os.Geteuid() != 0 {
		return dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return dir
		}
	}
}

// removeStale deletes the clusters of processes (test binaries, benches) that were killed
// before they could stop theirs (their postgres stopped with them: see
// Pdeathsig): no postmaster.pid naming a live process, and an hour old, so
// that a cluster another binary is creating right now is left alone.
func removeStale(root string) {
	dirs, _ := filepath.Glob(filepath.Join(root, "s360gate-pg-*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || time.Since(fi.ModTime()) < time.Hour {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			line, _, _ := strings.Cut(string(b), "\n")
			if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && syscall.Kill(pid, 0) == nil {
				continue // its server still runs
			}
		}
		os.RemoveAll(d)
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// CPUTime is the processor time the server has used so far (its
// processes' user and system time, exited ones included), read from /proc:
// a measure of its work per operation that the machine's other load barely
// changes, unlike throughput. 0 where /proc is not available.
func (s *Server) CPUTime() time.Duration {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	pid := s.cmd.Process.Pid
	ticks := func(path string, withChildren bool) int64 {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0
		}
		// Fields after the command (which may hold spaces), from ")".
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		n := 0
		if withChildren {
			n = 2 // cutime, cstime: exited backends, once reaped
		}
		var sum int64
		for _, i := range []int{11, 12, 13, 14}[:2+n] { // utime stime cutime cstime
			v, _ := strconv.ParseInt(f[i], 10, 64)
			sum += v
		}
		return sum
	}
	total := ticks(fmt.Sprintf("/proc/%d/stat", pid), true)
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 2 && f[1] == strconv.Itoa(pid) { // ppid: a backend or helper of this server
			total += ticks(d, false)
		}
	}
	return time.Duration(total) * time.Second / 100 // USER_HZ is 100 on Linux
}
