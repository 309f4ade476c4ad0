package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// The settings form's two calls to S-360: Test connection (getTimeZone) and
// Pick from S-360… (the catalog). Both run off the UI goroutine and answer
// in plain words; the IT person may be on a VPN that is not up yet.

const settingsCallTimeout = 20 * time.Second

func (s *SettingsScreen) now() time.Time {
	if s.d.Now == nil {
		return time.Now()
	}
	return s.d.Now()
}

// suggestEndpoint fills the usual S-360 address for the institution: the
// production and pre-production host names follow a known pattern.
func (s *SettingsScreen) suggestEndpoint() {
	inst := strings.TrimSpace(s.institution.Text)
	env := core.Environment(s.env.Selected)
	u := settingsUsualEndpoint(env, inst)
	if u == "" {
		if inst == "" {
			s.showFieldMsg("endpoint", "Fill in the institution first.")
		} else {
			s.showFieldMsg("endpoint", "No usual address for "+string(env)+": use the one S-360 gave you.")
		}
		return
	}
	s.endpoint.SetText(u)
	s.showFieldMsg("endpoint", "")
}

func settingsUsualEndpoint(env core.Environment, inst string) string {
	if inst == "" {
		return ""
	}
	const path = "/tnci/backend-apis/externalAccessControlService"
	switch env {
	case core.EnvProduction:
		return "https://" + strings.ToLower(inst) + ".ws.secutix.com" + path
	case core.EnvPreprod:
		return "https://" + strings.ToLower(inst) + ".pp-ws.secutix.com" + path
	}
	return ""
}

func (s *SettingsScreen) showFieldMsg(field, msg string) {
	l := s.errs[field]
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// testConnection tests the values in the form (through the TestConnection
// hook) or, failing that, the saved connection.
func (s *SettingsScreen) testConnection() {
	st, _ := s.collect()
	s.showFieldMsg("endpoint", "")
	if st.Environment != core.EnvSim || st.Endpoint != "" {
		if err := core.CheckEndpoint(st.Endpoint); err != nil {
			s.showFieldMsg("endpoint", core.ErrorMessage(err))
			deskSay(s.testMsg, "Fix the endpoint first.")
			return
		}
	}
	hook, build := TestConnection, SettingsRemote
	var saved core.Remote
	if hook == nil && build == nil && s.d.Remote != nil {
		saved = s.d.Remote()
	}
	if hook == nil && build == nil && saved == nil {
		deskSay(s.testMsg, "Not connected: save the connection settings, then test again.")
		return
	}
	s.testBtn.Disable()
	deskSay(s.testMsg, "Asking S-360…")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), settingsCallTimeout)
		defer cancel()
		var tz string
		var err error
		switch {
		case hook != nil:
			tz, err = hook(ctx, st)
		case build != nil:
			var r core.Remote
			if r, err = build(st); err == nil {
				tz, err = r.TestConnection(ctx)
			}
		default:
			tz, err = saved.TestConnection(ctx)
		}
		if err != nil && s.d.Log != nil {
			s.d.Log.WithError(err).Warn("settings: test connection failed")
		}
		s.do(func() {
			s.testBtn.Enable()
			msg := settingsTestWords(st.Endpoint, tz, err)
			if saved != nil {
				msg += " (This tested the saved settings: save to test what is in the form.)"
			}
			deskSay(s.testMsg, msg)
		})
	}()
}

// settingsTestWords says what a connection test means for the person
// wiring the venue, and what to check next.
func settingsTestWords(endpoint, tz string, err error) string {
	if err == nil {
		if tz == "" {
			return "Connected — S-360 answers."
		}
		return "Connected — S-360 answers (time zone " + tz + ")."
	}
	if endpoint == "" {
		endpoint = "S-360"
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "Cannot reach " + endpoint + ": no answer in 20 seconds. Check the address or the VPN."
	case core.ErrorCode(err) == core.EAuth:
		return "S-360 rejected the credentials: check institution, operator, partner and password."
	case core.ErrorCode(err) == core.EUnavailable:
		return "Cannot reach " + endpoint + ": check the address or the VPN. (" + core.ErrorMessage(err) + ")"
	case core.ErrorCode(err) == core.ERefused:
		return "S-360 is refusing calls for now (rate limit): try again in a minute."
	}
	return "Test failed: " + core.ErrorMessage(err)
}

// formRemote is S-360 as the form's values describe it, or the saved one.
func (s *SettingsScreen) formRemote() (core.Remote, error) {
	if SettingsRemote != nil {
		st, _ := s.collect()
		return SettingsRemote(st)
	}
	if s.d.Remote != nil {
		if r := s.d.Remote(); r != nil {
			return r, nil
		}
	}
	return nil, nil
}

