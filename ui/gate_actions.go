package ui

import (
	"context"
	"errors"
	"fmt"
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
	reason.SetPlaceHolder("Why is this person let in? e.g. \"ticket re-issued at the box office\"")
	reason.Validator = func(s string) error {
		if len(strings.TrimSpace(s)) < core.OverrideReasonMin {
			return fmt.Errorf("a reason is required (at least %d characters)", core.OverrideReasonMin)
		}
		return nil
	}
	intro := "Admit the ticket " + tail(denied.Scanned) + " although it was denied:\n" + say().Verdict(denied)
	s := g.m.settings()
	sd := askSupervisor(g.m.w, g.m.pins, s.SupervisorPIN, "Override — admit this ticket", "Admit", intro,
		[]*widget.FormItem{widget.NewFormItem("Reason", reason)},
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
				dialog.ShowError(errors.New("The override was not recorded: "+core.ErrorMessage(err)), g.m.w)
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
	to, title, intro := core.DirectionOut, "Switch this station to EXIT?",
		"Every scan here will then record a person LEAVING. Nobody is admitted at an exit station."
	if s.Direction == core.DirectionOut {
		to, title, intro = core.DirectionIn, "Switch this station to ENTRY?",
			"Every scan here will then ADMIT or DENY people coming IN."
	}
	word := map[core.Direction]string{core.DirectionIn: "Switch to ENTRY", core.DirectionOut: "Switch to EXIT"}[to]
	g.dialog = askSupervisor(g.m.w, g.m.pins, s.SupervisorPIN, title, word, intro, nil, func() {
		s := g.m.settings()
		s.Direction = to
		g.m.save(s, "The direction was not changed")
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
