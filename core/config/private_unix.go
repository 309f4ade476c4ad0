//go:build unix

package config

import (
	"fmt"
	"os"
)

// Exposure is the mode of path when its group or others have any access
// to it ("mode 0644"), "" when only its owner has.
func Exposure(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if p := fi.Mode().Perm(); p&0o077 != 0 {
		return fmt.Sprintf("mode %04o", p), nil
	}
	return "", nil
}

// MakePrivate takes every permission from path's group and others and
// keeps the owner's (0755 becomes 0700, 0644 becomes 0600).
func MakePrivate(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	p := fi.Mode().Perm() &^ 0o077
	if err := os.Chmod(path, p); err != nil {
		return "", err
	}
	return fmt.Sprintf("mode %04o", p), nil
}

// PrivateHint is what a person types to make path private.
func PrivateHint(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return "chmod 700 " + path
	}
	return "chmod 600 " + path
}
