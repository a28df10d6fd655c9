package fleet

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// OutcomeNotRun marks an account the run never started: it was
// interrupted, or the canary stopped it. It is not one of automation's
// outcomes because no browser touched the account.
const OutcomeNotRun automation.Outcome = "not_run"

// KindSkipped is the error kind of accounts left alone after the canary
// ended in drift. Accounts left by an interrupted run have
// automation.KindInterrupted.
const KindSkipped automation.ErrorKind = "skipped"

// AccountResult is the result of one account in a report: the fields of
// automation.Result (the interface's result fields) plus the account's
// email and the retries it took.
type AccountResult struct {
	*automation.Result
	// Err is the error the account's run ended with (nil when it did not
	// fail): an *automation.Error or *automation.DriftError, for
	// errors.As. It is not in the JSON form; ErrorKind and Error are.
	Err   error  `json:"-"`
	Email string `json:"email"`
	// Retries counts the further runs after transient failures and
	// browser crashes (0 when the first run was the last).
	Retries int `json:"retries"`
}

// NotRun reports whether the account was never started.
func (r AccountResult) NotRun() bool { return r.Outcome == OutcomeNotRun }

// Summary counts the accounts per outcome.
type Summary struct {
	Total        int `json:"total"`
	Compliant    int `json:"compliant"`
	Changed      int `json:"changed"`
	Noncompliant int `json:"noncompliant"`
	Failed       int `json:"failed"`
	Drift        int `json:"drift"`
	NotRun       int `json:"not_run"`
}

// Off is the number of accounts whose setting is now off, verified.
func (s Summary) Off() int { return s.Compliant + s.Changed }

// outcomeCount is an outcome's count in a Summary, with its label in the
// reports' tables.
type outcomeCount struct {
	outcome automation.Outcome
	label   string
	n       *int
}

// counts are s's counts, in the order the reports' tables show them.
func (s *Summary) counts() []outcomeCount {
	return []outcomeCount{
		{automation.OutcomeCompliant, "compliant (already off)", &s.Compliant},
		{automation.OutcomeChanged, "changed (turned off, verified)", &s.Changed},
		{automation.OutcomeNoncompliant, "noncompliant (on)", &s.Noncompliant},
		{automation.OutcomeFailed, "failed", &s.Failed},
		{automation.OutcomeDrift, "drift", &s.Drift},
		{OutcomeNotRun, "not run", &s.NotRun},
	}
}

// Report is the outcome of a fleet run. WriteJSON, WriteJUnit,
// WriteMarkdown and WriteHTML write it, with what the Program that ran it
// says of itself; the JSON form is WriteJSON's.
type Report struct {
	Mode Mode `json:"mode"`

	Shard            string `json:"shard"` // "I/N"; null in JSON when the run was not sharded
	SelectorsVersion string `json:"selectors_version"`
	// SelectorsSource is where the selectors file came from: embedded, a
	// path, or a URL with the key that signed it.
	SelectorsSource string `json:"selectors_source"`
	BaseURL         string `json:"base_url"`
	Parallel        int    `json:"parallel"`
	// ParallelAuto is true when Parallel was chosen for the machine
	// (Options.Parallel 0, the command line's --parallel auto).
	ParallelAuto bool      `json:"parallel_auto"`
	Canary       string    `json:"canary"` // the account that ran first, alone; null when none did
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	DurationMS   int64     `json:"duration_ms"`
	// Interrupted is true when the run was stopped (Ctrl-C, SIGTERM)
	// before every account finished.
	Interrupted bool `json:"interrupted"`
	// StoppedEarly says why the run stopped before the end, if it did
	// (null in JSON when it did not).
	StoppedEarly string `json:"stopped_early"`
	// ErrorKinds counts the accounts per error kind, for the ones that
	// have one.
	ErrorKinds      map[automation.ErrorKind]int `json:"error_kinds"`
	BrowserStarts   int                          `json:"browser_starts"`
	BrowserRestarts int                          `json:"browser_restarts"`
	Summary         Summary                      `json:"summary"`
	Results         []AccountResult              `json:"results"`
}

// Program is what the reports say of the program that ran the fleet, which
// Run cannot know.
type Program struct {
	Tool    string // its name: the JUnit suite's, and tool in JSON
	Version string // its version (null in JSON when empty)
	Command string // the command that ran the fleet: the JUnit classname's end
	// ExitCode is the program's exit code for the run; the Markdown and
	// HTML reports show it with ExitMeaning, what it means, when that is
	// not empty.
	ExitCode    int
	ExitMeaning string
}

// Mode is what a fleet run does to each account.
type Mode string

// The modes.
const (
	ModeDisable Mode = "disable" // switch the setting off (automation.Disable)
	ModeCheck   Mode = "check"   // read it only (automation.Status)
)

