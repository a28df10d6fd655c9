package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// fakeBrowsers stands in for automation.Launch: each browser is a plain
// context wrapped by automation.Attach, and it counts starts and stops.
type fakeBrowsers struct {
	mu        sync.Mutex
	starts    []automation.BrowserOptions
	browsers  []*automation.Browser // in the order started
	running   map[int]context.CancelFunc
	stops     int
	lastCrash context.CancelFunc
}

func (f *fakeBrowsers) start(ctx context.Context, opts automation.BrowserOptions) (*automation.Browser, error) {
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
	b := automation.Attach(bctx, func() {
		cancel()
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.running[id]; ok {
			delete(f.running, id)
			f.stops++
		}
	}, opts)
	f.browsers = append(f.browsers, b)
	return b, nil
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

// reply is what a RunAccount returns for r: r, and an error that agrees with
// it (nil unless the run failed or drifted), as automation.Disable does.
func reply(r *automation.Result) (*automation.Result, error) {
	switch {
	case r == nil:
		return nil, nil
	case r.Outcome == automation.OutcomeDrift:
		return r, &automation.DriftError{Kind: r.ErrorKind, Element: "path.switch", Msg: r.Error}
	case r.Outcome == automation.OutcomeFailed:
		return r, &automation.Error{Kind: r.ErrorKind, Msg: r.Error}
	}
	return r, nil
}

func fastOptions(b *fakeBrowsers, run func(context.Context, *automation.Browser, automation.Account, automation.Config) (*automation.Result, error)) Options {
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
	run := func(ctx context.Context, br *automation.Browser, acct automation.Account, cfg automation.Config) (*automation.Result, error) {
		n := cur.Add(1)
		defer cur.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if !br.Options().BlockResources {
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
		return reply(result(acct, automation.OutcomeChanged, ""))
	}
	rep, err := Run(context.Background(), accountsN(12), fastOptions(&b, run))
	if err != nil {
		t.Fatal(err)
	}
	if peakDuringCanary.Load() != 1 {
		t.Errorf("%d accounts ran while the canary ran, want it alone", peakDuringCanary.Load())
	}
	if want := AutoParallel(12); peak.Load() != int32(want) || rep.Parallel != want || !rep.ParallelAuto {
		t.Errorf("peak parallel %d (report %d, auto %v), want the machine's choice %d", peak.Load(), rep.Parallel, rep.ParallelAuto, want)
	}
	if rep.Summary != (Summary{Total: 12, Changed: 12}) || rep.Unknown() || rep.Canary != "acct-00" {
		t.Errorf("report: summary %+v unknown %v canary %q", rep.Summary, rep.Unknown(), rep.Canary)
	}
	for _, r := range rep.Results {
		if r.Err != nil {
			t.Errorf("%s: changed, but with the error %v", r.Account, r.Err)
		}
	}
	if len(b.starts) != 1 || !b.starts[0].BlockResources || b.stillRunning() != 0 {
		t.Errorf("browsers: %d started (%+v), %d still running; want one shared, blocking resources, stopped", len(b.starts), b.starts, b.stillRunning())
	}
}

func TestRun_AutoParallelIsAtMostTheAccounts(t *testing.T) {
	var b fakeBrowsers
	rep, _ := Run(context.Background(), accountsN(2), fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, c automation.Config) (*automation.Result, error) {
		return reply(result(a, automation.OutcomeCompliant, ""))
	}))
	if rep.Parallel != 2 {
		t.Errorf("parallel %d, want at most the 2 accounts", rep.Parallel)
	}
}

