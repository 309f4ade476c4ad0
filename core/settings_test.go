package core

import (
	"strings"
	"testing"
)

func goodSettings() Settings {
	return Settings{
		Environment: EnvProduction, Endpoint: "https://INSTIT.ws.secutix.com/tnci/backend-apis/externalAccessControlService",
		Institution: "INSTIT", Operator: "gate", Season: "SEASON26", Products: []string{"MATCH01"},
	}.Defaults()
}

func TestValidateRefusesEachBadSetting(t *testing.T) {
	if errs := goodSettings().Validate(); errs != nil {
		t.Fatalf("good settings refused: %v", errs)
	}
	cases := map[string]func(*Settings){
		"environment":       func(s *Settings) { s.Environment = "staging" },
		"endpoint":          func(s *Settings) { s.Endpoint = "http://s360.example.com/x" },
		"institution":       func(s *Settings) { s.Institution = "" },
		"operator":          func(s *Settings) { s.Operator = "" },
		"season":            func(s *Settings) { s.Season = "SEASON 26" },
		"products":          func(s *Settings) { s.Products = []string{"MATCH01", "bad code!"} },
		"performances":      func(s *Settings) { s.Performances = []string{"x/y"} },
		"eventDate":         func(s *Settings) { s.EventDate = "27.11.2026" },
		"pageSize":          func(s *Settings) { s.PageSize = 20000 },
		"station":           func(s *Settings) { s.Station = "gate;drop" },
		"direction":         func(s *Settings) { s.Direction = "sideways" },
		"scannerTerminator": func(s *Settings) { s.ScannerTerminator = "space" },
		"gateRules":         func(s *Settings) { s.GateRules = map[string][]string{"N1": {"B C"}} },
		"tariffRules":       func(s *Settings) { s.TariffRules = map[string]string{"CHILD": " "} },
		"stalenessMinutes":  func(s *Settings) { s.StalenessMinutes = -1 },
		"purgeAfterDays":    func(s *Settings) { s.PurgeAfterDays = 99999 },
		"venueFallbackMs":   func(s *Settings) { s.VenueFallbackMs = 10 },
	}
	for field, spoil := range cases {
		s := goodSettings()
		spoil(&s)
		errs := s.Validate()
		if errs.For(field) == "" {
			t.Errorf("%s: not refused (got %v)", field, errs)
		}
		if strings.Contains(errs.Error(), "\n") {
			t.Errorf("%s: refusal is not one line", field)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, ok := range []string{"https://x.ws.secutix.com/a", "http://127.0.0.1:8360/a", "http://localhost:1/a", "http://[::1]:8/a"} {
		if err := CheckEndpoint(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ftp://x", "http://10.0.0.1/a", "http://example.com", "x.ws.secutix.com"} {
		if err := CheckEndpoint(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestSimNeedsNoConnectionSettings(t *testing.T) {
	if errs := (Settings{}).Defaults().Validate(); errs != nil {
		t.Fatalf("a first run on the simulator must be valid: %v", errs)
	}
}

func TestPIN(t *testing.T) {
	h, err := HashPIN("4821")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "4821") {
		t.Fatal("the PIN is stored in clear")
	}
	if !PINMatches(h, "4821") || PINMatches(h, "4822") || PINMatches("garbage", "4821") {
		t.Fatal("PIN check wrong")
	}
	if _, err := HashPIN("12"); err == nil {
		t.Fatal("a 2-digit PIN protects nothing")
	}
}

func TestHolderAge(t *testing.T) {
	h := Holder{BirthDate: "2010-02-29"}
	if _, ok := h.Born(); ok {
		t.Fatal("2010-02-29 does not exist")
	}
	h.BirthDate = "2012-02-29T00:00:00Z"
	day, _ := (Holder{BirthDate: "2026-02-28"}).Born()
	if age, ok := h.AgeAt(day); !ok || age != 13 {
		t.Fatalf("age %d on the day before the leap birthday, want 13", age)
	}
}
