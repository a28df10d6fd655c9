package automation

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Disable signs in to one account and switches the chosen settings off,
// verifying them after a reload (and through the backend where the profile
// has a witness). Calls may run in parallel on one browser.
//
// The result is there whatever happened. The error is an *Error or, when
// the page no longer matches the selectors file, a *DriftError, wrapping
// the cause (errors.Is(err, context.Canceled) when ctx was cancelled); the
// result's Outcome, ErrorKind and Error agree.
func Disable(ctx context.Context, b *Browser, acct Account, cfg Config) (*Result, error) {
	return run(ctx, b, acct, cfg, modeDisable)
}

// Status signs in to one account and reads the setting, changing nothing.
// A setting found on is OutcomeNoncompliant and no error.
func Status(ctx context.Context, b *Browser, acct Account, cfg Config) (*Result, error) {
	return run(ctx, b, acct, cfg, modeStatus)
}

// mode is what a run does once it has the switch.
type mode int

const (
	modeDisable mode = iota
	modeStatus
	modeVerify
)

func run(ctx context.Context, b *Browser, acct Account, cfg Config, m mode) (*Result, error) {
	start := time.Now()
	res := &Result{Account: acct.Label(), Before: StateUnknown, After: StateUnknown, Action: ActionNone}
	finish := func(err error) (*Result, error) {
		res.DurationMS = ms(time.Since(start))
		if err != nil {
			res.ErrorKind = KindOf(err)
			res.Error = err.Error()
			res.Outcome = OutcomeFailed
			if res.ErrorKind.IsDrift() {
				res.Outcome = OutcomeDrift
			}
		}
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return finish(endedBefore(err))
	}
	if len(acct.Settings) > 0 {
		cfg.Settings = acct.Settings
	}
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return finish(err)
	}
	res.SelectorsVersion = cfg.Selectors.Version
	res.Warnings = b.Warnings()
	s := &session{start: start, cfg: cfg, opts: b.opts, acct: acct, net: newNetTracker(), world: newWorld(), console: &consoleLog{},
		log: cfg.Logger.With("account", acct.Label()), warnings: res.Warnings}
	if cfg.UI != "" {
		s.profile, _ = cfg.Selectors.Profile(cfg.UI)
	}
	if m == modeVerify {
		s.seen = map[string]observation{}
	}
	if err := s.loadState(); err != nil {
		return finish(err)
	}

	tabCtx, cancelTab, err := s.openTab(ctx, b, acct.ProfileDir == "")
	if err != nil {
		return finish(err)
	}
	defer cancelTab()
	res.Timings.Session = ms(time.Since(start))

	runCtx, cancel := s.runContext(ctx, tabCtx)
	defer cancel()
	err = s.do(runCtx, res, m != modeDisable)
	if s.signed && acct.StateFile != "" && runCtx.Err() == nil {
		// The session is saved whatever the rest of the run came to: it
		// got past the sign-in, so the session is good.
		if serr := s.saveState(runCtx, acct.StateFile); serr != nil {
			s.warn("the session state was not saved: " + serr.Error())
		}
	}
	if s.profile != nil {
		res.UI = s.profile.Name
		if m == modeVerify {
			res.Elements = verifyTable(s.profile, s.seen, err, s.signedByEndpoint, s.route)
		}
	}
	if m == modeVerify && err == nil {
		err = verifyError(res.Elements, cfg.Selectors, s.lastURL)
	}
	res.Timings.SecurityCheck = ms(s.check.total(time.Now()))
	res.Timings.OwnWait = ms(s.ownWait)
	res.Artifacts = append(res.Artifacts, s.artifacts...)
	res.Route = s.route
	res.Warnings = s.warnings
	if err != nil {
		s.log.Error("run failed", "kind", KindOf(err), "err", err)
		if cfg.ArtifactsDir != "" && tabCtx.Err() == nil {
			res.Artifacts = append(res.Artifacts, s.saveArtifacts(tabCtx, err)...)
		}
	}
	return finish(err)
}

// endedBefore is the error of a run whose context ended before it began.
func endedBefore(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Msg: "the caller's deadline passed before the run began", Err: err}
	}
	return &Error{Kind: KindInterrupted, Msg: "interrupted before the run began", Err: err}
}