func TestRun_CanaryDriftStopsBeforeTheOthers(t *testing.T) {
	for _, kind := range []automation.ErrorKind{automation.KindSelectorDrift, automation.KindLabelChanged} {
		t.Run(string(kind), func(t *testing.T) {
			var b fakeBrowsers
			var calls atomic.Int32
			rep, err := Run(context.Background(), accountsN(6), fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, c automation.Config) (*automation.Result, error) {
				calls.Add(1)
				return reply(result(a, automation.OutcomeDrift, kind))
			}))
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d accounts ran, want only the canary (drift is never retried)", calls.Load())
			}
			// The accounts the canary left alone are skipped, not left
			// unknown by an interrupt: the run's outcome is the drift.
			if rep.StoppedEarly == "" || rep.Summary != (Summary{Total: 6, Drift: 1, NotRun: 5}) || rep.Unknown() {
				t.Errorf("stopped %q summary %+v unknown %v", rep.StoppedEarly, rep.Summary, rep.Unknown())
			}
			var drift *automation.DriftError
			if canary := rep.Results[0]; !errors.As(canary.Err, &drift) || drift.Kind != kind {
				t.Errorf("the canary's error %#v, want the run's *DriftError of kind %s", canary.Err, kind)
			}
			for _, r := range rep.Results[1:] {
				if r.Outcome != OutcomeNotRun || r.ErrorKind != KindSkipped || !strings.Contains(r.Error, "drift") || !strings.Contains(r.Error, "run without the canary") {
					t.Errorf("%s: %s %s %q", r.Account, r.Outcome, r.ErrorKind, r.Error)
				}
				var e *automation.Error
				if !errors.As(r.Err, &e) || e.Kind != KindSkipped || e.Msg != r.Error || !slices.Equal(automation.FixOf(r.Err), []automation.Setting{automation.SettingSelectors, SettingCanary}) || !errors.As(r.Err, &drift) {
					t.Errorf("%s: error %#v (fix %v), want an *automation.Error of kind skipped saying what the result says, pointing at the selectors and the canary, wrapping the canary's drift",
						r.Account, r.Err, automation.FixOf(r.Err))
				}
				// The error's kind agrees with the result's.
				if k := automation.KindOf(r.Err); k != r.ErrorKind {
					t.Errorf("%s: automation.KindOf(the account's error) = %s, but its result says %s", r.Account, k, r.ErrorKind)
				}
				if strings.Contains(r.Error, "--") || strings.Contains(r.Error, "`") {
					t.Errorf("%s: the library's message names a command line: %q", r.Account, r.Error)
				}
			}
		})
	}
}

func TestRun_NoCanaryRunsEveryoneEvenAfterDrift(t *testing.T) {
	var b fakeBrowsers
	var calls atomic.Int32
	opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, c automation.Config) (*automation.Result, error) {
		calls.Add(1)
		return reply(result(a, automation.OutcomeDrift, automation.KindSelectorDrift))
	})
	opts.NoCanary = true
	rep, _ := Run(context.Background(), accountsN(5), opts)
	if calls.Load() != 5 || rep.Canary != "" || rep.StoppedEarly != "" || rep.Summary != (Summary{Total: 5, Drift: 5}) {
		t.Errorf("calls %d canary %q stopped %q summary %+v", calls.Load(), rep.Canary, rep.StoppedEarly, rep.Summary)
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
		{automation.KindSiteError, true},
		{automation.KindRateLimited, false},
		{automation.KindAccountAction, false},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			var b fakeBrowsers
			var mu sync.Mutex
			calls := map[string][]time.Time{}
			opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
				mu.Lock()
				calls[a.Name] = append(calls[a.Name], time.Now())
				mu.Unlock()
				if a.Name == "acct-01" {
					out := automation.OutcomeFailed
					if c.kind.IsDrift() {
						out = automation.OutcomeDrift
					}
					return reply(result(a, out, c.kind))
				}
				return reply(result(a, automation.OutcomeChanged, ""))
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
			if k := automation.KindOf(rep.Results[1].Err); k != c.kind {
				t.Errorf("the account's error is of kind %q, want the last run's %s", k, c.kind)
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
		opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
			if n.Add(1) == 1 {
				return reply(result(a, automation.OutcomeFailed, automation.KindTimeout))
			}
			return reply(result(a, automation.OutcomeChanged, ""))
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
		// The error is the last run's: none after a retry that succeeded.
		if err := rep.Results[0].Err; (err == nil) != (wantOutcome == automation.OutcomeChanged) {
			t.Errorf("retries %d: error %v with outcome %s", retries, err, rep.Results[0].Outcome)
		}
	}
}

