package postgres

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"s360gate/core"
)

func TestStationsHeartbeat(t *testing.T) {
	db := openTest(t)
	if ss, err := db.Stations(ctx); err != nil || len(ss) != 0 {
		t.Fatalf("stations %+v %v", ss, err)
	}
	if _, err := db.Heartbeat(ctx, StationBeat{}); core.ErrorCode(err) != core.EInvalid {
		t.Fatalf("nameless beat: %v", err)
	}
	// GATE_B's clock is 90 s fast.
	now, err := db.Heartbeat(ctx, StationBeat{Name: "GATE_B", Gate: "B", Direction: core.DirectionOut, ScansToday: 12, Pending: 3,
		Version: "1.2", Clock: time.Now().Add(90 * time.Second)})
	if err != nil || now.IsZero() {
		t.Fatal(now, err)
	}
	if _, err := db.Heartbeat(ctx, StationBeat{Name: "GATE_A", Gate: "A", Candidate: true}); err != nil {
		t.Fatal(err)
	}
	acquire(t, db, "GATE_A")
	// A second beat updates, it does not add.
	if _, err := db.Heartbeat(ctx, StationBeat{Name: "GATE_B", Gate: "B", Direction: core.DirectionOut, ScansToday: 13}); err != nil {
		t.Fatal(err)
	}
	ss, err := db.Stations(ctx)
	if err != nil || len(ss) != 2 {
		t.Fatalf("stations %+v %v", ss, err)
	}
	a, b := ss[0], ss[1]
	if a.Name != "GATE_A" || !a.Candidate || !a.Syncer || a.Direction != core.DirectionIn || a.Silent < 0 || a.Silent > 5*time.Second {
		t.Fatalf("A %+v", a)
	}
	if b.Name != "GATE_B" || b.Syncer || b.ScansToday != 13 || b.Pending != 0 || b.Direction != core.DirectionOut || b.LastHeard.Before(b.FirstHeard) {
		t.Fatalf("B %+v", b)
	}
	// Without a clock in the beat the offset is unknown (0); with one, it
	// is measured against the database's.
	if b.ClockOffset != 0 {
		t.Fatalf("B's offset %v without a clock", b.ClockOffset)
	}
	db.Heartbeat(ctx, StationBeat{Name: "GATE_B", Clock: time.Now().Add(90 * time.Second)})
	ss, _ = db.Stations(ctx)
	if off := ss[1].ClockOffset; off < 85*time.Second || off > 95*time.Second {
		t.Fatalf("B's clock offset %v, want about 90 s", off)
	}
	if _, off, err := db.DBTime(ctx); err != nil || off > 5*time.Second || off < -5*time.Second {
		t.Fatalf("this machine's offset %v %v (same machine)", off, err)
	}
}

func TestVenueSettings(t *testing.T) {
	db := openTest(t)
	_, _, err := db.VenueSettings(ctx)
	if core.ErrorCode(err) != core.ENotFound || !strings.Contains(core.ErrorMessage(err), "venue init") {
		t.Fatalf("unset settings: %v", err)
	}
	station := core.Settings{Environment: core.EnvPreprod, Endpoint: "https://inst.pp-ws.secutix.com/x",
		Institution: "INST", Operator: "OP", Password: "pw-s3cret", Season: "S2026", Products: []string{"P1"},
		EventDate: "2026-11-27", PageSize: 2000, AllowReentry: true, GateRules: map[string][]string{"A": {"B"}},
		TariffRules: map[string]string{"CHILD": "AGE CHECK: under 16"}, Station: "GATE_A"}
	v := station.Venue()
	if err := db.SaveVenueSettings(ctx, v, "GATE_A"); err != nil {
		t.Fatal(err)
	}
	got, at, err := db.VenueSettings(ctx)
	if err != nil || !reflect.DeepEqual(got, v) || at.IsZero() {
		t.Fatalf("settings %+v at %v (%v), want %+v", got, at, err, v)
	}
	// The password is nowhere in the database.
	var leaks int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM venue WHERE settings::text LIKE '%pw-s3cret%'`).Scan(&leaks); err != nil || leaks != 0 {
		t.Fatalf("password stored (%d) %v", leaks, err)
	}
	// Refused settings change nothing.
	bad := v
	bad.PageSize, bad.Season = 50000, "bad season!"
	err = db.SaveVenueSettings(ctx, bad, "GATE_A")
	if core.ErrorCode(err) != core.EInvalid || !strings.Contains(err.Error(), "pageSize") || !strings.Contains(err.Error(), "season") {
		t.Fatalf("bad settings: %v", err)
	}
	if got, _, _ := db.VenueSettings(ctx); !reflect.DeepEqual(got, v) {
		t.Fatalf("refused settings changed the stored ones: %+v", got)
	}
}
