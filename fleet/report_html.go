package fleet

import (
	"bytes"
	"cmp"
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

var htmlReport = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{{.Tool}}{{with .Version}} {{.}}{{end}}">
<title>{{.Title}}{{with .Shard}}, shard {{.}}{{end}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Liberation Sans", sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #1b1f24; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .5em; }
.meta { color: #57606a; }
.exit-0 { color: #1a7f37; } .exit-2 { color: #9a6700; } .exit-3, .exit-4, .exit-1 { color: #cf222e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #d0d7de; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td { overflow-wrap: anywhere; } td.setting, td.duration { white-space: nowrap; }
.bar { display: flex; height: 1.4em; border-radius: .3em; overflow: hidden; background: #eaeef2; margin: .6em 0; }
.bar span { display: block; height: 100%; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: .2em; vertical-align: -.1em; margin-right: .4em; }
.o-compliant { background: #2da44e; } .o-changed { background: #1f6feb; } .o-noncompliant { background: #d4a72c; }
.o-failed { background: #cf222e; } .o-drift { background: #8250df; } .o-not_run { background: #8c959f; }
.outcome { font-weight: 600; white-space: nowrap; }
.kind { font-family: ui-monospace, "Liberation Mono", monospace; font-size: .92em; }
ul.warnings { margin: 0; padding-left: 1.1em; color: #9a6700; }
img.evidence { max-width: 22em; max-height: 6em; border: 1px solid #d0d7de; border-radius: .3em; }
.note { color: #57606a; font-style: italic; overflow-wrap: normal; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}{{with .Shard}}, shard {{.}}{{end}}</h1>
<p id="headline"><strong>{{.Headline}}.</strong> {{if .ExitMeaning}}<span class="exit-{{.ExitCode}}">Exit code {{.ExitCode}}: {{.ExitMeaning}}.</span>{{end}}</p>
<p class="meta">Selectors <span id="selectors-version">{{.SelectorsVersion}}</span>{{with .Version}} · {{$.Tool}} {{.}}{{end}} · mode {{.Mode}}{{with .Started}} · started <time datetime="{{$.StartedISO}}">{{.}}</time>{{end}}{{with .Finished}} · finished <time id="finished" datetime="{{$.FinishedISO}}">{{.}}</time>{{end}} · took {{.Duration}} · {{.Parallel}} in parallel{{if .BrowserRestarts}} · {{.BrowserRestarts}} browser restarts{{end}}{{if .StoppedEarly}} · stopped early: {{.StoppedEarly}}{{else if .Interrupted}} · interrupted{{end}}</p>
</header>
<section id="summary">
<h2>Summary</h2>
<div class="bar" role="img" aria-label="{{.Headline}}">{{range .Counts}}{{if .N}}<span class="o-{{.Outcome}}" style="{{.Width}}" title="{{.Label}}: {{.N}}"></span>{{end}}{{end}}</div>
<table class="counts">
<thead><tr><th>outcome</th><th class="num">accounts</th></tr></thead>
<tbody>
{{range .Counts}}<tr class="count" data-outcome="{{.Outcome}}"><td><span class="swatch o-{{.Outcome}}"></span>{{.Label}}</td><td class="num">{{.N}}</td></tr>
{{end}}<tr class="total"><th>total</th><th class="num">{{.Summary.Total}}</th></tr>
</tbody>
</table>
{{if .ErrorKinds}}<h2>Error kinds</h2>
<table class="error-kinds">
<tbody>
{{range .ErrorKinds}}<tr><td class="kind">{{.Label}}</td><td class="num">{{.N}}</td></tr>
{{end}}</tbody>
</table>
{{end}}</section>
<section id="accounts">
<h2>Accounts</h2>
<table class="accounts">
<thead><tr><th>account</th><th>outcome</th><th>setting</th><th class="num">time</th><th>warnings</th><th>error</th>{{if .Evidence}}<th>evidence</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr class="account" data-outcome="{{.Outcome}}">
<td class="name">{{.Account}}</td>
<td class="outcome"><span class="swatch o-{{.Outcome}}"></span>{{.Outcome}}</td>
<td class="setting">{{if .Settings}}<ul class="settings">{{range .Settings}}<li>{{.}}</li>{{end}}</ul>{{else}}{{.Setting}}{{if .Verified}} (verified){{end}}{{end}}</td>
<td class="num duration">{{.Duration}}{{if .Retries}} ({{.Retries}} {{if eq .Retries 1}}retry{{else}}retries{{end}}){{end}}</td>
<td class="warnings">{{if .Warnings}}<ul class="warnings">{{range .Warnings}}<li>{{.}}</li>{{end}}</ul>{{end}}</td>
<td class="error">{{with .ErrorKind}}<span class="kind">{{.}}</span> {{end}}{{.Error}}</td>
{{if $.Evidence}}<td class="evidence">{{if .Evidence}}<img class="evidence" src="{{.Evidence}}" alt="the setting of {{.Account}}, verified off">{{else if .EvidenceNote}}<span class="note">{{.EvidenceNote}}</span>{{end}}</td>
{{end}}</tr>
{{end}}</tbody>
</table>
</section>
</body>
</html>
`))
