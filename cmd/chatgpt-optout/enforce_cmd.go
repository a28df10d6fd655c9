package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
)

// enforceOptions are the flags of enforce besides the browser ones.
type enforceOptions struct {
	accounts       string
	check          bool
	parallel       string
	shard          string
	noCanary       bool
	retries        int
	reportJSON     string
	reportJUnit    string
	reportMarkdown string
	reportHTML     string
	evidence       bool
	stateDir       string
}

func newEnforceCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	e := &enforceOptions{}
	cmd := &cobra.Command{
		Use: "enforce --accounts FILE",
		Example: `  chatgpt-optout enforce --accounts accounts.yaml --parallel 4 --report-junit junit.xml

  # read-only, a report an auditor can open
  chatgpt-optout enforce --accounts accounts.yaml --check --report-html report.html --evidence

  # one shard of four, with saved sessions
  chatgpt-optout enforce --accounts accounts.yaml --shard 1/4 --state-dir states`,
		Short: "Switch the setting off for every account of an accounts file, with a report",
		Long: `enforce runs disable for every account of a YAML accounts file (with --check,
status: it only reads), in isolated sessions of one headless Chrome, several at
a time, and writes reports for CI: JSON, JUnit XML and Markdown (also appended
to $GITHUB_STEP_SUMMARY when that is set).

The accounts file names each account's secrets by environment variable:

  accounts:
    - name: alice                  # unique label used in reports
      email: alice@example.com
      password_env: ALICE_PASSWORD
      totp_secret_env: ALICE_TOTP  # optional
      session_token_env: ALICE_TOK # optional
      profile_dir: profiles/alice  # optional: a Chrome of its own on this profile

The first account runs alone (the canary): if the UI no longer matches the
selectors file, the run stops there, exit 4, before touching the others.
Transient failures (timeout, browser, a save the site refused) are retried
with backoff; refused sign-ins and challenges never are. --shard I/N runs one
of N stable parts of the fleet (by a hash of the account name, I from 0), for
CI matrices and Kubernetes Indexed Jobs. Ctrl-C stops Chrome and still writes
the reports, marking the accounts not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEnforce(cmd, g, o, e)
		},
	}
	o.addFlags(cmd.Flags())
	// Profiles are per account in the accounts file.
	_ = cmd.Flags().MarkHidden("profile-dir")
	f := cmd.Flags()
	f.StringVar(&e.accounts, "accounts", "", "YAML accounts file (required)")
	f.BoolVar(&e.check, "check", false, "only read each account's setting, change nothing (exit 2 when one is on)")
	f.StringVar(&e.parallel, "parallel", "auto", fmt.Sprintf("accounts at once in one browser, from 1 to %d, or auto: chosen for the machine (four per CPU, within half the available memory)", fleet.MaxParallel))
	f.StringVar(&e.shard, "shard", "", "run shard I of N (I/N, I from 0): a stable part of the accounts, by a hash of their names")
	f.BoolVar(&e.noCanary, "no-canary", false, "do not run the first account alone before the others")
	f.IntVar(&e.retries, "retries", fleet.DefaultRetries, fmt.Sprintf("further runs of an account after a transient failure (timeout, browser, a refused save), from 0 to %d", fleet.MaxRetries))
	f.StringVar(&e.reportJSON, "report-json", "", "write the JSON report (results per account and a summary) to this file")
	f.StringVar(&e.reportJUnit, "report-junit", "", "write a JUnit XML report (one testcase per account) to this file")
	f.StringVar(&e.stateDir, "state-dir", "", "folder of saved session states, a file per account name (NAME.state; created 0700), for the accounts without state: of their own; age-encrypted with "+envStateKey)
	f.BoolVar(&o.statePlaintext, "state-plaintext", false, "allow unencrypted state files (without "+envStateKey+" they are refused)")
	f.StringVar(&e.reportHTML, "report-html", "", "write a self-contained HTML report (counts per outcome, a row per account) to this file; it loads nothing from the network")
	f.BoolVar(&e.evidence, "evidence", false, "with --report-html: embed a screenshot of each account's switch in its verified off state")
	f.StringVar(&e.reportMarkdown, "report-markdown", "", "write a Markdown report to this file (it is also appended to $GITHUB_STEP_SUMMARY when set)")
	return cmd
}

// parseParallel reads --parallel: auto (0: fleet.AutoParallel's choice)
// or a count from 1 to fleet.MaxParallel.
func parseParallel(v string) (int, error) {
	if strings.TrimSpace(v) == "auto" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > fleet.MaxParallel {
		return 0, configErrorf("--parallel must be auto or from 1 to %d, not %s", fleet.MaxParallel, quote.Value(v))
	}
	return n, nil
}

func runEnforce(cmd *cobra.Command, g *globalOptions, o *browserOptions, e *enforceOptions) error {
	if o.profileDir != "" {
		return configErrorf("--profile-dir does not apply to enforce: give each account its profile_dir: in the accounts file")
	}
	if e.accounts == "" {
		return configErrorf("enforce needs --accounts FILE, a YAML list of accounts (see chatgpt-optout enforce --help)")
	}
	parallel, err := parseParallel(e.parallel)
	if err != nil {
		return err
	}
	if e.retries < 0 || e.retries > fleet.MaxRetries {
		return configErrorf("--retries must be from 0 to %d, not %d", fleet.MaxRetries, e.retries)
	}
	shard := fleet.All
	if e.shard != "" {
		if shard, err = fleet.ParseShard(e.shard); err != nil {
			return err
		}
	}
	cfg, bo, err := o.config(cmd.Context(), g) // loads the dotenv file first
	if err != nil {
		return err
	}
	cfg.Evidence = e.evidence
	specs, err := fleet.LoadAccounts(e.accounts)
	if err != nil {
		return err
	}
	// config saw no state file (enforce has no --state): the accounts
	// file's are checked per account below, the key's form here.
	if cfg.StateKey != "" {
		if _, err := stateKey(o.env, "the state files", true); err != nil {
			return err
		}
	}
	caFile, _ := o.env.lookup(envIMAPCAFile)
	roots, err := mailbox.LoadRoots(caFile, o.env.origin(envIMAPCAFile))
	if err != nil {
		return wrapConfig(err, "%v", err)
	}
	accounts, err := fleet.Resolve(e.accounts, specs, o.env.lookup, fleet.ResolveOptions{
		StateDir: e.stateDir, StateKey: cfg.StateKey, StatePlaintext: o.statePlaintext, IMAPRoots: roots,
	})
	if err != nil {
		return err
	}
	if e.evidence && e.reportHTML == "" {
		return configErrorf("--evidence needs --report-html FILE: the screenshots go in the HTML report")
	}
	for _, p := range []struct{ flag, path string }{{"--report-json", e.reportJSON}, {"--report-junit", e.reportJUnit}, {"--report-markdown", e.reportMarkdown}, {"--report-html", e.reportHTML}} {
		if err := checkReportPath(p.flag, p.path); err != nil {
			return err
		}
	}
	mine := shard.Select(accounts)
	if shard.Count > 1 {
		fmt.Fprintf(g.stderr, "shard %s: %d of the %d accounts\n", shard, len(mine), len(accounts))
	}

	// Each account's failure is on its progress line and in the reports:
	// without -v, the per-account steps and errors stay out of the log.
	fleetLog := cfg.Logger
	if g.verbose == 0 {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	byName := map[string]*fleet.AccountSpec{}
	for i := range specs {
		byName[specs[i].Name] = &specs[i]
	}
	progress := newProgress(g.stderr, len(mine), e.check)
	rep, err := fleet.Run(cmd.Context(), mine, fleet.Options{
		Logger:   fleetLog,
		Config:   cfg,
		Browser:  bo,
		Check:    e.check,
		Parallel: parallel,
		Retries:  e.retries,
		NoCanary: e.noCanary,
		Shard:    shard,
		OnResult: func(done, total int, r fleet.AccountResult) {
			// The account's sentence, with this command line's names.
			describeResult(r.Result, r.Err, byName[r.Account])
			progress.done(done, total, r)
		},

		SelectorsWarnings: o.selectorsWarnings,
		StartBrowser:      g.sys.startBrowser,
	})
	progress.finish()
	if err != nil {
		return err
	}
	code := fleetExitCode(rep)
	prog := fleet.Program{Tool: cmd.Root().Name(), Version: toolVersion(), Command: cmd.Name(), ExitCode: code, ExitMeaning: exitMeanings[code]}
	if rep.Interrupted {
		fmt.Fprintln(g.stderr, "interrupted: Chrome is stopped; writing the partial report")
	}
	if err := writeReports(g, e, rep, prog); err != nil {
		return err
	}
	if g.output == "json" {
		if err := rep.WriteJSON(g.stdout, prog); err != nil {
			return err
		}
	} else {
		for _, r := range rep.Results {
			fmt.Fprintln(g.stdout, resultLine(r.Result, true))
		}
		fmt.Fprintln(g.stdout, rep.Headline())
	}
	return &exitError{code: code}
}

// checkReportPath refuses a report path that could not be written, before
// anything runs.
func checkReportPath(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return configErrorf("%s %s is a folder; give a file name", flag, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return wrapConfig(err, "%s %s cannot be written: %v", flag, path, err)
	}
	return nil
}

// writeReports writes every report asked for, and the job summary.
func writeReports(g *globalOptions, e *enforceOptions, rep *fleet.Report, prog fleet.Program) error {
	var errs []string
	write := func(path string, render func(io.Writer, fleet.Program) error) {
		if path == "" {
			return
		}
		var buf bytes.Buffer
		err := render(&buf, prog)
		if err == nil {
			err = fileio.WriteAtomic(path, buf.Bytes(), 0o644)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", path, err))
		}
	}
	write(e.reportJSON, rep.WriteJSON)
	write(e.reportJUnit, rep.WriteJUnit)
	write(e.reportMarkdown, rep.WriteMarkdown)
	var evidence map[string][]byte // nil: no evidence column
	if e.evidence {
		evidence = map[string][]byte{}
		for _, r := range rep.Results {
			if r.Result != nil && len(r.Evidence) > 0 {
				evidence[r.Account] = r.Evidence
			}
		}
	}
	write(e.reportHTML, func(w io.Writer, prog fleet.Program) error {
		return rep.WriteHTML(w, prog, fleet.HTMLOptions{Evidence: evidence})
	})
	if summary := g.sys.getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		var buf bytes.Buffer
		if err := rep.WriteMarkdown(&buf, prog); err == nil {
			f, err := os.OpenFile(summary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err == nil {
				_, err = f.Write(append(buf.Bytes(), '\n'))
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("GITHUB_STEP_SUMMARY %s: %v", summary, err))
			}
		}
	}
	if len(errs) > 0 {
		// The run happened: say so with its own exit code, after naming
		// the report that could not be written.
		fmt.Fprintf(g.stderr, "error: writing the reports failed: %s\n", strings.Join(errs, "; "))
		return &exitError{code: max(prog.ExitCode, exitFailed)}
	}
	return nil
}

// progress shows the run as it goes, on stderr: a bar on a terminal, one
// line per finished account otherwise (CI logs).
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	start time.Time
}

func newProgress(w io.Writer, total int, check bool) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := unguarded(w).(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 0 {
		desc := "switching off"
		if check {
			desc = "checking"
		}
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	return p
}

func (p *progress) done(done, total int, r fleet.AccountResult) {
	line := progressLine(done, total, r)
	if p.bar != nil {
		if r.ErrorKind != "" {
			_, _ = progressbar.Bprintln(p.bar, line)
		}
		_ = p.bar.Add(1)
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// progressLine is one finished account, like
// "[ 3/20] alice: changed (on → off, verified) in 4.2s".
func progressLine(done, total int, r fleet.AccountResult) string {
	width := len(fmt.Sprint(total))
	var what, why string
	switch r.Outcome {
	case automation.OutcomeChanged:
		what = fmt.Sprintf("changed (%s → %s, verified)", r.Before, r.After)
	case automation.OutcomeCompliant:
		what = "compliant (already off)"
	case automation.OutcomeNoncompliant:
		what = "noncompliant (on, left on)"
	default:
		what = fmt.Sprintf("%s (%s)", r.Outcome, r.ErrorKind)
		why = ": " + r.Error
	}
	retries := ""
	if r.Retries == 1 {
		retries = " after 1 retry"
	} else if r.Retries > 1 {
		retries = fmt.Sprintf(" after %d retries", r.Retries)
	}
	return fmt.Sprintf("[%*d/%d] %s: %s in %.1fs%s%s", width, done, total, r.Account, what, float64(r.DurationMS)/1000, retries, why)
}