// finish computes the summary.
func (r *Report) finish() {
	r.DurationMS = r.FinishedAt.Sub(r.StartedAt).Milliseconds()
	r.Summary = Summary{Total: len(r.Results)}
	r.ErrorKinds = map[automation.ErrorKind]int{}
	counts := r.Summary.counts()
	for _, a := range r.Results {
		for _, c := range counts {
			if c.outcome == a.Outcome {
				*c.n++
			}
		}
		if a.ErrorKind != "" {
			r.ErrorKinds[a.ErrorKind]++
		}
	}
}

// title heads the Markdown and HTML reports.
func (r *Report) title() string {
	if r.Mode == ModeCheck {
		return "ChatGPT training opt-out (check)"
	}
	return "ChatGPT training opt-out"
}

// settingText is an account's setting in a table: "on → off", "off", or
// "—" when it was not run.
func settingText(a AccountResult) string {
	switch {
	case a.NotRun():
		return "—"
	case a.Before != a.After:
		return fmt.Sprintf("%s → %s", a.Before, a.After)
	}
	return string(a.After)
}

// Unknown reports whether accounts were left not run by an interrupt:
// their setting is not known to be off.
func (r *Report) Unknown() bool {
	return slices.ContainsFunc(r.Results, func(a AccountResult) bool {
		return a.NotRun() && a.ErrorKind == automation.KindInterrupted
	})
}

// Headline is a one-line summary, like "17 of 20 accounts off; 3 failed".
func (r *Report) Headline() string {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d accounts off", s.Off(), s.Total)
	for _, c := range []struct {
		n    int
		what string
	}{{s.Changed, "changed now"}, {s.Noncompliant, "on (left on)"}, {s.Failed, "failed"}, {s.Drift, "drift"}, {s.NotRun, "not run"}} {
		if c.n > 0 {
			fmt.Fprintf(&b, "; %d %s", c.n, c.what)
		}
	}
	if r.StoppedEarly != "" {
		fmt.Fprintf(&b, " (stopped early: %s)", r.StoppedEarly)
	} else if r.Interrupted {
		b.WriteString(" (interrupted)")
	}
	return b.String()
}

// WriteJSON writes the report as indented JSON, every documented key
// always there: the text fields that do not apply (no shard, no canary,
// not stopped early, no version) are null.
func (r *Report) WriteJSON(w io.Writer, p Program) error {
	type plain Report // the fields, without their null rule
	orNull := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Tool    string  `json:"tool"`
		Version *string `json:"version"`
		Command string  `json:"command"`
		*plain
		Shard        *string `json:"shard"`
		Canary       *string `json:"canary"`
		StoppedEarly *string `json:"stopped_early"`
		ExitCode     int     `json:"exit_code"`
	}{p.Tool, orNull(p.Version), p.Command, (*plain)(r), orNull(r.Shard), orNull(r.Canary), orNull(r.StoppedEarly), p.ExitCode})
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// WriteJUnit writes the report as JUnit XML, as Jenkins, GitLab, GitHub
// test reporters and most CI systems read it: one testsuite with the run's
// fields as properties, one testcase per account. An account that failed,
// drifted or (in ModeCheck) is on is a failure whose type is the error
// kind and whose message is the sentence; an account not run is skipped.
func (r *Report) WriteJUnit(w io.Writer, p Program) error {
	suite := junit.Testsuite{
		Name:      strings.TrimSpace(p.Tool + " " + p.Command),
		Time:      seconds(r.DurationMS),
		Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"),
	}
	if r.Shard != "" {
		suite.Name += " shard " + r.Shard
	}
	for _, prop := range [][2]string{{"mode", string(r.Mode)}, {"shard", r.Shard}, {"selectors_version", r.SelectorsVersion}, {"selectors_source", r.SelectorsSource}, {"base_url", r.BaseURL}, {"exit_code", fmt.Sprint(p.ExitCode)}, {"stopped_early", r.StoppedEarly}} {
		if prop[1] != "" {
			suite.AddProperty(prop[0], prop[1])
		}
	}
	for _, a := range r.Results {
		c := junit.Testcase{Name: a.Account, Classname: p.Tool + "." + p.Command, Time: seconds(a.DurationMS), SystemOut: &junit.Output{Data: xmlText(caseDetails(a))}}
		switch a.Outcome {
		case OutcomeNotRun:
			c.Skipped = &junit.Result{Message: a.Error}
		case automation.OutcomeFailed, automation.OutcomeDrift:
			c.Failure = &junit.Result{Type: string(a.ErrorKind), Message: a.Error, Data: xmlText(fmt.Sprintf("%s (%s): %s", a.Outcome, a.ErrorKind, a.Error))}
		case automation.OutcomeNoncompliant:
			msg := "the setting is on and was left on (read only run)"
			if on := settingsOn(a.Result); len(on) > 0 && a.MoreThanTraining() {
				msg = "on and left on (read only run): " + strings.Join(on, ", ")
			}
			c.Failure = &junit.Result{Type: string(automation.OutcomeNoncompliant), Message: msg, Data: xmlText(msg)}
		}
		suite.AddTestcase(c)
	}
	doc := junit.Testsuites{Name: p.Tool, Time: suite.Time}
	doc.AddSuite(suite)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	return doc.WriteXML(w)
}

