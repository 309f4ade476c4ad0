package ui

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
	"s360gate/core/words"
)

// fakeVenue is a core.Venue the tests set: every value reaches each
// subscriber in order, on a goroutine of its own (as core/venue's do).
type fakeVenue struct {
	mu        sync.Mutex
	status    core.VenueStatus
	subs      []chan core.VenueStatus
	links     []chan core.LinkState
	doubles   map[string][]core.DoubleEntry
	asked     []string
	doubleErr error // what DoubleEntriesOf answers (the venue cut off)
	// opened holds every delivery until the fixture is built (its
	// deskDo needs the window).
	opened chan struct{}
}

func newFakeVenue(st core.VenueStatus) *fakeVenue {
	return &fakeVenue{status: st, doubles: map[string][]core.DoubleEntry{}, opened: make(chan struct{})}
}

// newVenueFixture is the gate fixture on a station of v's venue.
func newVenueFixture(t *testing.T, v *fakeVenue, opts ...gateOption) *gateFixture {
	f := newGateFixture(t, append([]gateOption{withVenue(v)}, opts...)...)
	close(v.opened)
	return f
}

func deliver[T any](opened chan struct{}, fn func(T)) chan T {
	ch := make(chan T, 64)
	go func() {
		<-opened
		for v := range ch {
			fn(v)
		}
	}()
	return ch
}

func (v *fakeVenue) Link() core.LinkState { return v.Status().Link }

func (v *fakeVenue) Status() core.VenueStatus {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.status
}

func (v *fakeVenue) Subscribe(fn func(core.VenueStatus)) func() {
	v.mu.Lock()
	defer v.mu.Unlock()
	ch := deliver(v.opened, fn)
	ch <- v.status
	v.subs = append(v.subs, ch)
	return func() {}
}

func (v *fakeVenue) SubscribeLink(fn func(core.LinkState)) func() {
	v.mu.Lock()
	defer v.mu.Unlock()
	ch := deliver(v.opened, fn)
	ch <- v.status.Link
	v.links = append(v.links, ch)
	return func() {}
}

func (v *fakeVenue) DoubleEntriesOf(_ context.Context, barcode string) ([]core.DoubleEntry, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.asked = append(v.asked, barcode)
	return v.doubles[barcode], v.doubleErr
}

// setLink publishes a new link (and the status that carries it).
func (v *fakeVenue) setLink(l core.LinkState) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.status.Link = l
	for _, ch := range v.links {
		ch <- l
	}
	for _, ch := range v.subs {
		ch <- v.status
	}
}

func (v *fakeVenue) setStatus(st core.VenueStatus) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st.Link = v.status.Link
	v.status = st
	for _, ch := range v.subs {
		ch <- st
	}
}

// venueAt is 19:04 on the gate tests' day.
var venueAt = time.Date(2026, 11, 27, 19, 4, 0, 0, time.Local)

// venueStatus is a venue of three stations, one double entry of gcValid.
func venueStatus() core.VenueStatus {
	first := core.Control{ID: "c1", Barcode: gcValid, At: venueAt, Gate: "A", Station: "GATE_A_LAPTOP1", Outcome: core.Admit, Reason: core.ReasonOK, Direction: core.DirectionIn}
	second := core.Control{ID: "c2", Barcode: gcValid, At: venueAt.Add(2 * time.Minute), Gate: "S2", Station: "STATION7", Outcome: core.Admit, Reason: core.ReasonOK, Direction: core.DirectionIn, OffVenue: true}
	return core.VenueStatus{
		Station: "GATE_A_LAPTOP1", Candidate: true, Syncer: "STATION_NORTH_12", SyncerSince: venueAt.Add(-time.Hour), SyncerEpoch: 3,
		Link: core.LinkState{Up: true, Since: venueAt.Add(-time.Hour), CopyReady: true},
		Stations: []core.VenueStation{
			{Name: "GATE_A_LAPTOP1", Gate: "A", Direction: core.DirectionIn, Candidate: true, Online: true, LastHeard: venueAt, ScansToday: 1234},
			{Name: "STATION7", Gate: "S2", Direction: core.DirectionIn, Online: false, LastHeard: venueAt.Add(-5 * time.Minute), ScansToday: 87, Pending: 12},
			{Name: "STATION_NORTH_12", Gate: "N12", Direction: core.DirectionOut, Candidate: true, Syncer: true, Online: true, LastHeard: venueAt, ScansToday: 45678},
		},
		Online:        2,
		DoubleEntries: []core.DoubleEntry{{Barcode: gcValid, First: first, Second: second}},
	}
}

