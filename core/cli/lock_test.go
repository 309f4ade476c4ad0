package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lockHelperEnv makes the test binary a process that holds a store's sync
// lock (TestSyncLockHelper) until its stdin closes.
const lockHelperEnv = "S360_LOCK_HELPER"

// TestSyncLockHelper is not a test: it is the other process of
// TestSyncLockAcrossProcesses.
func TestSyncLockHelper(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	release, held, err := lockSync(path)
	switch {
	case err != nil:
		os.Stdout.WriteString("error " + err.Error() + "\n")
		return
	case held:
		os.Stdout.WriteString("held\n")
		return
	}
	os.Stdout.WriteString("locked\n")
	bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	release()
}

// lockHolder starts a process that takes the lock of store and reports it.
func lockHolder(t *testing.T, store string) (*exec.Cmd, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncLockHelper$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+store)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the other process did not take the lock: %q %v", line, err)
	}
	return cmd, func() { stdin.Close() }
}

// One sync per station holds between processes, on Unix (flock) and on
// Windows (LockFileEx): while another process holds a store's lock it is
// refused here, and it is free again as soon as that process lets go or
// dies.
func TestSyncLockAcrossProcesses(t *testing.T) {
	store := filepath.Join(t.TempDir(), "s360gate-sandbox.db")

	cmd, letGo := lockHolder(t, store)
	if _, held, err := lockSync(store); err != nil || !held {
		t.Fatalf("while another process holds it: held=%v err=%v", held, err)
	}
	letGo()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	release, held, err := lockSync(store)
	if err != nil || held {
		t.Fatalf("after the other process let go: held=%v err=%v", held, err)
	}
	release()

	// A process killed while holding the lock does not keep it.
	cmd, _ = lockHolder(t, store)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	release, held, err = lockSync(store)
	if err != nil || held {
		t.Fatalf("after the holder was killed: held=%v err=%v", held, err)
	}
	release()
}
