//go:build !windows

package words

import (
	"os"
	"strings"
)

// systemLocales are the locales gettext would pick messages by: the first
// of LC_ALL, LC_MESSAGES and LANG that is set, preceded by the LANGUAGE
// list unless that locale is C (C and POSIX mean "no language": English).
func systemLocales() []string {
	locale := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = os.Getenv(v); locale != "" {
			break
		}
	}
	if locale == "" || locale == "C" || locale == "POSIX" || strings.HasPrefix(locale, "C.") {
		return nil
	}
	var out []string
	for _, l := range strings.Split(os.Getenv("LANGUAGE"), ":") {
		if l != "" {
			out = append(out, l)
		}
	}
	return append(out, locale)
}
