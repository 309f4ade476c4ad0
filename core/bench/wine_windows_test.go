//go:build windows

package bench

import "golang.org/x/sys/windows"

// underWine: the tests run in Wine (CI's .ci/wine), not on Windows.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
