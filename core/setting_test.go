package core

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"s360gate/core/words"
)

// Every field of the settings file is described once, under its JSON name.
func TestEverySettingDescribed(t *testing.T) {
	typ := reflect.TypeOf(Settings{})
	var keys []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
		if SettingByKey(name) == nil {
			t.Errorf("%s (%s) has no description in SettingsTable", typ.Field(i).Name, name)
		}
	}
	seen := map[string]bool{}
	flags := map[string]bool{}
	for _, d := range SettingsTable {
		if seen[d.Key] || !slices.Contains(keys, d.Key) {
			t.Errorf("%s: described twice, or not a setting", d.Key)
		}
		seen[d.Key] = true
		if d.Flag != "" && flags[d.Flag] {
			t.Errorf("flag --%s twice", d.Flag)
		}
		flags[d.Flag] = true
		if (d.str == nil) == (d.num == nil && d.yes == nil && d.list == nil && d.gates == nil && d.tariffs == nil) {
			t.Errorf("%s: one field, no more, no less", d.Key)
		}
	}
}

// Each setting has its words in the catalogue: a name and a line of help,
// and the refusals its kind can give.
func TestEverySettingHasWords(t *testing.T) {
	for _, d := range SettingsTable {
		need := []string{d.LabelKey(), d.HelpKey()}
		if d.Required {
			need = append(need, "setting."+d.Key+".required")
		}
		switch d.Kind {
		case KindInt:
			need = append(need, "setting."+d.Key+".range")
		case KindChoice:
			need = append(need, "setting."+d.Key+".choice")
		}
		for _, k := range need {
			if !words.Has(k) {
				t.Errorf("%s: no words for %s", d.Key, k)
			}
		}
		for _, l := range words.All {
			if d.Label(l) == "" || d.Help(l) == "" || strings.Contains(d.Help(l), "{{") {
				t.Errorf("%s in %s: %q / %q", d.Key, l, d.Label(l), d.Help(l))
			}
			for _, c := range d.Choices {
				if d.ChoiceLabel(l, c) == "" {
					t.Errorf("%s: choice %q has no label in %s", d.Key, c, l)
				}
			}
		}
	}
	// Limits are written once: the help says the table's.
	if h := SettingByKey("pageSize").Help(words.EN); !strings.Contains(h, "10000") {
		t.Errorf("page size help %q", h)
	}
}

// What the form shows of a setting reads back into the same setting.
func TestSettingFormatParse(t *testing.T) {
	s := goodSettings()
	s.Performances = []string{"P1", "P2"}
	s.GateRules = map[string][]string{"N1": {"N2", "N3"}, "S": {"S2"}}
	s.EventDate, s.EventDay, s.PageSize, s.Gate, s.Language = "2026-11-27", true, 7000, "N1", "de"
	s.ScannerPrefix, s.PurgeAfterDays, s.HideHolder = " #", 30, true
	for _, d := range SettingsTable {
		if d.Kind == KindSecret {
			continue
		}
		var back Settings
		if fe := d.Parse(&back, d.Format(&s)); fe != nil {
			t.Errorf("%s: %q refused: %s", d.Key, d.Format(&s), fe.Message)
			continue
		}
		if got, want := d.Format(&back), d.Format(&s); got != want {
			t.Errorf("%s: %q read back as %q", d.Key, want, got)
		}
	}
	a, _ := json.Marshal(s)
	if !strings.Contains(string(a), `"language":"de"`) {
		t.Errorf("%s", a)
	}
}