// openTab opens the run's tab on b, in a browser context of its own when
// isolated (no cookie or storage shared with other accounts), else in the
// profile's default one. The tab closes when ctx is cancelled.
func (s *session) openTab(ctx context.Context, b *Browser, isolated bool) (context.Context, context.CancelFunc, error) {
	opts := []chromedp.ContextOption{chromedp.WithListener(s.net.listen), chromedp.WithListener(s.world.listen)}
	if isolated {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	tabCtx, cancelTab := chromedp.NewContext(b.ctx, opts...)
	// A cancelled caller closes the tab; a deadline is the run's own
	// (runContext), so that it ends as a timeout, not as an interrupt.
	stopWatch := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancelTab()
		}
	})
	closeTab := func() { stopWatch(); cancelTab() }
	fail := func(what string, err error) (context.Context, context.CancelFunc, error) {
		closeTab()
		return nil, nil, setupError(ctx, b, what, err)
	}
	consoleMsgs := chromedp.Console(tabCtx)
	if err := chromedp.Do(tabCtx); err != nil {
		return fail("opening a browser tab", err)
	}
	// chromedp enables the CSS domain on every tab: Chrome would track
	// every style sheet for a client that never asks.
	if _, err := chromedp.Call(tabCtx, css.Disable, cdp.Empty{}); err != nil {
		return fail("setting up the browser tab", err)
	}
	if err := b.agents.apply(tabCtx); err != nil {
		return fail("setting the browser's User-Agent", err)
	}
	go func() {
		for m, err := range consoleMsgs {
			if err != nil {
				return
			}
			s.console.add(fmt.Sprintf("%s %s %s", m.Time.Format(time.RFC3339Nano), m.Type, m.String()))
		}
	}()
	if s.opts.BlockResources {
		var patterns []*network.BlockPattern
		for _, ext := range blockedResources {
			patterns = append(patterns, &network.BlockPattern{URLPattern: "*://*:*/*." + ext, Block: true})
		}
		if _, err := chromedp.Call(tabCtx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
			return fail("blocking images and fonts", err)
		}
	}
	if tabCtx.Err() != nil || ctx.Err() != nil {
		return fail("setting up the browser tab", cmp.Or(ctx.Err(), tabCtx.Err()))
	}
	return tabCtx, closeTab, nil
}

// runContext bounds the run by the configured timeout, or by the caller's
// deadline when that comes first (waitError tells the two apart).
func (s *session) runContext(ctx, tabCtx context.Context) (context.Context, context.CancelFunc) {
	deadline := s.start.Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return context.WithDeadline(tabCtx, deadline)
}

