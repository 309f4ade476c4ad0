//go:build windows

package cli

import (
	"testing"

	"s360gate/core/config/configtest"
)

// exposedPasswordFiles is a password file Everyone may read.
func exposedPasswordFiles(t *testing.T, pw string) []string {
	t.Helper()
	p := writeSecretFile(t, pw)
	configtest.Expose(t, p)
	return []string{p}
}
