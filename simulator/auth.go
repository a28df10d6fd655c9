package simulator

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"
)

// flow is one sign-in attempt on the auth server, from /authorize to the
// redirect back to the app. The current UI finds it through the
// login_session cookie (as auth.openai.com does), the 2023 UI through the
// Auth0-style ?state= parameter.
type flow struct {
	id          string
	era         UI
	email       string // lower-case, as typed; "" until the email step
	redirectURI string
	appState    string // the app's state, echoed to the callback
	views       int    // email page views not yet attributed to an account
	passkeyDone bool   // PasskeyOffer: Skip used
	otc         bool   // Options.OneTimeCodeOffer: a code was asked for instead of the password
	errKind     string // the /unexpected-state page the flow is on: errTimeout or errMaxCheck
	created     time.Time

	passwordOK, emailOK, mfaOK, cfCleared bool
	emailCode, mfaID                      string
}

type authCode struct {
	email   string
	expires time.Time
}

const (
	flowTTL = 30 * time.Minute
	codeTTL = 5 * time.Minute
)

func (s *Server) authHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.handleAuthorize)
	mux.HandleFunc("GET /authorize/resume", s.handleResume)
	mux.HandleFunc("POST /cdn-cgi/challenge-platform/verify", s.handleChallengeVerify)
	mux.HandleFunc("POST /cdn-cgi/challenge-platform/turnstile/token", s.handleTurnstileToken)

	// Current era (auth.openai.com).
	handle(mux, s.handleLogIn, "GET POST", "/log-in")
	handle(mux, s.handlePassword, "GET POST", "/log-in/password")
	handle(mux, s.handleEmailVerification, "GET POST", "/email-verification")
	handle(mux, s.handleMFA, "GET POST", "/mfa-challenge/{id}")
	handle(mux, s.handlePasskey, "GET POST", "/login-enroll-passkey")
	handle(mux, s.handleUnexpectedState, "GET POST", "/unexpected-state")
	// The app's pages ask here what their boot blob does not carry
	// (Options.FirstPaint, PlaceholderFor, DataControlsDelay, OneTap), and
	// Google One Tap's frame comes from here: another origin, as
	// accounts.google.com is to chatgpt.com.
	mux.HandleFunc("GET /gsi/iframe/select", s.handleOneTapFrame)
	mux.HandleFunc("POST /gsi/select", s.handleOneTapChoice)
	for need, p := range personPages {
		if p.path != "" {
			handle(mux, s.handlePerson(need), "GET POST", p.path)
		}
	}

	// 2023 era (Auth0 Universal Login on auth0.openai.com).
	handle(mux, s.handleA0Identifier, "GET POST", "/u/login/identifier")
	handle(mux, s.handleA0Password, "GET POST", "/u/login/password")
	handle(mux, s.handleA0MFA, "GET POST", "/u/mfa-otp-challenge")
	handle(mux, s.handleSignup, "GET", "/create-account", "/reset-password", "/u/signup",
		"/u/reset-password/request/Username-Password-Authentication")

	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("/", http.NotFoundHandler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// newFlowLocked starts a flow; s.mu must be held.
func (s *Server) newFlowLocked(redirectURI, appState string) *flow {
	now := time.Now()
	maps.DeleteFunc(s.flows, func(_ string, f *flow) bool { return now.Sub(f.created) > flowTTL })
	maps.DeleteFunc(s.codes, func(_ string, ac *authCode) bool { return now.After(ac.expires) })
	f := &flow{id: randomText(32), era: s.opts.UI, redirectURI: cmp.Or(redirectURI, s.appURL+s.callbackPath()), appState: appState, created: now}
	s.flows[f.id] = f
	return f
}

func (s *Server) callbackPath() string {
	if s.opts.UI == UI2023 {
		return "/api/auth/callback/auth0"
	}
	return "/api/auth/callback/openai"
}

// setEmailLocked records the email typed in the flow and moves the page
// views seen so far from the unattributed pool to that account.
func (s *Server) setEmailLocked(f *flow, email string) {
	f.email = strings.ToLower(strings.TrimSpace(email))
	f.passwordOK, f.emailOK, f.mfaOK, f.emailCode, f.mfaID, f.passkeyDone = false, false, false, "", "", false
	f.otc, f.errKind = false, ""
	if a := s.lookup(f.email); a != nil && f.views > 0 {
		a.counters.LoginPageViews += f.views
		s.unattributed.LoginPageViews -= f.views
		f.views = 0
	}
}

// countViewLocked counts one GET of the email page.
func (s *Server) countViewLocked(f *flow) {
	if a := s.lookup(f.email); a != nil {
		a.counters.LoginPageViews++
		return
	}
	f.views++
	s.unattributed.LoginPageViews++
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirectURI := q.Get("redirect_uri")
	if redirectURI != "" && !strings.HasPrefix(redirectURI, s.appURL+"/api/auth/callback/") {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f := s.newFlowLocked(redirectURI, q.Get("state"))
	next, a0 := "/log-in", "/u/login/identifier"
	switch {
	case q.Get("screen_hint") == "signup":
		next, a0 = "/create-account", "/u/signup"
	case q.Get("login_hint") != "":
		// The app's own login dialog already asked for the email: that
		// counts as a view of the email page.
		s.setEmailLocked(f, q.Get("login_hint"))
		s.countViewLocked(f)
		next, a0 = "/log-in/password", "/u/login/password"
	}
	s.mu.Unlock()
	if s.opts.UI == UI2023 {
		next = a0 + stateSuffix(f)
	} else {
		s.setFlowCookie(w, f.id)
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// authCookie names a cookie of the login origin: the auth flow's
// (login_session_) or a remembered email's (oai-login-email_). Browsers
// ignore ports when they match cookies, so the name carries the port: two
// simulators used from one browser profile do not clobber each other's.
func (s *Server) authCookie(prefix string) string {
	_, port, _ := strings.Cut(strings.TrimPrefix(s.authURL, "http://"), ":")
	return prefix + port
}

func (s *Server) flowCookie() string { return s.authCookie("login_session_") }

func (s *Server) setFlowCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: s.flowCookie(), Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// currentFlow finds the flow of a current-era request. With create, a
// request without a flow (someone opened /log-in directly) gets a new one
// that returns to the app's callback.
func (s *Server) currentFlow(w http.ResponseWriter, r *http.Request, create bool) *flow {
	if f := s.flowOf(r, true); f != nil || !create {
		return f
	}
	f := s.newFlow()
	s.setFlowCookie(w, f.id)
	return f
}

// newFlow starts a flow that returns to the app's callback.
func (s *Server) newFlow() *flow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newFlowLocked("", "")
}

// view is a copy of the flow (zero for nil), taken under the lock.
func (s *Server) view(f *flow) flow {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == nil {
		return flow{}
	}
	return *f
}

// botWall answers the bot wall when the flow must show it now.
func (s *Server) botWall(w http.ResponseWriter, r *http.Request, f *flow) bool {
	s.mu.Lock()
	a := s.lookup(f.email)
	walled := a != nil && a.BotWall && !f.cfCleared
	s.mu.Unlock()
	if walled {
		s.renderChallenge(w, r)
	}
	return walled
}

// formPage serves the page of a form: on a GET it renders it and reports
// false; on a POST it reports whether ok accepts the form, else renders
// the page again with failure and status.
func (s *Server) formPage(w http.ResponseWriter, r *http.Request, name string, page authPage, status int, failure string, ok func() bool) bool {
	if r.Method == http.MethodGet {
		s.renderAuth(w, http.StatusOK, name, page)
		return false
	}
	if ok() {
		return true
	}
	page.Error = failure
	s.renderAuth(w, status, name, page)
	return false
}

// nextStep returns where the flow goes after a completed step: the next
// verification page, or the app's callback with a one-time code.
func (s *Server) nextStep(f *flow) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(f.email)
	if a == nil || !f.passwordOK {
		if f.era == UI2023 {
			return "/u/login/password" + stateSuffix(f)
		}
		return "/log-in/password"
	}
	if a.MaxCheckAttempts {
		f.errKind = errMaxCheck
		return "/unexpected-state" + stateSuffix(f)
	}
	if p := personPages[a.Needs].path; p != "" {
		return p + stateSuffix(f)
	}
	if f.era == UICurrent && a.EmailCode && !f.emailOK {
		if f.emailCode == "" {
			s.sendCodeLocked(f, a)
		}
		return "/email-verification"
	}
	if a.TOTPSecret != "" && !f.mfaOK {
		if f.era == UI2023 {
			return "/u/mfa-otp-challenge" + stateSuffix(f)
		}
		if f.mfaID == "" {
			f.mfaID = randomText(22)
		}
		return "/mfa-challenge/" + f.mfaID
	}
	if f.era == UICurrent && a.PasskeyOffer && !f.passkeyDone {
		return "/login-enroll-passkey"
	}
	if a.SiteErrors < 0 || a.siteErrorsShown < a.SiteErrors {
		a.siteErrorsShown++
		f.errKind = errTimeout
		return "/unexpected-state" + stateSuffix(f)
	}
	f.errKind = ""
	code := randomText(40)
	s.codes[code] = &authCode{email: f.email, expires: time.Now().Add(codeTTL)}
	delete(s.flows, f.id)
	v := url.Values{"code": {code}}
	if f.appState != "" {
		v.Set("state", f.appState)
	}
	sep := "?"
	if strings.Contains(f.redirectURI, "?") {
		sep = "&"
	}
	return f.redirectURI + sep + v.Encode()
}

// goNext redirects to where the flow goes after a completed step. When
// that is the app's callback, an account with WelcomeBack has its email
// remembered by this browser for the next /log-in.
func (s *Server) goNext(w http.ResponseWriter, r *http.Request, f *flow, status int) {
	next := s.nextStep(f)
	s.mu.Lock()
	_, open := s.flows[f.id]
	a := s.lookup(f.email)
	remember := !open && a != nil && a.WelcomeBack && f.era == UICurrent
	s.mu.Unlock()
	if remember {
		http.SetCookie(w, &http.Cookie{Name: s.rememberCookie(), Value: url.QueryEscape(a.Email), Path: "/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 30 * 24 * 3600})
	}
	http.Redirect(w, r, next, status)
}

func (s *Server) rememberCookie() string { return s.authCookie("oai-login-email_") }

// authPage is the data of every auth template.
type authPage struct {
	Title, Email, Masked, Error, State, Action, Host string

	Bare           bool // the email page before hydration: bare Log in / Sign up first
	HydrateMs      int  // when the form replaces the bare buttons by itself; -1: only on Log in
	WelcomeBack    bool // the "Welcome back" page, the email prefilled
	EmailAsText    bool // Options.WelcomeBackAsText: that email as text and in a hidden field, no field to type into
	PasswordWayOut bool // /email-verification offers "Continue with password"
	SplitCode      bool // Options.SplitCode: the code in six one-digit boxes
	OneTimeCode    bool // Options.OneTimeCodeOffer: /log-in/password offers "Log in with a one-time code"
}

const turnstileTTL = 5 * time.Minute

// handleTurnstileToken hands the page a token for its
// cf-turnstile-response field, as the invisible widget does.
func (s *Server) handleTurnstileToken(w http.ResponseWriter, r *http.Request) {
	tok := "0." + randomB64(120)
	s.mu.Lock()
	now := time.Now()
	maps.DeleteFunc(s.turnstile, func(_ string, exp time.Time) bool { return now.After(exp) })
	s.turnstile[tok] = now.Add(turnstileTTL)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "token": tok})
}

// turnstileOK spends the form's Turnstile token; a form without a valid
// one does not advance.
func (s *Server) turnstileOK(r *http.Request) bool {
	tok := r.PostFormValue("cf-turnstile-response")
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.turnstile[tok]
	delete(s.turnstile, tok)
	return ok && time.Now().Before(exp)
}

const turnstileError = "Something went wrong. Please try again."

func (s *Server) renderAuth(w http.ResponseWriter, status int, name string, p authPage) {
	p.SplitCode = s.opts.SplitCode
	renderHTML(w, status, name, p)
}

func maskEmail(e string) string {
	user, domain, ok := strings.Cut(e, "@")
	if !ok || user == "" {
		return e
	}
	return user[:1] + strings.Repeat("*", max(len(user)-1, 1)) + "@" + domain
}

func (s *Server) handleLogIn(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("usernameKind") == "phone_number" {
		s.handlePhoneLogIn(w, r)
		return
	}
	f := s.currentFlow(w, r, true)
	if r.Method == http.MethodGet {
		page := authPage{Title: "Log in - OpenAI", Bare: true, HydrateMs: int(s.opts.HydrateAfter.Milliseconds())}
		if s.opts.HydrateAfter < 0 {
			page.HydrateMs = -1
		} else if s.opts.HydrateAfter == 0 {
			page.HydrateMs = 400 + rand.IntN(1400)
		}
		remembered := s.opts.WelcomeBackEmail
		if c, err := r.Cookie(s.rememberCookie()); err == nil {
			if e, err := url.QueryUnescape(c.Value); err == nil && e != "" {
				remembered = e
			}
		}
		if r.URL.Query().Get("forget") != "" {
			http.SetCookie(w, &http.Cookie{Name: s.rememberCookie(), Value: "", Path: "/", MaxAge: -1})
			remembered = ""
		}
		s.mu.Lock()
		s.countViewLocked(f)
		page.Email = f.email
		s.mu.Unlock()
		if page.Email == "" && remembered != "" {
			page.Email, page.WelcomeBack = remembered, true
			page.EmailAsText = s.opts.WelcomeBackAsText
		}
		s.renderAuth(w, http.StatusOK, "cur-email", page)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	page := authPage{Title: "Log in - OpenAI", Email: email}
	switch {
	case !s.turnstileOK(r):
		page.Error = turnstileError
	case email == "" || !strings.Contains(email, "@") || strings.ContainsAny(email, " <>"):
		page.Error = "Email is not valid."
	}
	if page.Error != "" {
		s.renderAuth(w, http.StatusBadRequest, "cur-email", page)
		return
	}
	http.Redirect(w, r, s.emailStep(f, email, false), http.StatusSeeOther)
}

// emailStep records the email typed in the flow (on the Auth0 page with
// a0) and returns where it goes next. An unknown email still goes on to
// the password step: the real site does not tell strangers which addresses
// have accounts.
func (s *Server) emailStep(f *flow, email string, a0 bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setEmailLocked(f, email)
	a := s.lookup(f.email)
	phone := a != nil && a.Needs == NeedsPhone // an account that signs in by phone number only
	switch {
	case phone && a0:
		return "/log-in?usernameKind=phone_number&state=" + url.QueryEscape(f.id)
	case phone:
		return "/log-in?usernameKind=phone_number"
	case a0:
		return "/u/login/password" + stateSuffix(f)
	case a != nil && a.EmailFirst: // the page offers the password as a way out
		s.sendCodeLocked(f, a)
		return "/email-verification"
	}
	return "/log-in/password"
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	f := s.currentFlow(w, r, false)
	email := s.view(f).email
	if email == "" {
		http.Redirect(w, r, "/log-in", http.StatusFound)
		return
	}
	if s.botWall(w, r, f) {
		return
	}
	page := authPage{Title: "Enter your password - OpenAI", Email: email, OneTimeCode: s.opts.OneTimeCodeOffer}
	if r.Method == http.MethodGet {
		s.renderAuth(w, http.StatusOK, "cur-password", page)
		return
	}
	if !s.turnstileOK(r) {
		page.Error = turnstileError
		s.renderAuth(w, http.StatusBadRequest, "cur-password", page)
		return
	}
	if s.opts.OneTimeCodeOffer && r.PostFormValue("intent") == "passwordless_login_send_otp" {
		// "Log in with a one-time code": a code by email instead of the
		// password, which the code page takes alone.
		s.mu.Lock()
		if a := s.lookup(f.email); a != nil {
			a.counters.OneTimeCodeRequests++
			s.sendCodeLocked(f, a)
		} else {
			f.emailCode = randomDigits(6) // mailed to nobody
		}
		f.otc = true
		s.mu.Unlock()
		http.Redirect(w, r, "/email-verification", http.StatusSeeOther)
		return
	}
	if s.formPage(w, r, "cur-password", page, http.StatusUnauthorized, "Incorrect email address or password",
		func() bool { return s.checkPassword(f, r.PostFormValue("current-password")) }) {
		s.goNext(w, r, f, http.StatusSeeOther)
	}
}

func (s *Server) checkPassword(f *flow, password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(f.email)
	if a == nil {
		return false
	}
	a.counters.PasswordAttempts++
	if password == "" || password != a.Password {
		return false
	}
	f.passwordOK = true
	return true
}

func (s *Server) handleEmailVerification(w http.ResponseWriter, r *http.Request) {
	f := s.currentFlow(w, r, false)
	s.mu.Lock()
	a := s.flowAccountLocked(f)
	// After the password (EmailCode), or instead of it (EmailFirst, or
	// "Log in with a one-time code" under Options.OneTimeCodeOffer).
	emailFirst := f != nil && !f.passwordOK && f.emailCode != "" && (f.otc || (a != nil && a.EmailFirst))
	if f == nil || !f.passwordOK && !emailFirst {
		s.mu.Unlock()
		http.Redirect(w, r, "/log-in", http.StatusFound)
		return
	}
	if r.Method == http.MethodGet && r.URL.Query().Get("resend") != "" && a != nil {
		s.sendCodeLocked(f, a)
	}
	email := f.email
	s.mu.Unlock()
	page := authPage{Title: "Check your inbox - OpenAI", Email: email, Masked: maskEmail(email), PasswordWayOut: emailFirst}
	if s.formPage(w, r, "cur-email-code", page, http.StatusUnauthorized, "Incorrect code. Please try again.", func() bool {
		code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
		s.mu.Lock()
		defer s.mu.Unlock()
		if a != nil {
			a.counters.MFAAttempts++
		}
		if code == "" || code != f.emailCode {
			return false
		}
		f.emailOK = true
		f.passwordOK = f.passwordOK || emailFirst // signed in by the code alone
		return true
	}) {
		s.goNext(w, r, f, http.StatusSeeOther)
	}
}

// handlePasskey is the passkey offer (PasskeyOffer): Skip goes on;
// creating a passkey fails in the page.
func (s *Server) handlePasskey(w http.ResponseWriter, r *http.Request) {
	f := s.currentFlow(w, r, false)
	s.mu.Lock()
	ok := f != nil && f.passwordOK
	if ok && r.Method == http.MethodPost && r.PostFormValue("intent") == "skip" {
		f.passkeyDone = true
	}
	s.mu.Unlock()
	if !ok {
		http.Redirect(w, r, "/log-in", http.StatusFound)
		return
	}
	if r.Method == http.MethodGet {
		s.renderAuth(w, http.StatusOK, "cur-passkey", authPage{Title: "Log in faster next time - OpenAI"})
		return
	}
	s.goNext(w, r, f, http.StatusSeeOther)
}

func (s *Server) handleMFA(w http.ResponseWriter, r *http.Request) {
	f := s.currentFlow(w, r, false)
	v := s.view(f)
	if f == nil || !v.passwordOK || v.mfaID == "" || r.PathValue("id") != v.mfaID {
		http.Redirect(w, r, "/log-in", http.StatusFound)
		return
	}
	if s.formPage(w, r, "cur-mfa", authPage{Title: "Verify your identity - OpenAI", Email: v.email}, http.StatusUnauthorized,
		"Incorrect code. Please try again.", func() bool { return s.checkTOTP(f, r.PostFormValue("code")) }) {
		s.goNext(w, r, f, http.StatusSeeOther)
	}
}

// checkTOTP counts the attempt; the code is valid ±1 period of 30 s.
func (s *Server) checkTOTP(f *flow, code string) bool {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookup(f.email)
	if a == nil || a.TOTPSecret == "" {
		return false
	}
	a.counters.MFAAttempts++
	if len(code) != 6 || !totp.Validate(code, strings.ToUpper(a.TOTPSecret)) {
		return false
	}
	f.mfaOK = true
	return true
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	s.renderAuth(w, http.StatusOK, "signup", authPage{Title: "Create an account - OpenAI"})
}

// renderChallenge answers like a Cloudflare managed challenge: 403 with a
// "Just a moment..." page. Its widget never clears for HeadlessChrome.
func (s *Server) renderChallenge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("cf-mitigated", "challenge")
	w.Header().Set("Server", "cloudflare")
	s.renderAuth(w, http.StatusForbidden, "challenge", authPage{
		Title: "Just a moment...",
		Host:  strings.TrimPrefix(strings.TrimPrefix(s.authURL, "http://"), "https://"),
		State: r.URL.Query().Get("state"),
	})
}

func (s *Server) handleChallengeVerify(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r, s.opts.UI == UICurrent)
	// Headless Chrome says so in its User-Agent; real Turnstile finds it
	// out in many other ways. Either way it never passes.
	if f == nil || strings.Contains(r.UserAgent(), "HeadlessChrome") {
		writeJSON(w, http.StatusForbidden, map[string]any{"success": false})
		return
	}
	s.mu.Lock()
	f.cfCleared = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// a0Flow finds the flow of a 2023-era request by its state parameter. A
// request without one (or, with needPassword, whose flow has no password
// yet) starts a new flow at the identifier page instead, and gets nil.
func (s *Server) a0Flow(w http.ResponseWriter, r *http.Request, needPassword bool) *flow {
	f := s.flowOf(r, false)
	if f != nil && (!needPassword || s.view(f).passwordOK) {
		return f
	}
	f = s.newFlow()
	http.Redirect(w, r, "/u/login/identifier"+stateSuffix(f), http.StatusFound)
	return nil
}

func (s *Server) handleA0Identifier(w http.ResponseWriter, r *http.Request) {
	f := s.a0Flow(w, r, false)
	if f == nil {
		return
	}
	page := authPage{Title: "Log in | OpenAI", State: f.id, Action: "/u/login/identifier" + stateSuffix(f)}
	if r.Method == http.MethodGet {
		s.mu.Lock()
		s.countViewLocked(f)
		page.Email = f.email
		s.mu.Unlock()
		s.renderAuth(w, http.StatusOK, "a0-identifier", page)
		return
	}
	email := strings.TrimSpace(r.PostFormValue("username"))
	switch {
	case r.PostFormValue("connection") != "":
		page.Error = "Something went wrong, please try again later."
	case email == "" || !strings.Contains(email, "@"):
		page.Email, page.Error = email, "Email is not valid."
	}
	if page.Error != "" {
		s.renderAuth(w, http.StatusBadRequest, "a0-identifier", page)
		return
	}
	http.Redirect(w, r, s.emailStep(f, email, true), http.StatusFound)
}

func (s *Server) handleA0Password(w http.ResponseWriter, r *http.Request) {
	f := s.a0Flow(w, r, false)
	if f == nil {
		return
	}
	email := s.view(f).email
	if email == "" {
		http.Redirect(w, r, "/u/login/identifier"+stateSuffix(f), http.StatusFound)
		return
	}
	if s.botWall(w, r, f) {
		return
	}
	page := authPage{Title: "Log in | OpenAI", State: f.id, Email: email, Action: "/u/login/password" + stateSuffix(f)}
	if s.formPage(w, r, "a0-password", page, http.StatusBadRequest, "Wrong email or password",
		func() bool { return s.checkPassword(f, r.PostFormValue("password")) }) {
		s.a0Next(w, r, f)
	}
}

// a0Next continues a 2023 flow: Auth0 finishes through /authorize/resume.
func (s *Server) a0Next(w http.ResponseWriter, r *http.Request, f *flow) {
	s.mu.Lock()
	a := s.lookup(f.email)
	needMFA := a != nil && a.TOTPSecret != "" && !f.mfaOK
	s.mu.Unlock()
	next := "/authorize/resume"
	if needMFA {
		next = "/u/mfa-otp-challenge"
	}
	http.Redirect(w, r, next+stateSuffix(f), http.StatusFound)
}

func (s *Server) handleA0MFA(w http.ResponseWriter, r *http.Request) {
	f := s.a0Flow(w, r, true)
	if f == nil {
		return
	}
	page := authPage{Title: "Log in | OpenAI", State: f.id, Email: s.view(f).email, Action: "/u/mfa-otp-challenge" + stateSuffix(f)}
	if s.formPage(w, r, "a0-mfa", page, http.StatusBadRequest, "The code you entered is invalid",
		func() bool { return s.checkTOTP(f, r.PostFormValue("code")) }) {
		s.a0Next(w, r, f)
	}
}

func (s *Server) handleResume(w http.ResponseWriter, r *http.Request) {
	if f := s.a0Flow(w, r, false); f != nil {
		http.Redirect(w, r, s.nextStep(f), http.StatusFound)
	}
}
