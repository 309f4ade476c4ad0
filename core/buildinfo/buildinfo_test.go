package buildinfo

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

func vcs(rev, at, modified string) *debug.BuildInfo {
	return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "s360gate", Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified},
	}}
}

const rev = "5a9aac8e0b6a8f1d2c3b4a5968778695a4b3c2d1"

func TestInfo(t *testing.T) {
	defer func(v string) { appVersion = v }(appVersion)
	appVersion = "0.1.0"
	for _, c := range []struct {
		name                  string
		bi                    *debug.BuildInfo
		version, commit, date string
		want                  []string
	}{
		{"go build in a clean checkout", vcs(rev, "2026-11-27T07:32:19Z", "false"), "", "", "",
			[]string{"s360gate 0.1.0", "commit " + rev, "committed 2026-11-27 07:32 UTC (build date not recorded)", "go1.26.8 "}},
		{"go build with changes", vcs(rev, "2026-11-27T07:32:19Z", "true"), "", "", "",
			[]string{"s360gate 0.1.0", "commit " + rev + " (with changes not committed)", "committed 2026-11-27 07:32 UTC"}},
		{"packaged: -ldflags win", vcs("0000", "2020-01-01T00:00:00Z", "true"), "", rev, "2026-12-06T05:40:00+01:00",
			[]string{"s360gate 0.1.0", "commit " + rev + "\n", "built 2026-12-06 04:40 UTC\n"}},
		{"-ldflags version", nil, "1.2.3", "", "",
			[]string{"s360gate 1.2.3", "commit unknown", "build date unknown"}},
		{"no version control (-buildvcs=false, go run)", &debug.BuildInfo{GoVersion: "go1.26.8"}, "", "", "",
			[]string{"s360gate 0.1.0\n", "commit unknown (built without version control information)", "build date unknown"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := read(c.bi, c.version, c.commit, c.date).String() + "\n"
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
	appVersion = ""
	if got := read(nil, "", "", "").Version; got != "dev" {
		t.Errorf("no version anywhere: %q", got)
	}
}

// The version is FyneApp.toml's, the file `fyne package` reads.
func TestFromFyneApp(t *testing.T) {
	defer func(v string) { appVersion = v }(appVersion)
	b, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := FromFyneApp(b); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Version = "); ok {
			want = strings.Trim(v, `"`)
		}
	}
	if want == "" || Get().Version != want {
		t.Errorf("version %q, FyneApp.toml says %q", Get().Version, want)
	}
	if err := FromFyneApp([]byte("[Details\nVersion = ")); err == nil {
		t.Error("a damaged FyneApp.toml is accepted")
	}
}