func withVenue(v *fakeVenue) gateOption {
	return func(d *Deps, _ *gateConfig) { d.Venue = v }
}

func (f *gateFixture) attentions() int {
	f.sound.mu.Lock()
	defer f.sound.mu.Unlock()
	n := 0
	for _, k := range f.sound.kinds {
		if k == soundAttention {
			n++
		}
	}
	return n
}

// The link banner: down says since when (the venue's clock) and sounds
// the attention once per outage; back up it counts what is still to push,
// and it goes once everything is pushed.
func TestVenueLinkBanner(t *testing.T) {
	v := newFakeVenue(venueStatus())
	f := newVenueFixture(t, v)
	f.eventually("the venue's line", func() bool { return strings.Contains(f.m.venueBar.syncer.Text, "STATION_NORTH_12") })
	f.ui(func() {
		if f.m.link.obj.Visible() {
			t.Error("a banner while the link is up")
		}
	})
	down := core.LinkState{Since: venueAt, CopyReady: true, Error: "no answer"}
	v.setLink(down)
	want := T("venue.linkDown", map[string]any{"Since": "19:04"})
	if want != "VENUE LINK DOWN — deciding locally since 19:04" {
		t.Fatalf("the banner's words: %q", want)
	}
	f.eventually("the banner", func() bool { return f.m.link.obj.Visible() && f.m.link.title.Text == want })
	f.eventually("the others unheard", func() bool { return f.m.venueBar.online.Text == T("venue.onlineUnknown") })
	// What S-360 said to the venue's syncer is not known here: not a
	// green "Online" beside the red banner.
	f.eventually("S-360 not known", func() bool {
		return f.m.top.online.Text == T("bar.venueUnknown") && f.m.status.online.Text == T("status.venueUnknown")
	})
	// Still down, with scans waiting: no second sound.
	down.Unpushed = 3
	v.setLink(down)
	f.eventually("the count", func() bool { return f.m.link.count.Text == "3 scans to send" })
	if n := f.attentions(); n != 1 {
		t.Fatalf("%d attention sounds for one outage", n)
	}
	// Back: pushing, then gone.
	v.setLink(core.LinkState{Up: true, Since: venueAt.Add(time.Minute), CopyReady: true, Unpushed: 2})
	f.eventually("pushing", func() bool {
		return f.m.link.obj.Visible() && f.m.link.title.Text == T("venue.linkBack") && f.m.link.count.Text == "2 scans still to send."
	})
	v.setLink(core.LinkState{Up: true, Since: venueAt.Add(time.Minute), CopyReady: true})
	f.eventually("no banner", func() bool { return !f.m.link.obj.Visible() })
	f.eventually("S-360's state again", func() bool {
		return f.m.top.online.Text != T("bar.venueUnknown") && f.m.status.online.Text != T("status.venueUnknown")
	})
	// A station without a copy of the venue says it cannot decide.
	v.setLink(core.LinkState{Since: venueAt, Error: "no answer"})
	f.eventually("no copy", func() bool {
		return f.m.link.title.Text == "VENUE LINK DOWN since 19:04 — this station cannot decide" && f.m.link.sub.Text == T("venue.linkDownNoCopy")
	})
	v.setLink(core.LinkState{Up: true, Since: venueAt.Add(time.Minute), CopyReady: true})
	f.eventually("no banner", func() bool { return !f.m.link.obj.Visible() })
	// A second outage sounds again, once.
	v.setLink(core.LinkState{Since: venueAt.Add(2 * time.Minute), CopyReady: true})
	f.eventually("the banner again", func() bool { return f.m.link.obj.Visible() })
	v.setLink(core.LinkState{Since: venueAt.Add(2 * time.Minute), CopyReady: true, Unpushed: 1})
	f.eventually("one waits", func() bool { return f.m.link.count.Text == "1 scan to send" })
	if n := f.attentions(); n != 3 {
		t.Fatalf("%d attention sounds for three outages", n)
	}
}

