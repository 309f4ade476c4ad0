package core

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// A station's settings are its own fields plus the venue's: taking the
// venue's part out and putting it back changes nothing, and the venue's
// part never carries the password.
func TestVenueSettingsSplit(t *testing.T) {
	s := Settings{
		Environment: EnvPreprod, Endpoint: "https://inst.pp-ws.secutix.com/tnci/backend-apis/externalAccessControlService",
		Institution: "INST", Operator: "OP", Partner: "PART", Password: "s3cret-pw",
		Season: "S2026", Products: []string{"P1", "P2"}, Performances: []string{"PERF"},
		EventDate: "2026-11-27", EventDay: true, PageSize: 2000,
		Station: "GATE_A_1", Gate: "A", Direction: DirectionOut, AllowReentry: true,
		GateRules: map[string][]string{"A": {"B"}}, TariffRules: map[string]string{"CHILD": "AGE CHECK"},
		HideHolder: true, ScannerTerminator: "tab", Mute: true, SupervisorPIN: "x", StalenessMinutes: 7,
	}
	v := s.Venue()
	if got := (Settings{}).WithVenue(v).Venue(); !reflect.DeepEqual(got, v) {
		t.Fatalf("venue part %+v, want %+v", got, v)
	}
	if got := s.WithVenue(v); !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip %+v, want %+v", got, s)
	}
	b, _ := json.Marshal(v)
	if strings.Contains(string(b), "s3cret") || strings.Contains(strings.ToLower(string(b)), "password") {
		t.Fatalf("venue settings carry the password: %s", b)
	}
	// What the venue leaves empty takes the defaults.
	if d := s.WithVenue(VenueSettings{Environment: EnvSim}); d.PageSize != 5000 || len(d.TariffRules) == 0 {
		t.Fatalf("defaults not applied: %+v", d)
	}
	// The station's own fields stay its own.
	other := Settings{Station: "GATE_B_2", Gate: "B", Password: "mine", Mute: false}.WithVenue(v)
	if other.Station != "GATE_B_2" || other.Gate != "B" || other.Password != "mine" || other.Season != "S2026" || !other.AllowReentry {
		t.Fatalf("station's settings with the venue's: %+v", other)
	}
}

// The venue's settings are checked with the station's rules and words;
// only the venue's fields can be refused.
func TestVenueSettingsValidate(t *testing.T) {
	if errs := (VenueSettings{Environment: EnvSim}).Validate(); errs != nil {
		t.Fatalf("simulator without more: %v", errs)
	}
	errs := VenueSettings{Environment: EnvProduction, Endpoint: "http://example.com", Products: []string{"bad code!"}, PageSize: 20000}.Validate()
	for _, f := range []string{"endpoint", "institution", "operator", "season", "products", "pageSize"} {
		if errs.For(f) == "" {
			t.Errorf("%s not refused: %v", f, errs)
		}
	}
	for _, e := range errs {
		if d := SettingByKey(e.Field); d == nil || !d.Venue {
			t.Errorf("a station field refused: %v", e)
		}
	}
	if errs := (VenueSettings{Environment: "moon"}).Validate(); errs.For("environment") == "" {
		t.Fatalf("unknown environment accepted: %v", errs)
	}
}
