package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// Saving the settings form. Nothing is half-saved: the form is parsed,
// checked (our own parse errors, the PIN, core's Validate) and only then
// handed to SaveSettings, which is itself all-or-nothing.

// settingsFields are the form's fields in screen order (JSON names of
// core.Settings, plus the PIN fields), with their words for the summary.
var settingsFields = []struct{ key, name string }{
	{"environment", "Environment"}, {"endpoint", "Endpoint"}, {"institution", "Institution"},
	{"operator", "Operator"}, {"partner", "Partner"}, {"password", "Password"},
	{"season", "Season"}, {"products", "Products"}, {"performances", "Performances"},
	{"eventDate", "Event date"}, {"pageSize", "Page size"}, {"station", "Station name"},
	{"gate", "Gate"}, {"direction", "Direction"}, {"gateRules", "Entrance → gates"},
	{"tariffRules", "Tariff prompts"}, {"stalenessMinutes", "Offline after"},
	{"purgeAfterDays", "Purge personal data"}, {"scannerTerminator", "Scanner terminator"},
	{"scannerPrefix", "Scanner prefix"}, {"scannerSuffix", "Scanner suffix"},
	{"newPin", "New PIN"}, {"pinRepeat", "Repeat new PIN"}, {"pin", "Supervisor PIN"},
}

// settingsFieldRank is a field's place on screen (unknown fields last).
func settingsFieldRank(key string) (int, string) {
	for i, f := range settingsFields {
		if f.key == key {
			return i, f.name
		}
	}
	return len(settingsFields), key
}

// collect reads the form into settings, starting from the stored ones so
// that what the form does not show (the PIN hash) is kept. Parse errors
// are returned per field.
func (s *SettingsScreen) collect() (core.Settings, core.FieldErrors) {
	var errs core.FieldErrors
	bad := func(field, msg string) { errs = append(errs, core.FieldError{Field: field, Message: msg}) }
	st := s.stored
	st.Environment = core.Environment(s.env.Selected)
	st.Endpoint = strings.TrimRight(strings.TrimSpace(s.endpoint.Text), "/")
	st.Institution = strings.TrimSpace(s.institution.Text)
	st.Operator = strings.TrimSpace(s.operator.Text)
	st.Partner = strings.TrimSpace(s.partner.Text)
	if st.Partner == "" {
		st.Partner = st.Institution // the usual case, and what Defaults does
	}
	// An empty password field keeps the stored password: it is never
	// shown, so an empty field cannot mean "erase it".
	if s.password.Text != "" {
		st.Password = s.password.Text
	}
	st.Season = strings.TrimSpace(s.season.Text)
	st.Products = settingsSplitList(s.products.Text)
	st.Performances = settingsSplitList(s.performances.Text)
	st.EventDate = strings.TrimSpace(s.eventDate.Text)
	st.EventDay = s.eventDay.Checked
	defaults := core.Settings{}.Defaults()
	num := func(field, text string, def int, out *int) {
		n, err := settingsParseInt(text, def)
		if err != nil {
			bad(field, err.Error())
			return
		}
		*out = n
	}
	num("pageSize", s.pageSize.Text, defaults.PageSize, &st.PageSize)
	st.Station = strings.TrimSpace(s.station.Text)
	st.Gate = strings.TrimSpace(s.gate.Text)
	st.Direction = core.DirectionIn
	if s.direction.Selected == settingsDirOut {
		st.Direction = core.DirectionOut
	}
	st.AllowReentry = s.reentry.Checked
	if rules, err := settingsParseGateRules(s.gateRules.Text); err != nil {
		bad("gateRules", err.Error())
	} else {
		st.GateRules = rules
	}
	if rules, err := settingsParseTariffRules(s.tariffRules.Text); err != nil {
		bad("tariffRules", err.Error())
	} else {
		st.TariffRules = rules
	}
	st.HideHolder = s.hideHolder.Checked
	num("stalenessMinutes", s.staleness.Text, defaults.StalenessMinutes, &st.StalenessMinutes)
	num("purgeAfterDays", s.purge.Text, 0, &st.PurgeAfterDays)
	st.ScannerTerminator = "enter"
	if s.terminator.Selected == settingsTermTab {
		st.ScannerTerminator = "tab"
	}
	// Prefix and suffix are kept as typed: a space may be what the
	// scanner sends.
	st.ScannerPrefix = s.prefix.Text
	st.ScannerSuffix = s.suffix.Text
	st.Mute = s.mute.Checked
	return st, errs
}

