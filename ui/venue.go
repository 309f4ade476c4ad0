package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"s360gate/core"
)

// On a station of a venue (`venue join`) the window says, on every tab,
// what the venue is (a line under the top bar: this station's part, the
// venue's S-360 client, the stations online) and, when the station cannot
// reach the venue's database, that it decides on its own (the link
// banner: "VENUE LINK DOWN — deciding locally since 19:04"). Both follow
// core.Venue's subscriptions.

// venueBar is the venue's line under the top bar.
type venueBar struct {
	role, syncer, online *canvas.Text
	obj                  fyne.CanvasObject
}

func newVenueBar() *venueBar {
	b := &venueBar{
		role:   barText("", 15, true, colOnDark),
		syncer: barText("", 15, false, colMutedText),
		online: barText("", 15, true, colOnDark),
	}
	sep := func() fyne.CanvasObject { return barText("·", 15, false, colMutedText) }
	row := container.NewHBox(b.role, sep(), b.syncer, layout.NewSpacer(), b.online)
	b.obj = container.NewStack(canvas.NewRectangle(colIdle), container.New(layout.NewCustomPaddedLayout(3, 3, 12, 12), row))
	return b
}

// apply shows the venue's status.
func (b *venueBar) apply(st *core.VenueStatus) {
	role := T("venue.role.gateOnly", map[string]any{"Station": st.Station})
	switch {
	case st.Syncing:
		role = T("venue.role.syncer", map[string]any{"Station": st.Station})
	case st.Candidate:
		role = T("venue.role.candidate", map[string]any{"Station": st.Station})
	}
	syncer := T("venue.syncerNone")
	if st.Syncer != "" {
		syncer = T("venue.syncerIs", map[string]any{"Station": st.Syncer})
	}
	changed := setText(b.role, role)
	changed = setText(b.syncer, syncer) || changed
	online := T("venue.online", map[string]any{"N": itoa(st.Online), "Of": itoa(len(st.Stations))})
	if !st.Link.Up {
		// As last read: the station cannot hear the others now.
		online = T("venue.onlineUnknown")
	}
	changed = setText(b.online, online) || changed
	if changed {
		b.obj.Refresh()
	}
}

// linkBanner says the station decides on its own, and then that it sends
// the venue what it decided meanwhile. It is hidden while the link is up
// and nothing waits.
type linkBanner struct {
	bg                *canvas.Rectangle
	title, sub, count *canvas.Text
	obj               fyne.CanvasObject
}

func newLinkBanner() *linkBanner {
	b := &linkBanner{bg: canvas.NewRectangle(colDeny), title: barText("", 22, true, colOnDark),
		sub: barText("", 15, false, colOnDark), count: barText("", 15, true, colOnDark)}
	b.obj = container.NewStack(b.bg, container.New(layout.NewCustomPaddedLayout(4, 4, 12, 12),
		container.NewVBox(b.title, container.NewBorder(nil, nil, nil, b.count, b.sub))))
	b.obj.Hide()
	return b
}

// apply shows the link: down (red), pushing what was decided alone
// (amber), or nothing.
func (b *linkBanner) apply(l core.LinkState) {
	switch {
	case !l.Up:
		b.bg.FillColor = colDeny
		b.title.Color, b.sub.Color = colOnDark, colOnDark
		title, sub := T("venue.linkDown", map[string]any{"Since": venueClock(l.Since, "15:04")}), T("venue.linkDownSub")
		if !l.CopyReady {
			title, sub = T("venue.linkDownAlone", map[string]any{"Since": venueClock(l.Since, "15:04")}), T("venue.linkDownNoCopy")
		}
		setText(b.title, title)
		setText(b.sub, sub)
		count := ""
		if l.Unpushed > 0 {
			count = TN("venue.unpushed", l.Unpushed)
		}
		setText(b.count, count)
	case l.Unpushed > 0:
		b.bg.FillColor = colCheck
		b.title.Color, b.sub.Color = colOnLight, colOnLight
		setText(b.title, T("venue.linkBack"))
		setText(b.sub, "")
		setText(b.count, TN("venue.pushing", l.Unpushed))
	default:
		b.obj.Hide()
		return
	}
	b.count.Color = b.sub.Color
	b.bg.Refresh()
	b.title.Refresh()
	b.sub.Refresh()
	b.count.Refresh()
	b.obj.Show()
	b.obj.Refresh()
}

// followVenue keeps the venue's line, the banner and the venue's zone
// current, and sounds the attention once each time the link goes down.
func (m *Main) followVenue() {
	v := m.d.Venue
	if v == nil {
		return
	}
	down := false
	cancelLink := v.SubscribeLink(func(l core.LinkState) {
		m.ui(func() {
			if !l.Up && !down && !m.gate.muted {
				m.sound.play(soundAttention)
			}
			down = !l.Up
			m.link.apply(l)
			if m.top.venueDown != down {
				m.top.venueDown, m.status.venueDown = down, down
				s := m.settings()
				m.top.renderSync(&s, m.now())
				m.status.apply(m.status.last)
			}
			m.w.Content().Refresh()
		})
	})
	cancelStatus := v.Subscribe(func(st core.VenueStatus) {
		m.ui(func() {
			if st.Zone != nil {
				venue.Store(st.Zone)
			}
			m.venueBar.apply(&st)
		})
	})
	m.venueUnsub = func() { cancelLink(); cancelStatus() }
}
