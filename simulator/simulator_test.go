package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// browser is an HTTP client with a cookie jar that follows redirects, like
// a browser without JavaScript. Go's jar treats localhost as secure, as
// Chrome does, so the app's Secure cookie round-trips over http.
type browser struct {
	t  *testing.T
	c  *http.Client
	ua string
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}, ua: "Mozilla/5.0 SimTest"}
}

func (b *browser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", b.ua)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) get(u string) (*http.Response, string) { return b.do("GET", u, nil) }

// ts adds a Turnstile token to a form of the current-era auth pages, as
// the invisible widget does in the page.
func (b *browser) ts(s *Server, form url.Values) url.Values {
	b.t.Helper()
	resp, body := b.do("POST", s.AuthURL()+"/cdn-cgi/challenge-platform/turnstile/token", url.Values{})
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil || resp.StatusCode != 200 {
		b.t.Fatalf("turnstile token: %d %s", resp.StatusCode, body)
	}
	form.Set("cf-turnstile-response", m["token"].(string))
	return form
}
func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	return b.do("POST", u, form)
}

func (b *browser) session(s *Server) map[string]any {
	b.t.Helper()
	_, body := b.get(s.AppURL() + "/api/auth/session")
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		b.t.Fatalf("session: %v: %s", err, body)
	}
	return m
}

func (b *browser) token(s *Server) string {
	b.t.Helper()
	tok, _ := b.session(s)["accessToken"].(string)
	if tok == "" {
		b.t.Fatal("no access token: not signed in")
	}
	return tok
}

func backend(t *testing.T, method, u, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// loginCurrent signs in through the current-era pages and returns the final page.
func loginCurrent(t *testing.T, s *Server, b *browser, email, password string) (*http.Response, string) {
	t.Helper()
	resp, body := b.get(s.AppURL() + "/api/auth/signin/openai?prompt=login")
	if resp.Request.URL.Path != "/log-in" || !strings.Contains(body, `name="email"`) {
		t.Fatalf("login entry landed on %s", resp.Request.URL)
	}
	resp, body = b.post(s.AuthURL()+"/log-in", b.ts(s, url.Values{"email": {email}}))
	if resp.Request.URL.Path != "/log-in/password" {
		return resp, body
	}
	return b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {password}}))
}

func TestStartDefaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	if s.UI() != UICurrent {
		t.Errorf("UI = %q", s.UI())
	}
	if !strings.HasPrefix(s.AppURL(), "http://localhost:") || !strings.HasPrefix(s.AuthURL(), "http://127.0.0.1:") {
		t.Errorf("URLs %s %s", s.AppURL(), s.AuthURL())
	}
	if len(s.Accounts()) != len(DemoAccounts()) {
		t.Errorf("accounts %d", len(s.Accounts()))
	}
	if _, err := Start(Options{UI: "1999"}); err == nil {
		t.Error("unknown UI accepted")
	}
	if _, err := Start(Options{Accounts: []Account{{Email: "a@x"}, {Email: "A@x"}}}); err == nil {
		t.Error("duplicate account accepted")
	}
}

func TestInfoJSON(t *testing.T) {
	t.Parallel()
	s := start(t, Options{UI: UI2023})
	data, err := json.Marshal(s.Info())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	if m["app"] != s.AppURL() || m["auth"] != s.AuthURL() || m["ui"] != "2023" {
		t.Errorf("info %s", data)
	}
	accts := m["accounts"].([]any)
	first := accts[0].(map[string]any)
	for _, k := range []string{"email", "password", "totp_secret", "training_allowed"} {
		if _, ok := first[k]; !ok {
			t.Errorf("account lacks %q: %s", k, data)
		}
	}
	if len(first) != 4 {
		t.Errorf("account has extra keys: %v", first)
	}
}

