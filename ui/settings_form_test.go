package ui

import (
	"reflect"
	"testing"
)

func TestSettingsSplitList(t *testing.T) {
	got := settingsSplitList(" P1, P2;P3\nP4  P1 ,, ")
	if want := []string{"P1", "P2", "P3", "P4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if settingsSplitList("  ") != nil {
		t.Error("blank list is not empty")
	}
}

func TestSettingsParseInt(t *testing.T) {
	for text, want := range map[string]int{"": 7, "5000": 5000, " 5,000 ": 5000, "5'000": 5000, "-3": -3} {
		got, err := settingsParseInt(text, 7)
		if err != nil || got != want {
			t.Errorf("parse(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
	for _, bad := range []string{"abc", "5k", "1.5"} {
		if _, err := settingsParseInt(bad, 0); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}

func TestSettingsGateRulesRoundTrip(t *testing.T) {
	text := "# comment\nB = B2\nA = B, C\n\nA: D\n"
	got, err := settingsParseGateRules(text)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"A": {"B", "C", "D"}, "B": {"B2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if s := settingsFormatGateRules(got); s != "A = B, C, D\nB = B2" {
		t.Errorf("format = %q", s)
	}
	for _, bad := range []string{"A", "= B", "A = ", "A = ,"} {
		if _, err := settingsParseGateRules(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if m, err := settingsParseGateRules(" \n"); err != nil || m != nil {
		t.Errorf("empty rules = %v, %v", m, err)
	}
}

func TestSettingsTariffRules(t *testing.T) {
	got, err := settingsParseTariffRules("CHILD = AGE CHECK: under 16\nSENIOR: AGE CHECK: 65 or over")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"CHILD": "AGE CHECK: under 16", "SENIOR": "AGE CHECK: 65 or over"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	if s := settingsFormatTariffRules(got); s != "CHILD = AGE CHECK: under 16\nSENIOR = AGE CHECK: 65 or over" {
		t.Errorf("format = %q", s)
	}
	if _, err := settingsParseTariffRules("CHILD = a\nCHILD = b"); err == nil {
		t.Error("two prompts for one tariff accepted")
	}
}
