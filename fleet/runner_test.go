package fleet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// fakeBrowsers stands in for automation.StartBrowser: each browser is a
// plain context, and it counts starts and stops.
type fakeBrowsers struct {
	mu        sync.Mutex
	starts    []automation.BrowserOptions
	running   map[int]context.CancelFunc
	stops     int
	lastCrash context.CancelFunc
}

func (f *fakeBrowsers) start(ctx context.Context, opts automation.BrowserOptions) (context.Context, context.CancelFunc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	bctx, cancel := context.WithCancel(ctx)
	f.starts = append(f.starts, opts)
	id := len(f.starts)
	if f.running == nil {
		f.running = map[int]context.CancelFunc{}
	}
	f.running[id] = cancel
	f.lastCrash = cancel
	return bctx, func() {
		cancel()
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.running[id]; ok {
			delete(f.running, id)
			f.stops++
		}
	}, nil
}

func (f *fakeBrowsers) stillRunning() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.running)
}

func accountsN(n int) []automation.Account {
	var out []automation.Account
	for i := 0; i < n; i++ {
		out = append(out, automation.Account{Name: fmt.Sprintf("acct-%02d", i), Email: fmt.Sprintf("a%02d@example.com", i), Password: fmt.Sprintf("Secret-Password-%02d", i)})
	}
	return out
}

func result(acct automation.Account, outcome automation.Outcome, kind automation.ErrorKind) *automation.Result {
	r := &automation.Result{Account: acct.Label(), Before: automation.StateOn, After: automation.StateOff, Action: automation.ActionTurnedOff, Outcome: outcome, Verified: outcome == automation.OutcomeChanged, DurationMS: 10}
	if kind != "" {
		r.ErrorKind, r.Error = kind, "it failed: "+string(kind)
		r.After, r.Action, r.Verified = automation.StateUnknown, automation.ActionNone, false
	}
	return r
}

func fastOptions(b *fakeBrowsers, run RunFunc) Options {
	return Options{
		Config:       automation.Config{BaseURL: "http://localhost:1"},
		StartBrowser: b.start,
		RunAccount:   run,
		Backoff:      time.Millisecond,
		Retries:      DefaultRetries,
	}
}

func TestRun_CanaryRunsAloneThenParallel(t *testing.T) {
	var b fakeBrowsers
	var cur, peak, peakDuringCanary atomic.Int32
	canaryDone := make(chan struct{})
	run := func(ctx context.Context, acct automation.Account, cfg automation.Config) *automation.Result {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if !cfg.BlockResources {
			t.Error("a fleet run must block images, fonts and media")
		}
		if acct.Name == "acct-00" {
			time.Sleep(30 * time.Millisecond)
			peakDuringCanary.Store(peak.Load())
			close(canaryDone)
		} else {
			<-canaryDone
			time.Sleep(20 * time.Millisecond)
		}
		return result(acct, automation.OutcomeChanged, "")
	}
	rep, err := Run(context.Background(), accountsN(12), fastOptions(&b, run))
	if err != nil {
		t.Fatal(err)
	}
	if peakDuringCanary.Load() != 1 {
		t.Errorf("%d accounts ran while the canary ran, want it alone", peakDuringCanary.Load())
	}
	if peak.Load() != DefaultParallel || rep.Parallel != DefaultParallel {
		t.Errorf("peak parallel %d (report %d), want the default %d", peak.Load(), rep.Parallel, DefaultParallel)
	}
	if rep.ExitCode != 0 || rep.Summary.Changed != 12 || rep.Canary != "acct-00" {
		t.Errorf("report: exit %d summary %+v canary %q", rep.ExitCode, rep.Summary, rep.Canary)
	}
	if len(b.starts) != 1 || !b.starts[0].BlockResources || b.stillRunning() != 0 {
		t.Errorf("browsers: %d started (%+v), %d still running; want one shared, blocking resources, stopped", len(b.starts), b.starts, b.stillRunning())
	}
}

