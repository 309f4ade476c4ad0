package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"s360gate/core"
	"s360gate/core/config"
	"s360gate/core/internal/netfault"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/words"
)

// The desktop app's real wiring on a venue of a real PostgreSQL: the
// Settings' Join (the code of `venue join`) is refused while the station's
// own controls wait for S-360, and stores nothing; once they are sent it
// joins and asks for the restart; started again, the app is a full
// station of the venue — it takes part in the election (it holds the
// S-360 password), decides through the venue (a ticket admitted at another
// station is ALREADY_USED, naming that station), and its screens get the
// venue's stations. Leaving is the same code as `venue leave`.
func TestGUIJoinedStation(t *testing.T) {
	sim, ep := startSim(t)
	cfg := sim.Config()
	dsn, dbpw := venueDSN(t)
	t.Setenv(config.PasswordEnv, "")
	h := newHarness(t, cfg.Password, dbpw)
	prev := relaunch
	relaunch = func([]string) error { return nil }
	t.Cleanup(func() { relaunch = prev })
	if r := h.run(nil, "venue", "init", "--db", dsn, "--environment", "sandbox", "--endpoint", ep, "--institution", cfg.Institution,
		"--operator", cfg.Operator, "--season", cfg.Season, "--product", strings.Join(cfg.Products, ",")); r.code != 0 {
		t.Fatalf("init: %q", r.stderr)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte(cfg.Password+"\n"), 0o600)
	a, b := privateDir(t), privateDir(t)
	if r := h.run(nil, "venue", "join", "--db", dsn, "--station", "GATE_B", "--gate", "N1", "--data-dir", b); r.code != 0 {
		t.Fatalf("join B: %q", r.stderr)
	}
	valid := sample(t, sim, "valid")
	if r := h.run(nil, "sync", "--once", "--data-dir", b); r.code != 0 {
		t.Fatalf("B's part: %q", r.stderr)
	}

	// A works on its own first, with a control S-360 has not been sent.
	if r := h.run(nil, "sync", "--once", "--data-dir", a, "--environment", "sandbox", "--endpoint", ep, "--institution", cfg.Institution,
		"--operator", cfg.Operator, "--season", cfg.Season, "--product", strings.Join(cfg.Products, ","), "--password-file", pwFile); r.code != 0 {
		t.Fatalf("A alone: %q", r.stderr)
	}
	other := sample(t, sim, "child")
	if r := h.run(strings.NewReader(other.Barcode+"\n"), "scan", "--data-dir", a); r.code != 0 {
		t.Fatalf("A's scan: %q", r.stderr)
	}
	// S-360 refuses A's password for now: the app alone cannot send it.
	sim.SetPassword("another-one")
	before, _ := os.ReadFile(filepath.Join(a, config.FileName))
	// A reaches the venue through a cable the test can pull.
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cable, err := netfault.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cable.Close)
	u.Host = cable.Addr()
	join := core.VenueJoin{DB: u.String(), Station: "GATE_A", Gate: "N1", Direction: core.DirectionIn}
	h.gui = func(app App) error {
		if app.Venue != nil {
			t.Error("a station on its own has a venue")
		}
		err := app.JoinVenue(context.Background(), join)
		if core.ErrorCode(err) != core.EConflict || !strings.Contains(core.Speak(words.FR, nil).Error(err), "1 contrôles pas encore envoyés à S-360") {
			t.Errorf("join with a control unsent: %v", err)
		}
		return nil
	}
	if r := h.run(nil, "--data-dir", a); r.code != 0 {
		t.Fatalf("the app alone: %d %q", r.code, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(a, config.FileName))
	if _, ok, _ := config.LoadVenue(a); ok || string(before) != string(after) {
		t.Fatal("a refused join changed what is stored")
	}

	// Sent: the Join goes through and the app asks to start again.
	sim.SetPassword(cfg.Password)
	if r := h.run(nil, "sync", "--once", "--data-dir", a); r.code != 0 {
		t.Fatalf("A sends: %q", r.stderr)
	}
	restarts := 0
	relaunch = func([]string) error { restarts++; return nil }
	h.gui = func(app App) error {
		if err := app.JoinVenue(context.Background(), join); err != nil {
			t.Errorf("join: %v", err)
		}
		app.Restart()
		return nil
	}
	if r := h.run(nil, "--data-dir", a); r.code != 0 || restarts != 1 {
		t.Fatalf("the app joining: %d %q, %d restarts", r.code, r.stderr, restarts)
	}
	if addr, _, joined := func() (string, bool, bool) {
		l, ok, _ := config.LoadVenue(a)
		return l.DB, l.TrustedLAN, ok
	}(); !joined || addr != join.DB {
		t.Fatalf("not joined: %q", addr)
	}

	// A waits for the venue as long as a station may (a loaded test
	// machine must not make it decide alone: that is the cable test's).
	own, err := config.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	own.VenueFallbackMs = core.MaxVenueFallbackMs
	if err := config.Save(a, own); err != nil {
		t.Fatal(err)
	}
	// A syncs the venue's list; B admits a ticket; A's app, a station of
	// the venue, says it is used.
	if r := h.run(nil, "sync", "--once", "--data-dir", a); r.code != 0 || !strings.HasPrefix(r.out, "Synced for the venue") {
		t.Fatalf("A syncs for the venue: %q %q", r.out, r.stderr)
	}
	if r := h.run(strings.NewReader(valid.Barcode+"\n"), "scan", "--data-dir", b); r.code != 0 || !strings.Contains(r.out, `"ADMIT"`) {
		t.Fatalf("B's scan: %q %q", r.out, r.stderr)
	}
	h.gui = func(app App) error {
		if app.Venue == nil || app.Remote() != nil {
			t.Fatal("the app on a joined station: no venue, or an S-360 client of its own")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		s := app.Settings()
		if s.Station != "GATE_A" || s.Institution != cfg.Institution {
			t.Errorf("settings: %s %s", s.Station, s.Institution)
		}
		v, err := app.Store.Scan(ctx, core.ScanRequest{Code: valid.Barcode, Checkpoint: s.Checkpoint(), Now: app.Now()})
		if err != nil || v.Reason != core.ReasonAlreadyUsed || !strings.Contains(core.Speak(words.EN, nil).Verdict(&v), "GATE_B") || v.Control == nil || v.Control.OffVenue {
			t.Errorf("A's app scans B's ticket: %s %q %v", v.Reason, core.Speak(words.EN, nil).Verdict(&v), err)
		}
		// Its own settings are saved (the venue wait: at the next start);
		// the venue's S-360 settings are not written into its file.
		edit := s
		edit.VenueFallbackMs, edit.Season = 800, "ANOTHER"
		if err := app.SaveSettings(edit); core.ErrorCode(err) != core.EConflict {
			t.Errorf("saving a joined station's venue wait: %v", err)
		}
		if file, err := config.Load(a); err != nil || file.VenueFallbackMs != 800 || file.Season == "ANOTHER" || app.Settings().Season != cfg.Season {
			t.Errorf("saved on a joined station: %d %q, runs %q (%v)", file.VenueFallbackMs, file.Season, app.Settings().Season, err)
		}
		// It holds the password: it becomes the venue's S-360 client, and
		// the screens hear of it and of both stations.
		links := make(chan core.LinkState, 64)
		cancelLink := app.Venue.SubscribeLink(func(l core.LinkState) { links <- l })
		defer cancelLink()
		got := make(chan core.VenueStatus, 64)
		cancelSub := app.Venue.Subscribe(func(st core.VenueStatus) {
			select {
			case got <- st:
			default:
			}
		})
		defer cancelSub()
		for {
			select {
			case st := <-got:
				if st.Syncing && st.Syncer == "GATE_A" && len(st.Stations) == 2 && st.Link.Up {
					if err := app.Engine.SyncNow(ctx); err == nil || !strings.Contains(core.Speak(words.EN, nil).Error(err), "GATE_A is the venue's S-360 client") {
						t.Errorf("Sync now on a venue's station: %v", err)
					}
					if l := app.Venue.Link(); !l.Up {
						t.Errorf("link: %+v", l)
					}
					cablePulled(ctx, t, app, cable, links, sim, h, b)
					// Leaving: this app is the syncer and gives its turn up
					// as it closes; the link goes.
					if err := app.LeaveVenue(ctx); err != nil {
						t.Errorf("leave: %v", err)
					}
					return nil
				}
			case <-ctx.Done():
				t.Fatalf("the app never became the venue's S-360 client: %+v", app.Venue.Status())
			}
		}
	}
	if r := h.run(nil, "--data-dir", a); r.code != 0 {
		t.Fatalf("the app joined: %d %q", r.code, r.stderr)
	}
	if _, ok, _ := config.LoadVenue(a); ok {
		t.Error("still joined after Leave")
	}
	// B is the one left: it may report, and nobody holds the lease.
	if r := h.run(nil, "venue", "status", "--data-dir", b); r.code != 0 || strings.Contains(r.out, "GATE_A (since") {
		t.Errorf("status after A left: %q %q", r.out, r.stderr)
	}
}

// cablePulled pulls A's cable to the venue: A's app decides from its
// local copy (the banner's link goes down), B admits the same ticket
// through the venue; the cable back, A pushes what it decided and the
// venue reports the double entry, which the desk finds.
func cablePulled(ctx context.Context, t *testing.T, app App, cable *netfault.Proxy, links chan core.LinkState, sim *s360sim.Sim, h *harness, b string) {
	t.Helper()
	waitLink := func(what string, ok func(core.LinkState) bool) {
		t.Helper()
		for {
			select {
			case l := <-links:
				if ok(l) {
					return
				}
			case <-ctx.Done():
				t.Fatalf("the link never %s: %+v", what, app.Venue.Link())
			}
		}
	}
	// The copy is filled first (the station follows the venue), and holds
	// the venue's list (its follower catches up every second).
	waitLink("has a copy", func(l core.LinkState) bool { return l.Up && l.CopyReady })
	venueCounts, err := app.Store.TicketCounts(ctx) // the venue's, while up
	if err != nil {
		t.Fatal(err)
	}
	local := app.Store.(interface{ Local() *sqlite.DB }).Local()
	for {
		if tc, err := local.TicketCounts(ctx); err == nil && tc == venueCounts {
			break
		}
		select {
		case <-links:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			tc, _ := local.TicketCounts(ctx)
			t.Fatalf("the copy never held the venue's list: %+v, the venue %+v", tc, venueCounts)
		}
	}
	cable.Set(netfault.Drop)
	senior := sample(t, sim, "senior")
	s := app.Settings()
	v, err := app.Store.Scan(ctx, core.ScanRequest{Code: senior.Barcode, Checkpoint: s.Checkpoint(), Now: app.Now()})
	if err != nil || v.Outcome != core.Admit || v.Control == nil || !v.Control.OffVenue {
		tc, tcErr := app.Store.TicketCounts(ctx) // the copy's, while cut off
		t.Fatalf("A cut off scans %s: %s %s %v; link %+v; the copy holds %+v (%v)", senior.Barcode, v.Outcome, v.Reason, err, app.Venue.Link(), tc, tcErr)
	}
	waitLink("went down", func(l core.LinkState) bool { return !l.Up && l.Unpushed == 1 })
	if r := h.run(strings.NewReader(senior.Barcode+"\n"), "scan", "--data-dir", b); r.code != 0 || !strings.Contains(r.out, `"ADMIT"`) {
		t.Fatalf("B's scan of the same ticket: %q %q", r.out, r.stderr)
	}
	cable.Set(netfault.Pass)
	waitLink("came back with everything pushed", func(l core.LinkState) bool { return l.Up && l.Unpushed == 0 })
	for {
		des, err := app.Venue.DoubleEntriesOf(ctx, senior.Barcode)
		if err == nil && len(des) == 1 {
			other, ok := des[0].Other(v.Control.ID)
			words := core.Speak(words.EN, nil).AlsoAdmitted(&other, app.Now())
			if !ok || !strings.Contains(words, "also admitted at") || !strings.Contains(words, "GATE_B") {
				t.Errorf("the desk's line: %q (%v)", words, ok)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no double entry of %s: %v %v", senior.Barcode, des, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
