// Package words is s360gate's catalogue of words: the four languages the
// stewards speak (English, French, German, Italian), one embedded JSON file
// per language in go-i18n's format (flat keys; {"one": …, "other": …} for
// plurals; Go templates), and the language's way of writing numbers, dates
// and times.
//
// The same files serve the headless commands (through go-i18n here) and the
// GUI (registered with Fyne's lang package, which reads this format), so
// that a word is written once for both. It imports nothing of s360gate:
// core renders its verdicts and settings with it (core/say.go).
package words

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is one of the languages s360gate speaks, by its ISO 639-1 code.
type Lang string

const (
	EN Lang = "en"
	FR Lang = "fr"
	DE Lang = "de"
	IT Lang = "it"
)

// All are the languages, in the order a choice lists them.
var All = []Lang{EN, FR, DE, IT}

// Files holds translations/en.json, fr.json, de.json and it.json. The GUI
// hands them to Fyne (lang.AddTranslationsFS(words.Files, "translations")).
//
//go:embed translations/*.json
var Files embed.FS

// Dir is the folder of Files that holds the translation files.
const Dir = "translations"

// Parse reads a language as a person or a system names it: "fr", "FR",
// "fr-CH", "fr_CH.UTF-8", "de_DE@euro", or the language's own name
// ("Deutsch"). Only the language counts: a Swiss French station speaks
// French.
func Parse(s string) (Lang, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, l := range All {
		if t == strings.ToLower(l.Name()) {
			return l, nil
		}
	}
	if i := strings.IndexAny(t, "-_.@"); i >= 0 {
		t = t[:i]
	}
	for _, l := range All {
		if t == string(l) {
			return l, nil
		}
	}
	return "", fmt.Errorf("%q is not a language s360gate speaks: use en, fr, de or it", s)
}

// Or is l, or def when l is empty.
func (l Lang) Or(def Lang) Lang {
	if l == "" {
		return def
	}
	return l
}

// Name is the language's own name, as a choice shows it to whoever speaks it.
func (l Lang) Name() string {
	switch l {
	case FR:
		return "Français"
	case DE:
		return "Deutsch"
	case IT:
		return "Italiano"
	}
	return "English"
}

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	t, err := language.Parse(string(l))
	if err != nil {
		return language.English
	}
	return t
}

// catalogue is the bundle every language is read from, loaded once.
var catalogue = sync.OnceValues(func() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range All {
		data, err := Files.ReadFile(Dir + "/" + string(l) + ".json")
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, string(l)+".json"); err != nil {
			return nil, fmt.Errorf("translations/%s.json: %w", l, err)
		}
	}
	return b, nil
})

var localizers sync.Map // Lang → *i18n.Localizer

func (l Lang) localizer() *i18n.Localizer {
	if v, ok := localizers.Load(l); ok {
		return v.(*i18n.Localizer)
	}
	b, err := catalogue()
	if err != nil {
		panic(err) // the files are embedded: a broken one never passes the tests
	}
	// English after the language: a key missing in one file (the tests
	// forbid it) still says something a person can read.
	loc := i18n.NewLocalizer(b, string(l.Or(EN)), string(EN))
	v, _ := localizers.LoadOrStore(l, loc)
	return v.(*i18n.Localizer)
}

// Key is a value of a template's data that is itself a key of the
// catalogue: T says it in the same language before filling the template
// ("must be {{.Want}}" with Want: Key("settings.type.int")). Words built
// of words stay translatable when they are stored or sent as data.
type Key string

// T is the words of key in l, its template filled with data (a map or a
// struct; nil when the words take none; values of type Key in a map are
// said in l first). An unknown key gives the key itself: visible, never a
// blank.
func (l Lang) T(key string, data any) string {
	if m, ok := data.(map[string]any); ok {
		data = l.resolve(m)
	}
	s, err := l.localizer().Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil && s == "" {
		return key
	}
	return s
}

// N is T for words that change with a count (their "one" and "other"
// forms, as the language counts): the count is .Count in the template
// unless data says otherwise.
func (l Lang) N(key string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data = l.resolve(data)
	if _, ok := data["Count"]; !ok {
		data["Count"] = l.Number(count)
	}
	s, err := l.localizer().Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return key
	}
	return s
}

// resolve is data with its Key values said in l (a copy: data may be
// shared, e.g. an error's, said in several languages).
func (l Lang) resolve(data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		if key, ok := v.(Key); ok {
			v = l.T(string(key), nil)
		}
		out[k] = v
	}
	return out
}

// Has reports whether key is in the catalogue.
func Has(key string) bool {
	_, err := EN.localizer().Localize(&i18n.LocalizeConfig{MessageID: key})
	return err == nil
}

// Keys are the keys of one language's file, sorted (for the tests that
// keep the four files alike).
func Keys(l Lang) ([]string, error) {
	m, err := Raw(l)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// Raw is one language's file as written: each key's text, or its plural
// forms. It is read once; do not change it.
func Raw(l Lang) (map[string]any, error) {
	if v, ok := raws.Load(l); ok {
		return v.(map[string]any), nil
	}
	data, err := fs.ReadFile(Files, Dir+"/"+string(l)+".json")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("translations/%s.json: %w", l, err)
	}
	raws.Store(l, m)
	return m, nil
}

var raws sync.Map // Lang → map[string]any

// File is one language's translation file as embedded (for the GUI's
// Fyne lang registration).
func File(l Lang) ([]byte, error) { return Files.ReadFile(Dir + "/" + string(l.Or(EN)) + ".json") }

// Template is key's words in l before their template is filled (the
// "other" form of a plural): what Fyne's lang needs as a fallback.
func (l Lang) Template(key string) string {
	m, err := Raw(l)
	if err != nil {
		return key
	}
	switch v := m[key].(type) {
	case string:
		return v
	case map[string]any:
		if s, ok := v["other"].(string); ok {
			return s
		}
	}
	return key
}
