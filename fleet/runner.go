package fleet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// Defaults of Options.
const (
	// MaxParallel is the most accounts run at once: more only queue up in
	// Chrome, which is CPU-bound already at a few (see the README's fleet
	// speed figures).
	MaxParallel = 32
	// DefaultRetries is the CLI's default for Options.Retries.
	DefaultRetries = 2
	// MaxRetries bounds Options.Retries: with the backoff capped at 30 s,
	// more would keep a failing account going for many minutes.
	MaxRetries = 10
	// DefaultBackoff is the wait before the first retry; it doubles for
	// each further one, up to maxBackoff.
	DefaultBackoff = 2 * time.Second
	maxBackoff     = 30 * time.Second
	// maxCrashRetries bounds the runs an account gets again because the
	// browser died under it (not the account's fault, so apart from
	// Options.Retries).
	maxCrashRetries = 2
)

// The fleet's own settings a message may point at (see automation.Setting).
const (
	SettingParallel automation.Setting = "parallel" // Options.Parallel
	SettingRetries  automation.Setting = "retries"  // Options.Retries
	SettingCanary   automation.Setting = "canary"   // Options.NoCanary
	SettingShard    automation.Setting = "shard"    // ParseShard
	SettingStateDir automation.Setting = "state_dir"
)

// Options say how to run a fleet.
type Options struct {
	// Config is the per-account configuration.
	Config automation.Config
	// Browser says how to start Chrome. Run sets BlockResources and
	// ignores ProfileDir: an account's profile folder gets a Chrome of its
	// own, the others share one, each in an isolated browser context.
	Browser automation.BrowserOptions
	// Check only reads (automation.Status) instead of switching off.
	Check bool
	// Parallel is how many accounts run at once, from 1 to MaxParallel;
	// 0 means AutoParallel's choice for the machine.
	Parallel int
	// Retries is how many more times an account runs after a transient
	// failure (timeout, browser, did_not_stick: a save the site refused);
	// never after a refused sign-in, a challenge, an expired session or
	// drift. 0 means no retries; at most MaxRetries.
	Retries int
	// Backoff is the wait before the first retry (0: DefaultBackoff); it
	// doubles for each further retry, with jitter.
	Backoff time.Duration
	// NoCanary runs every account at once from the start. By default the
	// first account runs alone, and if it ends in drift no other account
	// is touched.
	NoCanary bool
	// Shard is recorded in the report; select the accounts with
	// Shard.Select before Run.
	Shard Shard
	// Logger receives the fleet's own messages (retries, browser
	// restarts, each account's end); nil means Config.Logger, which also
	// receives each account's steps.
	Logger *slog.Logger
	// OnResult is told of each account as it finishes (or is marked not
	// run), with the count finished so far. Calls do not overlap.
	OnResult func(done, total int, r AccountResult)

	// SelectorsWarnings are what loading Config.Selectors had to say (a
	// fallback to the embedded file, say); they are added to every
	// account's warnings. Its Origin is every result's selectors_source.
	SelectorsWarnings []string

	// StartBrowser and RunAccount replace automation.Launch and
	// automation.Disable/Status, for tests and embedding.
	StartBrowser func(ctx context.Context, opts automation.BrowserOptions) (*automation.Browser, error)
	RunAccount   func(ctx context.Context, b *automation.Browser, acct automation.Account, cfg automation.Config) (*automation.Result, error)
}

