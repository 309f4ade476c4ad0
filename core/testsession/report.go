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

var page = template.Must(template.New("report.html").ParseFS(templates, "report.html"))

// htmlRow is one ticket as the page shows it.
type htmlRow struct {
	Result
	RecClass   string // Recorded as a CSS class
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
	data := struct {
		*Report
		Title, Started, Finished, ZoneName, Summary, Verdict string
		OK                                                   bool
		Rows                                                 []htmlRow
	}{Report: rep, Title: "S-360 test session — " + string(rep.Environment) + " — " + rep.Station,
		Started: rep.Started.In(zone).Format("2006-01-02 15:04:05"), Finished: rep.Finished.In(zone).Format("15:04:05"),
		ZoneName: zoneName(rep.Zone, rep.Started), Summary: rep.Summary(), OK: rep.OK()}
	data.Verdict = "Some checks failed"
	if data.OK {
		data.Verdict = "All checks passed"
	}
	for _, r := range rep.Results {
		row := htmlRow{Result: r, Reprint: "—", RecClass: "rec-" + strings.ReplaceAll(r.Recorded, " ", "-")}
		if r.Control != nil {
			row.At = r.Control.At.In(zone).Format("15:04:05")
		}
		if rt := r.S360; rt != nil {
			row.State, row.Medium = string(rt.Ticket.State), rt.TicketMedium
			if rt.Duplicate != nil {
				row.Reprint = map[bool]string{true: "yes", false: "no"}[*rt.Duplicate]
			}
			for _, op := range rt.Operations {
				row.Operations = append(row.Operations, op.Result+" "+op.At.In(zone).Format("2006-01-02 15:04:05"))
			}
		}
		data.Rows = append(data.Rows, row)
	}
	return page.Execute(w, data)
}

// zoneName names the report's zone for its header.
func zoneName(loc *time.Location, at time.Time) string {
	if loc == nil {
		return "this computer's time zone (" + core.ZoneLabel(nil, at) + "): S-360 has not named the institution's yet"
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
