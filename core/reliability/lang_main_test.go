package reliability

import (
	"os"
	"testing"

	"s360gate/core/postgres/pgtest"
)

// The tests read the words s360gate writes in English: the system's
// language is none (C), whatever the machine running them speaks, for
// this process and the commands it starts. One PostgreSQL server for this
// test binary, started only by the venue tests (pgtest); the child
// processes reach it by its DSN.
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "C.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(pgtest.Main(m))
}