// do is the run itself, phase by phase.
func (s *session) do(ctx context.Context, res *Result, readOnly bool) error {
	phase := time.Now()
	if err := s.setSessionCookie(ctx); err != nil {
		return err
	}
	script, err := s.applyState(ctx)
	if err != nil {
		return err
	}
	first := s.profiles()[0]
	app := first.URLs.App
	deep := deepLinkFirst(first, s.state != nil || s.acct.hasSavedSession(), s.cfg.Settings[0] == DataTraining, s.cfg.Route, s.seen != nil)
	if deep {
		// A saved session is most likely still good: the settings' URL
		// signs in and opens them in one page load.
		app = first.URLs.Settings
	}
	s.log.Info("opening the app", "url", s.url(app), "saved_state", s.state != nil)
	err = chromedp.Do(ctx, chromedp.Navigate(s.url(app)))
	dropStateScript(ctx, script)
	if err != nil {
		var le *chromedp.LoadError
		if errors.As(err, &le) {
			return &Error{Kind: KindBrowser, Msg: fmt.Sprintf("cannot load %s (%s): check the base URL and the network", s.url(app), le.ErrorText), Err: err, Fix: []Setting{SettingBaseURL}}
		}
		return s.actionError(ctx, "opening "+s.url(app), err)
	}
	if err := s.signedIn(ctx); err != nil {
		return err
	}
	// A session that had to sign in afresh lands on the app, not at the
	// settings URL; nor is a page of another UI profile at it.
	s.atSettings = deep && s.entered == 0 && s.profile == first
	res.Timings.Login = ms(time.Since(phase))
	s.log.Info("signed in", "ui", s.profile.Name)

	phase = time.Now()
	defer func() { res.Timings.Toggle = max(0, ms(time.Since(phase))-res.Timings.Navigation) }()
	var results []SettingResult
	var failed error // the first setting that failed on its own
	changed := map[DataSetting]bool{}
	// The settings left when one ended the run are reported as not read.
	stop := func(err error, at int) error {
		// A setting switched off but not yet read back from a fresh page
		// is not off: the run ended before it could say.
		for i := range results {
			if sr := &results[i]; sr.Outcome == "" {
				*sr = failSetting(*sr, err)
				sr.After = StateUnknown
				sr.Error = "switched off but not read back: the run ended before the check after a reload: " + sr.Error
				if sr.Name == DataTraining {
					res.After = StateUnknown
				}
			}
		}
		for j, d := range s.cfg.Settings[at:] {
			if slices.ContainsFunc(results, func(r SettingResult) bool { return r.Name == d }) {
				continue
			}
			sr := failSetting(SettingResult{Name: d, Labels: []string{}, Before: StateUnknown, After: StateUnknown, Action: ActionNone}, err)
			if sr.ErrorKind.IsDrift() {
				sr.Outcome = OutcomeDrift
			}
			if j > 0 {
				sr.Error = "not read: the run ended before it: " + sr.Error
			}
			results = append(results, sr)
		}
		res.Settings = results
		return err
	}
	for i, d := range s.cfg.Settings {
		sr, did, err := s.extra(ctx, res, d, readOnly)
		if err != nil {
			return stop(err, i)
		}
		results = append(results, sr)
		if did {
			changed[sr.Name] = true
		}
		if sr.Outcome == OutcomeFailed && failed == nil {
			failed = &Error{Kind: sr.ErrorKind, Msg: sr.Error}
		}
	}
	if len(changed) > 0 {
		// Read it back from a fresh page: only a state the site serves
		// again counts as off.
		s.log.Info("verifying after a reload")
		byURL, err := s.freshPage(ctx)
		if err != nil {
			return stop(err, 0)
		}
		for i := range results {
			sr := &results[i]
			if !changed[sr.Name] || sr.Outcome == OutcomeFailed {
				continue
			}
			err := s.verifyExtra(ctx, res, sr, byURL)
			byURL = false
			switch {
			case KindOf(err) == KindDidNotStick:
				*sr = failSetting(*sr, err)
				if failed == nil {
					failed = err
				}
			case err != nil:
				return stop(err, 0)
			default:
				sr.Outcome = OutcomeChanged
			}
		}
	}
	res.Settings = results
	res.Outcome = worstOutcome(results)
	res.Verified = res.Outcome == OutcomeCompliant || res.Outcome == OutcomeChanged
	return failed
}

