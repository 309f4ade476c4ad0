package cli

import (
	"os"
	"testing"
)

// The tests read the words s360gate writes in English: the system's
// language is English, whatever the machine running them speaks, for this
// process and the commands it starts (en_US rather than C, which Fyne's
// locale reader cannot parse and says so at every app).
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "en_US.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(m.Run())
}
