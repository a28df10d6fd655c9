package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// Element names in a sign-in probe, per profile.
const (
	elEntry          = "entry"
	elEmail          = "email"
	elEmailSubmit    = "email_submit"
	elPassword       = "password"
	elPasswordSubmit = "password_submit"
	elMFACode        = "mfa_code"
	elMFASubmit      = "mfa_submit"
	elSignedIn       = "signed_in"
	elSkip           = "skip"
	elWayOut         = "password_way_out"
	elChooser        = "account_chooser"
	elDetect         = "detect"
	elTryAgain       = "try_again"
	elOneTimeCode    = "one_time_code"
)

// view is one profile's part of a probe that looked for several profiles.
type view struct {
	p      *selectors.Profile
	r      *probeResult
	prefix string
	spec   probeSpec
}

func (v view) el(name string) *match    { return v.r.el(v.prefix + name) }
func (v view) marker(name string) bool  { return v.r.Markers[v.prefix+name] }
func (v view) text(name string) string  { return v.r.Texts[v.prefix+name] }
func (v view) has(name string) bool     { return v.el(name).found() }
func (v view) primary(name string) bool { m := v.el(name); return m.found() && m.Candidate == 0 }

// prefill says where the page holds what probeSpec.Prefilled asked of name.
func (v view) prefill(name string) string { return v.r.Prefilled[v.prefix+name] }

// sure is has, with a role match confirmed by the accessibility tree, for
// what the sign-in acts on: role fallbacks such as a "Continue" button
// match where their field is absent.
func (v view) sure(ctx context.Context, name string) bool {
	return confirm(ctx, v.spec.Elements[v.prefix+name], v.el(name))
}

// present is sure for an element that only proves something: the proof of
// sign-in stands under a modal dialog, which hides the page from the
// accessibility tree without signing anybody out.
func (v view) present(ctx context.Context, name string) bool {
	if m := v.el(name); m.found() && m.AriaHidden {
		return true
	}
	return v.sure(ctx, name)
}

// profiles returns the UI profiles a run may be looking at.
func (s *session) profiles() []*selectors.Profile {
	if s.profile != nil {
		return []*selectors.Profile{s.profile}
	}
	var ps []*selectors.Profile
	for i := range s.cfg.Selectors.Profiles {
		ps = append(ps, &s.cfg.Selectors.Profiles[i])
	}
	return ps
}

// signInSpec builds one probe for the sign-in pages of every candidate
// profile. email ("" when unknown) is what an account chooser's row holds.
func signInSpec(ps []*selectors.Profile, email string) probeSpec {
	spec := probeSpec{Markers: map[string]selectors.Markers{}, Texts: map[string][]string{}}
	for i, p := range ps {
		px := fmt.Sprintf("p%d.", i)
		l, c := &p.Login, &p.Challenges
		for name, el := range map[string]*selectors.Element{
			elEntry: &l.Entry, elEmail: &l.Email, elEmailSubmit: &l.EmailSubmit, elPassword: &l.Password,
			elPasswordSubmit: &l.PasswordSubmit, elMFACode: l.MFACode, elMFASubmit: l.MFASubmit, elSignedIn: &p.SignedIn,
			elSkip: l.Skip, elWayOut: l.PasswordWayOut, elChooser: l.AccountChooser, elTryAgain: l.TryAgain,
			elOneTimeCode: l.OneTimeCode, elDetect: {Candidates: p.Detect},
		} {
			spec.add(px+name, el, "")
		}
		if e, ok := spec.Elements[px+elChooser]; ok {
			e.Holding = email
			spec.Elements[px+elChooser] = e
		}
		// A "Welcome back" page may hold the account's email already, in a
		// hidden field or as text, with nothing to type (prefilledEmail).
		if css := fieldCSS(&l.Email); email != "" && len(css) > 0 {
			if spec.Prefilled == nil {
				spec.Prefilled = map[string]prefillSpec{}
			}
			spec.Prefilled[px+elEmail] = prefillSpec{CSS: css, Value: email}
		}
		for j := range p.Dialogs {
			spec.add(px+dialogKey(j), &p.Dialogs[j].Dismiss, "")
		}
		// The security check is the guard's (see session.guard).
		for name, m := range map[string]*selectors.Markers{
			string(KindSiteError): c.SiteError, string(KindRateLimited): c.RateLimited,
			string(KindEmailVerification): c.EmailVerification, "push_verification": c.PushVerification,
		} {
			if m != nil {
				spec.Markers[px+name] = *m
			}
		}
		for j, st := range c.AccountAction {
			spec.Markers[px+personKey(j)] = st.Markers
		}
		spec.Texts[px+"password_error"] = l.PasswordError
		spec.Texts[px+"mfa_error"] = l.MFAError
	}
	return spec
}