func TestRun_DefaultParallelIsAtMostTheAccounts(t *testing.T) {
	var b fakeBrowsers
	rep, _ := Run(context.Background(), accountsN(2), fastOptions(&b, func(ctx context.Context, a automation.Account, c automation.Config) *automation.Result {
		return result(a, automation.OutcomeCompliant, "")
	}))
	if rep.Parallel != 2 {
		t.Errorf("parallel %d, want min(4, 2)", rep.Parallel)
	}
}

func TestRun_CanaryDriftStopsBeforeTheOthers(t *testing.T) {
	for _, kind := range []automation.ErrorKind{automation.KindSelectorDrift, automation.KindLabelChanged} {
		t.Run(string(kind), func(t *testing.T) {
			var b fakeBrowsers
			var calls atomic.Int32
			rep, err := Run(context.Background(), accountsN(6), fastOptions(&b, func(ctx context.Context, a automation.Account, c automation.Config) *automation.Result {
				calls.Add(1)
				r := result(a, automation.OutcomeDrift, kind)
				return r
			}))
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d accounts ran, want only the canary (drift is never retried)", calls.Load())
			}
			if rep.ExitCode != 4 || rep.StoppedEarly == "" || rep.Summary.Drift != 1 || rep.Summary.NotRun != 5 {
				t.Errorf("exit %d stopped %q summary %+v", rep.ExitCode, rep.StoppedEarly, rep.Summary)
			}
			for _, r := range rep.Results[1:] {
				if r.Outcome != OutcomeNotRun || r.ErrorKind != KindSkipped || !strings.Contains(r.Error, "drift") {
					t.Errorf("%s: %s %s %q", r.Account, r.Outcome, r.ErrorKind, r.Error)
				}
			}
		})
	}
}

func TestRun_NoCanaryRunsEveryoneEvenAfterDrift(t *testing.T) {
	var b fakeBrowsers
	var calls atomic.Int32
	opts := fastOptions(&b, func(ctx context.Context, a automation.Account, c automation.Config) *automation.Result {
		calls.Add(1)
		return result(a, automation.OutcomeDrift, automation.KindSelectorDrift)
	})
	opts.NoCanary = true
	rep, _ := Run(context.Background(), accountsN(5), opts)
	if calls.Load() != 5 || rep.Canary != "" || rep.ExitCode != 4 {
		t.Errorf("calls %d canary %q exit %d", calls.Load(), rep.Canary, rep.ExitCode)
	}
}

// Transient failures are retried with backoff, up to Retries; refused
// sign-ins, challenges, expired sessions and drift never are.
func TestRun_RetriesOnlyTransientFailures(t *testing.T) {
	cases := []struct {
		kind  automation.ErrorKind
		retry bool
	}{
		{automation.KindTimeout, true},
		{automation.KindBrowser, true},
		{automation.KindDidNotStick, true},
		{automation.KindBadCredentials, false},
		{automation.KindMFARequired, false},
		{automation.KindMFAFailed, false},
		{automation.KindHumanVerification, false},
		{automation.KindEmailVerification, false},
		{automation.KindSessionExpired, false},
		{automation.KindSelectorDrift, false},
		{automation.KindLabelChanged, false},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			var b fakeBrowsers
			var mu sync.Mutex
			calls := map[string][]time.Time{}
			opts := fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
				mu.Lock()
				calls[a.Name] = append(calls[a.Name], time.Now())
				mu.Unlock()
				if a.Name == "acct-01" {
					out := automation.OutcomeFailed
					if c.kind.IsDrift() {
						out = automation.OutcomeDrift
					}
					return result(a, out, c.kind)
				}
				return result(a, automation.OutcomeChanged, "")
			})
			opts.Backoff = 20 * time.Millisecond
			rep, err := Run(context.Background(), accountsN(3), opts)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if c.retry {
				want = 1 + DefaultRetries
			}
			got := calls["acct-01"]
			if len(got) != want {
				t.Fatalf("acct-01 ran %d times, want %d", len(got), want)
			}
			if rep.Results[1].Retries != want-1 {
				t.Errorf("retries in the report = %d, want %d", rep.Results[1].Retries, want-1)
			}
			// Backoff: about 20 ms, then about 40 ms (±20% jitter).
			for i := 1; i < len(got); i++ {
				min := time.Duration(float64(20*time.Millisecond<<(i-1)) * 0.8)
				if gap := got[i].Sub(got[i-1]); gap < min {
					t.Errorf("retry %d came after %v, want at least %v", i, gap, min)
				}
			}
			if len(calls["acct-00"]) != 1 || len(calls["acct-02"]) != 1 {
				t.Errorf("healthy accounts ran again: %d, %d", len(calls["acct-00"]), len(calls["acct-02"]))
			}
		})
	}
}

