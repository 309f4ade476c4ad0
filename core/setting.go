package core

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"s360gate/core/words"
)

// Each setting is described once, here: its JSON name, its flag, its
// kind, its limits, whether the venue shares it and whether the gate
// decides with it. Settings.Validate, the settings form (ui), the
// command-line flags (core/cli) and their error messages are all built
// from this table, and a setting's words are found in the catalogue by its
// key: "setting.KEY" (label), "setting.KEY.help", "setting.KEY.hint"
// (placeholder), "setting.KEY.required", "setting.KEY.range",
// "setting.KEY.choice", "setting.KEY.VALUE" (a choice's label). Adding a
// setting is a row here, a field in Settings and its words.

// SettingKind is how a setting is typed, read, checked and shown.
type SettingKind string

const (
	KindChoice      SettingKind = "choice"      // one of Choices
	KindURL         SettingKind = "url"         // the S-360 service address
	KindCode        SettingKind = "code"        // one code: letters, digits, - _ . (at most 64)
	KindName        SettingKind = "name"        // a code that may hold spaces
	KindCodes       SettingKind = "codes"       // a list of codes
	KindDate        SettingKind = "date"        // YYYY-MM-DD
	KindBool        SettingKind = "bool"        // yes or no
	KindInt         SettingKind = "int"         // a whole number in [Min, Max]
	KindText        SettingKind = "text"        // free text of at most Max characters, kept as typed
	KindSecret      SettingKind = "secret"      // never shown (the password, the PIN's hash)
	KindGateRules   SettingKind = "gateRules"   // ENTRANCE = GATE, GATE lines
	KindTariffRules SettingKind = "tariffRules" // CODE = prompt lines
)

// Setting describes one setting.
type Setting struct {
	// Key is the setting's JSON name in settings.json, its FieldError.Field
	// and the root of its words' keys.
	Key string
	// Flag is its command-line flag without dashes ("" for none); Arg the
	// flag's value in help ("URL").
	Flag, Arg string
	Kind      SettingKind
	// Group is the settings form's card it belongs to.
	Group string
	// Venue: one of the settings a venue's stations share (VenueSettings);
	// the others are a station's own.
	Venue bool
	// Decides: the gate decides with it (which store, what is admitted,
	// how scans are read). A mistake in any other setting must never stop
	// a gate deciding on the tickets it holds (SyncOnly, AtTheGate).
	Decides bool
	// Required outside the simulator (where the embedded demo has them).
	Required bool
	// KindInt: the bounds; ZeroDefault: 0 (an empty field) means the
	// default, and only a value given on purpose must be in bounds.
	// KindText: Max is the length.
	Min, Max    int
	ZeroDefault bool
	// KindChoice: the values, in the order a choice lists them.
	Choices []string

	str     func(*Settings) *string
	num     func(*Settings) *int
	yes     func(*Settings) *bool
	list    func(*Settings) *[]string
	gates   func(*Settings) *map[string][]string
	tariffs func(*Settings) *map[string]string
	// check is a check beyond the kind's.
	check func(*Settings) *FieldError
}

// Groups of the settings form, in screen order.
const (
	GroupConnection = "connection"
	GroupEvent      = "event"
	GroupStation    = "station"
	GroupScanner    = "scanner"
	GroupPIN        = "pin"
)

// Limits written once.
const (
	MaxPageSize      = 10000    // S-360's largest exportList page
	MaxStaleness     = 7 * 1440 // minutes: a week
	MaxPurgeDays     = 3650
	MaxScannerAffix  = 8
	MaxTariffPrompt  = 80
	maxCodeLen       = 64
	DefaultPageSize  = 5000
	DefaultStaleness = 15
	// A scan waits at most this long for the venue's database (ms).
	MinVenueFallbackMs = 50
	MaxVenueFallbackMs = 5000
)

func envChoices() []string {
	out := make([]string, len(Environments))
	for i, e := range Environments {
		out[i] = string(e)
	}
	return out
}

