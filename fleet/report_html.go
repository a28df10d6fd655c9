package fleet

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// HTMLOptions say what the HTML report shows besides the report itself.
type HTMLOptions struct {
	// Evidence maps an account's name to a PNG screenshot of its switch
	// in the verified off state (enforce --evidence). It is shown only for
	// accounts whose setting ended off; anything that is not a PNG, or is
	// larger than 512 KiB, is left out (with a note in its row).
	Evidence map[string][]byte
	// Title heads the page; empty means "ChatGPT training opt-out".
	Title string
}

// maxEvidenceBytes is the largest screenshot the HTML report embeds: a
// screenshot of one switch is a few KiB; a larger one is not what
// --evidence takes, and would bloat a report a fleet's auditors open.
const maxEvidenceBytes = 512 << 10

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

type htmlCount struct {
	Outcome string
	Label   string
	N       int
	Width   template.CSS // the segment's share of the bar
}

type htmlRow struct {
	AccountResult
	Setting string
	// Settings are the lines of each chosen setting, when there is more
	// than model training to show.
	Settings     []string
	Duration     string
	Evidence     template.URL // a data: URI of a PNG, or empty
	EvidenceNote string
}

type htmlPage struct {
	*Report
	Program
	Title                                      string
	Started, Finished, StartedISO, FinishedISO string
	Duration                                   string
	Counts, ErrorKinds                         []htmlCount
	Rows                                       []htmlRow
	Evidence                                   bool
}

// WriteHTML writes the report as one self-contained HTML page: the
// summary (a count per outcome and a bar of them), one row per account in
// file order (outcome, before → after, duration, warnings, error), the
// selectors version and the time of the run; with opts.Evidence, each
// account whose setting ended off shows its screenshot, embedded as a
// data: URI. The page loads nothing: its styles are inline, it has no
// script, and its Content-Security-Policy forbids any request. Every text
// from the report (account names, errors, warnings) is HTML-escaped.
func (r *Report) WriteHTML(w io.Writer, p Program, opts HTMLOptions) error {
	page := htmlPage{
		Report:   r,
		Program:  p,
		Title:    cmp.Or(opts.Title, r.title()),
		Duration: htmlDuration(r.DurationMS),
		Evidence: opts.Evidence != nil,
	}
	if !r.StartedAt.IsZero() {
		page.Started, page.StartedISO = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.StartedAt.UTC().Format(time.RFC3339)
	}
	if !r.FinishedAt.IsZero() {
		page.Finished, page.FinishedISO = r.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC"), r.FinishedAt.UTC().Format(time.RFC3339)
	}
	s := r.Summary
	for _, o := range s.counts() {
		c := htmlCount{Outcome: string(o.outcome), Label: o.label, N: *o.n}
		if s.Total > 0 {
			c.Width = template.CSS(fmt.Sprintf("width: %.2f%%", 100*float64(c.N)/float64(s.Total)))
		}
		page.Counts = append(page.Counts, c)
	}
	for _, k := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		page.ErrorKinds = append(page.ErrorKinds, htmlCount{Label: string(k), N: r.ErrorKinds[k]})
	}
	for _, a := range r.Results {
		page.Rows = append(page.Rows, htmlRowOf(a, opts.Evidence))
	}
	var b bytes.Buffer
	if err := htmlReport.Execute(&b, page); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func htmlRowOf(a AccountResult, evidence map[string][]byte) htmlRow {
	r := htmlRow{AccountResult: a, Setting: settingText(a), Duration: htmlDuration(a.DurationMS)}
	if !a.NotRun() && a.Result != nil && a.MoreThanTraining() {
		for _, sr := range a.Settings {
			r.Settings = append(r.Settings, sr.String())
		}
	}
	if evidence == nil {
		return r
	}
	png, ok := evidence[a.Account]
	switch {
	case a.After != automation.StateOff:
		// Evidence is of a switch verified off; nothing else is shown.
	case !ok || len(png) == 0:
		r.EvidenceNote = "no screenshot"
	case len(png) > maxEvidenceBytes:
		r.EvidenceNote = fmt.Sprintf("screenshot left out: %d KiB, more than the %d KiB a report embeds", len(png)>>10, maxEvidenceBytes>>10)
	case !bytes.HasPrefix(png, pngMagic):
		r.EvidenceNote = "screenshot left out: not a PNG"
	default:
		// Base64 holds no character that could end the attribute.
		r.Evidence = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	return r
}

func htmlDuration(ms int64) string {
	return fmt.Sprintf("%.1f s", float64(ms)/1000)
}

// The page's template is its own file, so it reads as HTML.
//
//go:embed report.html.tmpl
var htmlTemplate string

var htmlReport = template.Must(template.New("report").Parse(htmlTemplate))