// A browser that dies under a run is replaced, the accounts it was running
// run again, and the rest of the fleet goes on in the new browser.
func TestRun_RestartsACrashedBrowser(t *testing.T) {
	var b fakeBrowsers
	var crashed atomic.Bool
	opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		if a.Name == "acct-03" && crashed.CompareAndSwap(false, true) {
			b.mu.Lock()
			kill := b.lastCrash
			b.mu.Unlock()
			kill() // the browser dies
			return reply(result(a, automation.OutcomeFailed, automation.KindInterrupted))
		}
		if br.Err() != nil {
			return reply(result(a, automation.OutcomeFailed, automation.KindBrowser))
		}
		return reply(result(a, automation.OutcomeChanged, ""))
	})
	opts.Retries = 0 // a crash is not the account's fault: it runs again anyway
	opts.Parallel = 1
	rep, err := Run(context.Background(), accountsN(6), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary != (Summary{Total: 6, Changed: 6}) {
		t.Errorf("summary %+v, want every account changed", rep.Summary)
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
	rep, err := Run(context.Background(), accts, fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		return reply(result(a, automation.OutcomeChanged, ""))
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

// Each account runs in the browser the fleet started for it: an account
// with a profile folder in the one started on its folder, the others in
// the shared one.
func TestRun_EachAccountRunsInTheBrowserStartedForIt(t *testing.T) {
	var b fakeBrowsers
	var mu sync.Mutex
	got := map[string]*automation.Browser{}
	opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		if br.Err() != nil {
			t.Errorf("%s was given a browser that had stopped: %v", a.Name, br.Err())
		}
		mu.Lock()
		got[a.Name] = br
		mu.Unlock()
		return reply(result(a, automation.OutcomeChanged, ""))
	})
	accts := accountsN(3)
	accts[1].ProfileDir = "/profiles/one"
	if _, err := Run(context.Background(), accts, opts); err != nil {
		t.Fatal(err)
	}
	if len(b.browsers) != 2 {
		t.Fatalf("%d browsers started, want the shared one and one for the profile", len(b.browsers))
	}
	shared, profile := b.browsers[0], b.browsers[1]
	if shared.Options().ProfileDir != "" || profile.Options().ProfileDir != "/profiles/one" {
		shared, profile = profile, shared
	}
	if shared.Options().ProfileDir != "" || profile.Options().ProfileDir != "/profiles/one" {
		t.Fatalf("browsers started on %q and %q", shared.Options().ProfileDir, profile.Options().ProfileDir)
	}
	if got["acct-00"] != shared || got["acct-02"] != shared {
		t.Errorf("the accounts without a profile did not run in the shared browser")
	}
	if got["acct-01"] != profile {
		t.Errorf("the profile account did not run in the browser started on its folder")
	}
	for _, br := range b.browsers {
		if !br.Options().BlockResources || br.Err() == nil {
			t.Errorf("browser on %q: blocks resources %v, stopped %v; want both", br.Options().ProfileDir, br.Options().BlockResources, br.Err() != nil)
		}
	}
}

// Ctrl-C: the accounts under way end as the automation reports them, the
// ones not started are marked not run, the browser is stopped, and the
// report says the fleet is not known to be off.
func TestRun_InterruptMarksTheRestNotRun(t *testing.T) {
	var b fakeBrowsers
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	opts := fastOptions(&b, func(rctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		if n.Add(1) == 3 {
			cancel()
			<-rctx.Done()
			return reply(result(a, automation.OutcomeFailed, automation.KindInterrupted))
		}
		return reply(result(a, automation.OutcomeChanged, ""))
	})
	opts.Parallel = 1
	rep, err := Run(ctx, accountsN(8), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || !rep.Unknown() {
		t.Errorf("interrupted %v unknown %v, want both", rep.Interrupted, rep.Unknown())
	}
	if rep.Summary.Changed != 2 || rep.Summary.Failed != 1 || rep.Summary.NotRun != 5 || rep.Summary.Total != 8 {
		t.Errorf("summary %+v", rep.Summary)
	}
	for _, r := range rep.Results[3:] {
		if r.Outcome != OutcomeNotRun || r.ErrorKind != automation.KindInterrupted {
			t.Errorf("%s: %s/%s, want not_run/interrupted", r.Account, r.Outcome, r.ErrorKind)
		}
		if automation.KindOf(r.Err) != automation.KindInterrupted || !errors.Is(r.Err, context.Canceled) || r.Err.Error() != r.Error {
			t.Errorf("%s: error %v, want one of kind interrupted, wrapping the cancel, saying what the result says", r.Account, r.Err)
		}
	}
	if b.stillRunning() != 0 {
		t.Error("the browser was not stopped")
	}
	// Interrupted after every account already finished leaves nothing
	// unknown.
	done := &Report{Interrupted: true, Results: []AccountResult{{Result: result(accountsN(1)[0], automation.OutcomeChanged, "")}}}
	done.finish()
	if done.Unknown() {
		t.Error("a run interrupted after its accounts finished left accounts unknown")
	}
}

func TestRun_InterruptedBeforeTheStart(t *testing.T) {
	var b fakeBrowsers
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, accountsN(3), fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		t.Error("an account ran after Ctrl-C")
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.NotRun != 3 || !rep.Unknown() || len(b.starts) != 0 {
		t.Errorf("summary %+v unknown %v starts %d", rep.Summary, rep.Unknown(), len(b.starts))
	}
}

func TestRun_BadOptionsAreConfigErrors(t *testing.T) {
	var b fakeBrowsers
	run := func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		return nil, nil
	}
	for name, c := range map[string]struct {
		edit func(*Options)
		fix  automation.Setting
	}{
		"parallel": {func(o *Options) { o.Parallel = -1 }, SettingParallel},
		"retries":  {func(o *Options) { o.Retries = -1 }, SettingRetries},
		"base URL": {func(o *Options) { o.Config.BaseURL = "chatgpt.com" }, automation.SettingBaseURL},
		"chrome":   {func(o *Options) { o.StartBrowser = nil; o.Browser.ExecPath = "/nonexistent/chrome" }, automation.SettingBrowser},
	} {
		opts := fastOptions(&b, run)
		c.edit(&opts)
		_, err := Run(context.Background(), accountsN(2), opts)
		if automation.KindOf(err) != automation.KindConfig {
			t.Errorf("%s: err %v, want a config error", name, err)
		}
		if fix := automation.FixOf(err); !slices.Contains(fix, c.fix) {
			t.Errorf("%s: err %v points at %v, want %s", name, err, fix, c.fix)
		}
	}
	if len(b.starts) != 0 {
		t.Error("a browser started")
	}
}

// The automation keeps secrets out of its results; the fleet checks again,
// so a secret can never reach a report, even from another RunAccount.
func TestReports_NeverHoldSecrets(t *testing.T) {
	var b fakeBrowsers
	accts := accountsN(3)
	accts[1].TOTPSecret = "JBSWY3DPEHPK3PXP"
	accts[2].SessionToken = "eyJhbGciOiJkaXIi.session-token-value"
	rep, err := Run(context.Background(), accts, fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		r := result(a, automation.OutcomeFailed, automation.KindBadCredentials)
		r.Error = "refused " + a.Password + " " + a.TOTPSecret + " " + a.SessionToken
		r.Warnings = []string{"saw " + a.Password}
		return reply(r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return rep.WriteJSON(b, Program{}) },
		func(b *bytes.Buffer) error { return rep.WriteJUnit(b, Program{}) },
		func(b *bytes.Buffer) error { return rep.WriteMarkdown(b, Program{}) },
		func(b *bytes.Buffer) error { return rep.WriteHTML(b, Program{}, HTMLOptions{}) },
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
	opts := fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		if runs.Add(1) == 1 {
			r := result(a, automation.OutcomeFailed, automation.KindTimeout)
			r.Before, r.Action, r.Attempts = automation.StateOn, automation.ActionTurnedOff, 1
			return reply(r)
		}
		r := result(a, automation.OutcomeCompliant, "")
		r.Before, r.After, r.Action, r.Verified = automation.StateOff, automation.StateOff, automation.ActionNone, true
		return reply(r)
	})
	rep, err := Run(context.Background(), accountsN(1), opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Outcome != automation.OutcomeChanged || r.Before != automation.StateOn || r.After != automation.StateOff || r.Action != automation.ActionTurnedOff || !r.Verified || r.Retries != 1 {
		t.Errorf("result %+v, want changed on → off, turned_off, verified, after 1 retry", *r.Result)
	}
	if rep.Summary != (Summary{Total: 1, Changed: 1}) || r.Err != nil {
		t.Errorf("summary %+v error %v", rep.Summary, r.Err)
	}
	if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "switched it off") {
		t.Errorf("warnings %q: want one saying an earlier run switched it off", r.Warnings)
	}

	// A first run that found it off and failed later changes nothing.
	runs.Store(0)
	opts = fastOptions(&b, func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		if runs.Add(1) == 1 {
			r := result(a, automation.OutcomeFailed, automation.KindTimeout)
			r.Before = automation.StateUnknown
			return reply(r)
		}
		r := result(a, automation.OutcomeCompliant, "")
		r.Before, r.Action = automation.StateOff, automation.ActionNone
		return reply(r)
	})
	if rep, _ := Run(context.Background(), accountsN(1), opts); rep.Results[0].Outcome != automation.OutcomeCompliant {
		t.Errorf("outcome %s, want compliant", rep.Results[0].Outcome)
	}
}

