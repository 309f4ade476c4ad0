package postgres

import (
	"strings"
	"testing"

	"s360gate/core"
)

func TestParseDSN(t *testing.T) {
	t.Setenv("PGPASSWORD", "")
	for _, tc := range []struct {
		dsn, addr, pw string
		tls, local    bool
		refused       bool // without a trusted LAN
	}{
		{"postgres://gate:Secr3t@127.0.0.1:5433/venue?sslmode=disable", "gate@127.0.0.1:5433/venue", "Secr3t", false, true, false},
		{"host=db.stadium.lan port=5432 dbname=venue user=gate sslmode=require", "gate@db.stadium.lan:5432/venue", "", true, false, false},
		{"postgres://gate@db.stadium.lan/venue?sslmode=verify-full", "gate@db.stadium.lan:5432/venue", "", true, false, false},
		{"postgres://gate@db.stadium.lan/venue?sslmode=disable", "gate@db.stadium.lan:5432/venue", "", false, false, true},
		// prefer (the default) may fall back to clear text
		{"postgres://gate@10.0.0.5/venue", "gate@10.0.0.5:5432/venue", "", false, false, true},
		{"host=/var/run/postgresql dbname=venue user=gate", "gate@/var/run/postgresql:5432/venue", "", false, true, false},
	} {
		a, pw, err := ParseDSN(tc.dsn)
		if err != nil || a.String() != tc.addr || pw != tc.pw || a.TLS != tc.tls || a.Local != tc.local {
			t.Errorf("%s: %+v %q %v", tc.dsn, a, pw, err)
		}
		_, _, err = CheckDSN(tc.dsn, false)
		if (err != nil) != tc.refused || (err != nil && core.ErrorCode(err) != core.EInvalid) {
			t.Errorf("%s: CheckDSN %v", tc.dsn, err)
		}
		if _, _, err := CheckDSN(tc.dsn, true); err != nil {
			t.Errorf("%s on a trusted LAN: %v", tc.dsn, err)
		}
	}
	t.Setenv("PGPASSWORD", "FromEnv")
	if _, pw, _ := ParseDSN("postgres://gate@127.0.0.1/venue"); pw != "FromEnv" {
		t.Errorf("PGPASSWORD: %q", pw)
	}
	for _, bad := range []string{"", "postgres://gate:Pa55@[::1/venue", "host=x port=notaport password=Pa55"} {
		_, _, err := ParseDSN(bad)
		if core.ErrorCode(err) != core.EInvalid || strings.Contains(core.ErrorMessage(err), "Pa55") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