// training reads model training's switch (path and setting of the
// selectors file) and, unless readOnly, switches it off where on. The
// account's top-level fields are training's.
func (s *session) training(ctx context.Context, res *Result, readOnly bool) (SettingResult, bool, error) {
	sr := SettingResult{Name: DataTraining, Labels: []string{}, Before: StateUnknown, After: StateUnknown, Action: ActionNone}
	phase := time.Now()
	s.closeOpened(ctx, s.profile.Path.RowOpener)
	byURL := s.atSettings
	s.atSettings = false
	sw, err := s.openSetting(ctx, byURL)
	var lockedRow *errLockedRow
	if errors.As(err, &lockedRow) {
		return s.trainingLockedRow(ctx, res, sr, lockedRow.row)
	}
	if err != nil {
		return sr, false, err
	}
	res.Timings.Navigation = ms(time.Since(phase))
	if err := s.checkMeaning(sw); err != nil {
		return sr, false, err
	}
	s.opened, s.lastSw, s.openedAt = s.profile.Path.RowOpener, pathSpec(s.profile), time.Now()
	if sw, err = s.loadedSwitch(ctx, "the switch", pathSpec(s.profile), sw, trainingSwitch); err != nil {
		return sr, false, err
	}
	res.Label = s.label
	sr.Labels = []string{s.label}
	res.Before = s.stateOf(sw)
	if res.Before == StateOff {
		if sw, res.Before, err = s.confirmOff(ctx, "the switch", pathSpec(s.profile), sw, trainingSwitch, s.profile.Setting.Witness); err != nil {
			if KindOf(err) == KindSiteError {
				return failSetting(sr, err), false, nil
			}
			return sr, false, err
		}
	}
	res.After = res.Before
	sr.Before, sr.After = res.Before, res.Before
	s.log.Info("read the setting", "label", res.Label, "state", res.Before)
	switch {
	case res.Before == StateUnknown:
		return sr, false, newDrift(KindSelectorDrift, stepSwitch, &s.profile.Path.Switch, sw, s.lastURL, "the switch's %s reads %s, which is neither the on value %q nor the off value %q of selectors file %s",
			s.profile.Setting.StateAttribute, attrText(sw), s.profile.Setting.OnValue, s.profile.Setting.OffValue, s.where())
	case res.Before == StateOff:
		sr.Outcome = OutcomeCompliant
		s.evidence(ctx, res, sw)
		return sr, false, nil
	case locked(sw, res.Before):
		return failSetting(sr, lockedError(DataTraining, sw)), false, nil
	case readOnly:
		sr.Outcome = OutcomeNoncompliant
		return sr, false, nil
	case s.cfg.DryRun:
		res.Action, sr.Action, sr.Outcome = ActionWouldTurnOff, ActionWouldTurnOff, OutcomeNoncompliant
		return sr, false, nil
	}
	attempts, off, err := s.turnOff(ctx, "the switch", pathSpec(s.profile), sw, trainingSwitch, func(ctx context.Context) (*match, error) {
		byURL, err := s.freshPage(ctx)
		if err != nil {
			return nil, err
		}
		return s.openSetting(ctx, byURL)
	})
	res.Attempts = attempts
	if err != nil {
		return sr, true, err
	}
	if !off {
		return failSetting(sr, newError(KindDidNotStick, "the switch was clicked %d times and still reads on: the site did not save the change; try again later", maxToggleAttempts)), true, nil
	}
	res.Action, sr.Action = ActionTurnedOff, ActionTurnedOff
	return sr, true, nil
}

// trainingLockedRow reports training's row shown disabled: the setting is
// controlled elsewhere and nothing is clicked. Its state is the backend's
// where the file names a witness: off there is off; otherwise it is locked.
func (s *session) trainingLockedRow(ctx context.Context, res *Result, sr SettingResult, row *match) (SettingResult, bool, error) {
	s.log.Info("the setting's row is disabled", "row", row.Name)
	off, ok, err := s.witness(ctx, s.profile.Setting.Witness)
	if err != nil {
		return sr, false, err
	}
	switch {
	case ok && off:
		res.Before, res.After, sr.Before, sr.After = StateOff, StateOff, StateOff, StateOff
		sr.Outcome = OutcomeCompliant
		return sr, false, nil
	case ok:
		res.Before, res.After, sr.Before, sr.After = StateOn, StateOn, StateOn, StateOn
	}
	msg := fmt.Sprintf("the %s setting's row %q is disabled and opens nothing: the setting is controlled elsewhere (a parent's account, a workspace); nothing was clicked", DataTraining, row.Name)
	if note := strings.TrimSpace(row.Context); note != "" {
		msg += fmt.Sprintf(". The page says: %q", note)
	}
	return failSetting(sr, &Error{Kind: KindSettingLocked, Msg: msg}), false, nil
}

// trainingSwitch finds training's switch in a reading of pathSpec.
func trainingSwitch(r *probeResult) *match {
	if m := r.el(stepSwitch); m.found() {
		return m
	}
	return nil
}