// pickFromS360 lists the season's products (or, with no season typed, the
// seasons) so that codes are picked, not mistyped.
func (s *SettingsScreen) pickFromS360() {
	r, err := s.formRemote()
	if err != nil {
		deskSay(s.pickMsg, "Cannot ask S-360: "+core.ErrorMessage(err))
		return
	}
	if r == nil {
		deskSay(s.pickMsg, "Not connected: save the connection settings first.")
		return
	}
	season := strings.TrimSpace(s.season.Text)
	s.pickBtn.Disable()
	if season == "" {
		deskSay(s.pickMsg, "Asking S-360 for the seasons…")
	} else {
		deskSay(s.pickMsg, "Asking S-360 for the products of "+season+"…")
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), settingsCallTimeout)
		defer cancel()
		entries, err := r.Catalog(ctx, season)
		s.do(func() {
			s.pickBtn.Enable()
			switch {
			case err != nil:
				deskSay(s.pickMsg, settingsTestWords(s.endpoint.Text, "", err))
			case len(entries) == 0 && season == "":
				deskSay(s.pickMsg, "S-360 lists no season for this account.")
			case len(entries) == 0:
				deskSay(s.pickMsg, "S-360 lists no product for season "+season+": check the season code.")
			case season == "":
				deskSay(s.pickMsg, "")
				s.pickSeason(entries)
			default:
				deskSay(s.pickMsg, "")
				s.pickProducts(season, entries)
			}
		})
	}()
}

func settingsCatalogLabel(e core.CatalogEntry) string {
	l := e.Code
	if e.Name != "" && e.Name != e.Code {
		l += " — " + e.Name
	}
	if !e.Date.IsZero() {
		l += " (" + venueClock(e.Date, "Mon 2 Jan 2006 15:04") + ")"
	}
	return l
}

func (s *SettingsScreen) pickSeason(seasons []core.CatalogEntry) {
	// One button a season: a tap picks it (buttons do not keep the focus,
	// so a scan meanwhile still reaches the gate).
	list := container.NewVBox()
	var d dialog.Dialog
	for _, e := range seasons {
		b := widget.NewButton(settingsCatalogLabel(e), func() {
			d.Hide()
			s.season.SetText(e.Code)
			s.pickFromS360()
		})
		b.Alignment = widget.ButtonAlignLeading
		list.Add(b)
	}
	d = dialog.NewCustom("Season", "Cancel", withCatcher(container.NewVScroll(list)), s.w)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}

// pickProducts offers the season's products, and their performances, with
// the current choice ticked.
func (s *SettingsScreen) pickProducts(season string, products []core.CatalogEntry) {
	codes := map[string]string{}
	var prodLabels, perfLabels, prodOn, perfOn []string
	haveProd := settingsSplitList(s.products.Text)
	havePerf := settingsSplitList(s.performances.Text)
	for _, p := range products {
		l := settingsCatalogLabel(p)
		codes[l] = p.Code
		prodLabels = append(prodLabels, l)
		if settingsHas(haveProd, p.Code) {
			prodOn = append(prodOn, l)
		}
		for _, pf := range p.Performances {
			pl := settingsCatalogLabel(pf)
			if _, dup := codes[pl]; dup {
				continue
			}
			codes[pl] = pf.Code
			perfLabels = append(perfLabels, pl)
			if settingsHas(havePerf, pf.Code) {
				perfOn = append(perfOn, pl)
			}
		}
	}
	prods, prodBox := settingsChecks(prodLabels, prodOn)
	perfs, perfBox := settingsChecks(perfLabels, perfOn)
	content := container.NewVBox(widget.NewLabelWithStyle("Products", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), prodBox)
	if len(perfLabels) > 0 {
		content.Add(widget.NewLabelWithStyle("Performances (none ticked: all of them)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		content.Add(perfBox)
	}
	d := dialog.NewCustomConfirm("Products of "+season, "Use these", "Cancel", withCatcher(container.NewVScroll(content)), func(ok bool) {
		if !ok {
			return
		}
		pick := func(checks []*checkBox) string {
			var out []string
			for _, c := range checks {
				if c.Checked {
					out = append(out, codes[c.Text])
				}
			}
			return settingsJoin(out)
		}
		s.products.SetText(pick(prods))
		s.performances.SetText(pick(perfs))
	}, s.w)
	d.Resize(fyne.NewSize(560, 480))
	d.Show()
}

// settingsChecks is one check box a label, those in on ticked.
func settingsChecks(labels, on []string) ([]*checkBox, *fyne.Container) {
	var checks []*checkBox
	box := container.NewVBox()
	for _, l := range labels {
		c := newCheckBox(l, nil)
		c.Checked = settingsHas(on, l)
		checks = append(checks, c)
		box.Add(c)
	}
	return checks, box
}

func settingsHas(list []string, code string) bool {
	for _, v := range list {
		if strings.EqualFold(v, code) {
			return true
		}
	}
	return false
}