func langChoices() []string {
	out := []string{""} // the system's
	for _, l := range words.All {
		out = append(out, string(l))
	}
	return out
}

// SettingsTable is every setting, in the settings form's order.
var SettingsTable = []*Setting{
	{Key: "environment", Flag: "environment", Arg: "ENV", Kind: KindChoice, Group: GroupConnection, Venue: true, Decides: true,
		Choices: envChoices(), str: func(s *Settings) *string { return (*string)(&s.Environment) }},
	{Key: "endpoint", Flag: "endpoint", Arg: "URL", Kind: KindURL, Group: GroupConnection, Venue: true,
		str: func(s *Settings) *string { return &s.Endpoint }, check: checkEndpointSetting},
	{Key: "institution", Flag: "institution", Arg: "CODE", Kind: KindCode, Group: GroupConnection, Venue: true, Required: true,
		str: func(s *Settings) *string { return &s.Institution }},
	{Key: "operator", Flag: "operator", Arg: "NAME", Kind: KindCode, Group: GroupConnection, Venue: true, Required: true,
		str: func(s *Settings) *string { return &s.Operator }},
	{Key: "partner", Flag: "partner", Arg: "NAME", Kind: KindCode, Group: GroupConnection, Venue: true,
		str: func(s *Settings) *string { return &s.Partner }},
	{Key: "password", Kind: KindSecret, Group: GroupConnection,
		str: func(s *Settings) *string { return &s.Password }},
	{Key: "season", Flag: "season", Arg: "CODE", Kind: KindCode, Group: GroupEvent, Venue: true, Decides: true, Required: true,
		str: func(s *Settings) *string { return &s.Season }},
	{Key: "products", Flag: "product", Arg: "CODE", Kind: KindCodes, Group: GroupEvent, Venue: true, Decides: true, Required: true,
		list: func(s *Settings) *[]string { return &s.Products }},
	{Key: "performances", Flag: "performance", Arg: "CODE", Kind: KindCodes, Group: GroupEvent, Venue: true, Decides: true,
		list: func(s *Settings) *[]string { return &s.Performances }},
	{Key: "eventDate", Flag: "event-date", Arg: "DATE", Kind: KindDate, Group: GroupEvent, Venue: true,
		str: func(s *Settings) *string { return &s.EventDate }},
	{Key: "eventDay", Flag: "event-day", Kind: KindBool, Group: GroupEvent, Venue: true,
		yes: func(s *Settings) *bool { return &s.EventDay }},
	{Key: "pageSize", Flag: "page-size", Arg: "N", Kind: KindInt, Group: GroupEvent, Venue: true,
		Min: 1, Max: MaxPageSize, ZeroDefault: true, num: func(s *Settings) *int { return &s.PageSize }},
	{Key: "station", Flag: "station", Arg: "NAME", Kind: KindName, Group: GroupStation, Decides: true,
		str: func(s *Settings) *string { return &s.Station }},
	{Key: "gate", Flag: "gate", Arg: "GATE", Kind: KindCode, Group: GroupStation, Decides: true,
		str: func(s *Settings) *string { return &s.Gate }},
	{Key: "direction", Flag: "direction", Arg: "in|out", Kind: KindChoice, Group: GroupStation, Decides: true,
		Choices: []string{string(DirectionIn), string(DirectionOut)}, str: func(s *Settings) *string { return (*string)(&s.Direction) }},
	{Key: "allowReentry", Kind: KindBool, Group: GroupStation, Venue: true, Decides: true,
		yes: func(s *Settings) *bool { return &s.AllowReentry }},
	{Key: "gateRules", Kind: KindGateRules, Group: GroupStation, Venue: true, Decides: true,
		gates: func(s *Settings) *map[string][]string { return &s.GateRules }},
	{Key: "tariffRules", Kind: KindTariffRules, Group: GroupStation, Venue: true, Decides: true,
		tariffs: func(s *Settings) *map[string]string { return &s.TariffRules }},
	{Key: "hideHolderAtGate", Kind: KindBool, Group: GroupStation, Decides: true,
		yes: func(s *Settings) *bool { return &s.HideHolder }},
	{Key: "stalenessMinutes", Kind: KindInt, Group: GroupStation, Decides: true,
		Min: 0, Max: MaxStaleness, num: func(s *Settings) *int { return &s.StalenessMinutes }},
	// A station's own: how long its scans wait for the venue's database
	// before deciding from the local copy (venue mode).
	{Key: "venueFallbackMs", Kind: KindInt, Group: GroupStation, Decides: true,
		Min: MinVenueFallbackMs, Max: MaxVenueFallbackMs, ZeroDefault: true, num: func(s *Settings) *int { return &s.VenueFallbackMs }},
	{Key: "purgeAfterDays", Kind: KindInt, Group: GroupStation,
		Min: 0, Max: MaxPurgeDays, num: func(s *Settings) *int { return &s.PurgeAfterDays }},
	// The language only changes words, never a verdict: a mistake in it
	// must not stop a gate.
	{Key: "language", Flag: "lang", Arg: "LANG", Kind: KindChoice, Group: GroupStation,
		Choices: langChoices(), str: func(s *Settings) *string { return &s.Language }},
	{Key: "scannerTerminator", Kind: KindChoice, Group: GroupScanner, Decides: true,
		Choices: []string{"enter", "tab"}, str: func(s *Settings) *string { return &s.ScannerTerminator }},
	{Key: "scannerPrefix", Kind: KindText, Group: GroupScanner, Decides: true, Max: MaxScannerAffix,
		str: func(s *Settings) *string { return &s.ScannerPrefix }},
	{Key: "scannerSuffix", Kind: KindText, Group: GroupScanner, Decides: true, Max: MaxScannerAffix,
		str: func(s *Settings) *string { return &s.ScannerSuffix }},
	{Key: "mute", Kind: KindBool, Group: GroupScanner,
		yes: func(s *Settings) *bool { return &s.Mute }},
	{Key: "supervisorPin", Kind: KindSecret, Group: GroupPIN,
		str: func(s *Settings) *string { return &s.SupervisorPIN }},
}

