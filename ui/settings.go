package ui

// The settings tab: how the IT person wires the venue to S-360 (sim →
// sandbox → preprod → production) and how the supervisor sets up a station.
//
// Hooks for main's wiring (ui does not import core/s360, so it cannot build
// an S-360 client from values that are not saved yet):
//
//   - TestConnection, when set, tests the connection values typed in the
//     form, before they are saved. It returns S-360's time zone. When nil,
//     "Test connection" tests the saved settings through Deps.Remote and
//     says so.
//   - SettingsRemote, when set, builds a client from the form's values for
//     "Pick from S-360…"; when nil the picker uses Deps.Remote.
//
// Saving is all-or-nothing: the form is parsed and validated here first,
// then Deps.SaveSettings validates again and stores; every refusal is shown
// beside its field. When a supervisor PIN is set, saving needs it.

import (
	"context"
	"maps"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// TestConnection tests unsaved connection settings (see the top of file).
var TestConnection func(ctx context.Context, s core.Settings) (string, error)

// SettingsRemote builds an S-360 client from unsaved settings (see above).
var SettingsRemote func(s core.Settings) (core.Remote, error)

// choiceLabel is how a choice of a setting reads in the GUI's language.
func choiceLabel(key, v string) string { return core.SettingByKey(key).ChoiceLabel(Lang(), v) }

// SettingsScreen is the settings tab.
type SettingsScreen struct {
	w       fyne.Window
	d       Deps
	onSaved func(core.Settings)
	// onRestart, when set, is told of settings stored for the next start
	// (another environment or ticket list), with the store's words.
	onRestart func(st core.Settings, words string)
	do        func(func()) // fyne.Do; a serialising runner in tests

	// stored is the last saved settings: the baseline for what the form
	// does not show (the password, the PIN hash).
	stored core.Settings
	// bindings tie the form's widgets to the settings; loaded is what each
	// widget held after the last load, to tell unsaved edits apart.
	bindings []settingsBinding
	loaded   map[string]string
	// pins counts wrong PINs; the main window shares its own with the gate.
	pins *pinGuard

	inputs                                    map[string]*settingInput
	env, language                             *choice
	envNote                                   *widget.Label
	endpoint, institution, operator, partner  *field
	password                                  *field
	testBtn                                   *widget.Button
	testMsg                                   *widget.Label
	season, products, performances, eventDate *field
	eventDay                                  *checkBox
	pageSize                                  *field
	pickBtn                                   *widget.Button
	pickMsg                                   *widget.Label
	station, gate                             *field
	direction                                 *choice
	reentry, hideHolder                       *checkBox
	gateRules, tariffRules                    *field
	staleness, purge                          *field
	terminator                                *choice
	prefix, suffix                            *field
	mute                                      *checkBox
	pinNew, pinRepeat                         *field
	pinAuth                                   *field // current PIN, needed to save
	pinAuthRow                                fyne.CanvasObject
	venue                                     *settingsVenue
	venueNote                                 *widget.Label // the venue's S-360 settings are its own

	errs      map[string]*widget.Label // field (JSON name) → its error line
	saveBtn   *widget.Button
	revertBtn *widget.Button
	summary   *widget.Label
	page      *container.Scroll
	pinLocked bool // the PIN line says PINs are refused for a while
	saving    bool
	obj       fyne.CanvasObject
}

// NewSettingsScreen builds the tab from d.Settings(). onSaved is called
// with the new settings after each successful save.
func NewSettingsScreen(w fyne.Window, d Deps, onSaved func(core.Settings)) *SettingsScreen {
	s := &SettingsScreen{w: w, d: d, onSaved: onSaved, do: deskDo, errs: map[string]*widget.Label{}}
	s.pins = newPINGuard(s.now)
	s.buildWidgets()
	s.bindings = s.bind()
	s.obj = s.layout()
	s.load(s.current())
	if d.SaveSettings == nil {
		s.saveBtn.Disable()
		s.setSummary(widget.WarningImportance, T("settings.cannotSave"))
	}
	return s
}

// Object is the tab's content.
func (s *SettingsScreen) Object() fyne.CanvasObject { return s.obj }

func (s *SettingsScreen) current() core.Settings {
	if s.d.Settings == nil {
		return core.Settings{}.Defaults()
	}
	return s.d.Settings()
}

// The form is built from the settings' one description
// (core.SettingsTable): a widget per setting by its kind, its label, hint
// and help in the GUI's language, in the description's order and groups.
// What only the form has (the PIN fields, Test connection, the pickers)
// is added around it, by setting key.

// settingInput is one setting's widget: the text its setting reads
// (core.Setting.Parse) and shows (Format).
type settingInput struct {
	d   *core.Setting
	obj fyne.CanvasObject
	get func() string
	set func(string)
}

// input makes the widget of d.
func (s *SettingsScreen) input(d *core.Setting) *settingInput {
	in := &settingInput{d: d}
	l := Lang()
	switch d.Kind {
	case core.KindChoice:
		labels := make([]string, len(d.Choices))
		for i, v := range d.Choices {
			labels[i] = d.ChoiceLabel(l, v)
		}
		c := newChoice(labels, nil)
		in.obj = c
		in.get = func() string {
			for i, lb := range labels {
				if lb == c.Selected {
					return d.Choices[i]
				}
			}
			return c.Selected
		}
		in.set = func(v string) {
			for i, ch := range d.Choices {
				if ch == v {
					c.SetSelected(labels[i])
					return
				}
			}
			c.SetSelected(v)
		}
	case core.KindBool:
		c := newCheckBox(d.Label(l), nil)
		in.obj = c
		in.get = func() string { return strconv.FormatBool(c.Checked) }
		in.set = func(v string) { c.SetChecked(v == "true") }
	default:
		var f *field
		switch d.Kind {
		case core.KindSecret:
			f = newPasswordField()
		case core.KindGateRules, core.KindTariffRules:
			f = newMultiLineField()
			f.SetMinRowsVisible(3)
		default:
			f = newField()
		}
		f.SetPlaceHolder(d.Hint(l))
		in.obj = f
		in.get = func() string { return f.Text }
		in.set = f.SetText
	}
	return in
}

func (s *SettingsScreen) buildWidgets() {
	s.inputs = map[string]*settingInput{}
	for _, d := range core.SettingsTable {
		if d.Key == "supervisorPin" {
			continue // the PIN card's own fields set it
		}
		s.inputs[d.Key] = s.input(d)
	}
	text := func(key string) *field { return s.inputs[key].obj.(*field) }
	pick := func(key string) *choice { return s.inputs[key].obj.(*choice) }
	check := func(key string) *checkBox { return s.inputs[key].obj.(*checkBox) }
	s.env, s.direction, s.terminator, s.language = pick("environment"), pick("direction"), pick("scannerTerminator"), pick("language")
	s.endpoint, s.institution, s.operator, s.partner = text("endpoint"), text("institution"), text("operator"), text("partner")
	s.password, s.season, s.products, s.performances = text("password"), text("season"), text("products"), text("performances")
	s.eventDate, s.pageSize, s.station, s.gate = text("eventDate"), text("pageSize"), text("station"), text("gate")
	s.gateRules, s.tariffRules, s.staleness, s.purge = text("gateRules"), text("tariffRules"), text("stalenessMinutes"), text("purgeAfterDays")
	s.prefix, s.suffix = text("scannerPrefix"), text("scannerSuffix")
	s.eventDay, s.reentry, s.hideHolder, s.mute = check("eventDay"), check("allowReentry"), check("hideHolderAtGate"), check("mute")

	s.envNote = widget.NewLabel("")
	s.envNote.Wrapping = fyne.TextWrapWord
	s.env.OnChanged = func(string) { s.showEnvNote(core.Environment(s.inputs["environment"].get())) }
	s.testBtn = widget.NewButton(T("settings.testConnection"), s.testConnection)
	s.testMsg = widget.NewLabel("")
	s.testMsg.Wrapping = fyne.TextWrapWord
	s.testMsg.Hide()
	s.pickBtn = widget.NewButton(T("settings.pick"), s.pickFromS360)
	s.pickMsg = widget.NewLabel("")
	s.pickMsg.Wrapping = fyne.TextWrapWord
	s.pickMsg.Hide()

	s.pinNew = newPasswordField()
	s.pinNew.SetPlaceHolder(T("settings.pinNewHint"))
	s.pinRepeat = newPasswordField()
	s.pinRepeat.SetPlaceHolder(T("settings.pinRepeatHint"))
	s.pinAuth = newPasswordField()
	s.pinAuth.SetPlaceHolder(T("settings.pinAuthHint"))
	s.pinAuth.OnSubmitted = func(string) { s.Save() }

	s.saveBtn = widget.NewButton(T("settings.save"), s.Save)
	s.saveBtn.Importance = widget.HighImportance
	s.revertBtn = widget.NewButton(T("settings.undo"), func() { s.load(s.current()) })
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.venue = s.buildVenue()
	s.venueNote = widget.NewLabel("")
	s.venueNote.Wrapping = fyne.TextWrapWord
	s.venueNote.Importance = widget.WarningImportance
	s.venueNote.Hide()
}

// field wraps a widget with its error line (hidden until a refusal names
// the field), so the message sits right under what must be fixed.
func (s *SettingsScreen) field(key string, o fyne.CanvasObject) fyne.CanvasObject {
	e := widget.NewLabel("")
	e.Importance = widget.DangerImportance
	e.Wrapping = fyne.TextWrapWord
	e.Hide()
	s.errs[key] = e
	return container.NewVBox(o, e)
}

func (s *SettingsScreen) layout() fyne.CanvasObject {
	l := Lang()
	suggest := widget.NewButton(T("settings.usualAddress"), s.suggestEndpoint)
	// What the form shows of a setting besides its own widget.
	shown := map[string]fyne.CanvasObject{
		"environment": container.NewVBox(s.env, s.envNote),
		"endpoint":    container.NewBorder(nil, nil, nil, suggest, s.endpoint),
		"products":    container.NewVBox(container.NewBorder(nil, nil, nil, s.pickBtn, s.products), s.pickMsg),
	}
	forms := map[string]*widget.Form{}
	for _, g := range []string{core.GroupConnection, core.GroupEvent, core.GroupStation, core.GroupScanner, core.GroupPIN} {
		forms[g] = widget.NewForm()
	}
	// The Venue section holds the station's venue wait.
	venueForm := widget.NewForm()
	for _, d := range core.SettingsTable {
		in := s.inputs[d.Key]
		if in == nil {
			continue
		}
		o := in.obj
		if x, ok := shown[d.Key]; ok {
			o = x
		}
		label := d.Label(l)
		if d.Kind == core.KindBool {
			label = "" // the box carries its words
		}
		it := widget.NewFormItem(label, s.field(d.Key, o))
		it.HintText = d.Help(l)
		if d.Key == "venueFallbackMs" {
			venueForm.AppendItem(it)
			continue
		}
		forms[d.Group].AppendItem(it)
		if d.Key == "password" {
			forms[d.Group].AppendItem(widget.NewFormItem("", container.NewVBox(container.NewHBox(s.testBtn), s.testMsg)))
		}
	}
	pinHelp := widget.NewFormItem(T("settings.newPin"), s.field("newPin", s.pinNew))
	pinHelp.HintText = core.SettingByKey("supervisorPin").Help(l)
	forms[core.GroupPIN].AppendItem(pinHelp)
	forms[core.GroupPIN].AppendItem(widget.NewFormItem(T("settings.pinRepeat"), s.field("pinRepeat", s.pinRepeat)))
	body := container.NewVBox()
	for _, g := range []string{core.GroupConnection, core.GroupEvent, core.GroupStation, core.GroupScanner, core.GroupPIN} {
		card := fyne.CanvasObject(forms[g])
		if g == core.GroupConnection {
			card = container.NewVBox(s.venueNote, forms[g])
		}
		body.Add(widget.NewCard(T("settings.group."+g), "", card))
		if g == core.GroupStation {
			body.Add(widget.NewCard(T("settings.group.venue"), "", container.NewVBox(s.venue.object(), venueForm)))
		}
	}
	// Fyne's entries scroll their own text with the mouse wheel, so the
	// page stopped scrolling whenever the pointer was over a field (most
	// of the page). A relay laid over the whole form takes every wheel
	// event and scrolls the page.
	relay := newWheelRelay()
	s.page = container.NewVScroll(container.NewStack(body, relay))
	relay.to = s.page
	s.pinAuthRow = container.NewBorder(nil, nil, widget.NewLabel(T("setting.supervisorPin")), nil, s.field("pin", s.pinAuth))
	bar := container.NewVBox(widget.NewSeparator(), s.summary,
		container.NewBorder(nil, nil, nil, container.NewHBox(s.revertBtn, s.saveBtn), s.pinAuthRow))
	return container.NewBorder(nil, bar, nil, nil, s.page)
}

// settingsBinding ties one widget of the form to the settings.
type settingsBinding struct {
	key, name string                         // field (JSON name) and its words
	from      func(st *core.Settings) string // what the widget shows for st
	get       func() string
	set       func(string)
}

// bind lists the form's widgets with the settings they show, in the
// description's order. The password and PIN fields show nothing saved:
// anything typed there is an edit.
func (s *SettingsScreen) bind() []settingsBinding {
	var out []settingsBinding
	for _, d := range core.SettingsTable {
		in := s.inputs[d.Key]
		if in == nil {
			continue
		}
		out = append(out, settingsBinding{d.Key, d.Label(Lang()), d.Format, in.get, in.set})
	}
	none := func(*core.Settings) string { return "" }
	for _, p := range []struct {
		key, name string
		f         *field
	}{{"newPin", T("settings.newPin"), s.pinNew}, {"pinRepeat", T("settings.pinRepeat"), s.pinRepeat}, {"pin", T("setting.supervisorPin"), s.pinAuth}} {
		out = append(out, settingsBinding{p.key, p.name, none, func() string { return p.f.Text }, p.f.SetText})
	}
	return out
}

// load puts settings into the form, all of it: what was typed and not
// saved is gone. The password is never put back: the field stays empty,
// and its placeholder says whether one is stored.
func (s *SettingsScreen) load(st core.Settings) {
	s.stored = st
	for _, b := range s.bindings {
		b.set(b.from(&st))
	}
	s.loaded = s.values()
	s.showStored()
	s.clearErrors()
	s.venue.show()
}

// showStored shows what the form says of the stored settings without a
// field of its own: whether a password and a PIN are set.
func (s *SettingsScreen) showStored() {
	if s.stored.Password != "" {
		s.password.SetPlaceHolder(T("settings.passwordStored"))
	} else {
		s.password.SetPlaceHolder(T("settings.passwordNotSet"))
	}
	if s.stored.SupervisorPIN != "" {
		s.pinAuthRow.Show()
	} else {
		s.pinAuthRow.Hide()
	}
}

// values is what each widget holds now, by field.
func (s *SettingsScreen) values() map[string]string {
	m := make(map[string]string, len(s.bindings))
	for _, b := range s.bindings {
		m[b.key] = b.get()
	}
	return m
}

// Edited reports whether the form holds changes that are not saved.
func (s *SettingsScreen) Edited() bool {
	return !maps.Equal(s.values(), s.loaded)
}

// Reload brings the form up to date with settings saved elsewhere, such as
// the gate tab's direction and sound buttons; otherwise the next Save here
// would quietly undo them. The rule:
//
//   - a form without unsaved edits is reloaded whole, as if just opened;
//   - a form with unsaved edits keeps them. Only the fields whose saved
//     value changed (between the settings the form was loaded from and st)
//     are refreshed: the newer save wins there, even over an edit of that
//     same field. The line beside Save names them and says that the other
//     changes are still not saved.
//
// Either way st becomes the baseline for what the form does not show (the
// password, the PIN hash).
func (s *SettingsScreen) Reload(st core.Settings) {
	if !s.Edited() {
		s.load(st)
		return
	}
	old := s.stored
	s.stored = st
	var changed []string
	for _, b := range s.bindings {
		v := b.from(&st)
		if v == b.from(&old) {
			continue
		}
		b.set(v)
		s.loaded[b.key] = b.get()
		if l := s.errs[b.key]; l != nil {
			l.SetText("")
			l.Hide()
		}
		changed = append(changed, b.name)
	}
	s.showStored()
	switch len(changed) {
	case 0:
	case 1:
		s.setSummary(widget.WarningImportance, T("settings.changedOne", map[string]any{"Names": changed[0]}))
	default:
		s.setSummary(widget.WarningImportance, T("settings.changedMany", map[string]any{"Names": strings.Join(changed, ", ")}))
	}
}

func (s *SettingsScreen) showEnvNote(e core.Environment) {
	s.envNote.Importance = widget.MediumImportance
	switch e {
	case core.EnvSim, core.EnvSandbox, core.EnvPreprod:
		s.envNote.SetText(T("settings.env." + string(e)))
	case core.EnvProduction:
		s.envNote.Importance = widget.WarningImportance
		s.envNote.SetText(T("settings.env.production"))
	}
	s.envNote.Refresh()
}
