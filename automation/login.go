package automation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

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
	elDetect         = "detect"
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

// sure is has, with a role match confirmed by the accessibility tree. The
// sign-in asks it only of what it acts on: a sign-in probe covers every
// profile, and role fallbacks such as a "Continue" button match on pages
// where their field is absent.
func (v view) sure(ctx context.Context, name string) bool {
	return confirm(ctx, v.spec.Elements[v.prefix+name], v.el(name))
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

// signInSpec builds one probe for the sign-in pages of every candidate profile.
func signInSpec(ps []*selectors.Profile) probeSpec {
	var spec probeSpec
	spec.Markers = map[string]selectors.Markers{}
	spec.Texts = map[string][]string{}
	for i, p := range ps {
		px := fmt.Sprintf("p%d.", i)
		l := &p.Login
		spec.add(px+elEntry, &l.Entry, "")
		spec.add(px+elEmail, &l.Email, "")
		spec.add(px+elEmailSubmit, &l.EmailSubmit, "")
		spec.add(px+elPassword, &l.Password, "")
		spec.add(px+elPasswordSubmit, &l.PasswordSubmit, "")
		spec.add(px+elMFACode, l.MFACode, "")
		spec.add(px+elMFASubmit, l.MFASubmit, "")
		spec.add(px+elSignedIn, &p.Path.ProfileMenu, "")
		spec.add(px+elDetect, &selectors.Element{Candidates: p.Detect}, "")
		if m := p.Challenges.HumanVerification; m != nil {
			spec.Markers[px+string(KindHumanVerification)] = *m
		}
		if m := p.Challenges.EmailVerification; m != nil {
			spec.Markers[px+string(KindEmailVerification)] = *m
		}
		if m := p.Challenges.PushVerification; m != nil {
			spec.Markers[px+"push_verification"] = *m
		}
		spec.Texts[px+"password_error"] = l.PasswordError
		spec.Texts[px+"mfa_error"] = l.MFAError
	}
	return spec
}

// pick chooses the profile whose page this is: a detect match wins, then
// the most primary-candidate matches, then file order.
func pick(r *probeResult, spec probeSpec, ps []*selectors.Profile) view {
	best, bestScore := 0, -1
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
			best, bestScore = i, score
		}
	}
	return view{p: ps[best], r: r, prefix: fmt.Sprintf("p%d.", best), spec: spec}
}

