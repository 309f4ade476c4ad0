package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"s360gate/core/buildinfo"
	"s360gate/core/logging"
)

// showAbout says which s360gate this is, in the words of `s360gate
// --version` (what a supervisor reads out when reporting a problem), and
// where its data and log are. Its labels are not selectable: a selectable
// label takes the keyboard focus, and a scan typed into it would be lost
// (keys.go); the About text is read out, not copied.
func showAbout(w fyne.Window, dataDir string) {
	icon := canvas.NewImageFromResource(iconResource)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(64))
	version := widget.NewLabelWithStyle(buildinfo.Get().String(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	where := widget.NewLabel(strings.Join([]string{
		T("about.dataFolder", map[string]any{"Dir": dataDir}),
		T("about.log", map[string]any{"Path": filepath.Join(dataDir, logging.FileName)}),
	}, "\n"))
	where.Wrapping = fyne.TextWrapBreak
	content := container.NewBorder(nil, nil, container.NewVBox(icon), nil,
		container.NewVBox(version, where))
	d := dialog.NewCustom(T("about.menu"), T("about.close"), content, w)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
}