// xmlText replaces the characters XML cannot hold (control characters
// from a page's text, say) in text written as CDATA, which encoding/xml
// writes as it is.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return '\uFFFD'
	}, s)
}

// caseDetails is the result in a few lines, for a testcase's system-out.
func caseDetails(a AccountResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "outcome: %s\nbefore: %s\nafter: %s\naction: %s\n", a.Outcome, a.Before, a.After, a.Action)
	if a.Result != nil && a.MoreThanTraining() {
		for _, sr := range a.Settings {
			fmt.Fprintf(&b, "setting %s\n", sr)
		}
	}
	for _, f := range [][2]string{{"email", a.Email}, {"ui", a.UI}} {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", f[0], f[1])
		}
	}
	if a.Retries > 0 {
		fmt.Fprintf(&b, "retries: %d\n", a.Retries)
	}
	for _, w := range a.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, p := range a.Artifacts {
		fmt.Fprintf(&b, "artifact: %s\n", p)
	}
	return b.String()
}

// WriteMarkdown writes the report as Markdown, for a GitHub job summary or
// a pull request comment.
func (r *Report) WriteMarkdown(w io.Writer, p Program) error {
	var b strings.Builder
	icon := "✅"
	switch {
	case r.Summary.Failed+r.Summary.Drift > 0 || r.Unknown():
		icon = "❌"
	case r.Summary.Noncompliant > 0:
		icon = "⚠️"
	}
	title := r.title()
	if r.Shard != "" {
		title += ", shard " + r.Shard
	}
	fmt.Fprintf(&b, "## %s %s\n\n", icon, title)
	fmt.Fprintf(&b, "**%s.**", mdEscape(r.Headline()))
	if p.ExitMeaning != "" {
		fmt.Fprintf(&b, " Exit code %d: %s.", p.ExitCode, p.ExitMeaning)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "| outcome | accounts |\n|---|---:|\n")
	s := r.Summary
	for _, c := range s.counts() {
		fmt.Fprintf(&b, "| %s | %d |\n", c.label, *c.n)
	}
	fmt.Fprintf(&b, "| **total** | **%d** |\n\n", s.Total)
	b.WriteString("| account | outcome | setting | error | time |\n|---|---|---|---|---:|\n")
	for _, a := range r.Results {
		setting := settingText(a)
		if !a.NotRun() && a.MoreThanTraining() {
			lines := make([]string, len(a.Settings))
			for i, sr := range a.Settings {
				lines[i] = mdEscape(sr.String())
			}
			setting = strings.Join(lines, "<br>")
		}
		errText := ""
		if a.ErrorKind != "" {
			errText = fmt.Sprintf("`%s` %s", a.ErrorKind, mdEscape(a.Error))
		}
		if a.Retries > 0 {
			errText = strings.TrimSpace(errText + fmt.Sprintf(" (after %d %s)", a.Retries, plural(a.Retries, "retry", "retries")))
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s s |\n", mdEscape(a.Account), cmp.Or(outcomeIcons[a.Outcome], "❌"), a.Outcome, setting, errText, seconds(a.DurationMS))
	}
	meta := []string{"selectors " + mdEscape(r.SelectorsVersion)}
	if r.SelectorsSource != "" {
		meta = append(meta, "from "+mdEscape(r.SelectorsSource))
	}
	if p.Version != "" {
		meta = append(meta, mdEscape(strings.TrimSpace(p.Tool+" "+p.Version)))
	}
	if r.ParallelAuto {
		meta = append(meta, fmt.Sprintf("%d in parallel (chosen for the machine)", r.Parallel))
	} else {
		meta = append(meta, fmt.Sprintf("%d in parallel", r.Parallel))
	}
	if r.BrowserRestarts > 0 {
		meta = append(meta, fmt.Sprintf("%d browser %s", r.BrowserRestarts, plural(r.BrowserRestarts, "restart", "restarts")))
	}
	meta = append(meta, fmt.Sprintf("took %s", (time.Duration(r.DurationMS)*time.Millisecond).Round(100*time.Millisecond)))
	fmt.Fprintf(&b, "\n<sub>%s</sub>\n", strings.Join(meta, " · "))
	_, err := io.WriteString(w, b.String())
	return err
}

// settingsOn names the chosen settings a result found on.
func settingsOn(r *automation.Result) []string {
	var on []string
	for _, sr := range r.Settings {
		if sr.Outcome == automation.OutcomeNoncompliant {
			on = append(on, string(sr.Name))
		}
	}
	return on
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// outcomeIcons mark the outcomes in the Markdown table; any other is ❌.
var outcomeIcons = map[automation.Outcome]string{
	automation.OutcomeCompliant:    "✅",
	automation.OutcomeChanged:      "✅",
	automation.OutcomeNoncompliant: "⚠️",
	OutcomeNotRun:                  "⏭️",
}

// mdEscape makes text safe in a Markdown table cell.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	return r.Replace(s)
}