func personKey(i int) string { return fmt.Sprintf("person.%d", i) }

// fieldCSS is the CSS of an element's css and testid candidates: what can
// find it hidden too (a role or text needs it drawn).
func fieldCSS(el *selectors.Element) []string {
	var out []string
	for _, c := range el.Candidates {
		switch {
		case c.CSS != "":
			out = append(out, c.CSS)
		case c.TestID != "":
			out = append(out, `[data-testid="`+c.TestID+`"]`)
		}
	}
	return out
}

// pick chooses the profile whose page this is: a detect match wins, then
// the most primary-candidate matches, then file order.
func pick(r *probeResult, spec probeSpec, ps []*selectors.Profile) view {
	var best view
	bestScore := -1
	for i, p := range ps {
		v := view{p: p, r: r, prefix: fmt.Sprintf("p%d.", i), spec: spec}
		score := 0
		if v.el(elDetect).found() {
			score += 100
		}
		for _, n := range []string{elEntry, elEmail, elEmailSubmit, elPassword, elPasswordSubmit, elMFACode, elSignedIn} {
			if v.primary(n) {
				score += 2
			} else if v.has(n) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = v, score
		}
	}
	return best
}

// signIn brings the tab from wherever it is to the signed-in app: it reads
// the page, does the one thing it asks for (decideSignIn), and reads again,
// so it follows whichever way the site goes without assuming one.
func (s *session) signIn(ctx context.Context) error {
	ps := s.profiles()
	spec := signInSpec(ps, s.acct.Email)
	c := credentials{
		email: s.acct.Email != "", password: s.acct.Password != "", totp: s.acct.TOTPSecret != "", mailbox: s.acct.Mailbox != nil,
		savedSession: s.acct.hasSavedSession() || s.state != nil, headed: s.opts.Headed,
	}
	done := newSignInDone()
	waitingSaid := false
	page := ""
	return s.await(ctx, "the sign-in to finish", s.readerOf(look, spec), func(ctx context.Context, g glance) (reading, error) {
		// The counts start again on each page (a refused password comes
		// back to the same one).
		if p := pagePath(g.r.URL); p != page {
			page, done = p, newSignInDone()
		}
		v := pick(g.r, spec, ps)
		if s.seen != nil { // verify reports every element it saw, so each must be sure
			confirmRoles(ctx, spec, g.r, v.prefix)
		}
		s.observeSignIn(v)
		seen := s.readSignIn(ctx, v, g.settled(), g.settledFor(s.cfg.Settle/4))
		done.siteRetries = s.siteRetries
		mv := decideSignIn(seen, c, done)
		switch mv.act {
		case signInOver:
			if s.profile == nil {
				s.profile = v.p
			}
			s.signedByEndpoint = !seen.signedIn
			return finished, nil
		case signInFail:
			return finished, mv.err
		case signInDrift:
			return finished, s.signInDrift(v)
		case signInWait:
			if seen.challenge != "" && c.headed && !waitingSaid {
				s.log.Warn("a check needs a person: clear it in the browser window", "check", seen.challenge)
				waitingSaid = true
			}
			return keepWaiting, nil
		case signInType:
			done.typed[mv.form]++
			return didAct, s.typeForm(ctx, v, mv.form)
		case signInSubmit:
			done.submitted[mv.form]++
			if seen.prefilled {
				s.log.Info("the page already holds the email: continuing with it", "email", s.acct.Email, "held", v.prefill(elEmail))
			}
			return didAct, s.submitForm(ctx, v, mv.form)
		case signInCloseDialog:
			return s.closeUnknownDialog(ctx, seen.unknown, g.settled(), g.r.URL)
		case signInRestart:
			s.siteRetries++
			app := s.profiles()[0].URLs.App
			s.log.Info("the site showed its error page: signing in again", "retry", s.siteRetries, "url", s.url(app))
			return didAct, s.actionError(ctx, "opening "+s.url(app), chromedp.Do(ctx, chromedp.Navigate(s.url(app))))
		case signInPress:
			if mv.target == elTryAgain {
				s.siteRetries++
				s.log.Info("the site showed its error page: pressing Try again", "retry", s.siteRetries)
			}
			done.pressed[mv.target]++
			m := v.el(mv.target)
			s.log.Info("pressing", "element", mv.target, "on", m.Desc)
			return didAct, s.actionError(ctx, "clicking "+mv.target, pressMatch(ctx, s.world, m))
		}
		return keepWaiting, nil
	})
}

