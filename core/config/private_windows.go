//go:build windows

package config

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows, Go reports every file as mode 0666 or 0444: who may read a
// file is its ACL. Private means an ACL that does not inherit from the
// folder above and grants access to the user alone, plus SYSTEM and the
// Administrators, which Windows' own profile folders (%AppData%, where the
// data directory is by default) grant too and which can take any file
// anyway. It is what `icacls PATH /inheritance:r /grant:r %USERNAME%:F`
// leaves, with those two accounts kept.

// exposingRights are the rights that let someone read a file or list a
// folder, or change it or its ACL (and so read it next).
const exposingRights = windows.FILE_READ_DATA | windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA |
	windows.WRITE_DAC | windows.WRITE_OWNER |
	windows.GENERIC_READ | windows.GENERIC_WRITE | windows.GENERIC_ALL

// Exposure names the accounts other than the user's, SYSTEM and the
// Administrators that path's ACL lets read or change it ("BUILTIN\Users,
// Everyone"), or "" when there are none. Inheritable entries of a folder
// count: they are what the files created in it will get.
func Exposure(path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", err
	}
	dacl, _, err := sd.DACL()
	if err == windows.ERROR_OBJECT_NOT_FOUND || err == nil && dacl == nil {
		// No ACL at all (FAT and exFAT drives, or a NULL DACL): anyone.
		return "Everyone: this drive keeps no permissions", nil
	}
	if err != nil {
		return "", err
	}
	trusted, err := trustedSIDs()
	if err != nil {
		return "", err
	}
	var who []string
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return "", err
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Mask&exposingRights == 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if slices.ContainsFunc(trusted, sid.Equals) {
			continue
		}
		if name := accountName(sid); !slices.Contains(who, name) {
			who = append(who, name)
		}
	}
	return strings.Join(who, ", "), nil
}

// MakePrivate gives path an ACL of its own (protected from the folder's)
// that grants full control to the user, SYSTEM and the Administrators, and
// nothing to anyone else. A folder's entries are inherited by what it holds,
// and Windows applies them to the files already in it.
func MakePrivate(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	sids, err := trustedSIDs()
	if err != nil {
		return "", err
	}
	var pin runtime.Pinner // the entries hold the SIDs' addresses
	defer pin.Unpin()
	inherit := uint32(windows.NO_INHERITANCE)
	if fi.IsDir() {
		inherit = windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT
	}
	var entries []windows.EXPLICIT_ACCESS
	for _, sid := range sids[:3] { // the user, SYSTEM, Administrators
		pin.Pin(sid)
		entries = append(entries, windows.EXPLICIT_ACCESS{
			AccessPermissions: windows.GENERIC_ALL,
			AccessMode:        windows.SET_ACCESS,
			Inheritance:       inherit,
			Trustee: windows.TRUSTEE{
				TrusteeForm:  windows.TRUSTEE_IS_SID,
				TrusteeType:  windows.TRUSTEE_IS_UNKNOWN,
				TrusteeValue: windows.TrusteeValueFromSID(sid),
			},
		})
	}
	acl, err := windows.ACLFromEntries(entries, nil)
	if err != nil {
		return "", err
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return "", err
	}
	// A drive may take an ACL and not keep it (FAT and exFAT keep none):
	// what counts is what is read back.
	if who, err := Exposure(path); err != nil || who != "" {
		if err == nil {
			err = fmt.Errorf("this drive does not keep the permissions it is given (%s can still open it)", who)
		}
		return "", err
	}
	return "only " + accountName(sids[0]) + ", SYSTEM and Administrators", nil
}

// PrivateHint is what a person types in a command prompt to make path
// private.
func PrivateHint(path string) string {
	return `icacls "` + path + `" /inheritance:r /grant:r "%USERNAME%:F"`
}

// trustedSIDs are the accounts a private file may grant: the user running
// s360gate, SYSTEM, the Administrators, and the placeholders that stand
// for a file's owner (CREATOR OWNER in inheritable entries, OWNER RIGHTS).
func trustedSIDs() ([]*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, err
	}
	me, err := tu.User.Sid.Copy()
	if err != nil {
		return nil, err
	}
	sids := []*windows.SID{me}
	for _, w := range []windows.WELL_KNOWN_SID_TYPE{windows.WinLocalSystemSid, windows.WinBuiltinAdministratorsSid,
		windows.WinCreatorOwnerSid, windows.WinCreatorOwnerRightsSid} {
		sid, err := windows.CreateWellKnownSid(w)
		if err != nil {
			return nil, err
		}
		sids = append(sids, sid)
	}
	return sids, nil
}

// accountName is "DOMAIN\name" of sid, or its S-1-… form when it cannot be
// looked up.
func accountName(sid *windows.SID) string {
	account, domain, _, err := sid.LookupAccount("")
	switch {
	case err != nil:
		return sid.String()
	case domain == "":
		return account
	}
	return fmt.Sprintf(`%s\%s`, domain, account)
}
