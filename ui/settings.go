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

// Labels of the choice widgets, and the values they stand for.
const (
	settingsDirIn   = "in — people entering"
	settingsDirOut  = "out — people leaving"
	settingsTermEnt = "Enter"
	settingsTermTab = "Tab"
)

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

	env                                       *choice
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
		s.setSummary(widget.WarningImportance, "Settings cannot be saved on this station.")
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

func (s *SettingsScreen) buildWidgets() {
	envs := make([]string, len(core.Environments))
	for i, e := range core.Environments {
		envs[i] = string(e)
	}
	s.envNote = widget.NewLabel("")
	s.envNote.Wrapping = fyne.TextWrapWord
	s.env = newChoice(envs, func(e string) { s.showEnvNote(core.Environment(e)) })
	entry := func(placeholder string) *field {
		e := newField()
		e.SetPlaceHolder(placeholder)
		return e
	}
	s.endpoint = entry("https://INSTITUTION.ws.secutix.com/tnci/backend-apis/externalAccessControlService")
	s.institution = entry("institution code given by S-360")
	s.operator = entry("operator (user name) given by S-360")
	s.partner = entry("same as the institution")
	s.password = newPasswordField()
	s.testBtn = widget.NewButton("Test connection", s.testConnection)
	s.testMsg = widget.NewLabel("")
	s.testMsg.Wrapping = fyne.TextWrapWord
	s.testMsg.Hide()

	s.season = entry("season code, e.g. SEASON26")
	s.products = entry("product codes, comma-separated")
	s.performances = entry("optional: only these performances")
	s.eventDate = entry("YYYY-MM-DD")
	s.eventDay = newCheckBox("Event-day mode now (sync once a minute)", nil)
	s.pageSize = entry("5000")
	s.pickBtn = widget.NewButton("Pick from S-360…", s.pickFromS360)
	s.pickMsg = widget.NewLabel("")
	s.pickMsg.Wrapping = fyne.TextWrapWord
	s.pickMsg.Hide()

	s.station = entry("e.g. GATE_A_LAPTOP1 — how S-360 will know this laptop")
	s.gate = entry("empty: no gate check")
	s.direction = newChoice([]string{settingsDirIn, settingsDirOut}, nil)
	s.reentry = newCheckBox("Allow re-entry after an exit was scanned", nil)
	s.gateRules = newMultiLineField()
	s.gateRules.SetPlaceHolder("A = B, C\n(tickets for entrance A may also use gates B and C)")
	s.gateRules.SetMinRowsVisible(3)
	s.tariffRules = newMultiLineField()
	s.tariffRules.SetPlaceHolder("CHILD = AGE CHECK: under 16")
	s.tariffRules.SetMinRowsVisible(3)
	s.hideHolder = newCheckBox("Hide the holder's identity at the gate (the desk still shows it)", nil)
	s.staleness = entry("15")
	s.purge = entry("0 = keep")

	s.terminator = newChoice([]string{settingsTermEnt, settingsTermTab}, nil)
	s.prefix = entry("none")
	s.suffix = entry("none")
	s.mute = newCheckBox("Mute the gate sounds", nil)

	s.pinNew = newPasswordField()
	s.pinNew.SetPlaceHolder("4 to 32 characters; empty: unchanged")
	s.pinRepeat = newPasswordField()
	s.pinRepeat.SetPlaceHolder("the same again")
	s.pinAuth = newPasswordField()
	s.pinAuth.SetPlaceHolder("current supervisor PIN")
	s.pinAuth.OnSubmitted = func(string) { s.Save() }

	s.saveBtn = widget.NewButton("Save", s.Save)
	s.saveBtn.Importance = widget.HighImportance
	s.revertBtn = widget.NewButton("Undo changes", func() { s.load(s.current()) })
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
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
	item := func(label, key string, o fyne.CanvasObject, hint string) *widget.FormItem {
		it := widget.NewFormItem(label, s.field(key, o))
		it.HintText = hint
		return it
	}
	suggest := widget.NewButton("Usual address", s.suggestEndpoint)
	conn := widget.NewForm(
		item("Environment", "environment", container.NewVBox(s.env, s.envNote), ""),
		item("Endpoint", "endpoint", container.NewBorder(nil, nil, nil, suggest, s.endpoint), "the service address, up to and without /v1_6"),
		item("Institution", "institution", s.institution, ""),
		item("Operator", "operator", s.operator, ""),
		item("Partner", "partner", s.partner, "the JWT issuer; usually the institution"),
		item("Password", "password", s.password, "never shown again; leave empty to keep the stored one"),
		widget.NewFormItem("", container.NewVBox(container.NewHBox(s.testBtn), s.testMsg)),
	)
	event := widget.NewForm(
		item("Season", "season", s.season, ""),
		item("Products", "products", container.NewVBox(container.NewBorder(nil, nil, nil, s.pickBtn, s.products), s.pickMsg), ""),
		item("Performances", "performances", s.performances, ""),
		item("Event date", "eventDate", s.eventDate, "sync once a minute on that day"),
		widget.NewFormItem("", s.eventDay),
		item("Page size", "pageSize", s.pageSize, "tickets per request, 1 to 10000"),
	)
	station := widget.NewForm(
		item("Station name", "station", s.station, ""),
		item("Gate", "gate", s.gate, "the entrance code this station stands at"),
		item("Direction", "direction", s.direction, ""),
		widget.NewFormItem("", s.reentry),
		item("Entrance → gates", "gateRules", s.gateRules, "one line per entrance: ENTRANCE = GATE, GATE"),
		item("Tariff prompts", "tariffRules", s.tariffRules, "one line per tariff: CODE = what the steward must check"),
		widget.NewFormItem("", s.hideHolder),
		item("Offline after", "stalenessMinutes", s.staleness, "minutes without a sync before controls count as offline"),
		item("Purge personal data", "purgeAfterDays", s.purge, "days after the event; 0 keeps it"),
	)
	scanner := widget.NewForm(
		item("Scanner ends codes with", "scannerTerminator", s.terminator, "this window takes Enter and Tab from a scanner either way; the headless scan command splits its input here"),
		item("Prefix", "scannerPrefix", s.prefix, "characters the scanner sends before each code"),
		item("Suffix", "scannerSuffix", s.suffix, "characters the scanner sends after each code"),
		widget.NewFormItem("", s.mute),
	)
	pin := widget.NewForm(
		item("New PIN", "newPin", s.pinNew, "unlocks overrides at the gate and these settings"),
		item("Repeat new PIN", "pinRepeat", s.pinRepeat, ""),
	)
	body := container.NewVBox(
		widget.NewCard("Connection to S-360", "", conn),
		widget.NewCard("Event", "", event),
		widget.NewCard("Station", "", station),
		widget.NewCard("Scanner & sound", "", scanner),
		widget.NewCard("Supervisor PIN", "", pin),
	)
	// Fyne's entries scroll their own text with the mouse wheel, so the
	// page stopped scrolling whenever the pointer was over a field (most
	// of the page). A relay laid over the whole form takes every wheel
	// event and scrolls the page.
	relay := newWheelRelay()
	s.page = container.NewVScroll(container.NewStack(body, relay))
	relay.to = s.page
	s.pinAuthRow = container.NewBorder(nil, nil, widget.NewLabel("Supervisor PIN"), nil, s.field("pin", s.pinAuth))
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

func entryBinding(key, name string, e *field, from func(*core.Settings) string) settingsBinding {
	return settingsBinding{key, name, from, func() string { return e.Text }, e.SetText}
}

func checkBinding(key, name string, c *checkBox, from func(*core.Settings) bool) settingsBinding {
	return settingsBinding{key, name,
		func(st *core.Settings) string { return strconv.FormatBool(from(st)) },
		func() string { return strconv.FormatBool(c.Checked) },
		func(v string) { c.SetChecked(v == "true") }}
}

// bind lists the form's widgets with the settings they show. The password
// and PIN fields show nothing saved: anything typed there is an edit.
func (s *SettingsScreen) bind() []settingsBinding {
	none := func(*core.Settings) string { return "" }
	sel := func(key, name string, w *choice, from func(*core.Settings) string) settingsBinding {
		return settingsBinding{key, name, from, func() string { return w.Selected }, w.SetSelected}
	}
	return []settingsBinding{
		sel("environment", "Environment", s.env, func(st *core.Settings) string { return string(st.Environment) }),
		entryBinding("endpoint", "Endpoint", s.endpoint, func(st *core.Settings) string { return st.Endpoint }),
		entryBinding("institution", "Institution", s.institution, func(st *core.Settings) string { return st.Institution }),
		entryBinding("operator", "Operator", s.operator, func(st *core.Settings) string { return st.Operator }),
		entryBinding("partner", "Partner", s.partner, func(st *core.Settings) string { return st.Partner }),
		entryBinding("password", "Password", s.password, none),
		entryBinding("season", "Season", s.season, func(st *core.Settings) string { return st.Season }),
		entryBinding("products", "Products", s.products, func(st *core.Settings) string { return settingsJoin(st.Products) }),
		entryBinding("performances", "Performances", s.performances, func(st *core.Settings) string { return settingsJoin(st.Performances) }),
		entryBinding("eventDate", "Event date", s.eventDate, func(st *core.Settings) string { return st.EventDate }),
		checkBinding("eventDay", "Event-day mode", s.eventDay, func(st *core.Settings) bool { return st.EventDay }),
		entryBinding("pageSize", "Page size", s.pageSize, func(st *core.Settings) string { return settingsIntText(st.PageSize) }),
		entryBinding("station", "Station name", s.station, func(st *core.Settings) string { return st.Station }),
		entryBinding("gate", "Gate", s.gate, func(st *core.Settings) string { return st.Gate }),
		{"direction", "Direction", func(st *core.Settings) string {
			if st.Direction == core.DirectionOut {
				return settingsDirOut
			}
			return settingsDirIn
		}, func() string { return s.direction.Selected }, s.direction.SetSelected},
		checkBinding("allowReentry", "Re-entry", s.reentry, func(st *core.Settings) bool { return st.AllowReentry }),
		entryBinding("gateRules", "Entrance → gates", s.gateRules, func(st *core.Settings) string { return settingsFormatGateRules(st.GateRules) }),
		entryBinding("tariffRules", "Tariff prompts", s.tariffRules, func(st *core.Settings) string { return settingsFormatTariffRules(st.TariffRules) }),
		checkBinding("hideHolder", "Hide the holder", s.hideHolder, func(st *core.Settings) bool { return st.HideHolder }),
		entryBinding("stalenessMinutes", "Offline after", s.staleness, func(st *core.Settings) string { return settingsIntText(st.StalenessMinutes) }),
		entryBinding("purgeAfterDays", "Purge personal data", s.purge, func(st *core.Settings) string { return settingsIntText(st.PurgeAfterDays) }),
		sel("scannerTerminator", "Scanner terminator", s.terminator, func(st *core.Settings) string {
			if st.ScannerTerminator == "tab" {
				return settingsTermTab
			}
			return settingsTermEnt
		}),
		entryBinding("scannerPrefix", "Scanner prefix", s.prefix, func(st *core.Settings) string { return st.ScannerPrefix }),
		entryBinding("scannerSuffix", "Scanner suffix", s.suffix, func(st *core.Settings) string { return st.ScannerSuffix }),
		checkBinding("mute", "Sound", s.mute, func(st *core.Settings) bool { return st.Mute }),
		entryBinding("newPin", "New PIN", s.pinNew, none),
		entryBinding("pinRepeat", "Repeat new PIN", s.pinRepeat, none),
		entryBinding("pin", "Supervisor PIN", s.pinAuth, none),
	}
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
}

// showStored shows what the form says of the stored settings without a
// field of its own: whether a password and a PIN are set.
func (s *SettingsScreen) showStored() {
	if s.stored.Password != "" {
		s.password.SetPlaceHolder("•••• stored")
	} else {
		s.password.SetPlaceHolder("not set")
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
		s.setSummary(widget.WarningImportance, changed[0]+" was just changed outside this form: it shows the saved value. Your other changes are not saved yet.")
	default:
		s.setSummary(widget.WarningImportance, strings.Join(changed, ", ")+" were just changed outside this form: they show the saved values. Your other changes are not saved yet.")
	}
}

func (s *SettingsScreen) showEnvNote(e core.Environment) {
	s.envNote.Importance = widget.MediumImportance
	switch e {
	case core.EnvSim:
		s.envNote.SetText("Demo: the built-in simulator. No S-360 account needed; tickets are samples.")
	case core.EnvSandbox:
		s.envNote.SetText("S-360 sandbox test account: test tickets, calls on demand.")
	case core.EnvPreprod:
		s.envNote.SetText("Pre-production: at most one sync an hour before event day, one a minute on event day.")
	case core.EnvProduction:
		s.envNote.Importance = widget.WarningImportance
		s.envNote.SetText("PRODUCTION: real tickets and real controls. At most one sync an hour before event day, one a minute on event day.")
	}
	s.envNote.Refresh()
}