// The accounts run at once have one rule: 1 to MaxParallel (0 is the
// default); the retries are 0 to MaxRetries.
func TestRun_ParallelAndRetriesAreBounded(t *testing.T) {
	var b fakeBrowsers
	run := func(ctx context.Context, br *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
		return reply(result(a, automation.OutcomeChanged, ""))
	}
	for _, c := range []struct {
		parallel, retries int
		ok                bool
	}{{0, 0, true}, {1, 0, true}, {MaxParallel, MaxRetries, true}, {-1, 0, false}, {MaxParallel + 1, 0, false}, {1000, 0, false}, {1, -1, false}, {1, MaxRetries + 1, false}} {
		opts := fastOptions(&b, run)
		opts.Parallel, opts.Retries = c.parallel, c.retries
		_, err := Run(context.Background(), accountsN(2), opts)
		if (err == nil) != c.ok {
			t.Errorf("parallel %d retries %d: err %v, want ok %v", c.parallel, c.retries, err, c.ok)
			continue
		}
		if err == nil {
			continue
		}
		msg := fmt.Sprintf("the number of accounts run at once must be from 1 to %d, not %d", MaxParallel, c.parallel)
		fix := []automation.Setting{SettingParallel}
		if c.parallel >= 0 && c.parallel <= MaxParallel {
			msg = fmt.Sprintf("the retries must be from 0 to %d, not %d", MaxRetries, c.retries)
			fix = []automation.Setting{SettingRetries}
		}
		if automation.KindOf(err) != automation.KindConfig || err.Error() != msg || !slices.Equal(automation.FixOf(err), fix) {
			t.Errorf("parallel %d retries %d: err %q (kind %s, fix %v), want %q, config, fix %v", c.parallel, c.retries, err, automation.KindOf(err), automation.FixOf(err), msg, fix)
		}
	}
}