func TestLoginCurrent(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)

	// Signed out: landing shell, empty session.
	_, body := b.get(s.AppURL() + "/")
	if !strings.Contains(body, `"authStatus":"logged_out"`) {
		t.Fatalf("landing shell: %s", body)
	}
	if len(b.session(s)) != 0 {
		t.Fatal("session not empty before login")
	}

	resp, body := loginCurrent(t, s, b, "alice@example.com", "wrong")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `role="alert"`) ||
		!strings.Contains(body, "Incorrect email address or password") || !strings.Contains(body, `name="current-password"`) {
		t.Fatalf("wrong password: %d %s", resp.StatusCode, body)
	}
	resp, body = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {"alice-password-1"}}))
	if resp.Request.URL.String() != s.AppURL()+"/" || !strings.Contains(body, `"authStatus":"logged_in"`) {
		t.Fatalf("after login at %s: %s", resp.Request.URL, body)
	}
	sess := b.session(s)
	user := sess["user"].(map[string]any)
	if user["email"] != "alice@example.com" || user["name"] != "Alice Example" || sess["accessToken"] == "" || sess["expires"] == "" {
		t.Errorf("session %v", sess)
	}
	c := s.Counters("alice@example.com")
	if c.LoginPageViews != 1 || c.PasswordAttempts != 2 || c.Logins != 1 {
		t.Errorf("counters %+v", c)
	}

	// The cookie is the real name, HttpOnly, Secure, Lax, on the app host only.
	u, _ := url.Parse(s.AppURL())
	var found bool
	for _, ck := range b.c.Jar.Cookies(u) {
		if ck.Name == SessionCookie {
			found = true
		}
	}
	au, _ := url.Parse(s.AuthURL())
	for _, ck := range b.c.Jar.Cookies(au) {
		if strings.Contains(ck.Name, "next-auth") {
			t.Error("session cookie leaked to the auth host")
		}
	}
	if !found {
		t.Error("no session cookie on the app host")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	b.c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.Contains(req.URL.Path, "/api/auth/callback/") {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, _ := loginCurrent(t, s, b, "bob@example.com", "bob-password-2")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// Follow the callback by hand to see its Set-Cookie.
	cb := resp.Header.Get("Location")
	if !strings.HasPrefix(cb, s.AppURL()+"/api/auth/callback/openai?code=") {
		t.Fatalf("callback %q", cb)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r2, err := noFollow.Get(cb)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	sc := r2.Header.Get("Set-Cookie")
	for _, want := range []string{SessionCookie + "=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if r2.Header.Get("Location") != "/" {
		t.Errorf("callback redirects to %q", r2.Header.Get("Location"))
	}
	// The code is single use.
	r3, _ := noFollow.Get(cb)
	r3.Body.Close()
	if loc := r3.Header.Get("Location"); !strings.Contains(loc, "/auth/error") {
		t.Errorf("reused code went to %q", loc)
	}
}

func TestUnknownEmailStillAsksPassword(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, "nobody@example.com", "x")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Incorrect email address or password") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got := s.Counters("").LoginPageViews; got != 1 {
		t.Errorf("unattributed views %d", got)
	}
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	for _, ui := range []UI{UICurrent, UI2023} {
		t.Run(string(ui), func(t *testing.T) {
			s := start(t, Options{UI: ui})
			b := newBrowser(t)
			var resp *http.Response
			var body string
			if ui == UICurrent {
				resp, body = loginCurrent(t, s, b, "carol@example.com", "carol-password-3")
				if !strings.HasPrefix(resp.Request.URL.Path, "/mfa-challenge/") ||
					!strings.Contains(body, `autocomplete="one-time-code"`) || !strings.Contains(body, `inputmode="numeric"`) {
					t.Fatalf("mfa page at %s: %s", resp.Request.URL, body)
				}
			} else {
				resp, body = login2023(t, s, b, "carol@example.com", "carol-password-3")
				if resp.Request.URL.Path != "/u/mfa-otp-challenge" || !strings.Contains(body, `id="code"`) {
					t.Fatalf("mfa page at %s: %s", resp.Request.URL, body)
				}
			}
			mfaURL := resp.Request.URL.String()
			form := url.Values{"code": {"000000"}}
			if ui == UI2023 {
				form.Set("state", resp.Request.URL.Query().Get("state"))
			}
			resp, body = b.post(mfaURL, form)
			want := "Incorrect code. Please try again."
			if ui == UI2023 {
				want = "The code you entered is invalid"
			}
			if !strings.Contains(body, want) {
				t.Fatalf("wrong code: %d %s", resp.StatusCode, body)
			}
			code, _ := totp.GenerateCode("JBSWY3DPEHPK3PXP", time.Now())
			form.Set("code", code)
			resp, _ = b.post(mfaURL, form)
			if resp.Request.URL.String() != s.AppURL()+"/" {
				t.Fatalf("after TOTP at %s", resp.Request.URL)
			}
			if b.token(s) == "" {
				t.Fatal("no session")
			}
			if c := s.Counters("carol@example.com"); c.MFAAttempts != 2 || c.Logins != 1 {
				t.Errorf("counters %+v", c)
			}
		})
	}
}

