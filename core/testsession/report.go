package testsession

import (
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/words"
)

// DirName is where reports go inside the data directory.
const DirName = "test-sessions"

// Report is a finished session. It holds no holder identity: it is meant to
// be printed and handed over.
type Report struct {
	Environment core.Environment
	Institution string
	Station     string
	Gate        string
	Direction   core.Direction
	Started     time.Time
	Finished    time.Time
	Zone        *time.Location // the venue's; nil: the laptop's
	// Lang is the language of the page and the messages (the CSV's columns
	// and codes never change with it).
	Lang words.Lang
	// Upload says what became of the upload, in words.
	Upload  string
	Results []Result
}

// csvHeader is the CSV's first row.
var csvHeader = []string{"line", "scanned", "barcode", "tax_number", "expected", "verdict", "reason", "message",
	"match", "control_id", "controlled_at", "upload", "upload_detail", "s360_state", "s360_operations",
	"s360_has_our_control", "s360_error"}

// time formats a time of the report at the venue, to the second, with
// its offset.
func (rep *Report) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(core.ZoneOr(rep.Zone)).Format(time.RFC3339)
}

// WriteCSV writes one row per test ticket, after a header.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rep.Results {
		var id, at, up, detail string
		if c := r.Control; c != nil {
			id, at, up, detail = c.ID, rep.time(c.At), string(c.Upload), c.UploadDetail
		}
		var state string
		var ops []string
		if r.S360 != nil {
			state = string(r.S360.Ticket.State)
			for _, op := range r.S360.Operations {
				ops = append(ops, op.Result+" "+rep.time(op.At))
			}
		}
		row := []string{fmt.Sprint(r.Line), cell(r.Scanned), r.Barcode, cell(r.TaxNumber), r.Expected, string(r.Outcome),
			string(r.Reason), cell(oneLine(r.Message + r.Error)), r.Match, id, at, up, cell(detail), state,
			strings.Join(ops, "; "), r.Recorded, cell(r.S360Error)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from running scanned text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

//go:embed report.html
var templates embed.FS

var page = template.Must(template.New("report.html").Funcs(template.FuncMap{"t": func(string) string { return "" }}).ParseFS(templates, "report.html"))

// htmlRow is one ticket as the page shows it.
type htmlRow struct {
	Result
	RecClass   string // Recorded as a CSS class
	Detail     string // the control's upload detail, said
	At         string
	Operations []string
	State      string
	Medium     string
	Reprint    string
}

// WriteHTML writes the report as a page to print: the environment,
// station, time and zone, the summary, and one row per ticket.
func (rep *Report) WriteHTML(w io.Writer) error {
	zone := core.ZoneOr(rep.Zone)
	say := core.Speak(rep.Lang, rep.Zone)
	data := struct {
		*Report
		Title, Started, Finished, ZoneName, Summary, Verdict, Station, Lang string
		OK                                                                  bool
		Rows                                                                []htmlRow
	}{Report: rep, Title: say.T("report.title", nil) + " — " + string(rep.Environment) + " — " + rep.Station,
		Started: rep.Started.In(zone).Format("2006-01-02 15:04:05"), Finished: rep.Finished.In(zone).Format("15:04:05"),
		ZoneName: zoneName(say, rep.Zone, rep.Started), Summary: rep.Summary(), OK: rep.OK(), Lang: string(say.Lang)}
	data.Station = say.T("report.station", map[string]any{"Station": rep.Station, "Direction": string(rep.Direction)})
	if rep.Gate != "" {
		data.Station = say.T("report.stationGate", map[string]any{"Station": rep.Station, "Gate": rep.Gate, "Direction": string(rep.Direction)})
	}
	data.Verdict = say.T("report.failed", nil)
	if data.OK {
		data.Verdict = say.T("report.passed", nil)
	}
	for _, r := range rep.Results {
		row := htmlRow{Result: r, Reprint: "—", RecClass: "rec-" + strings.ReplaceAll(r.Recorded, " ", "-")}
		if r.Recorded != "" {
			row.Recorded = say.T("report.recorded."+strings.ReplaceAll(r.Recorded, " ", "-"), nil)
		}
		if r.Control != nil {
			row.At = r.Control.At.In(zone).Format("15:04:05")
			row.Detail = say.UploadDetail(r.Control.UploadDetail)
		}
		if rt := r.S360; rt != nil {
			row.State, row.Medium = string(rt.Ticket.State), rt.TicketMedium
			if rt.Duplicate != nil {
				row.Reprint = say.T(map[bool]string{true: "Yes", false: "No"}[*rt.Duplicate], nil)
			}
			for _, op := range rt.Operations {
				row.Operations = append(row.Operations, op.Result+" "+op.At.In(zone).Format("2006-01-02 15:04:05"))
			}
		}
		data.Rows = append(data.Rows, row)
	}
	return page.Funcs(template.FuncMap{"t": func(key string) string { return say.T(key, nil) }}).Execute(w, data)
}

// zoneName names the report's zone for its header.
func zoneName(say core.Speaker, loc *time.Location, at time.Time) string {
	if loc == nil {
		return say.T("report.laptopZone", map[string]any{"Zone": core.ZoneLabel(nil, at)})
	}
	return loc.String() + " (" + core.ZoneLabel(loc, at) + ")"
}

// Save writes the report into dir (created owner-only) as CSV and HTML,
// named after the environment, station and start time, and returns both
// paths. The files are the data directory's kind: owner-only.
func (rep *Report) Save(dir string) (csvPath, htmlPath string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", core.Wrap(core.EUnavailable, err, "Cannot create the folder %s for the report", dir)
	}
	station := strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, rep.Station)
	base := filepath.Join(dir, "testsession-"+string(rep.Environment)+"-"+station+"-"+rep.Started.In(core.ZoneOr(rep.Zone)).Format("20060102-150405"))
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{base + ".csv", rep.WriteCSV}, {base + ".html", rep.WriteHTML}} {
		if err := writeFile(f.path, f.write); err != nil {
			return "", "", core.Wrap(core.EUnavailable, err, "Cannot write the report %s", f.path)
		}
	}
	return base + ".csv", base + ".html", nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