// checkPINs checks the supervisor's PIN (needed to save when one is set)
// and a new PIN typed twice. It returns the new PIN, "" when unchanged.
func (s *SettingsScreen) checkPINs() (string, core.FieldErrors) {
	var errs core.FieldErrors
	if h := s.stored.SupervisorPIN; h != "" {
		// An empty field is not a wrong PIN; while PINs are refused it
		// says so rather than ask for one.
		msg := s.pins.blocked()
		if msg == "" && s.pinAuth.Text == "" {
			msg = "Enter the supervisor PIN to save changes."
		}
		if msg == "" {
			_, msg = s.pins.try(h, s.pinAuth.Text, "Wrong PIN.")
		}
		if msg != "" {
			errs = append(errs, core.FieldError{Field: "pin", Message: msg})
		}
		s.pinLocked = s.pins.blocked() != ""
	}
	pin, again := s.pinNew.Text, s.pinRepeat.Text
	switch {
	case pin == "" && again == "":
		return "", errs
	case pin != again:
		errs = append(errs, core.FieldError{Field: "pinRepeat", Message: "The two PINs differ: type the new PIN twice."})
	default:
		if err := core.CheckPIN(pin); err != nil {
			errs = append(errs, core.FieldError{Field: "newPin", Message: core.ErrorMessage(err)})
		}
	}
	return pin, errs
}

// Save checks the form and, when all is well, saves it off the UI
// goroutine (SaveSettings writes a file and reconfigures the engine).
func (s *SettingsScreen) Save() {
	if s.saving || s.d.SaveSettings == nil {
		return
	}
	s.clearErrors()
	st, errs := s.collect()
	newPIN, pinErrs := s.checkPINs()
	errs = append(errs, pinErrs...)
	for _, e := range st.Validate() {
		if errs.For(e.Field) == "" { // our parse error says it better
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		s.showErrors(errs)
		return
	}
	s.saving = true
	s.saveBtn.Disable()
	s.summary.Importance = widget.MediumImportance
	s.summary.SetText("Saving…")
	go func() {
		var err error
		if newPIN != "" {
			st.SupervisorPIN, err = core.HashPIN(newPIN)
		}
		if err == nil {
			err = s.d.SaveSettings(st)
		}
		s.do(func() {
			s.saving = false
			s.saveBtn.Enable()
			if err != nil {
				var fe core.FieldErrors
				if errors.As(err, &fe) && len(fe) > 0 {
					s.showErrors(fe)
					return
				}
				if settingsSavedWithNotice(err) {
					// Stored, but not in use until a restart: the form
					// shows what was stored, the station goes on with the
					// settings it runs (so no onSaved).
					s.load(st)
					s.setSummary(widget.WarningImportance, core.ErrorMessage(err))
					if s.onRestart != nil {
						s.onRestart(st, core.ErrorMessage(err))
					}
					return
				}
				s.setSummary(widget.DangerImportance, "Not saved: "+core.ErrorMessage(err))
				return
			}
			s.load(st)
			s.setSummary(widget.SuccessImportance, "Saved at "+deskClock(s.now(), s.now())+".")
			if s.onSaved != nil {
				s.onSaved(st)
			}
		})
	}()
}

// settingsSavedWithNotice tells a save that went through with something to
// say (SaveSettings' EConflict, e.g. "Saved. s360gate must start again to
// switch to sandbox…") from a refusal.
func settingsSavedWithNotice(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Code == core.EConflict
}

func (s *SettingsScreen) clearErrors() {
	for _, l := range s.errs {
		l.SetText("")
		l.Hide()
	}
	s.setSummary(widget.MediumImportance, "")
}

// showErrors puts each message under its field and names them all in the
// summary line next to Save (the field may be scrolled out of sight).
func (s *SettingsScreen) showErrors(errs core.FieldErrors) {
	var names, orphans []string
	errs = slices.Clone(errs)
	slices.SortStableFunc(errs, func(a, b core.FieldError) int {
		ra, _ := settingsFieldRank(a.Field)
		rb, _ := settingsFieldRank(b.Field)
		return ra - rb
	})
	for _, e := range errs {
		l, ok := s.errs[e.Field]
		if !ok {
			orphans = append(orphans, e.Message)
			continue
		}
		if l.Text != "" {
			l.SetText(l.Text + "\n" + e.Message)
		} else {
			l.SetText(e.Message)
			_, name := settingsFieldRank(e.Field)
			names = append(names, name)
		}
		l.Show()
	}
	msg := "Not saved: nothing was changed."
	switch len(names) {
	case 0:
	case 1:
		msg += " Fix " + names[0] + "."
	default:
		msg += fmt.Sprintf(" Fix %d fields: %s.", len(names), strings.Join(names, ", "))
	}
	if len(orphans) > 0 {
		msg += " " + strings.Join(orphans, " ")
	}
	s.setSummary(widget.DangerImportance, msg)
}

// setSummary says text beside Save; an empty line takes no room.
func (s *SettingsScreen) setSummary(imp widget.Importance, text string) {
	s.summary.Importance = imp
	deskSay(s.summary, text)
	s.summary.Refresh()
}

// tick counts a PIN wait down on the PIN's line, every second.
func (s *SettingsScreen) tick() {
	if !s.pinLocked {
		return
	}
	l := s.errs["pin"]
	if msg := s.pins.blocked(); msg != "" {
		l.SetText(msg)
		return
	}
	s.pinLocked = false
	l.SetText("PINs are accepted again: enter the supervisor PIN and save.")
}
