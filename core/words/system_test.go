//go:build !windows

package words

import "testing"

// The system's language is gettext's: LC_ALL, then LC_MESSAGES, then LANG;
// LANGUAGE's list first unless the locale is C; English for anything else.
func TestSystemLanguage(t *testing.T) {
	for _, c := range []struct {
		all, messages, lang, language string
		want                          Lang
	}{
		{"", "", "fr_CH.UTF-8", "", FR},
		{"de_DE.UTF-8", "", "fr_FR.UTF-8", "", DE},
		{"", "it_IT.UTF-8", "fr_FR.UTF-8", "", IT},
		{"", "", "es_ES.UTF-8", "", EN},
		{"", "", "es_ES.UTF-8", "es:de", DE},
		{"C", "", "", "fr", EN},
		{"", "", "", "", EN},
		{"", "", "C.UTF-8", "", EN},
	} {
		t.Setenv("LC_ALL", c.all)
		t.Setenv("LC_MESSAGES", c.messages)
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		if got := System(); got != c.want {
			t.Errorf("%+v: %s", c, got)
		}
	}
}
