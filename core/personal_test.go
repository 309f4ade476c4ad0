package core

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Müller": "muller", " ÉLODIE ": "elodie", "Łukasz": "lukasz",
		"Straße": "strasse", "O'Brien": "o'brien", "O’Brien": "o'brien", "D‘Alembert": "d'alembert", "O`Neil": "o'neil", "Ærø": "aero", "": ""} {
		if got := FoldName(in); got != want {
			t.Errorf("FoldName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStripHolder(t *testing.T) {
	in := `{"barcode":"1","holder":{"firstName":"A"},"x":[{"name":"BIRTHDATE","value":"2001-01-01"},{"code":"SEAT","value":"1"}],"COUNTRY_CODE":"FR"}`
	out := StripHolder([]byte(in), []string{"", "", "", "2001-01-01", "FR"})
	if out == nil || strings.Contains(string(out), "2001") || strings.Contains(string(out), "holder") ||
		strings.Contains(string(out), "FR") || !strings.Contains(string(out), "SEAT") {
		t.Fatalf("stripped %s", out)
	}
	// A holder value left where no rule finds it: the raw item goes.
	if out := StripHolder([]byte(`{"note":"for Bartholomew"}`), []string{"Bartholomew"}); out != nil {
		t.Fatalf("kept %s", out)
	}
	// Raw as the decoder now writes it, only what it did not understand.
	in = `{"additionalInfos":[{"key":"FIRSTNAME","value":"Ada"},{"key":"SEAT_NOTE","value":"aisle"}]}`
	if out := string(StripHolder([]byte(in), []string{"Ada"})); out != `{"additionalInfos":[{"key":"SEAT_NOTE","value":"aisle"}]}` {
		t.Fatalf("stripped %s", out)
	}
	// Nothing but holder data left over: no raw at all.
	if out := StripHolder([]byte(`{"holder":{"shoeSize":44}}`), nil); out != nil {
		t.Fatalf("kept %s", out)
	}
}
