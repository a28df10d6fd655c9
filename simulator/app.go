package simulator

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed web/*.js web/*.css
var assets embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// pages holds the app shell and every auth page; "rid" gives an id prefix
// generated per render, as React's useId does.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"rid": func() string { return ":r" + randomText(3) + ":" },
	"ray": func() string { return randomFrom("0123456789abcdef", 16) },
	// digits and inc number the boxes of a code split into six.
	"digits": func() []int { return make([]int, 6) },
	"inc":    func(i int) int { return i + 1 },
}).ParseFS(templateFS, "templates/*.html"))

// SessionCookie is the name of the app's session cookie. Tokens longer than
// 3000 characters are set in chunks named SessionCookie+".0", ".1", ...
const SessionCookie = "__Secure-next-auth.session-token"

const chunkSize = 3000

func (s *Server) appHandler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "web")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	handle(mux, s.handleHome, "GET", "/{$}", "/c/{id}", "/library", "/schedules")
	handle(mux, s.handleSettingsPage, "GET", "/settings", "/settings/{section}")
	mux.HandleFunc("POST /api/auth/choose-account", s.handleChooseAccount)
	handle(mux, s.handlePreferences, "GET", "/preferences", "/preferences/{section}")
	handle(mux, s.handleLoginPage, "GET", "/auth/login", "/auth/login_with")
	mux.HandleFunc("GET /auth/error", s.handleAuthError)

	handle(mux, s.handleSignin, "GET POST", "/api/auth/signin/{provider}")
	mux.HandleFunc("GET /api/auth/callback/{provider}", s.handleCallback)
	mux.HandleFunc("GET /api/auth/session", s.handleSession)
	handle(mux, s.handleSignout, "GET POST", "/api/auth/signout")

	mux.HandleFunc("GET /backend-api/settings/user", s.handleSettingsRead)
	mux.HandleFunc("/backend-api/settings/account_user_setting", s.handleSettingsPatch)
	mux.HandleFunc("GET /backend-api/conversations", s.handleConversations)
	mux.HandleFunc("POST /backend-api/settings/announcement_viewed", s.handleAnnouncementViewed)
	mux.HandleFunc("POST /backend-api/notices/response", s.handleNoticeResponse)
	// Buttons that destroy or archive data (Counters.DangerPresses).
	mux.HandleFunc("DELETE /backend-api/bazaar/ads_data", s.handleDanger)     // "Delete ads data"
	mux.HandleFunc("PATCH /backend-api/conversations", s.handleDanger)        // "Delete all chats", "Archive all chats"
	mux.HandleFunc("DELETE /backend-api/remote_browser/data", s.handleDanger) // "Remote browser data": Delete
	mux.HandleFunc("POST /backend-api/accounts/deactivate", s.handleDanger)   // Account: "Delete account"
	s.busyRoutes(mux)

	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/", notFound)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Latency > 0 && (strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/backend-api/")) {
			s.wait(r, s.opts.Latency)
		}
		// The app's pages and answers are never cached; its scripts and
		// styles are, as the real site's hashed bundles (immutable, a year).
		w.Header().Set("Cache-Control", "no-store")
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		mux.ServeHTTP(w, r)
	})
}

func handle(mux *http.ServeMux, h http.HandlerFunc, methods string, paths ...string) {
	for _, m := range strings.Fields(methods) {
		for _, p := range paths {
			mux.HandleFunc(m+" "+p, h)
		}
	}
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "404: This page could not be found.", http.StatusNotFound)
}

// renderHTML writes the template name (text/html unless the caller set
// another Content-Type).
func renderHTML(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readSessionToken accepts the cookie whole or in .0/.1/... chunks.
func readSessionToken(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return c.Value
	}
	var b strings.Builder
	for i := 0; ; i++ {
		c, err := r.Cookie(SessionCookie + "." + strconv.Itoa(i))
		if err != nil {
			break
		}
		b.WriteString(c.Value)
	}
	return b.String()
}

func sessionCookie(name, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
	if maxAge > 0 {
		c.Expires = time.Now().Add(time.Duration(maxAge) * time.Second)
	}
	return c
}

// sessionCookieDays is the life of a fresh session cookie in 2026.
const sessionCookieDays = 90

// setSessionCookie sets the session cookie, session-only (no Expires, no
// Max-Age) with Options.SessionOnlyCookie.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	age := sessionCookieDays * 24 * 3600
	if s.opts.SessionOnlyCookie {
		age = 0
	}
	if len(token) <= chunkSize {
		http.SetCookie(w, sessionCookie(SessionCookie, token, age))
		clearChunks(w, r)
		return
	}
	for i := 0; len(token) > 0; i++ {
		n := min(chunkSize, len(token))
		http.SetCookie(w, sessionCookie(SessionCookie+"."+strconv.Itoa(i), token[:n], age))
		token = token[n:]
	}
	if _, err := r.Cookie(SessionCookie); err == nil {
		http.SetCookie(w, sessionCookie(SessionCookie, "", -1))
	}
}

func clearChunks(w http.ResponseWriter, r *http.Request) {
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, SessionCookie+".") {
			http.SetCookie(w, sessionCookie(c.Name, "", -1))
		}
	}
}

// liveLocked returns ss and its account when ss is neither revoked nor
// expired, else nils; s.mu must be held.
func (s *Server) liveLocked(ss *session) (*session, *account) {
	if ss == nil || ss.revoked || !ss.expires.IsZero() && !time.Now().Before(ss.expires) {
		return nil, nil
	}
	return ss, s.accounts[ss.email]
}

// sessionLocked returns the request's valid session and its account.
func (s *Server) sessionLocked(r *http.Request) (*session, *account) {
	return s.liveLocked(s.sessions[readSessionToken(r)])
}

// bearerLocked returns the session and account of a valid Bearer token.
func (s *Server) bearerLocked(r *http.Request) (*session, *account) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil, nil
	}
	return s.liveLocked(s.tokens[strings.TrimSpace(tok)])
}

// withBearer runs f under s.mu with the request's valid Bearer session and
// reports whether there was one; without, it answers 401.
func (s *Server) withBearer(w http.ResponseWriter, r *http.Request, f func(*session, *account)) bool {
	s.mu.Lock()
	ss, a := s.bearerLocked(r)
	if ss != nil {
		f(ss, a)
	}
	s.mu.Unlock()
	if ss == nil {
		unauthorized(w, r)
	}
	return ss != nil
}

// boot is the JSON the shell hands to the page scripts, like the
// client-bootstrap blob of the real site.
type boot struct {
	UI              UI                `json:"ui"`
	Page            string            `json:"page"` // home, login, chat, preferences
	AuthStatus      string            `json:"authStatus"`
	LoginEntry      string            `json:"loginEntry"`
	ToggleDelayMs   int64             `json:"toggleDelayMs"`
	Dialogs         []string          `json:"dialogs"`
	HistoryDisabled bool              `json:"historyDisabled"`
	BuildID         string            `json:"buildId"`
	Variants        []Variant         `json:"variants"`
	Announcement    bool              `json:"announcement"`              // VariantNewDialog, not yet dismissed
	Chooser         map[string]string `json:"chooser,omitempty"`         // Account.Chooser: a valid session, no account picked yet
	SessionExpired  bool              `json:"sessionExpired,omitempty"`  // DialogSessionExpired on this signed-out page
	Quiet           bool              `json:"quiet"`                     // Options.Quiet: no background traffic
	HoldWrites      bool              `json:"holdWrites"`                // Options.HoldWrites: the page reads no PATCH body
	LoadingSwitchMs int64             `json:"loadingSwitchMs,omitempty"` // Options.LoadingSwitches or LazySwitches
	LazySwitches    bool              `json:"lazySwitches,omitempty"`    // Options.LazySwitches: enabled while loading
	Quirks          map[string]any    `json:"quirks,omitempty"`          // Server.quirks: slow first paint, placeholder, panel delay, One Tap

	SidebarCollapsed bool        `json:"sidebarCollapsed,omitempty"` // Options.SidebarCollapsed
	ConsentBanner    bool        `json:"consentBanner,omitempty"`    // Options.ConsentBanner
	LateDialogs      bool        `json:"lateDialogs,omitempty"`      // Options.LateDialogs
	UnknownDialog    *noticeBoot `json:"unknownDialog,omitempty"`    // Options.UnknownDialog until the session closed or answered it
	Plan             string      `json:"plan,omitempty"`             // the signed-in Account.Plan ("free" for "")
	Teen             bool        `json:"teen,omitempty"`             // its Account.Teen
	TeenRow          bool        `json:"teenRow,omitempty"`          // its Account.TeenRow
}

func (s *Server) renderShell(w http.ResponseWriter, b boot) {
	b.UI = s.opts.UI
	b.LoginEntry = s.opts.LoginEntry
	b.ToggleDelayMs = max(s.opts.ToggleDelay, 0).Milliseconds()
	b.BuildID = randomText(8)
	b.Quiet = s.opts.Quiet
	b.HoldWrites = s.opts.HoldWrites
	b.Quirks = s.quirks()
	b.LoadingSwitchMs = s.opts.LoadingSwitches.Milliseconds()
	if s.opts.LazySwitches > 0 {
		b.LoadingSwitchMs, b.LazySwitches = s.opts.LazySwitches.Milliseconds(), true
	}
	b.SidebarCollapsed = s.opts.SidebarCollapsed
	b.ConsentBanner = s.opts.ConsentBanner
	b.LateDialogs = s.opts.LateDialogs
	b.Dialogs = append([]string{}, b.Dialogs...) // [] rather than null
	b.Variants = append([]Variant{}, s.opts.Variants...)
	js, _ := json.Marshal(b) // escapes <, > and &: safe inside <script>
	script := "current.js"
	switch {
	case b.AuthStatus == "logged_in" && s.has(VariantUnknownUI):
		script = "redesign.js"
	case s.opts.UI == UI2023:
		script = "legacy2023.js"
	}
	renderHTML(w, http.StatusOK, "shell", map[string]any{"Boot": template.JS(js), "Script": script, "Build": b.BuildID})
}

// signedInLocked is the boot of a signed-in page. Post-login dialogs show
// once per session; the announcement and the UnknownDialog stay until
// dismissed.
func (s *Server) signedInLocked(page string, ss *session, a *account) boot {
	b := boot{Page: page, AuthStatus: "logged_in", Dialogs: ss.dialogs, HistoryDisabled: !a.settings[SettingTraining],
		Announcement: ss.announce, UnknownDialog: s.noticeLocked(ss), Plan: a.Plan, Teen: a.Teen, TeenRow: a.TeenRow}
	ss.dialogs = nil
	return b
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss, a := s.sessionLocked(r)
	b := boot{Page: "home", AuthStatus: "logged_out"}
	switch {
	case ss != nil && ss.chooser:
		// The session is valid, the page signed-out until an account is
		// picked in the chooser.
		b.Chooser = map[string]string{"email": a.Email, "name": a.DisplayName}
		ss = nil
	case ss != nil:
		b = s.signedInLocked("chat", ss, a)
	case s.opts.UI == UICurrent:
		b.SessionExpired = s.lapsedLocked(r)
	}
	s.mu.Unlock()
	if ss == nil && s.opts.UI == UI2023 {
		http.Redirect(w, r, "/auth/login", http.StatusFound)
		return
	}
	s.renderShell(w, b)
}

// lapsedLocked reports, once per session, whether the request carries the
// cookie of a lapsed session whose account shows DialogSessionExpired.
func (s *Server) lapsedLocked(r *http.Request) bool {
	ss := s.sessions[readSessionToken(r)]
	if live, _ := s.liveLocked(ss); ss == nil || ss.lapseShown || live != nil {
		return false
	}
	a := s.accounts[ss.email]
	if a == nil || !slices.Contains(a.Dialogs, DialogSessionExpired) {
		return false
	}
	ss.lapseShown = true
	return true
}

func (s *Server) handleChooseAccount(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss, _ := s.sessionLocked(r)
	if ss != nil {
		ss.chooser = false
	}
	s.mu.Unlock()
	if ss == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "no session"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// settingsSlugs are the paths of the Settings page (VariantSettingsPage).
var settingsSlugs = []string{"general-settings", "notifications", "personalization", "schedules",
	"data-controls", "ads-controls", "security", "parental-controls", "account"}

// handleSettingsPage serves /settings/<section> under VariantSettingsPage;
// /settings and /settings/apps redirect to /settings/general-settings.
func (s *Server) handleSettingsPage(w http.ResponseWriter, r *http.Request) {
	if !s.has(VariantSettingsPage) || s.has(VariantUnknownUI) || s.opts.UI != UICurrent {
		notFound(w, r)
		return
	}
	section := r.PathValue("section")
	if section == "" || section == "apps" {
		http.Redirect(w, r, "/settings/general-settings", http.StatusFound)
		return
	}
	if !slices.Contains(settingsSlugs, section) {
		notFound(w, r)
		return
	}
	s.mu.Lock()
	ss, a := s.sessionLocked(r)
	if ss != nil && section == "ads-controls" && !hasAds(a.Plan) {
		// Paid plans have no Ads controls.
		s.mu.Unlock()
		notFound(w, r)
		return
	}
	var b boot
	if ss != nil && !ss.chooser {
		b = s.signedInLocked("settings", ss, a)
	}
	s.mu.Unlock()
	if b.Page == "" {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	s.renderShell(w, b)
}

// handlePreferences serves the Preferences page of VariantUnknownUI; the
// path does not exist otherwise.
func (s *Server) handlePreferences(w http.ResponseWriter, r *http.Request) {
	if !s.has(VariantUnknownUI) {
		notFound(w, r)
		return
	}
	s.mu.Lock()
	ss, a := s.sessionLocked(r)
	var b boot
	if ss != nil {
		b = s.signedInLocked("preferences", ss, a)
	}
	s.mu.Unlock()
	if ss == nil {
		target := "/"
		if s.opts.UI == UI2023 {
			target = "/auth/login"
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	s.renderShell(w, b)
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss, _ := s.sessionLocked(r)
	s.mu.Unlock()
	if ss != nil {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	s.renderShell(w, boot{Page: "login", AuthStatus: "logged_out"})
}

func (s *Server) handleAuthError(w http.ResponseWriter, r *http.Request) {
	renderHTML(w, http.StatusBadRequest, "app-error", map[string]string{"Error": r.URL.Query().Get("error")})
}

func (s *Server) handleSignin(w http.ResponseWriter, r *http.Request) {
	provider := r.PathValue("provider")
	if provider != "openai" && provider != "auth0" && provider != "login-web" {
		http.Error(w, "unknown provider", http.StatusBadRequest)
		return
	}
	v := url.Values{
		"client_id":     {"app_sim" + string(s.opts.UI)},
		"redirect_uri":  {s.appURL + s.callbackPath()},
		"response_type": {"code"},
		"scope":         {"openid email profile offline_access"},
		"state":         {randomText(43)},
	}
	for _, k := range []string{"login_hint", "screen_hint", "prompt"} {
		if x := r.FormValue(k); x != "" {
			v.Set(k, x)
		}
	}
	target := s.authURL + "/authorize?" + v.Encode()
	if r.Method == http.MethodPost {
		// next-auth's signIn() posts and gets the URL back as JSON.
		writeJSON(w, http.StatusOK, map[string]string{"url": target})
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	s.mu.Lock()
	ac := s.codes[code]
	delete(s.codes, code)
	var ss *session
	if ac != nil && time.Now().Before(ac.expires) {
		if a := s.accounts[ac.email]; a != nil {
			ss = s.newSessionLocked(a)
			a.counters.Logins++
		}
	}
	s.mu.Unlock()
	if ss == nil {
		http.Redirect(w, r, "/auth/error?error=OAuthCallback", http.StatusFound)
		return
	}
	s.setSessionCookie(w, r, ss.token)
	http.Redirect(w, r, "/", http.StatusFound)
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ss, a := s.sessionLocked(r)
	out := map[string]any{}
	if ss != nil {
		exp := ss.expires
		if exp.IsZero() {
			exp = time.Now().Add(sessionCookieDays * 24 * time.Hour)
		}
		out = map[string]any{
			"user": map[string]any{
				"id":      a.userID,
				"name":    a.DisplayName,
				"email":   a.Email,
				"image":   "",
				"picture": "",
				"idp":     "auth0",
				"iat":     ss.created.Unix(),
				"mfa":     a.TOTPSecret != "",
				"groups":  []string{},
			},
			"expires":      exp.UTC().Format("2006-01-02T15:04:05.000Z"),
			"accessToken":  ss.accessToken,
			"authProvider": "auth0",
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSignout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if ss, _ := s.sessionLocked(r); ss != nil {
		ss.revoked = true
	}
	s.mu.Unlock()
	http.SetCookie(w, sessionCookie(SessionCookie, "", -1))
	clearChunks(w, r)
	if r.Method == http.MethodPost {
		writeJSON(w, http.StatusOK, map[string]string{"url": s.appURL + "/"})
		return
	}
	http.Redirect(w, r, "/", http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func unauthorized(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Unauthorized - Access token is missing"})
		return
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": map[string]any{
		"message": "Your authentication token has expired. Please try signing in again.",
		"type":    "invalid_request_error",
		"param":   nil,
		"code":    "token_expired",
	}})
}

// settingsJSON is the answer of GET /backend-api/settings/user: the
// plan's settings and a few the simulator does not model.
func settingsJSON(a *account) map[string]any {
	m := map[string]any{
		"history_disabled":        !a.settings[SettingTraining],
		"show_expanded_code_view": false,
		"personality":             "default",
	}
	for k, v := range a.settings {
		m[k] = v
	}
	return map[string]any{"user_id": a.userID, "settings": m}
}

func (s *Server) handleSettingsRead(w http.ResponseWriter, r *http.Request) {
	var out map[string]any
	if s.withBearer(w, r, func(_ *session, a *account) {
		a.counters.SettingsReads++
		out = settingsJSON(a)
	}) {
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) handleSettingsPatch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPatch {
		w.Header().Set("Allow", "PATCH")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"detail": "Method Not Allowed"})
		return
	}
	// A save the page gave up on (a reload) still reaches the backend and
	// is applied, as on a real server.
	time.Sleep(s.opts.SlowWrites)
	q := r.URL.Query()
	feature := q.Get("feature")
	value, verr := strconv.ParseBool(q.Get("value"))

	var status int
	var out map[string]any
	if !s.withBearer(w, r, func(_ *session, a *account) {
		a.counters.Patches++
		a.writes[feature]++
		if a.failNext > 0 {
			a.failNext--
			status, out = http.StatusInternalServerError, map[string]any{"detail": "Internal server error: could not update the setting"}
			return
		}
		status, out = s.patchLocked(a, feature, value, verr)
		if s.opts.HoldWrites && status == http.StatusOK {
			s.busy.HeldWrites++
		}
	}) {
		return
	}
	hold := s.opts.HoldWrites && status == http.StatusOK
	writeJSON(w, status, out)
	if hold {
		// The answer is out; its end never comes.
		s.hold(w, r, 0)
	}
}

func (s *Server) patchLocked(a *account, feature string, value bool, verr error) (int, map[string]any) {
	key, on := feature, value
	if feature == historyDisabled { // the 2023 page's name, inverted
		key, on = SettingTraining, !value
	}
	_, known := a.settings[key]
	switch {
	case verr != nil:
		return http.StatusUnprocessableEntity, map[string]any{"detail": "value must be true or false"}
	case !known:
		// An unknown key, or one the plan lacks (the bazaar_* keys on a
		// paid plan).
		return http.StatusBadRequest, map[string]any{"detail": "unknown feature: " + feature}
	case key == SettingTraining && a.Teen:
		return http.StatusForbidden, map[string]any{"detail": "Model training for this account is managed by a parent or guardian."}
	}
	if err := a.setLocked(key, on); err != nil {
		return http.StatusConflict, map[string]any{"detail": feature + " cannot be switched on while " + settingParent[key] + " is off"}
	}
	return http.StatusOK, map[string]any{feature: value}
}

func (s *Server) handleAnnouncementViewed(w http.ResponseWriter, r *http.Request) {
	if s.withBearer(w, r, func(ss *session, _ *account) { ss.announce = false }) {
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	}
}

var chatTitles = []string{
	"Sourdough starter schedule", "Explain Go iterators", "Trip ideas for Lisbon",
	"Regex for ISO dates", "Birthday poem for Mum", "Compare index funds",
	"Fix flaky CI test", "Tomato plant yellow leaves",
}

func (s *Server) handleConversations(w http.ResponseWriter, r *http.Request) {
	var seed string
	if !s.withBearer(w, r, func(_ *session, a *account) { seed = a.userID }) {
		return
	}
	now := time.Now()
	items := []map[string]any{}
	for i, t := range chatTitles {
		at := now.Add(-time.Duration(i*7+1) * time.Hour)
		h := fnv.New32a() // a stable UUID-looking id per account and index
		_, _ = h.Write([]byte(seed + strconv.Itoa(i)))
		id := fmt.Sprintf("%08x", h.Sum32())
		items = append(items, map[string]any{
			"id":          id + "-6f1c-4b7e-9a2d-" + id + "3c1e",
			"title":       t,
			"create_time": at.UTC().Format(time.RFC3339),
			"update_time": at.UTC().Format(time.RFC3339),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items), "limit": 28, "offset": 0})
}