func login2023(t *testing.T, s *Server, b *browser, email, password string) (*http.Response, string) {
	t.Helper()
	resp, body := b.get(s.AppURL() + "/")
	if resp.Request.URL.Path != "/auth/login" || !strings.Contains(body, `"page":"login"`) {
		t.Fatalf("2023 signed-out / went to %s", resp.Request.URL)
	}
	resp, body = b.get(s.AppURL() + "/api/auth/signin/auth0?prompt=login")
	if resp.Request.URL.Path != "/u/login/identifier" || !strings.Contains(body, `id="username"`) ||
		!strings.Contains(body, `name="action"`) || !strings.Contains(body, `data-provider="google"`) {
		t.Fatalf("identifier at %s: %s", resp.Request.URL, body)
	}
	state := resp.Request.URL.Query().Get("state")
	resp, body = b.post(s.AuthURL()+"/u/login/identifier?state="+state, url.Values{"state": {state}, "username": {email}, "action": {"default"}})
	if resp.Request.URL.Path != "/u/login/password" {
		return resp, body
	}
	return b.post(s.AuthURL()+"/u/login/password?state="+state, url.Values{"state": {state}, "username": {email}, "password": {password}, "action": {"default"}})
}

func TestLogin2023(t *testing.T) {
	t.Parallel()
	s := start(t, Options{UI: UI2023})
	b := newBrowser(t)
	resp, body := login2023(t, s, b, "bob@example.com", "nope")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="error-element-password"`) ||
		!strings.Contains(body, "Wrong email or password") || !strings.Contains(body, `data-action-button-primary="true"`) {
		t.Fatalf("wrong password: %d %s", resp.StatusCode, body)
	}
	state := resp.Request.URL.Query().Get("state")
	resp, body = b.post(s.AuthURL()+"/u/login/password?state="+state, url.Values{"state": {state}, "password": {"bob-password-2"}})
	if resp.Request.URL.String() != s.AppURL()+"/" || !strings.Contains(body, `"historyDisabled":true`) || !strings.Contains(body, "legacy2023.js") {
		t.Fatalf("after login at %s: %s", resp.Request.URL, body)
	}
	tok := b.token(s)
	code, m := backend(t, "PATCH", s.AppURL()+"/backend-api/settings/account_user_setting?feature=history_disabled&value=false", tok)
	if code != 200 || m["history_disabled"] != false {
		t.Fatalf("patch %d %v", code, m)
	}
	if on, _ := s.TrainingAllowed("bob@example.com"); !on {
		t.Error("history_disabled=false did not turn training on")
	}
}

func TestSettingsBackend(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	tok := b.token(s)
	app := s.AppURL()

	if code, _ := backend(t, "GET", app+"/backend-api/settings/user", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	if code, _ := backend(t, "GET", app+"/backend-api/settings/user", "garbage"); code != 401 {
		t.Errorf("bad token: %d", code)
	}
	code, m := backend(t, "GET", app+"/backend-api/settings/user", tok)
	if code != 200 || m["settings"].(map[string]any)["training_allowed"] != true {
		t.Fatalf("read %d %v", code, m)
	}

	patch := app + "/backend-api/settings/account_user_setting?feature=training_allowed&value=false"
	s.FailPatches("alice@example.com", 1)
	code, m = backend(t, "PATCH", patch, tok)
	if code != 500 || m["detail"] == nil {
		t.Fatalf("failed patch %d %v", code, m)
	}
	if on, _ := s.TrainingAllowed("alice@example.com"); !on {
		t.Fatal("failed patch changed the state")
	}
	code, m = backend(t, "PATCH", patch, tok)
	if code != 200 || m["training_allowed"] != false {
		t.Fatalf("patch %d %v", code, m)
	}
	if on, _ := s.TrainingAllowed("alice@example.com"); on {
		t.Fatal("patch did not store")
	}
	if code, _ := backend(t, "GET", patch, tok); code != 405 {
		t.Errorf("GET on PATCH endpoint: %d", code)
	}
	if code, _ := backend(t, "PATCH", app+"/backend-api/settings/account_user_setting?feature=training_allowed&value=maybe", tok); code != 422 {
		t.Errorf("bad value: %d", code)
	}
	c := s.Counters("alice@example.com")
	if c.SettingsReads != 1 || c.Patches != 3 {
		t.Errorf("counters %+v", c)
	}

	if err := s.SetTrainingAllowed("alice@example.com", true); err != nil {
		t.Fatal(err)
	}
	_, m = backend(t, "GET", app+"/backend-api/settings/user", tok)
	if m["settings"].(map[string]any)["training_allowed"] != true {
		t.Error("SetTrainingAllowed not visible to the page")
	}
	if _, err := s.TrainingAllowed("zed@example.com"); err == nil {
		t.Error("unknown account: no error")
	}

	// Expiry: cookie and token both stop working.
	s.ExpireSessions("alice@example.com")
	if len(b.session(s)) != 0 {
		t.Error("session still valid after ExpireSessions")
	}
	if code, _ := backend(t, "GET", app+"/backend-api/settings/user", tok); code != 401 {
		t.Errorf("token after expiry: %d", code)
	}
	_, body := b.get(app + "/")
	if !strings.Contains(body, `"authStatus":"logged_out"`) {
		t.Error("landing not shown after expiry")
	}
}

func TestSessionTTLAndLatency(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SessionTTL: 300 * time.Millisecond, Latency: 50 * time.Millisecond})
	tok, err := s.NewSession("bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.AppURL()+"/api/auth/session", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if time.Since(t0) < 50*time.Millisecond {
		t.Error("latency not applied")
	}
	if m["accessToken"] == nil {
		t.Fatal("NewSession token not accepted")
	}
	time.Sleep(350 * time.Millisecond)
	req, _ = http.NewRequest("GET", s.AppURL()+"/api/auth/session", nil)
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
	resp, _ = http.DefaultClient.Do(req)
	m = nil
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if len(m) != 0 {
		t.Errorf("session alive after TTL: %v", m)
	}
}

func TestSplitSessionCookie(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SplitSessionCookie: true})
	b := newBrowser(t)
	loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	u, _ := url.Parse(s.AppURL())
	names := map[string]bool{}
	for _, c := range b.c.Jar.Cookies(u) {
		names[c.Name] = true
	}
	if !names[SessionCookie+".0"] || !names[SessionCookie+".1"] || names[SessionCookie] {
		t.Fatalf("cookies %v", names)
	}
	if b.token(s) == "" {
		t.Fatal("chunked cookie not accepted")
	}
}

func TestBotWall(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	b.ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"
	resp, body := loginCurrent(t, s, b, "erin@example.com", "erin-password-5")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<title>Just a moment...</title>") || !strings.Contains(body, "Verify you are human") {
		t.Fatalf("no wall: %d %s", resp.StatusCode, body)
	}
	if c := s.Counters("erin@example.com"); c.PasswordAttempts != 0 {
		t.Errorf("password reached behind the wall: %+v", c)
	}
	resp, _ = b.post(s.AuthURL()+"/cdn-cgi/challenge-platform/verify", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("headless cleared the wall: %d", resp.StatusCode)
	}
	// A headed browser clears it by ticking the box.
	b.ua = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36"
	resp, _ = b.post(s.AuthURL()+"/cdn-cgi/challenge-platform/verify", url.Values{})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("headed verify: %d", resp.StatusCode)
	}
	resp, body = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {"erin-password-5"}}))
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("after wall at %s: %.300s", resp.Request.URL, body)
	}
	s.SetBotWall("erin@example.com", false)
	if s.Accounts()[4].BotWall {
		t.Error("SetBotWall not reflected in Accounts")
	}
}

func TestEmailCode(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, "frank@example.com", "frank-password-6")
	if resp.Request.URL.Path != "/email-verification" || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("at %s", resp.Request.URL)
	}
	_, body = b.post(s.AuthURL()+"/email-verification", url.Values{"code": {"123"}})
	if !strings.Contains(body, `role="alert"`) {
		t.Fatal("wrong code accepted")
	}
	resp, _ = b.post(s.AuthURL()+"/email-verification", url.Values{"code": {s.EmailCode("frank@example.com")}})
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("after code at %s", resp.Request.URL)
	}
}

func TestDialogEntryAndDialogsShownOnce(t *testing.T) {
	t.Parallel()
	s := start(t, Options{LoginEntry: "dialog"})
	b := newBrowser(t)
	_, body := b.get(s.AppURL() + "/")
	if !strings.Contains(body, `"loginEntry":"dialog"`) {
		t.Fatal("login entry not passed to the page")
	}
	// The page's dialog sends the email along: straight to the password step.
	resp, body := b.get(s.AppURL() + "/api/auth/signin/openai?login_hint=" + url.QueryEscape("dave@example.com"))
	if resp.Request.URL.Path != "/log-in/password" || !strings.Contains(body, "dave@example.com") {
		t.Fatalf("at %s", resp.Request.URL)
	}
	if c := s.Counters("dave@example.com"); c.LoginPageViews != 1 {
		t.Errorf("views %+v", c)
	}
	_, body = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {"dave-password-4"}}))
	if !regexp.MustCompile(`"dialogs":\["all-set","tour"\]`).MatchString(body) {
		t.Fatalf("dialogs not in first page: %s", body)
	}
	_, body = b.get(s.AppURL() + "/")
	if !strings.Contains(body, `"dialogs":[]`) {
		t.Fatal("dialogs shown again after reload")
	}
}

func TestAssetsServed(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	for _, p := range []string{"/assets/lib.js", "/assets/current.js", "/assets/legacy2023.js", "/assets/redesign.js", "/assets/app.css"} {
		resp, err := http.Get(s.AppURL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		// Hashed bundles on the real site: cached for a year, never revalidated.
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want immutable", p, cc)
		}
	}
	resp, err := http.Get(s.AppURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the app page: Cache-Control %q, want no-store", cc)
	}
}