// A muted station shows the banner and stays silent.
func TestVenueLinkBannerMuted(t *testing.T) {
	v := newFakeVenue(venueStatus())
	f := newVenueFixture(t, v, func(_ *Deps, c *gateConfig) { c.s.Mute = true })
	v.setLink(core.LinkState{Since: venueAt, CopyReady: true})
	f.eventually("the banner", func() bool { return f.m.link.obj.Visible() })
	if n := f.attentions(); n != 0 {
		t.Fatalf("a muted station sounded %d times", n)
	}
}

// The top bar's venue line and the Sync tab's stations and double entries.
func TestVenueBarAndSyncTab(t *testing.T) {
	v := newFakeVenue(venueStatus())
	f := newVenueFixture(t, v)
	f.eventually("the Sync tab's stations and the venue's line", func() bool {
		return f.m.status.venue != nil && len(f.m.status.venue.grid.Objects) == 4*len(statusVenueColumns) && f.m.venueBar.online.Text != ""
	})
	f.ui(func() {
		b := f.m.venueBar
		if b.role.Text != "GATE_A_LAPTOP1: may become the S-360 client" || b.syncer.Text != "S-360 client: STATION_NORTH_12" || b.online.Text != "2 of 3 stations online" {
			t.Errorf("the venue's line: %q %q %q", b.role.Text, b.syncer.Text, b.online.Text)
		}
		var cells []string
		for _, o := range f.m.status.venue.grid.Objects {
			cells = append(cells, labelText(o))
		}
		row := strings.Join(cells[2*len(statusVenueColumns):3*len(statusVenueColumns)], "|")
		if row != "STATION7|S2|gate only|not heard|18:59:00|87|12" {
			t.Errorf("STATION7's row: %q", row)
		}
		row = strings.Join(cells[3*len(statusVenueColumns):], "|")
		if !strings.HasPrefix(row, "STATION_NORTH_12|N12 (EXIT · OUT)|S-360 client|online|19:04:00|45,678|0") {
			t.Errorf("the syncer's row: %q", row)
		}
		if got := f.m.status.venue.doubleTitle.Text; !strings.HasPrefix(got, "1 double entry") {
			t.Errorf("the double entries' title: %q", got)
		}
		if n := len(f.m.status.venue.doubles.Objects); n != 1 {
			t.Fatalf("%d double entry lines", n)
		}
		want := gcValid + " — admitted twice: 19:04, gate A, GATE_A_LAPTOP1; then 19:06, gate S2, STATION7, while the venue link was down"
		if got := labelText(f.m.status.venue.doubles.Objects[0]); got != want {
			t.Errorf("the double entry:\n got %q\nwant %q", got, want)
		}
	})
	f.ui(func() {
		f.m.tabs.SelectIndex(2)
	})
	f.ui(func() {
		if findButton(f.w.Canvas(), T("status.testSession")) != nil {
			t.Error("the test session is offered on a station of a venue")
		}
	})
	// Sync now is the venue's S-360 client's to do: the tab says who.
	f.m.d.Engine.(*gateSyncer).err = core.Say(core.EConflict, "venue.syncBy", map[string]any{"Station": "STATION_NORTH_12"})
	f.ui(func() { f.m.status.SyncNow() })
	f.eventually("who syncs", func() bool {
		return f.m.status.syncMsg.Text == "STATION_NORTH_12 is the venue's S-360 client: it syncs for every station, on S-360's schedule"
	})
	// This station becomes the syncer; nobody has doubles any more.
	st := venueStatus()
	st.Syncing, st.Syncer, st.DoubleEntries = true, "GATE_A_LAPTOP1", nil
	v.setStatus(st)
	f.eventually("the new syncer", func() bool {
		return f.m.venueBar.role.Text == "GATE_A_LAPTOP1: the venue's S-360 client" && f.m.status.venue.doubleTitle.Text == T("status.venue.noDoubles")
	})
}

