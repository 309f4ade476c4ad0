package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"s360gate/core"
)

// askOverride admits the last DENY on a supervisor's reason and PIN. The
// denial stays recorded; the store adds an admission that says why.
func (g *gateView) askOverride() {
	denied := g.lastDeny
	if denied == nil || denied.Control == nil {
		return
	}
	reason := newField()
	reason.SetPlaceHolder(T("gate.overrideHint"))
	reason.Validator = func(s string) error {
		if len(strings.TrimSpace(s)) < core.OverrideReasonMin {
			return errors.New(T("gate.reasonRequired", map[string]any{"Min": core.OverrideReasonMin}))
		}
		return nil
	}
	intro := T("gate.overrideIntro", map[string]any{"Code": tail(denied.Scanned), "Message": say().Verdict(denied)})
	s := g.m.settings()
	sd := askSupervisor(g.m.w, g.m.pins, s.SupervisorPIN, T("gate.overrideTitle"), T("gate.admit"), intro,
		[]*widget.FormItem{widget.NewFormItem(T("gate.reason"), reason)},
		func() { g.override(denied.Control.ID, strings.TrimSpace(reason.Text)) },
		g.m.restoreFocus)
	reason.OnSubmitted = func(string) {
		if sd.pin != nil {
			g.m.w.Canvas().Focus(sd.pin)
		} else {
			sd.form.Submit()
		}
	}
	g.m.w.Canvas().Focus(reason)
	g.dialog = sd
}

// override runs the store's Override off the UI goroutine and shows the
// admission like any verdict.
func (g *gateView) override(controlID, reason string) {
	s := g.m.settings()
	now := g.m.now()
	g.startPending()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), scanTimeout)
		v, err := g.m.d.Store.Override(ctx, controlID, reason, now)
		cancel()
		g.m.ui(func() {
			if err != nil {
				g.pending--
				g.renderReady()
				g.m.log.WithError(err).Error("Override not recorded")
				dialog.ShowError(errors.New(T("gate.overrideFailed", map[string]any{"Why": say().Error(err)})), g.m.w)
				return
			}
			g.scanned(&scanJob{req: core.ScanRequest{Code: v.Scanned, Now: now}, settings: s}, &v, nil)
		})
	}()
}

// askDirection turns the station round. It is a supervisor action: an
// entry laptop silently recording exits would let every ticket in twice.
func (g *gateView) askDirection() {
	s := g.m.settings()
	to, title, intro, word := core.DirectionOut, T("gate.toExitTitle"), T("gate.toExitIntro"), T("gate.switchExit")
	if s.Direction == core.DirectionOut {
		to, title, intro, word = core.DirectionIn, T("gate.toEntryTitle"), T("gate.toEntryIntro"), T("gate.switchEntry")
	}
	g.dialog = askSupervisor(g.m.w, g.m.pins, s.SupervisorPIN, title, word, intro, nil, func() {
		s := g.m.settings()
		s.Direction = to
		g.m.save(s, T("gate.directionNotChanged"))
	}, g.m.restoreFocus)
	if g.dialog.pin != nil {
		g.m.w.Canvas().Focus(g.dialog.pin)
	}
}

// toggleMute is not behind the PIN: silencing a laptop must be instant.
func (g *gateView) toggleMute() {
	s := g.m.settings()
	s.Mute = !g.muted
	g.muted = s.Mute
	g.renderMute()
	if g.m.d.SaveSettings != nil {
		if err := g.m.d.SaveSettings(s); err != nil {
			// Muted for this session anyway; the log says why it won't last.
			g.m.log.WithError(err).Warn("Mute setting not saved")
		} else {
			g.m.settingsTab.Reload(g.m.settings())
		}
	}
	g.m.restoreFocus()
}