// What people type in the form or give on the command line.
func TestSettingParseTyping(t *testing.T) {
	var s Settings
	for key, text := range map[string]string{
		"pageSize": "5'000", "products": "M1, M2;M3 M1", "direction": "exit", "environment": "Production",
		"language": "Français", "gateRules": "# comment\nA = B, C\nA: D", "tariffRules": "CHILD = AGE CHECK: under 12",
	} {
		if fe := SettingByKey(key).Parse(&s, text); fe != nil {
			t.Errorf("%s %q: %s", key, text, fe.Message)
		}
	}
	if s.PageSize != 5000 || !slices.Equal(s.Products, []string{"M1", "M2", "M3"}) || s.Direction != DirectionOut ||
		s.Environment != EnvProduction || s.Language != "fr" || !slices.Equal(s.GateRules["A"], []string{"B", "C", "D"}) ||
		s.TariffRules["CHILD"] != "AGE CHECK: under 12" {
		t.Errorf("%+v", s)
	}
	for key, text := range map[string]string{"pageSize": "5.5", "direction": "up", "environment": "PRODUCTION ", "language": "es",
		"gateRules": "A B", "tariffRules": "CHILD = a\nCHILD = b", "eventDay": "maybe"} {
		fe := SettingByKey(key).Parse(&s, text)
		if fe == nil || fe.Field != key || fe.Message == "" {
			t.Errorf("%s %q: %+v", key, text, fe)
			continue
		}
		if de := Speak(words.DE, nil).Field(*fe); de == fe.Message {
			t.Errorf("%s: the refusal %q is English in German", key, de)
		}
	}
	// Given on purpose, 0 is not the default but a page size S-360 must
	// be asked for.
	if fe := SettingByKey("pageSize").Given(&s, "0"); fe == nil || !strings.Contains(fe.Message, "between 1 and 10000") {
		t.Errorf("--page-size 0: %+v", fe)
	}
}

// Only the settings the gate decides with stop it.
func TestSyncOnlyFromTheTable(t *testing.T) {
	for key, want := range map[string]bool{"endpoint": true, "pageSize": true, "mute": true, "language": true, "purgeAfterDays": true,
		"environment": false, "season": false, "gate": false, "tariffRules": false, "hideHolderAtGate": false} {
		if SyncOnly(key) != want {
			t.Errorf("SyncOnly(%s) = %v", key, !want)
		}
	}
}

// The settings a venue shares are those its description marks Venue.
func TestVenueSettingsAreTheVenueOnes(t *testing.T) {
	typ := reflect.TypeOf(VenueSettings{})
	var venue []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		venue = append(venue, name)
	}
	for _, d := range SettingsTable {
		if d.Venue != slices.Contains(venue, d.Key) {
			t.Errorf("%s: described as venue %v, VenueSettings says %v", d.Key, d.Venue, !d.Venue)
		}
	}
}

// The form's text ⇄ setting conversions (what a supervisor may type).
func TestSettingTextForms(t *testing.T) {
	if got := SplitCodes(" P1, P2;P3\nP4  P1 ,, "); !slices.Equal(got, []string{"P1", "P2", "P3", "P4"}) {
		t.Errorf("%v", got)
	}
	if SplitCodes("  ") != nil {
		t.Error("a blank list is not empty")
	}
	for text, want := range map[string]int{"": 0, "5000": 5000, " 5,000 ": 5000, "5'000": 5000, "5 000": 5000, "-3": -3} {
		if got, ok := parseWholeNumber(text); !ok || got != want {
			t.Errorf("parse(%q) = %d, %v; want %d", text, got, ok, want)
		}
	}
	for _, bad := range []string{"abc", "5k", "1.5", "5.000"} {
		if _, ok := parseWholeNumber(bad); ok {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
	gates := SettingByKey("gateRules")
	var s Settings
	if fe := gates.Parse(&s, "# comment\nB = B2\nA = B, C\n\nA: D\n"); fe != nil {
		t.Fatal(fe.Message)
	}
	if !reflect.DeepEqual(s.GateRules, map[string][]string{"A": {"B", "C", "D"}, "B": {"B2"}}) || gates.Format(&s) != "A = B, C, D\nB = B2" {
		t.Errorf("%v / %q", s.GateRules, gates.Format(&s))
	}
	for _, bad := range []string{"A", "= B", "A = ", "A = ,"} {
		if fe := gates.Parse(&s, bad); fe == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if fe := gates.Parse(&s, " \n"); fe != nil || s.GateRules != nil {
		t.Errorf("empty rules = %v, %v", s.GateRules, fe)
	}
	tariffs := SettingByKey("tariffRules")
	if fe := tariffs.Parse(&s, "CHILD = AGE CHECK: under 16\nSENIOR: AGE CHECK: 65 or over"); fe != nil {
		t.Fatal(fe.Message)
	}
	if tariffs.Format(&s) != "CHILD = AGE CHECK: under 16\nSENIOR = AGE CHECK: 65 or over" {
		t.Errorf("%q", tariffs.Format(&s))
	}
}