// pagePath is a URL without its query and fragment: one page of the sign-in.
func pagePath(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// formElements are the field and submit elements of each form.
var formElements = map[form][2]string{
	formEntry:     {elEntry, ""},
	formEmail:     {elEmail, elEmailSubmit},
	formPassword:  {elPassword, elPasswordSubmit},
	formMFA:       {elMFACode, elMFASubmit},
	formEmailCode: {elMFACode, elMFASubmit},
}

// readSignIn turns one reading into what decideSignIn needs. Elements are
// confirmed (sure) in the order the decision tries them, and no further:
// each is a round trip to the accessibility tree.
func (s *session) readSignIn(ctx context.Context, v view, settled, dialogSettled bool) signInSeen {
	seen := signInSeen{settled: settled, dialogSettled: dialogSettled, passwordError: v.text("password_error"), mfaError: v.text("mfa_error")}
	for _, k := range []string{string(KindEmailVerification), "push_verification"} {
		if v.marker(k) {
			seen.challenge = k
			break
		}
	}
	// Only signed_in proves a signed-in page: the profile trigger that
	// detect knows also shows, as a placeholder, on the signed-out page.
	if v.present(ctx, elSignedIn) {
		seen.signedIn = true
		return seen
	}
	// Pages that end the sign-in whatever else they show: a refusal of
	// further attempts, and pages only the account's owner can answer.
	if v.marker(string(KindRateLimited)) {
		seen.rateLimited = true
		return seen
	}
	if v.r.Ready != "loading" {
		for i := range v.p.Challenges.AccountAction {
			if v.marker(personKey(i)) {
				seen.person = &v.p.Challenges.AccountAction[i]
				return seen
			}
		}
	}
	usable := func(name string) bool { m := v.el(name); return m.found() && !m.Covered && v.sure(ctx, name) }
	// The site's transient error page: an error text and no field to fill
	// (a form's own error, "Something went wrong" under a refused
	// Turnstile token, keeps its fields).
	if v.marker(string(KindSiteError)) && !usable(elEmail) && !usable(elPassword) && !usable(elMFACode) {
		seen.siteError = true
		seen.tryAgain = usable(elTryAgain)
		seen.siteText = v.r.Title
		return seen
	}
	if usable(elChooser) {
		seen.chooser = true
		email := strings.ToLower(s.acct.Email)
		seen.chooserHolds = email == "" || strings.Contains(strings.ToLower(v.el(elChooser).Text), email)
		return seen
	}
	// The way from an emailed code to the password is for an account
	// with a password; one with only a mailbox reads the code.
	if seen.challenge == string(KindEmailVerification) && s.acct.Password != "" && usable(elWayOut) {
		seen.wayOut = elWayOut
		return seen
	}
	for i := range v.p.Dialogs {
		if usable(dialogKey(i)) {
			seen.dialog = dialogKey(i)
			return seen
		}
	}
	if usable(elSkip) {
		seen.skip = elSkip
		return seen
	}
	for _, f := range []form{formMFA, formPassword, formEmail, formEntry} {
		els := formElements[f]
		if m := v.el(els[0]); m.found() && m.Covered {
			seen.blocked = true
		}
		if !usable(els[0]) {
			// "Welcome back" may show the email only as text, keeping it
			// in a hidden field, with just its Continue: the email form,
			// filled. Nothing is ever typed into a hidden field.
			if f != formEmail || !prefilledEmail(v.prefill(elEmail), v.has(elEmail), usable(els[1])) {
				continue
			}
			seen.prefilled = true
		}
		seen.form = f
		if f == formMFA && seen.challenge == string(KindEmailVerification) {
			seen.form = formEmailCode
		}
		seen.filled = seen.prefilled || v.el(els[0]).Filled
		if els[1] != "" && v.sure(ctx, els[1]) {
			seen.submit = submitReady
			if v.el(els[1]).Disabled {
				seen.submit = submitDisabled
			}
		}
		if f == formPassword && usable(elOneTimeCode) {
			seen.oneTimeCode = true
		}
		break
	}
	if seen.form == formNone && seen.challenge == "" {
		seen.sessionLive = s.sessionSignedIn(ctx, v, settled)
	}
	if seen.form == formNone && !seen.sessionLive {
		seen.unknown = topUnknown(v.r)
	}
	return seen
}

// The session endpoint is asked at most once per sessionAskEvery (the page
// is read several times a second), each question within sessionAskTimeout.
const (
	sessionAskEvery   = time.Second
	sessionAskTimeout = 3 * time.Second
)

// sessionJS asks the session endpoint, from the page, whether the session
// holds an access token. Only a yes or a no comes back, never the token.
const sessionJS = `(async (url, field, timeoutMs) => {
  const dig = ` + digJS + `;
  try {
    const r = await fetch(url, {credentials: "include", cache: "no-store", signal: AbortSignal.timeout(timeoutMs)});
    if (!r.ok) return false;
    const v = dig(await r.json(), field);
    return typeof v === "string" ? v.length > 0 : !!v;
  } catch (e) {
    return false;
  }
})`

// sessionSignedIn reports whether the app's session endpoint answers an
// access token: the proof of sign-in on an app page (detect) with no
// signed_in and no way to sign in (a collapsed sidebar, a dialog hiding the
// links). It asks on a settled page only (the account chooser over a valid
// session renders late), and reuses its last answer in between.
func (s *session) sessionSignedIn(ctx context.Context, v view, settled bool) bool {
	p := v.p
	if !settled || p.URLs.Session == "" || p.SessionTokenField == "" || !v.has(elDetect) || v.has(elEntry) || !sameOrigin(v.r.URL, s.cfg.BaseURL) {
		return false
	}
	if !s.sessionAsked.IsZero() && time.Since(s.sessionAsked) < sessionAskEvery {
		return s.sessionLive
	}
	s.sessionAsked = time.Now()
	args, _ := json.Marshal([]any{s.url(p.URLs.Session), p.SessionTokenField, sessionAskTimeout.Milliseconds()})
	live, err := evalIn[bool](ctx, s.world, sessionJS+"(..."+string(args)+")")
	s.sessionLive = err == nil && live
	if s.sessionLive {
		s.log.Debug("signed in, by the session endpoint", "url", p.URLs.Session)
	}
	return s.sessionLive
}

// observeSignIn records the sign-in elements a verify run saw.
func (s *session) observeSignIn(v view) {
	s.observe(elSignedIn, v.el(elSignedIn))
	for _, n := range []string{elEntry, elSkip, elWayOut, elChooser} {
		s.observe("login."+n, v.el(n))
	}
	for field, submit := range map[string]string{elEmail: elEmailSubmit, elPassword: elPasswordSubmit, elMFACode: elMFASubmit} {
		if v.has(field) {
			s.observe("login."+field, v.el(field))
			s.observe("login."+submit, v.el(submit))
		}
	}
}

// typeForm types the account's value into a form's field. The value
// travels only over the DevTools connection; it is never logged.
func (s *session) typeForm(ctx context.Context, v view, f form) error {
	var value string
	switch f {
	case formEmail:
		s.log.Info("entering the email", "email", s.acct.Email)
		value = s.acct.Email
	case formPassword:
		s.log.Info("entering the password")
		value = s.acct.Password
	case formMFA:
		code, err := totpCode(s.acct.TOTPSecret, time.Now())
		if err != nil {
			return &Error{Kind: KindMFAFailed, Msg: fmt.Sprintf("the TOTP secret cannot make a code (%v): it must be the base32 secret of the authenticator", err), Err: err, Fix: []Setting{SettingTOTPSecret}}
		}
		s.log.Info("entering the one-time code")
		value = code
	case formEmailCode:
		since := s.submittedAt
		if since.IsZero() {
			since = time.Now().Add(-mailbox.Wait)
		}
		s.log.Info("reading the emailed code from the mailbox")
		code, uid, err := s.acct.Mailbox.CodeSince(ctx, since, s.codeUID, codePattern(v.p))
		if err != nil {
			if ctx.Err() != nil {
				return s.endedError(ctx, "waiting for the code email")
			}
			if errors.Is(err, mailbox.ErrRefused) {
				return &Error{Kind: KindConfig, Msg: fmt.Sprintf("the site sent a code by email and %v", err), Err: err}
			}
			return newError(KindEmailVerification, "the site sent a code by email and it could not be read from the mailbox: %v", err)
		}
		s.log.Info("entering the emailed code")
		s.codeUID = uid // a code refused later makes the next try wait for a newer email
		value = code
	}
	field := formElements[f][0]
	return s.actionError(ctx, "typing into "+field, typeInto(ctx, s.world, v.el(field), value))
}

// submitForm submits a form with its submit element, or the Enter key
// without one; for the log-in button, it presses it.
func (s *session) submitForm(ctx context.Context, v view, f form) error {
	if f == formEntry {
		s.log.Info("opening the sign-in", "url", v.r.URL)
		return s.actionError(ctx, "clicking the log-in button", pressMatch(ctx, s.world, v.el(elEntry)))
	}
	s.entered++
	s.submittedAt = time.Now()
	els := formElements[f]
	if v.sure(ctx, els[1]) {
		return s.actionError(ctx, "clicking "+els[1], pressMatch(ctx, s.world, v.el(els[1])))
	}
	if err := pressMatch(ctx, s.world, v.el(els[0])); err != nil { // focus the field for the Enter key
		return s.actionError(ctx, "focusing "+els[0], err)
	}
	return s.actionError(ctx, "submitting "+els[0], chromedp.Do(ctx, chromedp.KeyEvent("\r")))
}

func challengeError(kind string) error {
	switch kind {
	case string(KindHumanVerification):
		return newError(KindHumanVerification, "the site shows a human-verification check (bot wall) that a headless browser cannot pass: sign in once as a person in a profile folder and reuse the profile, or run a visible browser (on a server: under xvfb-run)").fix(SettingProfileDir, SettingHeaded)
	case string(KindEmailVerification):
		return newError(KindEmailVerification, "the site sent a code by email to confirm the sign-in: give the account a mailbox that receives the codes, sign in once as a person in a profile folder and reuse the profile, or run a visible browser and type the code").fix(SettingMailbox, SettingProfileDir, SettingHeaded)
	default:
		return newError(KindMFARequired, "the site asks to approve the sign-in on a phone: sign in once as a person in a profile folder and reuse the profile, or run a visible browser").fix(SettingProfileDir, SettingHeaded)
	}
}

func (s *session) signInDrift(v view) error {
	l := v.p.Login
	profiles := v.p.Name
	if s.cfg.UI == "" {
		profiles = "any of " + strings.Join(s.cfg.Selectors.ProfileNames(), ", ")
	}
	// A way to sign in that is on the page but under something: the page
	// is known, what covers it is not.
	for _, c := range []struct {
		name string
		el   *selectors.Element
	}{{elEntry, &l.Entry}, {elEmail, &l.Email}, {elPassword, &l.Password}} {
		if m := v.el(c.name); m.found() && m.Covered {
			return newDrift(KindSelectorDrift, "login."+c.name, c.el, m, v.r.URL, "login.%s (%s) is on the page at %s but covered by %s, which selectors file %s (version %s) does not know how to get out of the way: add it to dialogs, or to obstacles if it is a third party's box over the page that is no dialog. Looked for login.%s: %s",
				c.name, m.Desc, v.r.URL, m.Cover, s.cfg.Selectors.Source, s.cfg.Selectors.Version, c.name, describeCandidates(c.el, m))
		}
	}
	return newDrift(KindSelectorDrift, elSignedIn, &v.p.SignedIn, v.el(elSignedIn), v.r.URL, "unknown UI: the page at %s (title %q) matches nothing that selectors file %s (version %s, profile %s) knows for signing in or for the signed-in app; the UI may have changed: verify the selectors file against the page and see the drift artifacts. Looked for login.entry: %s; login.email: %s; signed_in: %s",
		v.r.URL, v.r.Title, s.cfg.Selectors.Source, s.cfg.Selectors.Version, profiles,
		describeCandidates(&l.Entry, v.el(elEntry)), describeCandidates(&l.Email, v.el(elEmail)), describeCandidates(&v.p.SignedIn, v.el(elSignedIn)))
}

// actionError is the error of an action that failed; nil when err is.
func (s *session) actionError(ctx context.Context, what string, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return s.endedError(ctx, what)
	}
	return &Error{Kind: KindBrowser, Msg: what + " failed: " + err.Error(), Err: err}
}