func labelText(o fyne.CanvasObject) string {
	if l, ok := o.(*widget.Label); ok {
		return l.Text
	}
	return ""
}

// The dispute desk says a ticket's double entry beside its history.
func TestDeskDoubleEntry(t *testing.T) {
	v := newFakeVenue(venueStatus())
	v.doubles[gcValid] = venueStatus().DoubleEntries
	f := newVenueFixture(t, v)
	f.ui(func() {
		f.m.tabs.Select(f.m.deskTab)
		f.m.desk.query.SetText(gcValid)
		f.m.desk.Search()
	})
	want := "DOUBLE ENTRY — also admitted at 19:06, gate S2, STATION7, while the venue link was down"
	f.eventually("the double entry line", func() bool { return f.m.desk.detail.double.Visible() && f.m.desk.detail.double.Text == want })
	f.ui(func() {
		if got := f.m.desk.detail.controlsTitle.Text; !strings.HasPrefix(got, "Controls in the venue") {
			t.Errorf("the history's title on a station of a venue: %q", got)
		}
	})
	// Another ticket: no line.
	f.ui(func() {
		f.m.desk.query.SetText(gcChild)
		f.m.desk.Search()
	})
	f.eventually("the child's ticket", func() bool { return f.m.desk.detail.current == gcChild })
	f.eventually("no double entry line", func() bool { return !f.m.desk.detail.double.Visible() })
	// Cut off from the venue, the desk says it could not check.
	v.mu.Lock()
	v.doubleErr = core.Errorf(core.EUnavailable, "The venue database cannot be reached")
	v.mu.Unlock()
	f.ui(func() {
		f.m.desk.query.SetText(gcValid)
		f.m.desk.Search()
	})
	f.eventually("not checked", func() bool {
		// Its ticket's (the child's answer may come late, and is ignored).
		d := f.m.desk.detail.double
		return f.m.desk.detail.current == gcValid && d.Visible() && strings.HasPrefix(d.Text, "Double entries not checked: The venue database cannot be reached") && d.Importance == widget.MediumImportance
	})
}

// The venue's screens in every language at both laptop sizes: the link
// banner down with scans waiting, the venue's line, the Sync tab's
// stations and double entries, the desk's line, the Settings' Venue
// section with a refusal.
func TestVenueScreensInEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("four languages at two sizes")
	}
	for _, l := range words.All {
		for _, size := range []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 768}} {
			t.Run(string(l)+"/"+itoaPlain(int(size.Width)), func(t *testing.T) { venueScreensFit(t, l, size) })
		}
	}
}