// verifyTraining reads training's switch back after the reload, and asks
// the backend witness.
func (s *session) verifyTraining(ctx context.Context, res *Result, sr *SettingResult, byURL bool) error {
	s.closeOpened(ctx, s.profile.Path.RowOpener)
	sw, err := s.openSetting(ctx, byURL)
	if err != nil {
		return err
	}
	s.opened, s.lastSw, s.openedAt = s.profile.Path.RowOpener, pathSpec(s.profile), time.Now()
	if sw, err = s.loadedSwitch(ctx, "the switch", pathSpec(s.profile), sw, trainingSwitch); err != nil {
		return err
	}
	if s.stateOf(sw) == StateOn {
		// A page may show a stale copy of the setting before its own: where
		// the backend already says off, it is given the settle cap to agree.
		if off, ok, err := s.witness(ctx, s.profile.Setting.Witness); err != nil {
			return err
		} else if ok && off {
			s.log.Info("the page reads the switch on after a reload but the backend reports it off: waiting for the page")
			if sw, _, err = s.until(ctx, "the switch to show its value", pathSpec(s.profile), sw, trainingSwitch, StateOff, settleCapFactor*s.cfg.Settle); err != nil {
				return err
			}
		}
	}
	res.After = s.stateOf(sw)
	sr.After = res.After
	if res.After != StateOff {
		return newError(KindDidNotStick, "the switch read off after the click but %s after a reload: the site did not keep the change", res.After)
	}
	off, ok, err := s.witness(ctx, s.profile.Setting.Witness)
	if err != nil {
		return err
	}
	if ok && !off {
		res.After, sr.After = StateUnknown, StateUnknown
		return newError(KindDidNotStick, "the page reads off after a reload but %s still reports the setting on: the change did not stick", s.profile.Setting.Witness.URL)
	}
	s.evidence(ctx, res, sw)
	return nil
}

// evidence takes the screenshot of Config.Evidence: a strip around the
// switch, wide enough for its label and nothing else of the page (no
// email, no name). A failed screenshot is a warning, never a failure.
func (s *session) evidence(ctx context.Context, res *Result, sw *match) {
	if !s.cfg.Evidence {
		return
	}
	const w, h = 560, 72
	clip := &page.Viewport{X: max(0, sw.X-w+40), Y: max(0, sw.Y-h/2), Width: w, Height: h, Scale: 1}
	// The nearest box around the switch that holds its whole label.
	label, _ := json.Marshal(s.label)
	key, _ := json.Marshal(sw.key)
	if box, err := evalIn[*struct{ X, Y, W, H float64 }](ctx, s.world, evidenceBoxJS+"("+string(key)+","+string(label)+")"); err == nil && box != nil {
		clip = &page.Viewport{X: box.X, Y: box.Y, Width: box.W, Height: box.H, Scale: 1}
	}
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, Clip: clip})
	if err != nil {
		s.warn("the evidence screenshot of the switch failed: " + err.Error())
		return
	}
	res.Evidence = shot.Data
}

// evidenceBoxJS measures the smallest box around a matched switch that
// also shows its label, padded and capped; null: not found.
const evidenceBoxJS = `((name, label) => {
  const el = (window.__optoutMatched || {})[name];
  if (!el || !el.isConnected || !label) return null;
  const want = label.toLowerCase();
  let box = null;
  for (let a = el, n = 0; a && a !== document.body && n < 10; a = a.parentElement, n++) {
    if ((a.innerText || "").toLowerCase().includes(want)) { box = a; break; }
  }
  if (!box) return null;
  const r = box.getBoundingClientRect(), s = el.getBoundingClientRect();
  const pad = 8;
  let x = Math.max(0, Math.min(r.left, s.left) - pad), y = Math.max(0, Math.min(r.top, s.top) - pad);
  let right = Math.max(r.right, s.right) + pad, bottom = Math.max(r.bottom, s.bottom) + pad;
  const w = Math.min(right - x, 1000), h = Math.min(bottom - y, 320);
  if (w < 8 || h < 8) return null;
  return {x, y, w, h};
})`

// signedIn signs in, and keeps the session in a kept profile.
func (s *session) signedIn(ctx context.Context) error {
	if err := s.signIn(ctx); err != nil {
		return err
	}
	s.signed = true
	if s.acct.ProfileDir == "" {
		return nil
	}
	return s.keepSession(ctx)
}

