package ui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Text ⇄ settings conversions of the settings form. They are pure so that
// what a supervisor may type (extra spaces, "5,000", comments in rule
// lists) is tested without a window.

// settingsSplitList reads "P1, P2 P3;P4" as [P1 P2 P3 P4]: codes never hold
// spaces, and people paste lists in every shape. Duplicates are dropped.
func settingsSplitList(text string) []string {
	f := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	var out []string
	seen := map[string]bool{}
	for _, v := range f {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// settingsParseInt reads a whole number; empty gives def. Thousands
// separators are tolerated ("5,000", "5'000", "5 000").
func settingsParseInt(text string, def int) (int, error) {
	t := strings.NewReplacer(",", "", "'", "", " ", "", "_", "").Replace(strings.TrimSpace(text))
	if t == "" {
		return def, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", strings.TrimSpace(text))
	}
	return n, nil
}

// settingsRuleLines yields the rule lines of a text: one rule per line,
// blank lines and "#" comments skipped, "KEY = value" (or "KEY: value").
func settingsRuleLines(text string, fn func(n int, key, value string) error) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sep := strings.Index(line, "=")
		if sep < 0 {
			sep = strings.Index(line, ":")
		}
		if sep <= 0 {
			return fmt.Errorf("line %d (%q): write CODE = …", i+1, line)
		}
		key, value := strings.TrimSpace(line[:sep]), strings.TrimSpace(line[sep+1:])
		if key == "" || value == "" {
			return fmt.Errorf("line %d (%q): write CODE = …", i+1, line)
		}
		if err := fn(i+1, key, value); err != nil {
			return err
		}
	}
	return nil
}

// settingsParseGateRules reads "ENTRANCE = GATE, GATE" lines. Two lines for
// one entrance add up.
func settingsParseGateRules(text string) (map[string][]string, error) {
	out := map[string][]string{}
	err := settingsRuleLines(text, func(n int, key, value string) error {
		gates := settingsSplitList(value)
		if len(gates) == 0 {
			return fmt.Errorf("line %d: name at least one gate after =", n)
		}
		for _, g := range gates {
			if !slices.Contains(out[key], g) {
				out[key] = append(out[key], g)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%v (e.g. A = B, C: tickets for entrance A may also use gates B and C)", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func settingsFormatGateRules(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, strings.Join(m[k], ", "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// settingsParseTariffRules reads "CODE = prompt" lines, e.g.
// "CHILD = AGE CHECK: under 16" (the first "=" separates; ":" only when
// there is no "=").
func settingsParseTariffRules(text string) (map[string]string, error) {
	out := map[string]string{}
	err := settingsRuleLines(text, func(n int, key, value string) error {
		if _, dup := out[key]; dup {
			return fmt.Errorf("line %d: %s has two prompts", n, key)
		}
		out[key] = value
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%v (e.g. CHILD = AGE CHECK: under 16)", err)
	}
	return out, nil
}

func settingsFormatTariffRules(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, m[k])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func settingsJoin(list []string) string { return strings.Join(list, ", ") }

// settingsIntText shows 0 as empty, so the placeholder (the default) shows.
func settingsIntText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
