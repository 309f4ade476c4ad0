package ui

import (
	"os"
	"testing"
)

// The screen tests read the words in English unless they choose another
// language: the system's language is English, whatever the machine running
// them speaks (en_US rather than C, which Fyne's locale reader cannot parse
// and says so at every app).
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "en_US.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(m.Run())
}
