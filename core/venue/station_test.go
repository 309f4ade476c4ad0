package venue

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/internal/netfault"
	"s360gate/core/postgres"
	"s360gate/core/postgres/pgtest"
	"s360gate/core/sqlite"
	"s360gate/core/storetest"
)

// splitVenue is a venue database holding tickets, and its DSN.
func splitVenue(t *testing.T, codes ...string) (string, *postgres.DB) {
	dsn := pgtest.NewDatabase(t)
	db := openDB(t, dsn, "SETUP")
	v := core.VenueSettings{Environment: core.EnvSandbox, Endpoint: "http://127.0.0.1:1/none", Institution: "I",
		Operator: "O", Season: "S2026", Products: []string{"MATCH12"}}
	if err := db.SaveVenueSettings(ctx, v, "test"); err != nil {
		t.Fatal(err)
	}
	ts := make([]core.Ticket, len(codes))
	for i, c := range codes {
		ts[i] = storetest.Ticket(c)
	}
	if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: ts, Cursor: "c1"}); err != nil {
		t.Fatal(err)
	}
	return dsn, db
}

// cable is a station's link to the venue's database, through a proxy the
// test controls.
func cable(t *testing.T, dsn string) (*netfault.Proxy, string) {
	port := pgtest.Shared(t).Port()
	p, err := netfault.Start(fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, strings.Replace(dsn, fmt.Sprintf("127.0.0.1:%d", port), p.Addr(), 1)
}

// openStation opens station name on dsn with its store in dir.
func openStation(t *testing.T, dsn, dir, name string) *Station {
	t.Helper()
	local, err := sqlite.Open(filepath.Join(dir, "s360gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStation(ctx, StationOptions{DB: dsn, Local: local,
		Station: core.Settings{Station: name, Gate: "A", Direction: core.DirectionIn, VenueFallbackMs: 300},
		Log:     quiet(), ProbeEvery: 100 * time.Millisecond, CopyEvery: 100 * time.Millisecond, StatusEvery: 200 * time.Millisecond})
	if err != nil {
		local.Close()
		t.Fatal(err)
	}
	return s
}

func scanAt(t *testing.T, s *Station, code string) core.Verdict {
	t.Helper()
	cp := storetest.Checkpoint("A")
	cp.Station.Name = s.o.Station.Station
	v, err := s.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: storetest.Day})
	if err != nil {
		t.Fatalf("%s: scan %s: %v", s.o.Station.Station, code, err)
	}
	return v
}

func want(t *testing.T, v core.Verdict, o core.Outcome, r core.Reason, offVenue bool) {
	t.Helper()
	if v.Outcome != o || v.Reason != r || v.Control == nil || v.Control.OffVenue != offVenue || v.Local != offVenue {
		t.Fatalf("verdict %s %s (local %v, control %+v), want %s %s off venue %v", v.Outcome, v.Reason, v.Local, v.Control, o, r, offVenue)
	}
}

