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
	"s360gate/core/words"
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
			s.showFieldMsg("endpoint", T("settings.fillInstitution"))
		} else {
			s.showFieldMsg("endpoint", T("settings.noUsual", map[string]any{"Env": string(env)}))
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
			s.showFieldMsg("endpoint", say().Error(err))
			deskSay(s.testMsg, T("settings.fixEndpoint"))
			return
		}
	}
	hook, build := TestConnection, SettingsRemote
	var saved core.Remote
	if hook == nil && build == nil && s.d.Remote != nil {
		saved = s.d.Remote()
	}
	if hook == nil && build == nil && saved == nil {
		deskSay(s.testMsg, T("settings.notConnectedTest"))
		return
	}
	s.testBtn.Disable()
	deskSay(s.testMsg, T("settings.asking"))
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
				msg += T("settings.testedSaved")
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
			return T("settings.connected")
		}
		return T("settings.connectedZone", map[string]any{"Zone": tz})
	}
	if endpoint == "" {
		endpoint = "S-360"
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return T("settings.noAnswer", map[string]any{"Endpoint": endpoint})
	case core.ErrorCode(err) == core.EAuth:
		return T("settings.badCredentials")
	case core.ErrorCode(err) == core.EUnavailable:
		return T("settings.cannotReach", map[string]any{"Endpoint": endpoint, "Why": say().Error(err)})
	case core.ErrorCode(err) == core.ERefused:
		return T("settings.rateLimited")
	}
	return T("settings.testFailed", map[string]any{"Why": say().Error(err)})
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
		deskSay(s.pickMsg, T("settings.cannotAsk", map[string]any{"Why": say().Error(err)}))
		return
	}
	if r == nil {
		deskSay(s.pickMsg, T("settings.notConnectedPick"))
		return
	}
	season := strings.TrimSpace(s.season.Text)
	s.pickBtn.Disable()
	if season == "" {
		deskSay(s.pickMsg, T("settings.askingSeasons"))
	} else {
		deskSay(s.pickMsg, T("settings.askingProducts", map[string]any{"Season": season}))
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
				deskSay(s.pickMsg, T("settings.noSeason"))
			case len(entries) == 0:
				deskSay(s.pickMsg, T("settings.noProduct", map[string]any{"Season": season}))
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
		l += " (" + venueClock(e.Date, "Mon "+Lang().T(words.LayoutFull, nil)) + ")"
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
	d = dialog.NewCustom(T("settings.seasonTitle"), T("Cancel"), withCatcher(container.NewVScroll(list)), s.w)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}

// pickProducts offers the season's products, and their performances, with
// the current choice ticked.
func (s *SettingsScreen) pickProducts(season string, products []core.CatalogEntry) {
	codes := map[string]string{}
	var prodLabels, perfLabels, prodOn, perfOn []string
	haveProd := core.SplitCodes(s.products.Text)
	havePerf := core.SplitCodes(s.performances.Text)
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
	content := container.NewVBox(widget.NewLabelWithStyle(T("settings.productsTitle"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), prodBox)
	if len(perfLabels) > 0 {
		content.Add(widget.NewLabelWithStyle(T("settings.performancesTitle"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		content.Add(perfBox)
	}
	d := dialog.NewCustomConfirm(T("settings.productsOf", map[string]any{"Season": season}), T("settings.useThese"), T("Cancel"), withCatcher(container.NewVScroll(content)), func(ok bool) {
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
			return strings.Join(out, ", ")
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