func TestRun_RetrySucceedsAndZeroRetriesMeansNone(t *testing.T) {
	for _, retries := range []int{0, 2} {
		var b fakeBrowsers
		var n atomic.Int32
		opts := fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
			if n.Add(1) == 1 {
				return result(a, automation.OutcomeFailed, automation.KindTimeout)
			}
			return result(a, automation.OutcomeChanged, "")
		})
		opts.Retries = retries
		rep, _ := Run(context.Background(), accountsN(1), opts)
		wantOutcome := automation.OutcomeChanged
		if retries == 0 {
			wantOutcome = automation.OutcomeFailed
		}
		if rep.Results[0].Outcome != wantOutcome {
			t.Errorf("retries %d: outcome %s, want %s", retries, rep.Results[0].Outcome, wantOutcome)
		}
	}
}

// A browser that dies under a run is replaced, the accounts it was running
// run again, and the rest of the fleet goes on in the new browser.
func TestRun_RestartsACrashedBrowser(t *testing.T) {
	var b fakeBrowsers
	var crashed atomic.Bool
	opts := fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		if a.Name == "acct-03" && crashed.CompareAndSwap(false, true) {
			b.mu.Lock()
			kill := b.lastCrash
			b.mu.Unlock()
			kill() // the browser dies
			r := result(a, automation.OutcomeFailed, automation.KindInterrupted)
			return r
		}
		if ctx.Err() != nil {
			return result(a, automation.OutcomeFailed, automation.KindBrowser)
		}
		return result(a, automation.OutcomeChanged, "")
	})
	opts.Retries = 0 // a crash is not the account's fault: it runs again anyway
	opts.Parallel = 1
	rep, err := Run(context.Background(), accountsN(6), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode != 0 || rep.Summary.Changed != 6 {
		t.Errorf("exit %d summary %+v, want every account changed", rep.ExitCode, rep.Summary)
	}
	if rep.BrowserRestarts != 1 || len(b.starts) != 2 || rep.Results[3].Retries != 1 {
		t.Errorf("restarts %d, starts %d, retries of the victim %d", rep.BrowserRestarts, len(b.starts), rep.Results[3].Retries)
	}
	if b.stillRunning() != 0 {
		t.Errorf("%d browsers still running", b.stillRunning())
	}
}

func TestRun_ProfileAccountsGetTheirOwnBrowser(t *testing.T) {
	var b fakeBrowsers
	accts := accountsN(4)
	accts[1].ProfileDir = "/profiles/one"
	accts[3].ProfileDir = "/profiles/three"
	rep, err := Run(context.Background(), accts, fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		return result(a, automation.OutcomeChanged, "")
	}))
	if err != nil {
		t.Fatal(err)
	}
	var profiles []string
	for _, s := range b.starts {
		profiles = append(profiles, s.ProfileDir)
	}
	if len(b.starts) != 3 || strings.Join(profiles, ",") == "" || rep.BrowserStarts != 3 || b.stillRunning() != 0 {
		t.Errorf("starts %q (report %d), running %d: want one shared and one per profile, all stopped", profiles, rep.BrowserStarts, b.stillRunning())
	}
	n := 0
	for _, p := range profiles {
		if p == "/profiles/one" || p == "/profiles/three" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("profile browsers: %q", profiles)
	}
}

