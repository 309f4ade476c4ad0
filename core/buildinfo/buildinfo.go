// Package buildinfo says which s360gate this is: its version, the commit it
// was built from and when, for `s360gate --version` and the app's About.
// A supervisor reporting a problem from a gate reads it from there.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Set by packaged builds (.ci/run), which know what Go may not record (a
// build from an exported tree has no version control information):
//
//	-ldflags "-X s360gate/core/buildinfo.Commit=<hash> -X s360gate/core/buildinfo.Date=2026-11-27T07:32:00Z"
//
// Version may be set the same way; without it, the version is FyneApp.toml's
// (see FromFyneApp), which `fyne package` writes into the Windows .exe too.
var (
	Version string
	Commit  string
	Date    string // RFC 3339
)

// appVersion is FyneApp.toml's version, given by main.
var appVersion string

// FromFyneApp takes the version from the contents of FyneApp.toml (main
// embeds it), so that one file says what version this is.
func FromFyneApp(fyneApp []byte) error {
	var meta struct {
		Details struct{ Version string }
	}
	if _, err := toml.Decode(string(fyneApp), &meta); err != nil {
		return fmt.Errorf("FyneApp.toml: %w", err)
	}
	appVersion = meta.Details.Version
	return nil
}

// Info is what is known of this build.
type Info struct {
	Version  string // "0.1.0"; "dev" when nothing says
	Commit   string // the full commit hash, "" when unknown
	Modified bool   // built with changes not committed
	// Date is when the build was made (packaged builds) or, when only Go's
	// version control stamp is known, when its commit was made (Built
	// false); zero when unknown.
	Date      time.Time
	Built     bool
	GoVersion string // "go1.26.8"
	Platform  string // "windows/amd64"
}

// Get is this program's Info: the -ldflags values first, then what Go
// recorded (debug.ReadBuildInfo's vcs.revision, vcs.time, vcs.modified).
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return read(bi, Version, Commit, Date)
}

func read(bi *debug.BuildInfo, version, commit, date string) Info {
	i := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if i.Version == "" {
		i.Version = appVersion
	}
	var vcsTime string
	if bi != nil {
		i.GoVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				i.Modified = s.Value == "true" && commit == ""
			}
		}
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	if t, err := time.Parse(time.RFC3339, date); err == nil {
		i.Date, i.Built = t.UTC(), true
	} else if t, err := time.Parse(time.RFC3339, vcsTime); err == nil && commit == "" {
		i.Date = t.UTC()
	}
	return i
}

// Lines are Info for people, one fact a line:
//
//	s360gate 0.1.0
//	commit 5a9aac8e0b6a8f1d… (with changes not committed)
//	built 2026-11-27 07:32 UTC
//	go1.26.8 windows/amd64
func (i Info) Lines() []string {
	commit := "commit unknown (built without version control information)"
	if i.Commit != "" {
		commit = "commit " + i.Commit
		if i.Modified {
			commit += " (with changes not committed)"
		}
	}
	date := "build date unknown"
	switch {
	case i.Built:
		date = "built " + i.Date.Format("2006-01-02 15:04 MST")
	case !i.Date.IsZero():
		date = "committed " + i.Date.Format("2006-01-02 15:04 MST") + " (build date not recorded)"
	}
	return []string{"s360gate " + i.Version, commit, date, i.GoVersion + " " + i.Platform}
}

func (i Info) String() string { return strings.Join(i.Lines(), "\n") }
