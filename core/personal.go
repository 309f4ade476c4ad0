package core

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Holder identity is personal data: the stores search it folded and must be
// able to erase it from the raw items S-360 sent. Both stores (core/sqlite,
// core/postgres) use these, so that a name is found, and erased, alike.

// FoldName is how holder names are compared: lower case, Latin accents
// removed, apostrophes of every kind (’ ‘ ʼ ` ´) one ASCII apostrophe, outer
// spaces trimmed. Done in Go, not by the database: SQLite's
// lower() only knows ASCII, and PostgreSQL's depends on the server's locale.
func FoldName(s string) string {
	if s == "" {
		return ""
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.TrimSpace(strings.ReplaceAll(strings.ToLower(s), "`", "'"))
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if m, ok := foldMap[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// foldMap maps accented Latin letters to their base: in each entry the text
// before '=' replaces each rune after it.
var foldMap = func() map[rune]string {
	m := map[rune]string{}
	for _, e := range []string{
		"a=àáâãäåāăą", "ae=æ", "c=çćĉċč", "d=ďđð", "e=èéêëēĕėęě", "g=ĝğġģ",
		"h=ĥħ", "i=ìíîïĩīĭįı", "j=ĵ", "k=ķ", "l=ĺļľŀł", "n=ñńņň",
		"o=òóôõöøōŏő", "oe=œ", "r=ŕŗř", "s=śŝşšș", "ss=ß", "t=ţťŧț",
		"u=ùúûüũūŭůűų", "w=ŵ", "y=ýÿŷ", "z=źżž", "th=þ", "'=’‘ʼ`´",
	} {
		base, runes, _ := strings.Cut(e, "=")
		for _, r := range runes {
			m[r] = base
		}
	}
	return m
}()

// holderKey reports whether a JSON key (or the key of a key/value entry)
// names holder identity: FIRSTNAME, first_name, holderLastName, BIRTHDATE…
func holderKey(k string) bool {
	k = strings.NewReplacer("_", "", "-", "", " ", "", ".", "").Replace(strings.ToLower(k))
	for _, p := range []string{"holder", "firstname", "lastname", "fullname", "surname", "givenname",
		"idnumber", "birth", "countrycode", "passport", "email", "phone", "address"} {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// Holderish is a cheap test for rows the decoder found no holder in.
func Holderish(raw []byte) bool {
	l := bytes.ToLower(raw)
	for _, p := range []string{"firstname", "first_name", "lastname", "last_name", "surname",
		"birth", "holder", "id_number", "idnumber", "passport", "countrycode", "country_code"} {
		if bytes.Contains(l, []byte(p)) {
			return true
		}
	}
	return false
}

// StripHolder returns raw without holder keys, or nil when that cannot be
// done with certainty (then the raw item is dropped) or nothing is left.
// raw holds the members of the item the decoder did not understand (see
// core.Ticket.Raw), or, in stores written before that, the whole item;
// either is a JSON object and is treated alike.
func StripHolder(raw []byte, values []string) []byte {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil
	}
	v = strip(v)
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		// Only holder data was left over: NULL, as for an item the
		// decoder understood entirely.
		return nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	lower := bytes.ToLower(out)
	for _, val := range values {
		if val == "" {
			continue
		}
		enc, _ := json.Marshal(val)
		// Short values (a country code) must match a whole JSON string;
		// longer ones anywhere, in any case.
		if len(val) < 3 && bytes.Contains(out, enc) ||
			len(val) >= 3 && bytes.Contains(lower, bytes.ToLower(enc[1:len(enc)-1])) {
			return nil
		}
	}
	return out
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if holderKey(k) {
				delete(x, k)
				continue
			}
			x[k] = strip(e)
		}
		return x
	case []any:
		kept := x[:0]
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && isHolderEntry(m) {
				continue
			}
			kept = append(kept, strip(e))
		}
		return kept
	}
	return v
}

// isHolderEntry recognises {"key":"FIRSTNAME","value":"Ada"} (or name/code).
func isHolderEntry(m map[string]any) bool {
	for _, k := range []string{"key", "name", "code", "Key", "Name", "Code", "KEY", "NAME", "CODE"} {
		if s, ok := m[k].(string); ok && holderKey(s) {
			return true
		}
	}
	return false
}
