// Command s360gate is the stadium gate supervisor: the desktop app with no
// subcommand, headless commands otherwise (see `s360gate help`).
//
// Everything but the GUI lives in core/cli. The GUI is injected from here so
// that core/cli never imports Fyne: only this file knows both.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"

	"s360gate/core/buildinfo"
	"s360gate/core/cli"
	"s360gate/ui"
)

// fyneApp is the app's metadata; its version is s360gate's.
//
//go:embed FyneApp.toml
var fyneApp []byte

func main() {
	if err := buildinfo.FromFyneApp(fyneApp); err != nil {
		fmt.Fprintln(os.Stderr, "s360gate:", err)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, runGUI))
}

// runGUI turns the wiring core/cli built into the ui package's terms.
func runGUI(a cli.App) error {
	// Hooks for the settings form: test and browse S-360 with values not
	// saved yet (ui cannot build an S-360 client itself).
	ui.TestConnection = a.TestConnection
	ui.SettingsRemote = a.SettingsRemote
	d := ui.Deps{
		DataDir:      a.DataDir,
		Store:        a.Store,
		Engine:       a.Engine,
		Venue:        a.Venue,
		VenueLink:    a.VenueLink,
		JoinVenue:    a.JoinVenue,
		LeaveVenue:   a.LeaveVenue,
		Settings:     a.Settings,
		SaveSettings: a.SaveSettings,
		Remote:       a.Remote,
		Restart:      a.Restart,
		Lang:         a.Lang,
		Log:          a.Log,
		Now:          a.Now,
	}
	if a.TestVenue != nil {
		d.TestVenue = func(ctx context.Context, dsn string, trusted bool) (ui.VenueProbe, error) {
			p, err := a.TestVenue(ctx, dsn, trusted)
			return ui.VenueProbe(p), err
		}
	}
	for _, t := range a.Demo {
		d.Demo = append(d.Demo, ui.DemoTicket{Kind: t.Kind, Barcode: t.Barcode, Note: t.Note})
	}
	return ui.Run(d)
}