// SettingByKey is the description of the setting whose JSON name is key.
func SettingByKey(key string) *Setting {
	for _, d := range SettingsTable {
		if d.Key == key {
			return d
		}
	}
	return nil
}

// SettingByFlag is the description of the setting set by flag (no dashes).
func SettingByFlag(flag string) *Setting {
	for _, d := range SettingsTable {
		if d.Flag != "" && d.Flag == flag {
			return d
		}
	}
	return nil
}

// LabelKey, HelpKey and HintKey are the setting's words in the catalogue:
// its name, one line of help, and what an empty field shows.
func (d *Setting) LabelKey() string { return "setting." + d.Key }
func (d *Setting) HelpKey() string  { return "setting." + d.Key + ".help" }
func (d *Setting) HintKey() string  { return "setting." + d.Key + ".hint" }

// ChoiceKey is the key of a choice's label ("setting.direction.out").
func (d *Setting) ChoiceKey(v string) string {
	if v == "" {
		v = "default"
	}
	return "setting." + d.Key + "." + v
}

// Format is the setting's value in s as text, as the form shows it and
// Parse reads it back: codes joined by ", ", rules one per line, a number
// that means the default as nothing, a secret as nothing.
func (d *Setting) Format(s *Settings) string {
	switch d.Kind {
	case KindSecret:
		return ""
	case KindCodes:
		return strings.Join(*d.list(s), ", ")
	case KindInt:
		if n := *d.num(s); n != 0 {
			return strconv.Itoa(n)
		}
		return ""
	case KindBool:
		return strconv.FormatBool(*d.yes(s))
	case KindGateRules:
		return FormatGateRules(*d.gates(s))
	case KindTariffRules:
		return FormatTariffRules(*d.tariffs(s))
	}
	return *d.str(s)
}