// Run runs every account and returns the report. The error is non-nil
// only for a configuration problem found before anything ran (an
// *automation.Error of KindConfig, naming the Options field or the
// account). When ctx ends (Ctrl-C), Run stops the browsers and returns the
// partial report: accounts never started are marked not run.
func Run(ctx context.Context, accounts []automation.Account, opts Options) (*Report, error) {
	cfg, err := opts.Config.WithDefaults()
	if err != nil {
		return nil, err
	}
	opts.Browser.BlockResources = true
	opts.Browser.ProfileDir = ""
	if opts.Parallel < 0 || opts.Parallel > MaxParallel {
		return nil, &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf("the number of accounts run at once must be from 1 to %d, not %d", MaxParallel, opts.Parallel), Fix: []automation.Setting{SettingParallel}}
	}
	if opts.Retries < 0 || opts.Retries > MaxRetries {
		return nil, &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf("the retries must be from 0 to %d, not %d", MaxRetries, opts.Retries), Fix: []automation.Setting{SettingRetries}}
	}
	auto := opts.Parallel == 0
	if auto {
		opts.Parallel = AutoParallel(len(accounts))
	}
	opts.Parallel = max(1, min(opts.Parallel, len(accounts)))
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.Shard.Count == 0 {
		opts.Shard = All
	}
	if opts.StartBrowser == nil {
		opts.StartBrowser = automation.Launch
		// A missing browser is a configuration error (exit 1), found
		// before anything runs.
		if _, err := automation.CheckChrome(opts.Browser); err != nil {
			return nil, err
		}
	}
	if opts.RunAccount == nil {
		opts.RunAccount = automation.Disable
		if opts.Check {
			opts.RunAccount = automation.Status
		}
	}
	rep := &Report{
		Mode:             ModeDisable,
		SelectorsVersion: cfg.Selectors.Version,
		SelectorsSource:  cfg.Selectors.Origin().String(),
		BaseURL:          cfg.BaseURL,
		Parallel:         opts.Parallel,
		ParallelAuto:     auto,
		StartedAt:        time.Now(),
	}
	if opts.Check {
		rep.Mode = ModeCheck
	}
	if opts.Shard.Count > 1 {
		rep.Shard = opts.Shard.String()
	}
	log := cmp.Or(opts.Logger, cfg.Logger)
	r := &runner{
		opts:     opts,
		cfg:      cfg,
		log:      log,
		accounts: accounts,
		results:  make([]*AccountResult, len(accounts)),
		pool:     &browserPool{start: opts.StartBrowser, opts: opts.Browser, log: log},
	}
	if err := r.run(ctx, rep); err != nil {
		return nil, err
	}
	rep.Interrupted = ctx.Err() != nil
	for _, res := range r.results { // run leaves none nil
		rep.Results = append(rep.Results, *res)
	}
	rep.BrowserStarts, rep.BrowserRestarts = r.pool.starts+r.profileStarts, r.pool.restarts
	rep.FinishedAt = time.Now()
	rep.finish()
	return rep, nil
}

type runner struct {
	opts     Options
	cfg      automation.Config
	log      *slog.Logger
	accounts []automation.Account
	pool     *browserPool

	mu            sync.Mutex // guards what follows
	results       []*AccountResult
	done          int
	profileStarts int
}