func TestTransient_RetriesOnlyWhatMayGoAwayByItself(t *testing.T) {
	for kind, want := range map[automation.ErrorKind]bool{
		automation.KindTimeout:           true,
		automation.KindBrowser:           true,
		automation.KindDidNotStick:       true,
		automation.KindSiteError:         true,
		automation.KindBadCredentials:    false, // again could lock the account
		automation.KindMFARequired:       false,
		automation.KindMFAFailed:         false,
		automation.KindHumanVerification: false,
		automation.KindEmailVerification: false,
		automation.KindSessionExpired:    false,
		automation.KindSelectorDrift:     false, // again would hide a changed UI
		automation.KindLabelChanged:      false,
		automation.KindConfig:            false,
		automation.KindInterrupted:       false,
		automation.KindRateLimited:       false, // the site asked to stop
		automation.KindAccountAction:     false,
		automation.KindSettingLocked:     false,
	} {
		if got := transient(kind); got != want {
			t.Errorf("transient(%s) = %v, want %v", kind, got, want)
		}
	}
}

// A browser died when its context ended or when the run saw its process
// exit, and the fleet was not asked to stop: the run may see the exit a
// moment before the browser's context ends (a killed Chrome under load).
func TestBrowserDied_FromTheBrowserOrTheProcessExit(t *testing.T) {
	exit := exec.Command("sh", "-c", "kill -9 $$").Run()
	var exitErr *exec.ExitError
	if !errors.As(exit, &exitErr) {
		t.Fatalf("no exit error from a killed shell: %v", exit)
	}
	seen := fmt.Errorf("reading the page failed: browser process exited: %w", exit)
	gone := errors.New("the browser stopped: context canceled")
	for _, c := range []struct {
		name                     string
		stopped, browser, runErr error
		want                     bool
	}{
		{"the browser's context ended", nil, gone, errors.New("any"), true},
		{"the run saw the process exit first", nil, nil, seen, true},
		{"a browser error of the run alone", nil, nil, errors.New("reading the page failed: a tab crashed"), false},
		{"the run ended well", nil, nil, nil, false},
		{"the fleet was asked to stop", context.Canceled, gone, seen, false},
	} {
		if got := browserDied(c.stopped, c.browser, c.runErr); got != c.want {
			t.Errorf("%s: browserDied = %v, want %v", c.name, got, c.want)
		}
	}
}