// signIn brings the tab from wherever it is to the signed-in app. It reads
// the page, does the one thing that page asks for, and reads again, so it
// follows whichever way the site goes (a login dialog or a redirect to the
// auth origin) without assuming one.
func (s *session) signIn(ctx context.Context) error {
	ps := s.profiles()
	spec := signInSpec(ps)
	var (
		entryAt, emailAt, passwordAt, mfaAt time.Time
		waitingSaid                         bool
	)
	for first := true; ; first = false {
		r, err := look(ctx, spec, !first)
		if err != nil {
			if ctx.Err() != nil {
				return s.waitError(ctx, "the sign-in to finish")
			}
			if transient(err) {
				if err := sleep(ctx, pollInterval); err != nil {
					return s.waitError(ctx, "the sign-in to finish")
				}
				continue
			}
			return &Error{Kind: KindBrowser, Msg: "reading the sign-in page failed: " + err.Error(), Err: err}
		}
		v := pick(r, spec, ps)
		if s.seen != nil { // verify reports every element it saw, so each must be sure
			confirmRoles(ctx, spec, r, v.prefix)
		}
		s.observe("login."+elEntry, v.el(elEntry))
		for field, submit := range map[string]string{elEmail: elEmailSubmit, elPassword: elPasswordSubmit, elMFACode: elMFASubmit} {
			if v.has(field) {
				s.observe("login."+field, v.el(field))
				s.observe("login."+submit, v.el(submit))
			}
		}
		challenge := ""
		for _, k := range []string{string(KindHumanVerification), string(KindEmailVerification), "push_verification"} {
			if v.marker(k) {
				challenge = k
				break
			}
		}
		switch {
		case v.sure(ctx, elSignedIn) || v.sure(ctx, elDetect):
			if s.profile == nil {
				s.profile = v.p
			}
			return nil

		case challenge != "":
			if s.cfg.Headed {
				if !waitingSaid {
					s.log.Warn("a check needs a person: clear it in the browser window", "check", challenge)
					waitingSaid = true
				}
				break
			}
			return challengeError(challenge)

		case v.sure(ctx, elMFACode):
			if !mfaAt.IsZero() && v.text("mfa_error") != "" {
				return newError(KindMFAFailed, "the one-time code was refused (%q): check that CHATGPT_TOTP_SECRET is the secret of this account's authenticator and that this machine's clock is right", v.text("mfa_error"))
			}
			if s.acct.TOTPSecret == "" {
				if s.cfg.Headed {
					break
				}
				return newError(KindMFARequired, "the account asks for a one-time code: set CHATGPT_TOTP_SECRET to its authenticator secret (base32), or sign in once with `chatgpt-optout login --profile-dir DIR` and reuse the profile")
			}
			if !mfaAt.IsZero() {
				break // submitted; waiting for the answer
			}
			code, err := totp.GenerateCode(strings.ToUpper(strings.ReplaceAll(s.acct.TOTPSecret, " ", "")), time.Now())
			if err != nil {
				return newError(KindMFAFailed, "the TOTP secret cannot make a code (%v): CHATGPT_TOTP_SECRET must be the base32 secret of the authenticator", err)
			}
			s.log.Info("entering the one-time code")
			if err := s.fill(ctx, v, elMFACode, elMFASubmit, code); err != nil {
				return err
			}
			mfaAt = time.Now()

		case v.sure(ctx, elPassword):
			if !passwordAt.IsZero() && v.text("password_error") != "" {
				return newError(KindBadCredentials, "the sign-in was refused (%q): check CHATGPT_EMAIL and CHATGPT_PASSWORD", v.text("password_error"))
			}
			if s.acct.Password == "" {
				return s.noPasswordError()
			}
			if !passwordAt.IsZero() {
				break
			}
			s.log.Info("entering the password")
			if err := s.fill(ctx, v, elPassword, elPasswordSubmit, s.acct.Password); err != nil {
				return err
			}
			passwordAt = time.Now()

		case v.sure(ctx, elEmail):
			if s.acct.Email == "" || s.acct.Password == "" {
				return s.noPasswordError()
			}
			if !emailAt.IsZero() && !s.settled(r) {
				break
			}
			s.log.Info("entering the email", "email", s.acct.Email)
			if err := s.fill(ctx, v, elEmail, elEmailSubmit, s.acct.Email); err != nil {
				return err
			}
			emailAt = time.Now()

		case v.sure(ctx, elEntry):
			if s.acct.Password == "" {
				return s.noPasswordError()
			}
			if !entryAt.IsZero() && !s.settled(r) {
				break
			}
			m := v.el(elEntry)
			s.log.Info("opening the sign-in", "url", r.URL)
			if err := press(ctx, m.X, m.Y); err != nil {
				return s.actionError(ctx, "clicking the log-in button", err)
			}
			entryAt = time.Now()

		default:
			if s.settled(r) && time.Since(latest(entryAt, emailAt, passwordAt, mfaAt)) > s.cfg.Settle {
				return s.signInDrift(v)
			}
		}
		if ctx.Err() != nil {
			return s.waitError(ctx, "the sign-in to finish")
		}
	}
}

// fill types value into field and submits it with the submit element, or
// the Enter key when the page has no matching submit button.
func (s *session) fill(ctx context.Context, v view, field, submit, value string) error {
	s.entered++
	if err := typeInto(ctx, v.el(field), value); err != nil {
		return s.actionError(ctx, "typing into "+field, err)
	}
	if v.sure(ctx, submit) {
		m := v.el(submit)
		if err := press(ctx, m.X, m.Y); err != nil {
			return s.actionError(ctx, "clicking "+submit, err)
		}
		return nil
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		return s.actionError(ctx, "submitting "+field, err)
	}
	return nil
}

func challengeError(kind string) error {
	switch kind {
	case string(KindHumanVerification):
		return newError(KindHumanVerification, "the site shows a human-verification check (bot wall) that a headless browser cannot pass: sign in once with `chatgpt-optout login --profile-dir DIR` and reuse the profile, or run with --headed (on a server: xvfb-run chatgpt-optout ... --headed)")
	case string(KindEmailVerification):
		return newError(KindEmailVerification, "the site sent a code by email to confirm the sign-in: sign in once with `chatgpt-optout login --profile-dir DIR` and reuse the profile, or run with --headed and type the code")
	default:
		return newError(KindMFARequired, "the site asks to approve the sign-in on a phone: sign in once with `chatgpt-optout login --profile-dir DIR` and reuse the profile, or run with --headed")
	}
}

