package ui

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"golang.org/x/text/language"

	"s360gate/core"
	"s360gate/core/words"
)

// The GUI's words are the catalogue's (core/words): one JSON file per
// language, which the headless commands read too. Screens say them with
// T (lang.X underneath), and Fyne's own dialogs (Yes, No, Cancel, OK…)
// with the same files, whose keys include Fyne's.
//
// Fyne's lang picks its language from the system's locale and has no call
// to choose another. A language chosen in Settings is honoured by
// registering its file under the tags Fyne's localizer may be using: the
// bundle's default (en, where every lookup falls back) and the system
// languages' (SetLanguage). Only the chosen file is ever registered, so no
// tag can hold another language's words for our keys.

var (
	guiLang atomic.Value // words.Lang
	// langMu: one registration at a time, and none while words are said:
	// Fyne's lang replaces its localizer without a lock of its own, so a
	// language set while a screen speaks (tests do) would race it.
	langMu sync.RWMutex
)

// SetLanguage makes l the language of every screen built from now on, and
// of Fyne's own dialogs. Screens already built keep their words until
// they are built again (App.rebuild).
func SetLanguage(l words.Lang) {
	l = l.Or(words.EN)
	langMu.Lock()
	defer langMu.Unlock()
	guiLang.Store(l)
	data, err := words.File(l)
	if err != nil {
		fyne.LogError("cannot read the "+string(l)+" translations", err)
		return
	}
	for _, tag := range fyneTags() {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(tag)); err != nil {
			fyne.LogError("cannot register the "+string(l)+" translations", err)
		}
	}
}

// fyneTags are the languages Fyne's localizer may speak: the bundle's
// default and the system's.
func fyneTags() []string {
	tags := []string{"en"}
	for _, s := range words.SystemLocales() {
		t, err := language.Parse(normalLocale(s))
		if err != nil {
			continue
		}
		base, _ := t.Base()
		if b := base.String(); b != "" && !contains(tags, b) {
			tags = append(tags, b)
		}
	}
	return tags
}

// normalLocale turns "fr_CH.UTF-8@euro" into "fr-CH".
func normalLocale(s string) string {
	for i, r := range s {
		if r == '.' || r == '@' {
			s = s[:i]
			break
		}
	}
	out := []rune(s)
	for i, r := range out {
		if r == '_' {
			out[i] = '-'
		}
	}
	return string(out)
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Lang is the GUI's language.
func Lang() words.Lang {
	if l, ok := guiLang.Load().(words.Lang); ok {
		return l
	}
	return words.EN
}

// T is key's words in the GUI's language, data filling its template.
func T(key string, data ...map[string]any) string {
	if len(data) > 0 && data[0] != nil {
		// Key values (words of words) are said first, as words.Lang.T does
		// (before the lock: resolve says words too).
		d := resolve(data[0])
		langMu.RLock()
		defer langMu.RUnlock()
		return lang.X(key, words.EN.Template(key), d)
	}
	langMu.RLock()
	defer langMu.RUnlock()
	return lang.X(key, words.EN.Template(key))
}

// TN is T for words that change with n (.Count, grouped as the language
// groups digits).
func TN(key string, n int, data ...map[string]any) string {
	d := map[string]any{}
	if len(data) > 0 {
		for k, v := range data[0] {
			d[k] = v
		}
	}
	d["Count"] = Lang().Number(n)
	d = resolve(d)
	langMu.RLock()
	defer langMu.RUnlock()
	return lang.XN(key, words.EN.Template(key), n, d)
}

func resolve(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if key, ok := v.(words.Key); ok {
			v = T(string(key))
		}
		out[k] = v
	}
	return out
}

// say is how the screens say verdicts, controls, prompts, errors and
// times: in the GUI's language, with the venue's times.
func say() core.Speaker { return core.Speak(Lang(), venueZone()) }
