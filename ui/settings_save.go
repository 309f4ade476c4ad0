package ui

import (
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// Saving the settings form. Nothing is half-saved: the form is parsed,
// checked (our own parse errors, the PIN, core's Validate) and only then
// handed to SaveSettings, which is itself all-or-nothing.

// settingsFieldRank is a field's place on screen (the description's order,
// then the PIN card's fields; unknown fields last) and its name.
func settingsFieldRank(key string) (int, string) {
	for i, d := range core.SettingsTable {
		if d.Key == key {
			return i, d.Label(Lang())
		}
	}
	for i, p := range []struct{ key, name string }{{"newPin", "settings.newPin"}, {"pinRepeat", "settings.pinRepeat"}, {"pin", "setting.supervisorPin"}} {
		if p.key == key {
			return len(core.SettingsTable) + i, T(p.name)
		}
	}
	return len(core.SettingsTable) + 3, key
}

// collect reads the form into settings, starting from the stored ones so
// that what the form does not show (the PIN hash) is kept: each setting
// reads its text as its description says (core.Setting.Parse), which
// refuses per field what is not its kind.
func (s *SettingsScreen) collect() (core.Settings, core.FieldErrors) {
	var errs core.FieldErrors
	st := s.stored
	for _, d := range core.SettingsTable {
		in := s.inputs[d.Key]
		if in == nil {
			continue
		}
		text := in.get()
		// An empty password field keeps the stored password: it is never
		// shown, so an empty field cannot mean "erase it".
		if d.Key == "password" && text == "" {
			continue
		}
		if fe := d.Parse(&st, text); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if st.Partner == "" {
		st.Partner = st.Institution // the usual case, and what Defaults does
	}
	return st, errs
}

// checkPIN checks the supervisor's PIN when one is set (saving, joining
// and leaving a venue need it): "" when it may go on, else why not.
func (s *SettingsScreen) checkPIN() string {
	h := s.stored.SupervisorPIN
	if h == "" {
		return ""
	}
	// An empty field is not a wrong PIN; while PINs are refused it says so
	// rather than ask for one.
	msg := s.pins.blocked()
	if msg == "" && s.pinAuth.Text == "" {
		msg = T("settings.enterPin")
	}
	if msg == "" {
		_, msg = s.pins.try(h, s.pinAuth.Text, T("pin.wrongShort"))
	}
	s.pinLocked = s.pins.blocked() != ""
	return msg
}

// checkPINs checks the supervisor's PIN (needed to save when one is set)
// and a new PIN typed twice. It returns the new PIN, "" when unchanged.
func (s *SettingsScreen) checkPINs() (string, core.FieldErrors) {
	var errs core.FieldErrors
	if msg := s.checkPIN(); msg != "" {
		errs = append(errs, core.FieldError{Field: "pin", Message: msg})
	}
	pin, again := s.pinNew.Text, s.pinRepeat.Text
	switch {
	case pin == "" && again == "":
		return "", errs
	case pin != again:
		errs = append(errs, core.NewFieldError("pinRepeat", "settings.pinsDiffer", nil))
	default:
		if err := core.CheckPIN(pin); err != nil {
			errs = append(errs, core.FieldErrorOf("newPin", err))
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
	s.summary.SetText(T("settings.saving"))
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
					s.setSummary(widget.WarningImportance, say().Error(err))
					if s.onRestart != nil {
						s.onRestart(st, say().Error(err))
					}
					return
				}
				s.setSummary(widget.DangerImportance, T("settings.notSavedWhy", map[string]any{"Why": say().Error(err)}))
				return
			}
			s.load(st)
			s.setSummary(widget.SuccessImportance, T("settings.savedAt", map[string]any{"At": deskClock(s.now(), s.now())}))
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
		msg := say().Field(e)
		l, ok := s.errs[e.Field]
		if !ok {
			orphans = append(orphans, msg)
			continue
		}
		if l.Text != "" {
			l.SetText(l.Text + "\n" + msg)
		} else {
			l.SetText(msg)
			_, name := settingsFieldRank(e.Field)
			names = append(names, name)
		}
		l.Show()
	}
	msg := T("settings.notSaved")
	switch len(names) {
	case 0:
	case 1:
		msg += T("settings.fixOne", map[string]any{"Name": names[0]})
	default:
		msg += T("settings.fixMany", map[string]any{"N": len(names), "Names": strings.Join(names, ", ")})
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
	l.SetText(T("settings.pinsAgain"))
}