// Ctrl-C: the accounts under way end as the automation reports them, the
// ones not started are marked not run, the browser is stopped, and the
// exit code says the fleet is not known to be off.
func TestRun_InterruptMarksTheRestNotRun(t *testing.T) {
	var b fakeBrowsers
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	opts := fastOptions(&b, func(rctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		if n.Add(1) == 3 {
			cancel()
			<-rctx.Done()
			return result(a, automation.OutcomeFailed, automation.KindInterrupted)
		}
		return result(a, automation.OutcomeChanged, "")
	})
	opts.Parallel = 1
	rep, err := Run(ctx, accountsN(8), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || rep.ExitCode != 3 {
		t.Errorf("interrupted %v exit %d, want true, 3", rep.Interrupted, rep.ExitCode)
	}
	if rep.Summary.Changed != 2 || rep.Summary.Failed != 1 || rep.Summary.NotRun != 5 || rep.Summary.Total != 8 {
		t.Errorf("summary %+v", rep.Summary)
	}
	for _, r := range rep.Results[3:] {
		if r.Outcome != OutcomeNotRun || r.ErrorKind != automation.KindInterrupted {
			t.Errorf("%s: %s/%s, want not_run/interrupted", r.Account, r.Outcome, r.ErrorKind)
		}
	}
	if b.stillRunning() != 0 {
		t.Error("the browser was not stopped")
	}
	// Interrupted after every account already finished is still exit 0.
	if code := ExitCode([]AccountResult{{Result: result(accountsN(1)[0], automation.OutcomeChanged, "")}}); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestRun_InterruptedBeforeTheStart(t *testing.T) {
	var b fakeBrowsers
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, accountsN(3), fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		t.Error("an account ran after Ctrl-C")
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.NotRun != 3 || rep.ExitCode != 3 || len(b.starts) != 0 {
		t.Errorf("summary %+v exit %d starts %d", rep.Summary, rep.ExitCode, len(b.starts))
	}
}

func TestRun_BadOptionsAreConfigErrors(t *testing.T) {
	var b fakeBrowsers
	run := func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result { return nil }
	for name, edit := range map[string]func(*Options){
		"parallel": func(o *Options) { o.Parallel = -1 },
		"retries":  func(o *Options) { o.Retries = -1 },
		"base URL": func(o *Options) { o.Config.BaseURL = "chatgpt.com" },
		"chrome":   func(o *Options) { o.StartBrowser = nil; o.Browser.ExecPath = "/nonexistent/chrome" },
	} {
		opts := fastOptions(&b, run)
		edit(&opts)
		if _, err := Run(context.Background(), accountsN(2), opts); automation.KindOf(err) != automation.KindConfig {
			t.Errorf("%s: err %v, want a config error", name, err)
		}
	}
	if len(b.starts) != 0 {
		t.Error("a browser started")
	}
}

// The automation keeps secrets out of its results; the fleet checks again,
// so a secret can never reach a report, even from another RunFunc.
func TestReports_NeverHoldSecrets(t *testing.T) {
	var b fakeBrowsers
	accts := accountsN(3)
	accts[1].TOTPSecret = "JBSWY3DPEHPK3PXP"
	accts[2].SessionToken = "eyJhbGciOiJkaXIi.session-token-value"
	rep, err := Run(context.Background(), accts, fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		r := result(a, automation.OutcomeFailed, automation.KindBadCredentials)
		r.Error = "refused " + a.Password + " " + a.TOTPSecret + " " + a.SessionToken
		r.Warnings = []string{"saw " + a.Password}
		return r
	}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return rep.WriteJSON(b) },
		func(b *bytes.Buffer) error { return rep.WriteJUnit(b) },
		func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) },
	} {
		if err := w(&out); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range accts {
		for _, s := range []string{a.Password, a.TOTPSecret, a.SessionToken} {
			if s != "" && strings.Contains(out.String(), s) {
				t.Errorf("a secret of %s (%d chars) is in a report", a.Name, len(s))
			}
		}
	}
	if !strings.Contains(out.String(), "[REDACTED]") {
		t.Error("the secrets were not replaced")
	}
}