func (s *session) noPasswordError() error {
	if s.acct.SessionToken != "" || s.acct.ProfileDir != "" {
		return newError(KindSessionExpired, "the saved session is missing or expired and no password is set: run `chatgpt-optout login --profile-dir DIR` again, or set CHATGPT_PASSWORD")
	}
	return newError(KindBadCredentials, "the site asks to sign in but no email and password are set: set CHATGPT_EMAIL and CHATGPT_PASSWORD, or use a profile from `chatgpt-optout login`")
}

func (s *session) signInDrift(v view) error {
	l := v.p.Login
	s.lost = &lostElement{"path.profile_menu", &v.p.Path.ProfileMenu}
	profiles := v.p.Name
	if s.cfg.UI == "" {
		profiles = "any of " + strings.Join(s.cfg.Selectors.ProfileNames(), ", ")
	}
	return newError(KindSelectorDrift, "unknown UI: the page at %s (title %q) matches nothing that selectors file %s (version %s, profile %s) knows for signing in or for the signed-in app; the UI may have changed: run `chatgpt-optout selectors verify` and see the drift artifacts (--artifacts). Looked for login.entry: %s; login.email: %s; path.profile_menu: %s",
		v.r.URL, v.r.Title, s.cfg.Selectors.Source, s.cfg.Selectors.Version, profiles,
		describeCandidates(&l.Entry, v.el(elEntry)), describeCandidates(&l.Email, v.el(elEmail)), describeCandidates(&v.p.Path.ProfileMenu, v.el(elSignedIn)))
}

func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// waitError turns an ended context into a timeout or interrupted error that
// says what was awaited.
func (s *session) waitError(ctx context.Context, what string) error {
	if ctx.Err() == context.DeadlineExceeded {
		return &Error{Kind: KindTimeout, Msg: fmt.Sprintf("timed out after %s waiting for %s: the site may be slow or down; raise --timeout or retry later", s.cfg.Timeout, what), Err: ctx.Err()}
	}
	return &Error{Kind: KindInterrupted, Msg: "interrupted while waiting for " + what, Err: ctx.Err()}
}

func (s *session) actionError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return s.waitError(ctx, what)
	}
	return &Error{Kind: KindBrowser, Msg: what + " failed: " + err.Error(), Err: err}
}

// Login opens the app in a tab of browserCtx's default browser context and
// waits, within cfg.Timeout, until a person has signed in however the site
// asks (captcha, MFA, email code, a Google account). Start the browser with
// a ProfileDir and Headed: the profile then keeps the session for later
// headless runs. It returns the UI profile of the signed-in app.
func Login(browserCtx context.Context, cfg Config) (string, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return "", err
	}
	s := &session{cfg: cfg, file: cfg.Selectors, net: newNetTracker(), console: &consoleLog{}, log: cfg.Logger}
	if cfg.UI != "" {
		s.profile, _ = cfg.Selectors.Profile(cfg.UI)
	}
	tabCtx, cancel := chromedp.NewContext(browserCtx, chromedp.WithListener(s.net.listen))
	defer cancel()
	if err := chromedp.Do(tabCtx); err != nil {
		return "", &Error{Kind: KindBrowser, Msg: "opening a browser tab failed: " + err.Error(), Err: err}
	}
	ctx, cancelWait := context.WithTimeout(tabCtx, cfg.Timeout)
	defer cancelWait()
	app := s.profiles()[0].URLs.App
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(app))); err != nil {
		return "", s.actionError(ctx, "opening "+s.url(app), err)
	}
	s.log.Warn("sign in in the browser window; this waits until the app shows you signed in", "timeout", cfg.Timeout)
	ps := s.profiles()
	spec := signInSpec(ps)
	for {
		r, err := look(ctx, spec, true)
		switch {
		case err == nil:
			if v := pick(r, spec, ps); v.sure(ctx, elSignedIn) || v.sure(ctx, elDetect) {
				return v.p.Name, nil
			}
		case ctx.Err() != nil:
			return "", s.waitError(ctx, "a person to sign in")
		case !transient(err):
			return "", &Error{Kind: KindBrowser, Msg: "reading the page failed: " + err.Error(), Err: err}
		default:
			if err := sleep(ctx, pollInterval); err != nil {
				return "", s.waitError(ctx, "a person to sign in")
			}
		}
	}
}
