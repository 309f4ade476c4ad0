//go:build windows

package config

import (
	"regexp"
	"slices"
	"testing"

	"golang.org/x/sys/windows"
)

var sddlACE = regexp.MustCompile(`\(([A-Z]*);[^;]*;[^;]*;[^;]*;[^;]*;([^)]*)\)`)

// wantPrivate: path's ACL, as Windows writes it in SDDL, allows only the
// user, SYSTEM (SY) and the Administrators (BA).
func wantPrivate(t *testing.T, path string) {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{tu.User.Sid.String(), "SY", "BA"}
	sddl := sd.String()
	aces := sddlACE.FindAllStringSubmatch(sddl, -1)
	if len(aces) == 0 {
		t.Errorf("%s: no entry in %s", path, sddl)
	}
	for _, a := range aces {
		if a[1] == "A" && !slices.Contains(allowed, a[2]) {
			t.Errorf("%s grants %s: %s", path, a[2], sddl)
		}
	}
}

// exposedAs is what Exposure says of a path configtest.Expose opened.
const exposedAs = "Everyone"