func venueScreensFit(t *testing.T, l words.Lang, size fyne.Size) {
	v := newFakeVenue(venueStatus())
	v.doubles[gcValid] = venueStatus().DoubleEntries
	join := func(context.Context, core.VenueJoin) error {
		return core.Say(core.EConflict, "venue.err.pending", map[string]any{"Count": 12345})
	}
	// Back to English once the window is closed (its clock speaks until
	// then): cleanups run last first.
	t.Cleanup(func() { SetLanguage(words.EN) })
	f := newVenueFixture(t, v, withLanguage(l), func(d *Deps, _ *gateConfig) {
		d.JoinVenue = join
		d.VenueLink = func() (string, bool, bool) { return "", false, false }
	})
	win := fyne.NewSize(size.Width, size.Height-68)
	v.setLink(core.LinkState{Since: venueAt, CopyReady: true, Unpushed: 12345})
	f.eventually("the banner", func() bool { return f.m.link.obj.Visible() && f.m.link.count.Text != "" })
	check := func(where string) {
		t.Helper()
		f.ui(func() {
			f.w.Resize(win)
			if m := f.w.Content().MinSize(); m.Width > win.Width || m.Height > win.Height {
				t.Errorf("%s: the window asks for %v on a %v screen", where, m, size)
			}
			for _, c := range cutOffs(f.w.Canvas()) {
				t.Errorf("%s: %s", where, c)
			}
		})
	}
	f.scan(gcWrongGate)
	check("the gate, link down")
	v.setLink(core.LinkState{Since: venueAt})
	f.eventually("no copy", func() bool { return f.m.link.sub.Text == T("venue.linkDownNoCopy") })
	check("the gate, link down, no copy")
	v.setLink(core.LinkState{Since: venueAt, CopyReady: true, Unpushed: 12345})
	f.ui(func() { f.m.tabs.SelectIndex(2) })
	f.eventually("the stations", func() bool { return len(f.m.status.venue.grid.Objects) > len(statusVenueColumns) })
	check("the Sync tab")
	f.ui(func() {
		f.m.tabs.Select(f.m.deskTab)
		f.m.desk.query.SetText(gcValid)
		f.m.desk.Search()
	})
	f.eventually("the desk's line", func() bool { return f.m.desk.detail.double.Visible() })
	check("the desk")
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		f.m.settingsTab.venue.db.SetText("postgres://gate@10.0.0.5/venue?sslmode=require")
		f.m.settingsTab.venue.join()
	})
	f.eventually("the refusal", func() bool { return f.m.settingsTab.venue.msg.Visible() && !f.m.settingsTab.venue.busy })
	f.ui(func() {
		f.m.settingsTab.page.ScrollToOffset(fyne.NewPos(0, f.m.settingsTab.venue.state.Position().Y))
		if got, want := f.m.settingsTab.venue.msg.Text, Lang().T("venue.err.pending", map[string]any{"Count": 12345}); got != want {
			t.Errorf("the refusal: %q, want %q", got, want)
		}
	})
	check("the Settings' Venue section")
}

// Join refused (controls not sent to S-360 yet): one line in the reader's
// words under the buttons, nothing saved, no restart. Join accepted: the
// app restarts as a station of the venue.
func TestSettingsVenueJoin(t *testing.T) {
	var joins []core.VenueJoin
	refuse := true
	restarts := 0
	t.Cleanup(func() { SetLanguage(words.EN) })
	f := newGateFixture(t, withLanguage(words.FR), func(d *Deps, _ *gateConfig) {
		d.VenueLink = func() (string, bool, bool) { return "", false, false }
		d.JoinVenue = func(_ context.Context, j core.VenueJoin) error {
			joins = append(joins, j)
			if refuse {
				return core.Say(core.EConflict, "venue.err.pending", map[string]any{"Count": 3})
			}
			return nil
		}
		d.Restart = func() { restarts++ }
	})
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		sv := f.m.settingsTab.venue
		if !sv.joinBtn.Visible() || sv.leaveBtn.Visible() {
			t.Error("a station on its own is not offered Join")
		}
		sv.db.SetText("postgres://gate@venue.example/venue?sslmode=require")
		sv.trusted.SetChecked(true)
		test.Tap(sv.joinBtn)
	})
	f.eventually("the refusal", func() bool { return !f.m.settingsTab.venue.busy && f.m.settingsTab.venue.msg.Visible() })
	f.ui(func() {
		want := "Ce poste a 3 contrôles pas encore envoyés à S-360 : synchronisez d'abord (`s360gate sync --once`, ou Synchroniser dans l'onglet Synchro) pour n'en perdre aucun ; rien n'a été enregistré"
		if got := f.m.settingsTab.venue.msg.Text; got != want {
			t.Errorf("the refusal: %q", got)
		}
		if len(joins) != 1 || joins[0].Station != "GATE_A_LAPTOP1" || joins[0].Gate != "A" || joins[0].Direction != core.DirectionIn || !joins[0].TrustedLAN {
			t.Errorf("the join asked: %+v", joins)
		}
		if restarts != 0 || f.cfg.saves != 0 || f.m.settingsTab.Edited() {
			t.Errorf("a refused join restarted (%d) or saved (%d) or left edits", restarts, f.cfg.saves)
		}
	})
	refuse = false
	f.ui(func() { test.Tap(f.m.settingsTab.venue.joinBtn) })
	f.eventually("the restart", func() bool { return restarts == 1 })
}

