package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// mixedReport is a report of six accounts, one per outcome, the last not
// run because the run was interrupted.
func mixedReport(t *testing.T) *Report {
	t.Helper()
	var b fakeBrowsers
	accts := accountsN(6)
	accts[4].Name = "pipe|name <b>"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		switch a.Email {
		case "a00@example.com":
			return reply(result(a, automation.OutcomeChanged, ""))
		case "a01@example.com":
			r := result(a, automation.OutcomeCompliant, "")
			r.Before, r.Action = automation.StateOff, automation.ActionNone
			return reply(r)
		case "a02@example.com":
			r := result(a, automation.OutcomeNoncompliant, "")
			r.After, r.Action = automation.StateOn, automation.ActionNone
			return reply(r)
		case "a03@example.com":
			r := result(a, automation.OutcomeFailed, automation.KindBadCredentials)
			r.Error = `the sign-in was refused ("Incorrect email address or password"): check the password & <retry>`
			return reply(r)
		default:
			cancel()
			r := result(a, automation.OutcomeDrift, automation.KindSelectorDrift)
			r.Error = "path.switch matched nothing | see the artifacts\nsecond line"
			return reply(r)
		}
	})
	opts.Parallel = 1
	rep, err := Run(ctx, accts, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReport_JSONHasTheInterfaceFieldsAndASummary(t *testing.T) {
	rep := mixedReport(t)
	// The program gives the exit code; the report carries it.
	prog := Program{Tool: "chatgpt-optout", Command: "enforce", ExitCode: 4, ExitMeaning: "the UI no longer matches the selectors file (drift)"}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf, prog); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary     map[string]any   `json:"summary"`
		Results     []map[string]any `json:"results"`
		ExitCode    int              `json:"exit_code"`
		Interrupted bool             `json:"interrupted"`
		Mode        string           `json:"mode"`
		Tool        string           `json:"tool"`
		Command     string           `json:"command"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"total": 6, "compliant": 1, "changed": 1, "noncompliant": 1, "failed": 1, "drift": 1, "not_run": 1}
	for k, v := range want {
		if doc.Summary[k] != v {
			t.Errorf("summary.%s = %v, want %v", k, doc.Summary[k], v)
		}
	}
	if doc.ExitCode != 4 || !doc.Interrupted || doc.Mode != "disable" || doc.Tool != "chatgpt-optout" || doc.Command != "enforce" {
		t.Errorf("exit_code %d interrupted %v mode %q tool %q command %q", doc.ExitCode, doc.Interrupted, doc.Mode, doc.Tool, doc.Command)
	}
	if strings.Contains(buf.String(), prog.ExitMeaning) || strings.Contains(strings.ToLower(buf.String()), "exit_meaning") || strings.Contains(buf.String(), "ExitMeaning") {
		t.Errorf("the exit code's meaning is in the JSON report:\n%s", buf.String())
	}
	if len(doc.Results) != 6 {
		t.Fatalf("%d results", len(doc.Results))
	}
	// The interface's result fields, on every account.
	for _, r := range doc.Results {
		for _, k := range []string{"account", "selectors_version", "before", "after", "action", "outcome", "duration_ms", "email"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result %v lacks %q", r["account"], k)
			}
		}
	}
	if r := doc.Results[3]; r["error_kind"] != "bad_credentials" || !strings.Contains(r["error"].(string), "refused") {
		t.Errorf("failed result = %v", r)
	}
	if r := doc.Results[5]; r["outcome"] != "not_run" || r["error_kind"] != "interrupted" {
		t.Errorf("not-run result = %v", r)
	}
}

// The JUnit file read back by a reader that knows only the JUnit format.
func TestReport_JUnitReadsBack(t *testing.T) {
	rep := mixedReport(t)
	var buf bytes.Buffer
	if err := rep.WriteJUnit(&buf, Program{Tool: "chatgpt-optout", Command: "enforce", ExitCode: 4}); err != nil {
		t.Fatal(err)
	}
	checkJUnit(t, buf.Bytes(), 6, 3, 1, map[string]string{
		"acct-02":       "noncompliant",
		"acct-03":       "bad_credentials",
		"pipe|name <b>": "selector_drift",
	})
}

// JUnit is the JUnit XML schema as CI systems read it, written from the
// format, not from the package's types.
type JUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Type    string `xml:"type,attr"`
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// checkJUnit parses data and checks the counts, and that each failing case
// names its error kind and carries a sentence.
func checkJUnit(t *testing.T, data []byte, tests, failures, skipped int, kinds map[string]string) JUnit {
	t.Helper()
	var j JUnit
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("the JUnit report does not parse: %v\n%s", err, data)
	}
	if j.Tests != tests || j.Failures != failures || j.Skipped != skipped || len(j.Suites) != 1 {
		t.Fatalf("testsuites: tests %d failures %d skipped %d suites %d; want %d %d %d 1", j.Tests, j.Failures, j.Skipped, len(j.Suites), tests, failures, skipped)
	}
	s := j.Suites[0]
	if s.Tests != tests || len(s.Cases) != tests || s.Failures != failures || s.Skipped != skipped {
		t.Fatalf("testsuite: tests %d cases %d failures %d skipped %d", s.Tests, len(s.Cases), s.Failures, s.Skipped)
	}
	nFail, nSkip := 0, 0
	for _, c := range s.Cases {
		if c.Name == "" || c.Classname == "" || c.Time == "" {
			t.Errorf("testcase without name, classname or time: %+v", c)
		}
		if c.Skipped != nil {
			nSkip++
		}
		if c.Failure == nil {
			if _, want := kinds[c.Name]; want {
				t.Errorf("%s: no failure", c.Name)
			}
			continue
		}
		nFail++
		if want, ok := kinds[c.Name]; ok && c.Failure.Type != want {
			t.Errorf("%s: failure type %q, want %q", c.Name, c.Failure.Type, want)
		}
		if len(c.Failure.Message) < 10 {
			t.Errorf("%s: failure message %q is not a sentence", c.Name, c.Failure.Message)
		}
	}
	if nFail != failures || nSkip != skipped {
		t.Errorf("cases: %d failures, %d skipped", nFail, nSkip)
	}
	return j
}

func TestReport_Markdown(t *testing.T) {
	rep := mixedReport(t)
	prog := Program{ExitCode: 4, ExitMeaning: "the UI no longer matches the selectors file (drift)"}
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf, prog); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{"## ❌ ChatGPT training opt-out", "**2 of 6 accounts off", "accounts off; 1 changed now; 1 on (left on); 1 failed; 1 drift; 1 not run (interrupted).** Exit code 4: the UI no longer matches the selectors file (drift).\n", "| changed (turned off, verified) | 1 |", "| not run | 1 |", "| **total** | **6** |",
		"| acct-00 | ✅ changed | on → off |", "`bad_credentials`", `pipe\|name &lt;b&gt;`, "`selector_drift` path.switch matched nothing \\| see the artifacts second line"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// Every table row has the same number of cells as its header.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| acct") || strings.HasPrefix(line, "| pipe") {
			cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
			if cells != 6 {
				t.Errorf("row with %d separators: %s", cells, line)
			}
		}
	}
}

// The documented keys are always in the JSON report, null where they do
// not apply: no shard, no canary (interrupted before it), not stopped
// early.
func TestReport_JSONAlwaysHasTheDocumentedKeys(t *testing.T) {
	var b fakeBrowsers
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, accountsN(2), fastOptions(&b, nil))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf, Program{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tool", "version", "mode", "shard", "selectors_version", "parallel", "canary", "started_at", "finished_at", "duration_ms", "interrupted", "stopped_early", "browser_starts", "browser_restarts", "exit_code", "summary", "error_kinds", "results"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("the report lacks %q", k)
		}
	}
	for _, k := range []string{"shard", "canary", "stopped_early", "version"} {
		if string(doc[k]) != "null" {
			t.Errorf("%s = %s, want null", k, doc[k])
		}
	}
	// Where they apply, they are strings.
	rep.Shard, rep.Canary = "1/4", "acct-00"
	buf.Reset()
	rep.WriteJSON(&buf, Program{Version: "v1.2.3"})
	var back struct{ Shard, Canary, Version string }
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Shard != "1/4" || back.Canary != "acct-00" || back.Version != "v1.2.3" {
		t.Errorf("read back %+v, %v", back, err)
	}
}

// Without an exit code from the program, the Markdown report has no exit
// line; its icon follows the outcomes: ❌ for a failure, drift or accounts
// an interrupt left unknown, ⚠️ for a setting left on, ✅ otherwise.
func TestReport_MarkdownIconFollowsTheOutcomes(t *testing.T) {
	acct := accountsN(1)[0]
	res := func(o automation.Outcome, kind automation.ErrorKind) AccountResult {
		return AccountResult{Result: result(acct, o, kind)}
	}
	changed := res(automation.OutcomeChanged, "")
	compliant := res(automation.OutcomeCompliant, "")
	on := res(automation.OutcomeNoncompliant, "")
	failed := res(automation.OutcomeFailed, automation.KindTimeout)
	drift := res(automation.OutcomeDrift, automation.KindSelectorDrift)
	interrupted := res(OutcomeNotRun, automation.KindInterrupted)
	skipped := res(OutcomeNotRun, KindSkipped)
	for _, c := range []struct {
		name    string
		results []AccountResult
		icon    string
	}{
		{"all off", []AccountResult{changed, compliant}, "✅"},
		{"none", nil, "✅"},
		{"one on", []AccountResult{changed, on}, "⚠️"},
		{"one failed", []AccountResult{changed, failed}, "❌"},
		{"failed and on", []AccountResult{on, failed}, "❌"},
		{"drift", []AccountResult{drift, skipped}, "❌"},
		{"interrupted", []AccountResult{changed, interrupted}, "❌"},
		{"interrupted and on", []AccountResult{on, interrupted}, "❌"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := &Report{Results: c.results}
			rep.finish()
			var buf bytes.Buffer
			if err := rep.WriteMarkdown(&buf, Program{}); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			if want := "## " + c.icon + " ChatGPT training opt-out\n"; !strings.HasPrefix(md, want) {
				t.Errorf("markdown starts %q, want %q", strings.SplitN(md, "\n", 2)[0], want)
			}
			if strings.Contains(md, "Exit code") {
				t.Errorf("an exit line without an exit code from the program:\n%s", md)
			}
			if want := "**" + mdEscape(rep.Headline()) + ".**\n\n"; !strings.Contains(md, want) {
				t.Errorf("markdown lacks the headline line %q:\n%s", want, md)
			}
		})
	}
}
