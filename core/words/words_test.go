package words

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The four files hold the same keys: none missing, none extra.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	en, err := Keys(EN)
	if err != nil {
		t.Fatal(err)
	}
	if len(en) < 100 {
		t.Fatalf("only %d keys in en.json", len(en))
	}
	for _, l := range All[1:] {
		keys, err := Keys(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range en {
			if !slices.Contains(keys, k) {
				t.Errorf("%s.json lacks %q", l, k)
			}
		}
		for _, k := range keys {
			if !slices.Contains(en, k) {
				t.Errorf("%s.json has %q, which en.json has not", l, k)
			}
		}
	}
}

var fieldRe = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// forms are a key's texts: the one text, or its plural forms.
func forms(t *testing.T, l Lang, key string, v any) map[string]string {
	switch v := v.(type) {
	case string:
		return map[string]string{"other": v}
	case map[string]any:
		out := map[string]string{}
		for f, s := range v {
			str, ok := s.(string)
			if !ok || !slices.Contains([]string{"zero", "one", "two", "few", "many", "other"}, f) {
				t.Errorf("%s %q: plural form %q is not text of a known form", l, key, f)
			}
			out[f] = str
		}
		if out["other"] == "" || out["one"] == "" {
			t.Errorf("%s %q: a plural needs its one and other forms", l, key)
		}
		return out
	}
	t.Errorf("%s %q: neither text nor plural forms", l, key)
	return nil
}

func fields(texts map[string]string) []string {
	var out []string
	for _, s := range texts {
		for _, m := range fieldRe.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return out
}

// Every translation fills the same blanks as the English, and every
// template runs with data: nothing is left unsaid or shown as a template.
func TestTemplatesRunInEveryLanguage(t *testing.T) {
	raw := map[Lang]map[string]any{}
	for _, l := range All {
		m, err := Raw(l)
		if err != nil {
			t.Fatal(err)
		}
		raw[l] = m
	}
	for key, v := range raw[EN] {
		want := fields(forms(t, EN, key, v))
		plural := false
		if _, ok := v.(map[string]any); ok {
			plural = true
		}
		for _, l := range All {
			texts := forms(t, l, key, raw[l][key])
			if got := fields(texts); !slices.Equal(got, want) {
				t.Errorf("%s %q fills %v, English fills %v", l, key, got, want)
			}
			for _, s := range texts {
				if strings.Count(s, "{{") != strings.Count(s, "}}") || strings.TrimSpace(s) == "" {
					t.Errorf("%s %q: %q", l, key, s)
				}
			}
			data := map[string]any{}
			for _, f := range want {
				data[f] = "«" + f + "»"
			}
			for _, n := range []int{0, 1, 2, 5} {
				var out string
				if plural {
					out = l.N(key, n, data)
				} else {
					out = l.T(key, data)
				}
				if (out == key && strings.Contains(key, ".")) || strings.Contains(out, "<no value>") || strings.Contains(out, "{{") {
					t.Errorf("%s %q says %q", l, key, out)
				}
				for _, f := range want {
					if f != "Count" && !strings.Contains(out, "«"+f+"»") {
						t.Errorf("%s %q: %q does not say .%s", l, key, out, f)
					}
				}
			}
		}
	}
}

// Words of words (Key values) are said in the same language.
func TestKeyData(t *testing.T) {
	got := DE.T("settings.err.typeOnly", map[string]any{"Want": Key("settings.type.int")})
	if got != "muss eine ganze Zahl, ohne Anführungszeichen sein" {
		t.Errorf("%q", got)
	}
	if got := FR.N("prompt.years", 1, nil); got != "1 an" {
		t.Errorf("1 year in French: %q", got)
	}
	if got := FR.N("prompt.years", 12, nil); got != "12 ans" {
		t.Errorf("12 years in French: %q", got)
	}
	if got := EN.T("no.such.key", nil); got != "no.such.key" {
		t.Errorf("an unknown key says %q", got)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"fr": FR, "FR": FR, "fr_CH.UTF-8": FR, "de-CH": DE, "de_DE@euro": DE,
		"it_IT": IT, "en_GB.UTF-8": EN, " Deutsch ": DE, "italiano": IT} {
		if got, err := Parse(in); got != want || err != nil {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "es", "C", "POSIX", "klingon", "f"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, got)
		}
	}
}

func TestDatesAndNumbers(t *testing.T) {
	at := time.Date(2026, 11, 25, 18, 42, 0, 0, time.UTC) // a Wednesday
	for l, want := range map[Lang][3]string{
		EN: {"2026-11-25", "Wed 25 Nov 18:42", "25 Nov 2026 18:42"},
		FR: {"25/11/2026", "mer. 25 nov. 18:42", "25 nov. 2026 18:42"},
		DE: {"25.11.2026", "Mi. 25. Nov. 18:42", "25. Nov. 2026 18:42"},
		IT: {"25/11/2026", "mer 25 nov 18:42", "25 nov 2026 18:42"},
	} {
		got := [3]string{l.Format(at, LayoutDate), l.Format(at, LayoutDayTime), l.Format(at, LayoutFull)}
		if got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
		if d := l.Date("2014-05-02T00:00:00"); d != l.Format(time.Date(2014, 5, 2, 0, 0, 0, 0, time.UTC), LayoutDate) {
			t.Errorf("%s birth date %q", l, d)
		}
		for _, key := range []string{"time.days", "time.months"} {
			if n := len(strings.Fields(l.T(key, nil))); n != map[string]int{"time.days": 7, "time.months": 12}[key] {
				t.Errorf("%s %s: %d names", l, key, n)
			}
		}
	}
	if got := EN.Number(1234567); got != "1,234,567" {
		t.Errorf("English number %q", got)
	}
	if got := DE.Number(1234567); got != "1.234.567" {
		t.Errorf("German number %q", got)
	}
	if got := FR.Number(12345); !strings.HasPrefix(got, "12") || !strings.HasSuffix(got, "345") || len([]rune(got)) != 6 || got == "12,345" {
		t.Errorf("French number %q", got)
	}
	if got := EN.Date("not a date"); got != "not a date" {
		t.Errorf("a date that is not one: %q", got)
	}
}
