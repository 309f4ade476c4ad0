package ui

import (
	"os"
	"testing"
)

// The screen tests read the words in English unless they choose another
// language: the system's language is none (C), whatever the machine running
// them speaks.
func TestMain(m *testing.M) {
	os.Setenv("LC_ALL", "C.UTF-8")
	os.Unsetenv("LANGUAGE")
	os.Exit(m.Run())
}