// An account this run switched off, whose first run then failed (a timeout
// after the change) and whose retry found it off, is changed: the run's
// write is not lost.
func TestRun_AChangeBeforeAFailureCountsAsChanged(t *testing.T) {
	var b fakeBrowsers
	var runs atomic.Int32
	opts := fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		if runs.Add(1) == 1 {
			r := result(a, automation.OutcomeFailed, automation.KindTimeout)
			r.Before, r.Action, r.Attempts = automation.StateOn, automation.ActionTurnedOff, 1
			return r
		}
		r := result(a, automation.OutcomeCompliant, "")
		r.Before, r.After, r.Action, r.Verified = automation.StateOff, automation.StateOff, automation.ActionNone, true
		return r
	})
	rep, err := Run(context.Background(), accountsN(1), opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Outcome != automation.OutcomeChanged || r.Before != automation.StateOn || r.After != automation.StateOff || r.Action != automation.ActionTurnedOff || !r.Verified || r.Retries != 1 {
		t.Errorf("result %+v, want changed on → off, turned_off, verified, after 1 retry", *r.Result)
	}
	if rep.Summary.Changed != 1 || rep.Summary.Compliant != 0 || rep.ExitCode != 0 {
		t.Errorf("summary %+v exit %d", rep.Summary, rep.ExitCode)
	}
	if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "switched it off") {
		t.Errorf("warnings %q: want one saying an earlier run switched it off", r.Warnings)
	}

	// A first run that found it off and failed later changes nothing.
	runs.Store(0)
	opts = fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		if runs.Add(1) == 1 {
			r := result(a, automation.OutcomeFailed, automation.KindTimeout)
			r.Before = automation.StateUnknown
			return r
		}
		r := result(a, automation.OutcomeCompliant, "")
		r.Before, r.Action = automation.StateOff, automation.ActionNone
		return r
	})
	if rep, _ := Run(context.Background(), accountsN(1), opts); rep.Results[0].Outcome != automation.OutcomeCompliant {
		t.Errorf("outcome %s, want compliant", rep.Results[0].Outcome)
	}
}

// --parallel has one rule: 1 to MaxParallel (0 is the default).
func TestRun_ParallelAndRetriesAreBounded(t *testing.T) {
	var b fakeBrowsers
	run := func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		return result(a, automation.OutcomeChanged, "")
	}
	for _, c := range []struct {
		parallel, retries int
		ok                bool
	}{{0, 0, true}, {1, 0, true}, {MaxParallel, MaxRetries, true}, {-1, 0, false}, {MaxParallel + 1, 0, false}, {1000, 0, false}, {1, -1, false}, {1, MaxRetries + 1, false}} {
		opts := fastOptions(&b, run)
		opts.Parallel, opts.Retries = c.parallel, c.retries
		_, err := Run(context.Background(), accountsN(2), opts)
		if (err == nil) != c.ok || err != nil && (automation.KindOf(err) != automation.KindConfig || !strings.Contains(err.Error(), "from ")) {
			t.Errorf("parallel %d retries %d: err %v, want ok %v", c.parallel, c.retries, err, c.ok)
		}
	}
}

// What a profile account's browser start warned about (a folder made
// private) is in that account's result.
func TestRun_BrowserWarningsReachTheResult(t *testing.T) {
	var b fakeBrowsers
	opts := fastOptions(&b, func(ctx context.Context, a automation.Account, cfg automation.Config) *automation.Result {
		return result(a, automation.OutcomeChanged, "")
	})
	start := opts.StartBrowser
	opts.StartBrowser = func(ctx context.Context, bo automation.BrowserOptions) (context.Context, context.CancelFunc, error) {
		bctx, stop, err := start(ctx, bo)
		if bo.ProfileDir != "" {
			bctx = automation.WithBrowserWarnings(bctx, "the profile folder "+bo.ProfileDir+" is now private")
		}
		return bctx, stop, err
	}
	accts := accountsN(2)
	accts[1].ProfileDir = "/profiles/one"
	rep, err := Run(context.Background(), accts, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w := rep.Results[1].Warnings; len(w) != 1 || !strings.Contains(w[0], "/profiles/one") {
		t.Errorf("warnings of the profile account: %q", w)
	}
	if w := rep.Results[0].Warnings; len(w) != 0 {
		t.Errorf("warnings of the other: %q", w)
	}
}
