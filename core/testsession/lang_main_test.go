package testsession

import (
	"os"
	"testing"
)

// The tests read the words s360gate writes in English: the system's
// language is none (C), whatever the machine running them speaks, for
// this process and the commands it starts.
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "C.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(m.Run())
}
