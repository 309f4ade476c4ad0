//go:build windows

package words

import "golang.org/x/sys/windows"

// systemLocales are the user's display languages, most preferred first
// ("fr-CH"): the language Windows itself speaks to them, which is not
// always the one its regional formats are in.
func systemLocales() []string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil {
		return nil
	}
	return langs
}
