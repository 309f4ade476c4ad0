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
	do      func(func()) // fyne.Do; a serialising runner in tests

	// stored is the last saved settings: the baseline for what the form
	// does not show (the password, the PIN hash).
	stored core.Settings

	env                                       *widget.Select
	envNote                                   *widget.Label
	endpoint, institution, operator, partner  *widget.Entry
	password                                  *widget.Entry
	testBtn                                   *widget.Button
	testMsg                                   *widget.Label
	season, products, performances, eventDate *widget.Entry
	eventDay                                  *widget.Check
	pageSize                                  *widget.Entry
	pickBtn                                   *widget.Button
	pickMsg                                   *widget.Label
	station, gate                             *widget.Entry
	direction                                 *widget.RadioGroup
	reentry, hideHolder                       *widget.Check
	gateRules, tariffRules                    *widget.Entry
	staleness, purge                          *widget.Entry
	terminator                                *widget.Select
	prefix, suffix                            *widget.Entry
	mute                                      *widget.Check
	pinNew, pinRepeat                         *widget.Entry
	pinAuth                                   *widget.Entry // current PIN, needed to save
	pinAuthRow                                fyne.CanvasObject

	errs      map[string]*widget.Label // field (JSON name) → its error line
	saveBtn   *widget.Button
	revertBtn *widget.Button
	summary   *widget.Label
	saving    bool
	obj       fyne.CanvasObject
}

// NewSettingsScreen builds the tab from d.Settings(). onSaved is called
// with the new settings after each successful save.
func NewSettingsScreen(w fyne.Window, d Deps, onSaved func(core.Settings)) *SettingsScreen {
	s := &SettingsScreen{w: w, d: d, onSaved: onSaved, do: deskDo, errs: map[string]*widget.Label{}}
	s.buildWidgets()
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
	s.env = widget.NewSelect(envs, func(e string) { s.showEnvNote(core.Environment(e)) })
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	s.endpoint = entry("https://INSTITUTION.ws.secutix.com/tnci/backend-apis/externalAccessControlService")
	s.institution = entry("institution code given by S-360")
	s.operator = entry("operator (user name) given by S-360")
	s.partner = entry("same as the institution")
	s.password = widget.NewPasswordEntry()
	s.testBtn = widget.NewButton("Test connection", s.testConnection)
	s.testMsg = widget.NewLabel("")
	s.testMsg.Wrapping = fyne.TextWrapWord
	s.testMsg.Hide()

	s.season = entry("season code, e.g. SEASON26")
	s.products = entry("product codes, comma-separated")
	s.performances = entry("optional: only these performances")
	s.eventDate = entry("YYYY-MM-DD")
	s.eventDay = widget.NewCheck("Event-day mode now (sync once a minute)", nil)
	s.pageSize = entry("5000")
	s.pickBtn = widget.NewButton("Pick from S-360…", s.pickFromS360)
	s.pickMsg = widget.NewLabel("")
	s.pickMsg.Wrapping = fyne.TextWrapWord
	s.pickMsg.Hide()

	s.station = entry("e.g. GATE_A_LAPTOP1 — how S-360 will know this laptop")
	s.gate = entry("empty: no gate check")
	s.direction = widget.NewRadioGroup([]string{settingsDirIn, settingsDirOut}, nil)
	s.direction.Horizontal = true
	s.direction.Required = true
	s.reentry = widget.NewCheck("Allow re-entry after an exit was scanned", nil)
	s.gateRules = widget.NewMultiLineEntry()
	s.gateRules.SetPlaceHolder("A = B, C\n(tickets for entrance A may also use gates B and C)")
	s.gateRules.SetMinRowsVisible(3)
	s.tariffRules = widget.NewMultiLineEntry()
	s.tariffRules.SetPlaceHolder("CHILD = AGE CHECK: under 16")
	s.tariffRules.SetMinRowsVisible(3)
	s.hideHolder = widget.NewCheck("Hide the holder's identity at the gate (the desk still shows it)", nil)
	s.staleness = entry("15")
	s.purge = entry("0 = keep")

	s.terminator = widget.NewSelect([]string{settingsTermEnt, settingsTermTab}, nil)
	s.prefix = entry("none")
	s.suffix = entry("none")
	s.mute = widget.NewCheck("Mute the gate sounds", nil)

	s.pinNew = widget.NewPasswordEntry()
	s.pinNew.SetPlaceHolder("4 to 32 characters; empty: unchanged")
	s.pinRepeat = widget.NewPasswordEntry()
	s.pinRepeat.SetPlaceHolder("the same again")
	s.pinAuth = widget.NewPasswordEntry()
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
		item("Scanner ends codes with", "scannerTerminator", s.terminator, ""),
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
	s.pinAuthRow = container.NewBorder(nil, nil, widget.NewLabel("Supervisor PIN"), nil, s.field("pin", s.pinAuth))
	bar := container.NewVBox(widget.NewSeparator(), s.summary,
		container.NewBorder(nil, nil, nil, container.NewHBox(s.revertBtn, s.saveBtn), s.pinAuthRow))
	return container.NewBorder(nil, bar, nil, nil, container.NewVScroll(body))
}

// load puts settings into the form. The password is never put back: the
// field stays empty, and its placeholder says whether one is stored.
func (s *SettingsScreen) load(st core.Settings) {
	s.stored = st
	s.env.SetSelected(string(st.Environment))
	s.endpoint.SetText(st.Endpoint)
	s.institution.SetText(st.Institution)
	s.operator.SetText(st.Operator)
	s.partner.SetText(st.Partner)
	s.password.SetText("")
	if st.Password != "" {
		s.password.SetPlaceHolder("•••• stored")
	} else {
		s.password.SetPlaceHolder("not set")
	}
	s.season.SetText(st.Season)
	s.products.SetText(settingsJoin(st.Products))
	s.performances.SetText(settingsJoin(st.Performances))
	s.eventDate.SetText(st.EventDate)
	s.eventDay.SetChecked(st.EventDay)
	s.pageSize.SetText(settingsIntText(st.PageSize))
	s.station.SetText(st.Station)
	s.gate.SetText(st.Gate)
	if st.Direction == core.DirectionOut {
		s.direction.SetSelected(settingsDirOut)
	} else {
		s.direction.SetSelected(settingsDirIn)
	}
	s.reentry.SetChecked(st.AllowReentry)
	s.gateRules.SetText(settingsFormatGateRules(st.GateRules))
	s.tariffRules.SetText(settingsFormatTariffRules(st.TariffRules))
	s.hideHolder.SetChecked(st.HideHolder)
	s.staleness.SetText(settingsIntText(st.StalenessMinutes))
	s.purge.SetText(settingsIntText(st.PurgeAfterDays))
	if st.ScannerTerminator == "tab" {
		s.terminator.SetSelected(settingsTermTab)
	} else {
		s.terminator.SetSelected(settingsTermEnt)
	}
	s.prefix.SetText(st.ScannerPrefix)
	s.suffix.SetText(st.ScannerSuffix)
	s.mute.SetChecked(st.Mute)
	s.pinNew.SetText("")
	s.pinRepeat.SetText("")
	s.pinAuth.SetText("")
	if st.SupervisorPIN != "" {
		s.pinAuthRow.Show()
	} else {
		s.pinAuthRow.Hide()
	}
	s.clearErrors()
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