// venueControls are the venue's controls by id.
func venueControls(t *testing.T, db *postgres.DB) map[string]core.Control {
	t.Helper()
	out := map[string]core.Control{}
	err := db.Controls(ctx, core.ControlFilter{}, func(c core.Control) error {
		if _, dup := out[c.ID]; dup {
			t.Errorf("control %s stored twice", c.ID)
		}
		out[c.ID] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// knows waits until s's copy holds n controls of code.
func knows(t *testing.T, s *Station, code string, n int) {
	t.Helper()
	eventually(t, 20*time.Second, s.o.Station.Station+"'s copy knows "+code, func() bool {
		got := 0
		s.local.Controls(ctx, core.ControlFilter{Barcode: code}, func(core.Control) error { got++; return nil })
		return got == n
	})
}

// A cable pulled at one station: it decides from its copy within the
// fallback time (a ticket used elsewhere before is ALREADY_USED), the other
// goes on through the venue; the cable back, the local controls are pushed
// once, the station decides through the venue again, and the ticket both
// let in is the venue's one double entry. A blackholed link (silence, not a
// reset) does the same, and a station that starts while the venue cannot
// be reached decides from the copy it made before.
func TestStationCablePull(t *testing.T) {
	dsn, db := splitVenue(t, "100", "101", "102", "103", "104")
	pa, dsnA := cable(t, dsn)
	pb, dsnB := cable(t, dsn)
	dirA, dirB := t.TempDir(), t.TempDir()
	a, b := openStation(t, dsnA, dirA, "STATION1"), openStation(t, dsnB, dirB, "STATION7")
	defer func() { b.Close() }()
	var ids []string // every verdict shown
	keep := func(v core.Verdict) core.Verdict { ids = append(ids, v.Control.ID); return v }

	want(t, keep(scanAt(t, b, "100")), core.Admit, core.ReasonOK, false)
	knows(t, a, "100", 1)

	var downs []core.LinkState
	linkSeen := make(chan core.LinkState, 100)
	cancel := a.SubscribeLink(func(l core.LinkState) { linkSeen <- l })
	pa.Set(netfault.Drop)
	want(t, keep(scanAt(t, a, "100")), core.Deny, core.ReasonAlreadyUsed, true)
	want(t, keep(scanAt(t, a, "101")), core.Admit, core.ReasonOK, true)
	want(t, keep(scanAt(t, a, "101")), core.Deny, core.ReasonAlreadyUsed, true)
	// A helpdesk check records nothing, and says it was decided locally.
	cp := storetest.Checkpoint("A")
	cp.Station.Name = a.o.Station.Station
	if v, err := a.Scan(ctx, core.ScanRequest{Code: "101", Checkpoint: cp, Now: storetest.Day, Helpdesk: true}); err != nil ||
		v.Reason != core.ReasonAlreadyUsed || v.Control != nil || !v.Local {
		t.Fatalf("a helpdesk check cut off: %+v, %v", v, err)
	}
	if l := a.Link(); l.Up || l.Unpushed != 3 || !l.CopyReady || l.Since.IsZero() {
		t.Fatalf("link while the cable is out: %+v", l)
	}
	// B, still linked, lets 101 in too: the venue has not heard of A's.
	want(t, keep(scanAt(t, b, "101")), core.Admit, core.ReasonOK, false)

	pa.Set(netfault.Pass)
	eventually(t, 20*time.Second, "A back on the venue", func() bool { l := a.Link(); return l.Up && l.Unpushed == 0 })
	cancel()
	for len(linkSeen) > 0 {
		if l := <-linkSeen; !l.Up {
			downs = append(downs, l)
		}
	}
	if len(downs) == 0 {
		t.Fatal("the link's subscriber never saw it down")
	}
	want(t, keep(scanAt(t, a, "102")), core.Admit, core.ReasonOK, false)
	knows(t, b, "102", 1)

	// Both cut off: a blackhole at B (silence, no reset), and A restarted
	// while its cable is out, deciding from the copy it made before.
	pb.Set(netfault.Blackhole)
	want(t, keep(scanAt(t, b, "103")), core.Admit, core.ReasonOK, true)
	want(t, keep(scanAt(t, b, "102")), core.Deny, core.ReasonAlreadyUsed, true) // its copy knew A's
	a.Close()
	pa.Set(netfault.Drop)
	a = openStation(t, dsnA, dirA, "STATION1")
	if a.Link().Up {
		t.Fatal("a station opened cut off says its link is up")
	}
	want(t, keep(scanAt(t, a, "103")), core.Admit, core.ReasonOK, true)
	want(t, keep(scanAt(t, a, "104")), core.Admit, core.ReasonOK, true)
	pb.Set(netfault.Pass)
	pa.Set(netfault.Pass)
	eventually(t, 20*time.Second, "B back on the venue", func() bool { l := b.Link(); return l.Up && l.Unpushed == 0 })
	eventually(t, 20*time.Second, "A back again", func() bool { l := a.Link(); return l.Up && l.Unpushed == 0 })
	a.Close()

	// Every verdict shown is in the venue, once; the off-venue ones so.
	got := venueControls(t, db)
	if len(got) != len(ids) {
		t.Fatalf("the venue holds %d controls, %d verdicts were shown", len(got), len(ids))
	}
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			t.Fatalf("verdict %s is not in the venue", id)
		}
	}
	des, err := db.DoubleEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var twice []string
	for _, d := range des {
		twice = append(twice, d.Barcode)
	}
	if strings.Join(twice, ",") != "101,103" {
		t.Fatalf("double entries %v, want 101 (A cut off, B linked) and 103 (both cut off)", twice)
	}
	// The status B reads says them.
	eventually(t, 10*time.Second, "B's status shows the double entries", func() bool { return len(b.Status().DoubleEntries) == 2 })
}

// Two processes of one station (its `sync` and a `scan`) share its copy:
// one keeps it, the other decides from it when cut off, and pushes what it
// decided.
func TestStationSharedCopy(t *testing.T) {
	dsn, db := splitVenue(t, "200", "201")
	_, dsnA := cable(t, dsn)
	pb, dsnB := cable(t, dsn)
	dir := t.TempDir()
	keeper := openStation(t, dsnA, dir, "STATION1")
	defer keeper.Close()
	want(t, scanAt(t, keeper, "200"), core.Admit, core.ReasonOK, false)
	knows(t, keeper, "200", 1)

	local, err := sqlite.Open(filepath.Join(dir, "s360gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	user, err := OpenStation(ctx, StationOptions{DB: dsnB, Local: local, CopyKeptElsewhere: true,
		Station: core.Settings{Station: "STATION1", Gate: "A", Direction: core.DirectionIn, VenueFallbackMs: 300},
		Log:     quiet(), ProbeEvery: 100 * time.Millisecond, CopyEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer user.Close()
	pb.Set(netfault.Drop)
	want(t, scanAt(t, user, "200"), core.Deny, core.ReasonAlreadyUsed, true)
	v := scanAt(t, user, "201")
	want(t, v, core.Admit, core.ReasonOK, true)
	pb.Set(netfault.Pass)
	eventually(t, 20*time.Second, "the user pushed", func() bool { l := user.Link(); return l.Up && l.Unpushed == 0 })
	if c := venueControls(t, db)[v.Control.ID]; !c.OffVenue {
		t.Fatalf("the user's local control is not in the venue: %+v", c)
	}
}