// setupError is a failure while a tab is set up. An interrupt cancels the
// caller's context (and the browser's, on the command line) and fails the
// DevTools call: an interrupt, never a browser error.
func setupError(ctx context.Context, b *Browser, what string, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// A deadline of the caller's that passes before the run's own
		// begins (a loaded machine sets a tab up slowly) is a timeout.
		return &Error{Kind: KindTimeout, Msg: "the caller's deadline passed while " + what, Err: ctx.Err()}
	case ctx.Err() != nil:
		return &Error{Kind: KindInterrupted, Msg: "interrupted while " + what, Err: ctx.Err()}
	case b.ctx.Err() != nil:
		return &Error{Kind: KindBrowser, Msg: "the browser stopped while " + what + " (it crashed or was killed)", Err: b.ctx.Err()}
	case errors.Is(err, context.Canceled):
		return &Error{Kind: KindInterrupted, Msg: "interrupted while " + what, Err: err}
	}
	return &Error{Kind: KindBrowser, Msg: what + " failed: " + err.Error(), Err: err}
}

// freshPage reloads the page from the site (reload) and signs in again
// where the session was lost on the way; byURL says the settings' URL was
// reloaded. Nothing of the page before is open any more.
func (s *session) freshPage(ctx context.Context) (byURL bool, err error) {
	byURL, err = s.reload(ctx)
	if err != nil {
		return false, err
	}
	entered := s.entered
	if err := s.signedIn(ctx); err != nil {
		return false, err
	}
	s.opened = nil
	// A session lost on the way signs in afresh and lands on the app, not
	// at the settings URL.
	return byURL && s.entered == entered, nil
}

// reload loads the page afresh from the site, at the settings URL when the
// profile has one, and reports whether it did. The URL is put in place with
// history.replaceState: navigating to it would only change the fragment.
func (s *session) reload(ctx context.Context) (bool, error) {
	byURL := false
	if path := s.profile.URLs.Settings; path != "" && s.cfg.Route != RouteMenu {
		u, _ := json.Marshal(s.url(path))
		js := `(() => { try { history.replaceState(history.state, "", ` + string(u) + `); return location.href === ` + string(u) + `; } catch (e) { return false; } })()`
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		byURL = err == nil && ok
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		return false, s.actionError(ctx, "reloading the page", err)
	}
	return byURL, nil
}

func attrText(m *match) string {
	if m.Attr == nil {
		return "nothing (the attribute is missing)"
	}
	return fmt.Sprintf("%q", *m.Attr)
}

// setSessionCookie puts an existing session token in the browser before the
// first navigation, split into .0/.1 parts when long, as the site does.
func (s *session) setSessionCookie(ctx context.Context) error {
	tok := s.acct.SessionToken
	if tok == "" {
		return nil
	}
	p := s.profiles()[0]
	if p.SessionCookie == "" {
		return configError([]Setting{SettingSelectors}, "selectors profile %s has no session_cookie, so a session token cannot be used", p.Name)
	}
	parts := cookieChunks(p.SessionCookie, tok)
	// Session-only: a token the site rejects must not outlive the run in a
	// kept profile. One it accepts is kept by keepSession.
	for name, value := range parts {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: name, Value: value, URL: s.url("/"), Path: "/",
			HTTPOnly: new(true), Secure: new(true), SameSite: network.CookieSameSiteLax,
		})
		if err != nil {
			return &Error{Kind: KindBrowser, Msg: "setting the session cookie failed: " + redact(err.Error(), s.acct.secrets())}
		}
	}
	return nil
}

// cookieChunk is the longest value of one session cookie.
const cookieChunk = 3800

// cookieChunks splits a session token as next-auth does: one cookie NAME
// when it fits, else chunks NAME.0, NAME.1, … of at most cookieChunk
// characters each, as many as it takes.
func cookieChunks(name, tok string) map[string]string {
	if len(tok) <= cookieChunk {
		return map[string]string{name: tok}
	}
	parts := map[string]string{}
	for i := 0; i*cookieChunk < len(tok); i++ {
		parts[fmt.Sprintf("%s.%d", name, i)] = tok[i*cookieChunk : min(len(tok), (i+1)*cookieChunk)]
	}
	return parts
}

// blockedResources are the file types a run never needs.
var blockedResources = []string{"png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "woff", "woff2", "ttf", "otf", "mp4", "webm", "mp3", "wav"}
