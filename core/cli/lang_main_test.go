package cli

import (
	"os"
	"testing"

	"s360gate/core/postgres/pgtest"
)

// The tests read the words s360gate writes in English: the system's
// language is English, whatever the machine running them speaks, for this
// process and the commands it starts (en_US rather than C, which Fyne's
// locale reader cannot parse and says so at every app).
// pgtest.Main runs the tests with the PostgreSQL server the venue tests
// share and stops it after.
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "en_US.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(pgtest.Main(m)) // and the venue tests' PostgreSQL server

}