func (r *runner) run(ctx context.Context, rep *Report) error {
	defer r.pool.close()
	n := len(r.accounts)
	if n == 0 {
		return nil
	}
	// Start the shared browser first: a browser that cannot start for a
	// configuration reason (no display for --headed) stops the run before
	// any account is touched.
	if slices.ContainsFunc(r.accounts, func(a automation.Account) bool { return a.ProfileDir == "" }) {
		if _, err := r.pool.get(ctx); err != nil && automation.KindOf(err) == automation.KindConfig {
			return err
		}
	}
	next := 0
	if !r.opts.NoCanary && ctx.Err() == nil {
		rep.Canary = r.accounts[0].Label()
		r.log.Info("running the canary account alone first", "account", r.accounts[0].Label())
		res := r.runAccount(ctx, 0)
		r.record(0, res)
		next = 1
		if res.Outcome == automation.OutcomeDrift {
			rep.StoppedEarly = fmt.Sprintf("the canary account %q ended in drift (%s)", res.Account, res.ErrorKind)
			msg := fmt.Sprintf("not run: the first account (%s) ended in drift (%s), so the UI no longer matches the selectors file %s and no other account was touched; update the selectors file, or run without the canary",
				res.Account, res.ErrorKind, r.cfg.Selectors.Version)
			for i := 1; i < n; i++ {
				r.record(i, r.notRun(i, KindSkipped, msg, res.Err, automation.SettingSelectors, SettingCanary))
			}
			return nil
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range r.opts.Parallel {
		wg.Go(func() {
			for i := range jobs {
				r.record(i, r.runAccount(ctx, i))
			}
		})
	}
feed:
	for i := next; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for i := range r.accounts {
		if r.results[i] == nil {
			r.record(i, r.notRun(i, automation.KindInterrupted, "not run: the run was interrupted before this account started; its setting was not checked", ctx.Err()))
		}
	}
	return nil
}

// record keeps an account's result and reports progress.
func (r *runner) record(i int, res *AccountResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res.Result != nil {
		res.SelectorsSource = r.cfg.Selectors.Origin().String()
		res.Warnings = append(slices.Clone(r.opts.SelectorsWarnings), res.Warnings...)
	}
	r.results[i] = res
	r.done++
	r.log.Info("account finished", "account", res.Account, "outcome", res.Outcome, "kind", res.ErrorKind, "retries", res.Retries, "ms", res.DurationMS)
	if r.opts.OnResult != nil {
		r.opts.OnResult(r.done, len(r.results), *res)
	}
}

// notRun is the result of account i, never started because of cause.
func (r *runner) notRun(i int, kind automation.ErrorKind, msg string, cause error, fix ...automation.Setting) *AccountResult {
	a := r.accounts[i]
	err := &automation.Error{Kind: kind, Msg: msg, Err: cause, Fix: fix}
	return &AccountResult{Result: r.untouched(a, OutcomeNotRun, kind, msg), Err: err, Email: a.Email}
}

// untouched is the result of an account no browser touched.
func (r *runner) untouched(acct automation.Account, outcome automation.Outcome, kind automation.ErrorKind, msg string) *automation.Result {
	return &automation.Result{
		Account: acct.Label(), SelectorsVersion: r.cfg.Selectors.Version,
		Before: automation.StateUnknown, After: automation.StateUnknown, Action: automation.ActionNone,
		Outcome: outcome, ErrorKind: kind, Error: msg,
	}
}

// transient reports whether a failure may go away on its own: worth
// another run. Sign-in refusals, challenges and drift never do, and
// running them again could lock the account or hide a changed UI.
func transient(kind automation.ErrorKind) bool {
	return slices.Contains([]automation.ErrorKind{
		automation.KindTimeout, automation.KindBrowser, automation.KindDidNotStick, automation.KindSiteError,
	}, kind)
}

// runAccount runs one account, again after transient failures.
func (r *runner) runAccount(ctx context.Context, i int) *AccountResult {
	acct := r.accounts[i]
	log := r.log.With("account", acct.Label())
	backoff := r.opts.Backoff
	retries, crashes := 0, 0
	start := time.Now()
	var wrote *automation.Result // an earlier run that may have switched it off
	for {
		res, err, crashed := r.attempt(ctx, acct)
		if wrote != nil {
			res = changedEarlier(res, wrote)
		}
		if mayHaveWritten(res) {
			wrote = res
		}
		out := &AccountResult{Result: redact(res, acct), Err: err, Email: acct.Email, Retries: retries + crashes}
		// The account's time covers every run and the waits between.
		out.DurationMS = time.Since(start).Milliseconds()
		if ctx.Err() != nil || res.Outcome != automation.OutcomeFailed {
			return out
		}
		switch {
		case crashed && crashes < maxCrashRetries:
			crashes++
			log.Warn("the browser died during the account; running it again in a new browser", "kind", res.ErrorKind)
			continue
		case transient(res.ErrorKind) && retries < r.opts.Retries:
			retries++
			wait := jitter(backoff)
			log.Info("transient failure; retrying", "kind", res.ErrorKind, "retry", retries, "of", r.opts.Retries, "after", wait.Round(time.Millisecond))
			if !sleep(ctx, wait) {
				return out
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		return out
	}
}

// mayHaveWritten reports whether a failed run may have switched the setting
// off before it failed: it found it on and clicked the switch.
func mayHaveWritten(res *automation.Result) bool {
	return res.Outcome == automation.OutcomeFailed && res.Before == automation.StateOn &&
		(res.Action == automation.ActionTurnedOff || res.Attempts > 0)
}

// changedEarlier is the result of a run that found the setting off after an
// earlier run of the same account found it on, clicked and then failed (a
// timeout after the change): the setting is off because this run of the
// tool switched it off, so the account is changed, not compliant.
func changedEarlier(res, earlier *automation.Result) *automation.Result {
	if res.Outcome != automation.OutcomeCompliant {
		return res
	}
	c := *res
	c.Outcome = automation.OutcomeChanged
	c.Before = automation.StateOn
	c.Action = automation.ActionTurnedOff
	c.Attempts = max(c.Attempts, earlier.Attempts)
	c.Warnings = append([]string{fmt.Sprintf("an earlier run found the setting on and switched it off, then failed (%s); this run read it off", earlier.ErrorKind)}, c.Warnings...)
	return &c
}

// attempt runs the account once, and says whether its browser died.
func (r *runner) attempt(ctx context.Context, acct automation.Account) (*automation.Result, error, bool) {
	var b *automation.Browser
	var err error
	if acct.ProfileDir != "" {
		bo := r.opts.Browser
		bo.ProfileDir = acct.ProfileDir
		if b, err = r.opts.StartBrowser(ctx, bo); err == nil {
			defer b.Close()
			r.mu.Lock()
			r.profileStarts++
			r.mu.Unlock()
		}
	} else {
		b, err = r.pool.get(ctx)
	}
	if err != nil {
		kind := cmp.Or(automation.KindOf(err), automation.KindBrowser)
		return r.untouched(acct, automation.OutcomeFailed, kind, err.Error()), err, false
	}
	res, err := r.opts.RunAccount(ctx, b, acct, r.cfg)
	crashed := browserDied(ctx.Err(), b.Err(), err)
	if crashed && acct.ProfileDir == "" {
		r.pool.lost(b)
		if res.Outcome == automation.OutcomeFailed && res.ErrorKind == automation.KindInterrupted {
			// The browser's context ended, but nobody asked the run to
			// stop: it was the browser.
			err = &automation.Error{Kind: automation.KindBrowser, Msg: "the browser stopped during the run (it crashed or was killed): " + res.Error, Err: err}
			res.ErrorKind, res.Error = automation.KindBrowser, err.Error()
		}
	}
	return res, err, crashed
}

// browserDied says whether the browser died during a run that ended with
// runErr, from the fleet's context error (stopped: somebody asked the run
// to stop) and the browser's. The run may see the browser's process exit
// (its error then holds the process's exit status) a moment before the
// browser's context ends.
func browserDied(stopped, browserErr, runErr error) bool {
	var exit *exec.ExitError
	return stopped == nil && (browserErr != nil || errors.As(runErr, &exit))
}

// redact removes the account's secrets from the text of its result. The
// automation package keeps them out already; this is a second guard for
// results from other RunFuncs.
func redact(res *automation.Result, acct automation.Account) *automation.Result {
	clean := acct.Redact
	c := *res
	c.Account = clean(c.Account)
	c.Error = clean(c.Error)
	c.Label = clean(c.Label)
	c.Warnings = append([]string(nil), c.Warnings...)
	for i := range c.Warnings {
		c.Warnings[i] = clean(c.Warnings[i])
	}
	return &c
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// sleep waits d, or until ctx ends (then it returns false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// browserPool is the one Chrome shared by the accounts without a profile
// folder. A browser that died is replaced on the next get.
type browserPool struct {
	start func(context.Context, automation.BrowserOptions) (*automation.Browser, error)
	opts  automation.BrowserOptions
	log   *slog.Logger

	mu       sync.Mutex
	cur      *automation.Browser
	curLost  bool // a run saw cur's process exit before its context ended
	starts   int
	restarts int
}

// get returns the running browser, starting one when there is none or the
// last one died.
func (p *browserPool) get(ctx context.Context) (*automation.Browser, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil && p.cur.Err() == nil && !p.curLost {
		return p.cur, nil
	}
	if p.cur != nil {
		// It died: clean up after it (its throw-away profile) and start
		// another.
		p.log.Warn("the browser stopped unexpectedly; starting a new one")
		p.cur.Close()
		p.cur, p.curLost = nil, false
		if ctx.Err() == nil {
			p.restarts++
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, &automation.Error{Kind: automation.KindInterrupted, Msg: "interrupted before the browser started", Err: err}
	}
	b, err := p.start(ctx, p.opts)
	if err != nil {
		return nil, err
	}
	p.starts++
	p.cur = b
	return p.cur, nil
}

// lost marks b dead: the next get starts another.
func (p *browserPool) lost(b *automation.Browser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == b {
		p.curLost = true
	}
}

// close stops the browser, if one runs.
func (p *browserPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		p.cur.Close()
		p.cur = nil
	}
}