// With a supervisor PIN, joining needs it, as saving does.
func TestSettingsVenueJoinNeedsPIN(t *testing.T) {
	var joined atomic.Int32
	f := newGateFixture(t, withPIN("4321"), func(d *Deps, _ *gateConfig) {
		d.VenueLink = func() (string, bool, bool) { return "", false, false }
		d.JoinVenue = func(context.Context, core.VenueJoin) error { joined.Add(1); return nil }
	})
	f.ui(func() {
		f.m.tabs.Select(f.m.settingsItm)
		test.Tap(f.m.settingsTab.venue.joinBtn)
		if joined.Load() != 0 || f.m.settingsTab.venue.msg.Text != T("settings.enterPin") {
			t.Errorf("joined without the PIN: %d %q", joined.Load(), f.m.settingsTab.venue.msg.Text)
		}
		f.m.settingsTab.pinAuth.SetText("4321")
		test.Tap(f.m.settingsTab.venue.joinBtn)
	})
	f.eventually("joined with the PIN", func() bool { return joined.Load() == 1 && !f.m.settingsTab.venue.busy })
}

// On a station of a venue the venue's S-360 settings are shown, not
// edited; the station's own (its S-360 password) are; Leave is offered,
// and Join is not.
func TestSettingsOnAJoinedStation(t *testing.T) {
	v := newFakeVenue(venueStatus())
	var left atomic.Int32
	f := newVenueFixture(t, v, func(d *Deps, _ *gateConfig) {
		d.VenueLink = func() (string, bool, bool) { return "postgres://gate:" + "****" + "@10.0.0.5/venue", true, true }
		d.JoinVenue = func(context.Context, core.VenueJoin) error { return nil }
		d.LeaveVenue = func(context.Context) error { left.Add(1); return nil }
	})
	f.ui(func() {
		st := f.m.settingsTab
		if !st.institution.Disabled() || !st.products.Disabled() || !st.eventDate.Disabled() || st.password.Disabled() || st.station.Disabled() {
			t.Error("the venue's settings are editable, or the station's are not")
		}
		if !st.testBtn.Disabled() || !st.pickBtn.Disabled() || !st.venueNote.Visible() {
			t.Error("the S-360 test and picker are offered on a station of a venue")
		}
		sv := st.venue
		if sv.joinBtn.Visible() || !sv.leaveBtn.Visible() || sv.joinRows.Visible() {
			t.Error("a joined station is offered Join")
		}
		if want := "This station is a station of the venue postgres://gate:****@10.0.0.5/venue. Trusted network: the database is reached without TLS."; sv.state.Text != want {
			t.Errorf("the venue section says %q", sv.state.Text)
		}
		test.Tap(sv.leaveBtn)
	})
	f.eventually("left", func() bool {
		return left.Load() == 1 && f.m.settingsTab.venue.msg.Text == T("settings.venue.leftRestart")
	})
}

// On a station of a venue the store is the venue's history: the gate's
// counters and recent scans at start are this station's scans in it.
func TestVenueGateCountsItsOwnScans(t *testing.T) {
	v := newFakeVenue(venueStatus())
	f := newVenueFixture(t, v, func(d *Deps, c *gateConfig) {
		ctx := context.Background()
		other := c.s
		other.Station = "STATION7"
		if _, err := d.Store.Scan(ctx, core.ScanRequest{Code: gcValid, Checkpoint: other.Checkpoint(), Now: gateNow.Add(-2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Store.Scan(ctx, core.ScanRequest{Code: gcChild, Checkpoint: c.s.Checkpoint(), Now: gateNow.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	})
	f.ui(func() {
		g := f.m.gate
		if g.counters.admitted != 1 || g.feed.ring.Len() != 1 || !strings.HasSuffix(gcChild, strings.TrimLeft(g.feed.ring.Newest(0).Tail, "…")) {
			t.Errorf("this station's counters and feed: %d admitted, %d recent", g.counters.admitted, g.feed.ring.Len())
		}
	})
}