// Parse reads text, as typed in the form or given to the flag, into s.
// A refusal says what is wrong in the setting's words; the value itself is
// checked by Check (with the other settings it depends on).
func (d *Setting) Parse(s *Settings, text string) *FieldError {
	switch d.Kind {
	case KindChoice:
		v := text
		for _, c := range d.Choices {
			if strings.EqualFold(v, c) {
				v = c
			}
		}
		if d.Key == "direction" { // "entry" and "exit" are in and out
			if dir, err := ParseDirection(strings.ToLower(v)); err == nil && v != "" {
				v = string(dir)
			}
		}
		if d.Key == "language" && v != "" {
			if l, err := words.Parse(v); err == nil {
				v = string(l)
			}
		}
		if !slices.Contains(d.Choices, v) || (v == "" && d.Key != "language") {
			fe := d.refusal("setting."+d.Key+".choice", nil)
			return &fe
		}
		*d.str(s) = v
	case KindURL:
		*d.str(s) = strings.TrimRight(strings.TrimSpace(text), "/")
	case KindCode, KindName, KindDate:
		*d.str(s) = strings.TrimSpace(text)
	case KindText, KindSecret:
		*d.str(s) = text // as typed: a space may be what a scanner sends
	case KindCodes:
		*d.list(s) = SplitCodes(text)
	case KindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			fe := d.refusal("settings.err.bool", nil)
			return &fe
		}
		*d.yes(s) = b
	case KindInt:
		n, ok := parseWholeNumber(text)
		if !ok {
			fe := d.refusal("settings.err.int", map[string]any{"Text": strconv.Quote(strings.TrimSpace(text))})
			return &fe
		}
		*d.num(s) = n
	case KindGateRules:
		m, fe := d.parseGateRules(text)
		if fe != nil {
			return fe
		}
		*d.gates(s) = m
	case KindTariffRules:
		m, fe := d.parseTariffRules(text)
		if fe != nil {
			return fe
		}
		*d.tariffs(s) = m
	}
	return nil
}

// Given is Parse for a value given on purpose (a command-line flag): a
// number must then be within bounds even where 0 would mean the default,
// since a page size typed on the command line is one S-360 must be asked
// for, a choice may not be left empty, and codes are separated by commas
// only.
func (d *Setting) Given(s *Settings, text string) *FieldError {
	if d.Kind == KindCodes {
		// A flag separates codes by commas only: "M 1" is a mistake to
		// refuse, not two codes (the form reads what people paste).
		var codes []string
		for _, c := range strings.Split(text, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
		*d.list(s) = codes
		return d.checkOne(s)
	}
	if fe := d.Parse(s, text); fe != nil {
		return fe
	}
	if d.Kind == KindInt {
		if n := *d.num(s); n < d.Min || n > d.Max {
			fe := d.rangeRefusal()
			return &fe
		}
	}
	return d.checkOne(s)
}

func (d *Setting) checkOne(s *Settings) *FieldError {
	if errs := d.Check(s); len(errs) > 0 {
		return &errs[0]
	}
	return nil
}

// Check checks the setting's value in s; nil when it can be saved.
func (d *Setting) Check(s *Settings) FieldErrors {
	var errs FieldErrors
	bad := func(key string, data map[string]any) { errs = append(errs, d.refusal(key, data)) }
	if d.Required && s.Environment != EnvSim && d.empty(s) {
		bad("setting."+d.Key+".required", nil)
		return errs
	}
	switch d.Kind {
	case KindChoice:
		if v := *d.str(s); v != "" && !slices.Contains(d.Choices, v) {
			bad("setting."+d.Key+".choice", nil)
		}
		if d.Key == "environment" && *d.str(s) == "" {
			bad("setting."+d.Key+".choice", nil)
		}
	case KindCode:
		if v := *d.str(s); v != "" && !codeRe.MatchString(v) {
			bad("settings.err.code", nil)
		}
	case KindName:
		if v := *d.str(s); v != "" && !nameRe.MatchString(v) {
			bad("settings.err.name", nil)
		}
	case KindCodes:
		for _, c := range *d.list(s) {
			if !codeRe.MatchString(c) {
				bad("settings.err.codes", map[string]any{"Value": strconv.Quote(c)})
				break
			}
		}
	case KindDate:
		if v := *d.str(s); v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				bad("settings.err.date", nil)
			}
		}
	case KindInt:
		n := *d.num(s)
		if !(n == 0 && d.ZeroDefault) && (n < d.Min || n > d.Max) {
			errs = append(errs, d.rangeRefusal())
		}
	case KindText:
		if len(*d.str(s)) > d.Max {
			bad("settings.err.long", map[string]any{"Max": d.Max})
		}
	case KindGateRules:
		for _, code := range sortedKeys(*d.gates(s)) {
			if !codeRe.MatchString(code) {
				bad("settings.err.entrance", map[string]any{"Value": strconv.Quote(code)})
			}
			for _, g := range (*d.gates(s))[code] {
				if !codeRe.MatchString(g) {
					bad("settings.err.gate", map[string]any{"Value": strconv.Quote(g)})
				}
			}
		}
	case KindTariffRules:
		m := *d.tariffs(s)
		for _, code := range sortedKeys(m) {
			if !codeRe.MatchString(code) {
				bad("settings.err.tariff", map[string]any{"Value": strconv.Quote(code)})
			}
			if text := m[code]; strings.TrimSpace(text) == "" || len(text) > MaxTariffPrompt {
				bad("settings.err.prompt", map[string]any{"Code": code, "Max": MaxTariffPrompt})
			}
		}
	}
	if d.check != nil {
		if fe := d.check(s); fe != nil {
			errs = append(errs, *fe)
		}
	}
	return errs
}

