package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The Settings screen's Venue section: this station as a station of a
// venue (many stations, one PostgreSQL database, one S-360 client). It
// joins and leaves as `venue join` and `venue leave` do (the same code,
// Deps.JoinVenue and LeaveVenue): a refusal is one line, in the reader's
// words, and nothing is stored. A join or a leave takes effect at the next
// start, at once: the app restarts (a station on its own syncs by itself,
// a second S-360 client of the venue otherwise).

// settingsVenue is the section's widgets.
type settingsVenue struct {
	s         *SettingsScreen
	state     *widget.Label
	db        *field
	trusted   *checkBox
	joinRows  fyne.CanvasObject // address, trusted LAN, Join: shown when on its own
	testBtn   *widget.Button
	joinBtn   *widget.Button
	leaveBtn  *widget.Button
	msg       *widget.Label
	busy      bool
	restarted bool
}

func (s *SettingsScreen) buildVenue() *settingsVenue {
	v := &settingsVenue{s: s, state: widget.NewLabel(""), db: newField(), msg: widget.NewLabel("")}
	v.state.Wrapping = fyne.TextWrapWord
	v.msg.Wrapping = fyne.TextWrapWord
	v.msg.Hide()
	v.db.SetPlaceHolder("postgres://USER@HOST/DB?sslmode=require")
	v.trusted = newCheckBox(T("settings.venue.trusted"), nil)
	v.testBtn = widget.NewButton(T("settings.venue.test"), v.test)
	v.joinBtn = widget.NewButton(T("settings.venue.join"), v.join)
	v.joinBtn.Importance = widget.HighImportance
	v.leaveBtn = widget.NewButton(T("settings.venue.leave"), v.leave)
	v.joinRows = container.NewVBox(widget.NewLabel(T("settings.venue.address")), v.db, v.trusted)
	return v
}

// object is the section's body above the station's venue wait.
func (v *settingsVenue) object() fyne.CanvasObject {
	return container.NewVBox(v.state, v.joinRows, container.NewHBox(v.testBtn, v.joinBtn, v.leaveBtn), v.msg)
}

// show says whether the station is joined, and offers what fits.
func (v *settingsVenue) show() {
	joined := false
	if f := v.s.d.VenueLink; f != nil {
		var addr string
		var trusted bool
		addr, trusted, joined = f()
		if joined {
			text := T("settings.venue.joined", map[string]any{"Address": addr})
			if trusted {
				text += " " + T("settings.venue.trustedOn")
			}
			v.state.SetText(text)
		}
	}
	if !joined {
		v.state.SetText(T("settings.venue.alone"))
	}
	if joined {
		v.joinRows.Hide()
		v.joinBtn.Hide()
		v.leaveBtn.Show()
	} else {
		v.joinRows.Show()
		v.joinBtn.Show()
		v.leaveBtn.Hide()
	}
	v.s.venueOwned(joined)
	if v.s.d.JoinVenue == nil {
		v.joinBtn.Disable()
		v.leaveBtn.Disable()
		v.testBtn.Disable()
	}
}

func (v *settingsVenue) say(imp widget.Importance, text string) {
	v.msg.Importance = imp
	deskSay(v.msg, text)
	v.msg.Refresh()
}

// pinOK checks the supervisor's PIN, when one is set: joining and leaving
// change the station as much as saving does.
func (v *settingsVenue) pinOK() bool {
	if msg := v.s.checkPIN(); msg != "" {
		v.say(widget.DangerImportance, msg)
		return false
	}
	return true
}

// run runs fn off the UI goroutine, one at a time, and says its outcome.
func (v *settingsVenue) run(working string, fn func(ctx context.Context) (string, error), done func()) {
	if v.busy {
		return
	}
	v.busy = true
	v.say(widget.MediumImportance, working)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		text, err := fn(ctx)
		v.s.do(func() {
			v.busy = false
			if err != nil {
				v.say(widget.DangerImportance, say().Error(err))
				return
			}
			v.say(widget.SuccessImportance, text)
			if done != nil {
				done()
			}
		})
	}()
}

// test reaches the venue's database (the address typed, or the joined
// one) and says what it found. Nothing is stored.
func (v *settingsVenue) test() {
	if v.s.d.TestVenue == nil {
		return
	}
	dsn, trusted := "", false
	if v.joinRows.Visible() {
		dsn, trusted = v.db.Text, v.trusted.Checked
	}
	v.run(T("settings.venue.testing"), func(ctx context.Context) (string, error) {
		p, err := v.s.d.TestVenue(ctx, dsn, trusted)
		if err != nil {
			return "", err
		}
		syncer := T("venue.syncerNone")
		if p.Syncer != "" {
			syncer = T("venue.syncerIs", map[string]any{"Station": p.Syncer})
		}
		return T("settings.venue.reached", map[string]any{"Address": p.Address, "N": itoa(p.Online), "Of": itoa(p.Stations), "Syncer": syncer}), nil
	}, nil)
}

// join makes the station one of the venue, under the name, gate and
// direction the form shows, then restarts the app as such.
func (v *settingsVenue) join() {
	if v.s.d.JoinVenue == nil || !v.pinOK() {
		return
	}
	j := core.VenueJoin{DB: v.db.Text, TrustedLAN: v.trusted.Checked, Station: v.s.station.Text, Gate: v.s.gate.Text,
		Direction: core.Direction(v.s.inputs["direction"].get())}
	v.run(T("settings.venue.joining"), func(ctx context.Context) (string, error) {
		return T("settings.venue.joinedRestart", map[string]any{"Station": j.Station}), v.s.d.JoinVenue(ctx, j)
	}, v.restart)
}

// leave makes the station one on its own again, then restarts the app.
func (v *settingsVenue) leave() {
	if v.s.d.LeaveVenue == nil || !v.pinOK() {
		return
	}
	v.run(T("settings.venue.leaving"), func(ctx context.Context) (string, error) {
		return T("settings.venue.leftRestart"), v.s.d.LeaveVenue(ctx)
	}, v.restart)
}

// restart starts the app again as what it now is.
func (v *settingsVenue) restart() {
	v.show()
	v.restarted = true
	if v.s.d.Restart != nil {
		v.s.d.Restart()
		v.s.w.Close()
	}
}

// venueOwned shows the venue's S-360 settings (environment, institution,
// season, products, event, entrance rules…) as what they are on a station
// of a venue: the venue's, set with `s360gate venue init`, not editable
// here. The station's own (its S-360 password among them: holding it makes
// the station a candidate) stay editable. Test connection and the picker
// would make this station a second S-360 client: they are not offered.
func (s *SettingsScreen) venueOwned(joined bool) {
	for _, d := range core.SettingsTable {
		in := s.inputs[d.Key]
		if in == nil || !d.Venue {
			continue
		}
		if w, ok := in.obj.(fyne.Disableable); ok {
			if joined {
				w.Disable()
			} else {
				w.Enable()
			}
		}
	}
	for _, b := range []*widget.Button{s.testBtn, s.pickBtn} {
		if joined {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if joined {
		deskSay(s.venueNote, T("settings.venue.owned"))
	} else {
		deskSay(s.venueNote, "")
	}
}