// endedError is the error of an action cut short by the run's deadline or
// an interrupt.
func (s *session) endedError(ctx context.Context, doing string) error {
	if ctx.Err() == context.DeadlineExceeded {
		return &Error{Kind: KindTimeout, Msg: s.timedOut() + " while " + doing, Err: ctx.Err()}
	}
	return &Error{Kind: KindInterrupted, Msg: "interrupted while " + doing, Err: ctx.Err()}
}

// Login opens the app in b's default browser context and waits, within
// cfg.Timeout, until a person has signed in. Launch b with a ProfileDir and
// Headed: the profile keeps the session for later headless runs. It returns
// the signed-in UI profile.
func Login(ctx context.Context, b *Browser, cfg Config) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", endedBefore(err)
	}
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return "", err
	}
	if cfg.SaveStateFile != "" && cfg.StateKey == "" && !cfg.StatePlaintext {
		return "", plaintextRefused(cfg.SaveStateFile)
	}
	s := &session{start: time.Now(), cfg: cfg, opts: b.opts, net: newNetTracker(), world: newWorld(), console: &consoleLog{}, log: cfg.Logger}
	if cfg.UI != "" {
		s.profile, _ = cfg.Selectors.Profile(cfg.UI)
	}
	tabCtx, cancel, err := s.openTab(ctx, b, false)
	if err != nil {
		return "", err
	}
	defer cancel()
	ctx, cancelWait := s.runContext(ctx, tabCtx)
	defer cancelWait()
	app := s.profiles()[0].URLs.App
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(app))); err != nil {
		return "", s.actionError(ctx, "opening "+s.url(app), err)
	}
	s.log.Warn("sign in in the browser window; this waits until the app shows you signed in", "timeout", cfg.Timeout)
	ps := s.profiles()
	spec := signInSpec(ps, "")
	// The window is the person's: Google One Tap is theirs to use or close,
	// so no obstacle is hidden from them.
	guarded := s.guard(spec)
	guarded.Obstacles = nil
	read := func(ctx context.Context, wait bool) (*probeResult, error) { return look(ctx, s.world, guarded, wait) }
	var name string
	err = s.await(ctx, "a person to sign in", read, func(ctx context.Context, g glance) (reading, error) {
		if v := pick(g.r, spec, ps); v.present(ctx, elSignedIn) || s.sessionSignedIn(ctx, v, g.settled()) {
			name = v.p.Name
			return finished, nil
		}
		return keepWaiting, nil
	})
	if err != nil {
		return "", err
	}
	if err := s.keepSession(ctx); err != nil {
		return "", err
	}
	if cfg.SaveStateFile != "" {
		if err := s.saveState(ctx, cfg.SaveStateFile); err != nil {
			return "", err
		}
	}
	return name, nil
}

// codePattern is challenges.email_verification.code_pattern (checked when
// the file was loaded), or mailbox.DefaultCodePattern.
func codePattern(m *selectors.Profile) *regexp.Regexp {
	if m != nil && m.Challenges.EmailVerification != nil && m.Challenges.EmailVerification.CodePattern != "" {
		if re, err := regexp.Compile(m.Challenges.EmailVerification.CodePattern); err == nil {
			return re
		}
	}
	return mailbox.DefaultCodePattern
}