// empty reports whether s leaves the setting unset.
func (d *Setting) empty(s *Settings) bool {
	switch {
	case d.str != nil:
		return *d.str(s) == ""
	case d.list != nil:
		return len(*d.list(s)) == 0
	case d.num != nil:
		return *d.num(s) == 0
	}
	return false
}

func (d *Setting) rangeRefusal() FieldError {
	return d.refusal("setting."+d.Key+".range", map[string]any{"Min": d.Min, "Max": d.Max})
}

func (d *Setting) refusal(key string, data map[string]any) FieldError {
	return NewFieldError(d.Key, key, data)
}

// checkEndpointSetting: the address is needed outside the simulator, and
// only https (or http on this machine) is accepted wherever it is given.
func checkEndpointSetting(s *Settings) *FieldError {
	if s.Endpoint == "" && s.Environment == EnvSim {
		return nil
	}
	if err := CheckEndpoint(s.Endpoint); err != nil {
		fe := FieldErrorOf("endpoint", err)
		return &fe
	}
	return nil
}

var (
	codeRe = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,` + strconv.Itoa(maxCodeLen) + `}$`)
	nameRe = regexp.MustCompile(`^[A-Za-z0-9_.\- ]{1,` + strconv.Itoa(maxCodeLen) + `}$`)
)

// SplitCodes reads "P1, P2 P3;P4" as [P1 P2 P3 P4]: codes never hold
// spaces, and people paste lists in every shape. Duplicates are dropped.
func SplitCodes(text string) []string {
	f := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	var out []string
	for _, v := range f {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// parseWholeNumber reads a whole number; empty is 0 (the default).
// Thousands separators are tolerated ("5,000", "5'000", "5 000", "5.000"
// is not: it could be a decimal point).
func parseWholeNumber(text string) (int, bool) {
	t := strings.NewReplacer(",", "", "'", "", "’", "", " ", "", "\u00a0", "", "\u202f", "", "_", "").Replace(strings.TrimSpace(text))
	if t == "" {
		return 0, true
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}

// ruleLines yields the rule lines of a text: one rule per line, blank
// lines and "#" comments skipped, "KEY = value" (or "KEY: value").
func ruleLines(text string, fn func(n int, key, value string) *ruleErr) *ruleErr {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sep := strings.Index(line, "=")
		if sep < 0 {
			sep = strings.Index(line, ":")
		}
		bad := &ruleErr{"settings.err.ruleLine", map[string]any{"Line": i + 1, "Text": strconv.Quote(line)}}
		if sep <= 0 {
			return bad
		}
		key, value := strings.TrimSpace(line[:sep]), strings.TrimSpace(line[sep+1:])
		if key == "" || value == "" {
			return bad
		}
		if err := fn(i+1, key, value); err != nil {
			return err
		}
	}
	return nil
}

type ruleErr struct {
	key  string
	data map[string]any
}

// parseGateRules reads "ENTRANCE = GATE, GATE" lines. Two lines for one
// entrance add up.
func (d *Setting) parseGateRules(text string) (map[string][]string, *FieldError) {
	out := map[string][]string{}
	err := ruleLines(text, func(n int, key, value string) *ruleErr {
		gates := SplitCodes(value)
		if len(gates) == 0 {
			return &ruleErr{"settings.err.noGate", map[string]any{"Line": n}}
		}
		for _, g := range gates {
			if !slices.Contains(out[key], g) {
				out[key] = append(out[key], g)
			}
		}
		return nil
	})
	if err != nil {
		err.data["Example"] = words.Key("setting.gateRules.example")
		fe := d.refusal(err.key, err.data)
		return nil, &fe
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// FormatGateRules writes gate rules as the form shows them.
func FormatGateRules(m map[string][]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s = %s\n", k, strings.Join(m[k], ", "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// parseTariffRules reads "CODE = prompt" lines, e.g. "CHILD = AGE CHECK:
// under 16" (the first "=" separates; ":" only when there is no "=").
func (d *Setting) parseTariffRules(text string) (map[string]string, *FieldError) {
	out := map[string]string{}
	err := ruleLines(text, func(n int, key, value string) *ruleErr {
		if _, dup := out[key]; dup {
			return &ruleErr{"settings.err.twoPrompts", map[string]any{"Line": n, "Code": key}}
		}
		out[key] = value
		return nil
	})
	if err != nil {
		err.data["Example"] = words.Key("setting.tariffRules.example")
		fe := d.refusal(err.key, err.data)
		return nil, &fe
	}
	return out, nil
}

// FormatTariffRules writes tariff prompts as the form shows them.
func FormatTariffRules(m map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s = %s\n", k, m[k])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// data is what the setting's words may say of it: its bounds and default.
func (d *Setting) data() map[string]any {
	def := Settings{}.Defaults()
	def.VenueFallbackMs = int(def.VenueFallback() / time.Millisecond) // 0 in the file means it
	return map[string]any{"Min": d.Min, "Max": d.Max, "Default": d.Format(&def)}
}

// Label, Help and Hint are the setting's name, its line of help and what
// its empty field shows, in l.
func (d *Setting) Label(l words.Lang) string { return l.T(d.LabelKey(), d.data()) }
func (d *Setting) Help(l words.Lang) string  { return l.T(d.HelpKey(), d.data()) }

// Hint is "" for a setting whose field shows no placeholder.
func (d *Setting) Hint(l words.Lang) string {
	if !words.Has(d.HintKey()) {
		return ""
	}
	return l.T(d.HintKey(), d.data())
}

// ChoiceLabel is how a choice of the setting reads in l: its words in the
// catalogue, a language by its own name, or the value itself.
func (d *Setting) ChoiceLabel(l words.Lang, v string) string {
	switch {
	case d.Key == "language" && v == "":
		return l.T(d.ChoiceKey(v), map[string]any{"System": words.System().Name()})
	case d.Key == "language":
		return words.Lang(v).Name()
	case words.Has(d.ChoiceKey(v)):
		return l.T(d.ChoiceKey(v), nil)
	}
	return v
}
