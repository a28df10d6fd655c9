package simulator

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The first minute on the real site (issue 20), over plain HTTP.

const plainChromeUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
const headlessChromeUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"

// challengeToken reads the token the challenge page's script posts.
func challengeToken(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`var token = "([a-z0-9]+)";`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no challenge token in %s", body)
	}
	return m[1]
}

// flowAnswer posts the challenge script's call and returns its status.
func (b *browser) flowAnswer(base, token, action string) int {
	b.t.Helper()
	resp, _ := b.post(base+checkFlowPath, url.Values{"chl": {token}, "action": {action}})
	return resp.StatusCode
}

func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSecurityCheckClears(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Quiet: true, SecurityCheck: &SecurityCheck{Mode: CheckClears, Delay: 300 * time.Millisecond, Origin: "app"}})
	b := newBrowser(t)
	b.ua = plainChromeUA
	resp, body := b.get(s.AppURL() + "/?from=test")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("cf-mitigated") != "challenge" || resp.Header.Get("Server") != "cloudflare" {
		t.Fatalf("first page: %d %v", resp.StatusCode, resp.Header)
	}
	host := strings.TrimPrefix(s.AppURL(), "http://")
	for _, want := range []string{
		"<title>Just a moment...</title>",
		`<h1 class="zone-name-title h1">` + host + `</h1>`,
		`<h2 id="challenge-running" class="h2">Verifying you are human. This may take a few seconds.</h2>`,
		host + " needs to review the security of your connection before proceeding.",
		`class="spinner"`, "Ray ID: <code>", "Performance &amp; security by", "Cloudflare",
		"__cf_chl_rt_tk", "history.replaceState", "Verification successful", "Waiting for ",
		"Widget containing a Cloudflare security challenge", "Verify you are human by completing the action below.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("challenge page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`\},\s*300\s*\);`).MatchString(body) {
		t.Error("the challenge does not wait the Delay")
	}
	if cookieOf(resp, checkVisitorCookie) == nil {
		t.Error("no __cf_bm cookie for a new visitor")
	}
	if strings.Contains(body, "client-bootstrap") {
		t.Error("the challenge page carries the app")
	}
	tok := challengeToken(t, body)
	// Another origin's flow endpoint does not know it, and the login
	// origin has no challenge at all here.
	if code := b.flowAnswer(s.AuthURL(), tok, "auto"); code != http.StatusNotFound {
		t.Errorf("auth flow endpoint: %d", code)
	}
	resp, _ = b.post(s.AppURL()+checkFlowPath, url.Values{"chl": {tok}, "action": {"auto"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("flow: %d", resp.StatusCode)
	}
	c := cookieOf(resp, checkClearanceCookie)
	if c == nil || !c.HttpOnly || c.Path != "/" || c.MaxAge <= 0 {
		t.Fatalf("cf_clearance %+v", c)
	}
	if got := s.CheckCounters(); got != (CheckCounters{Shown: 1, Cleared: 1}) {
		t.Errorf("counters %+v", got)
	}
	// Cleared: never challenged again on this origin.
	for i := 0; i < 3; i++ {
		resp, body = b.get(s.AppURL() + "/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "client-bootstrap") {
			t.Fatalf("after clearance: %d", resp.StatusCode)
		}
	}
	if resp, _ := b.get(s.AuthURL() + "/log-in"); resp.StatusCode != http.StatusOK {
		t.Errorf("auth challenged with Origin app: %d", resp.StatusCode)
	}
	// A token is good once.
	if code := b.flowAnswer(s.AppURL(), tok, "auto"); code != http.StatusBadRequest {
		t.Errorf("token reused: %d", code)
	}
	// Another browser (its own cookie jar) is challenged on its own.
	b2 := newBrowser(t)
	if resp, _ := b2.get(s.AppURL() + "/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a second browser: %d", resp.StatusCode)
	}
	if got := s.CheckCounters(); got.Shown != 2 || got.Cleared != 1 {
		t.Errorf("counters %+v", got)
	}
}

func TestSecurityCheckModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode                      CheckMode
		ua                        string
		autoPasses, tickPasses    bool
		wantInteractive, wantTick int
	}{
		{CheckHeadless, plainChromeUA, true, false, 0, 0},
		{CheckHeadless, headlessChromeUA, false, false, 1, 1},
		{CheckInteractive, plainChromeUA, false, true, 1, 1},
		{CheckInteractive, headlessChromeUA, false, false, 1, 1},
		{CheckClears, headlessChromeUA, true, false, 0, 0},
	} {
		name := string(tc.mode) + "/" + tc.ua[len(tc.ua)-40:]
		s := start(t, Options{Quiet: true, SecurityCheck: &SecurityCheck{Mode: tc.mode, Origin: "auth"}})
		b := newBrowser(t)
		b.ua = tc.ua
		if resp, _ := b.get(s.AppURL() + "/"); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: app challenged with Origin auth", name)
		}
		resp, body := b.get(s.AuthURL() + "/log-in")
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: /log-in %d", name, resp.StatusCode)
		}
		if !regexp.MustCompile(`\},\s*2000\s*\);`).MatchString(body) {
			t.Errorf("%s: default delay is not 2 s", name)
		}
		tok := challengeToken(t, body)
		code := b.flowAnswer(s.AuthURL(), tok, "auto")
		if (code == http.StatusOK) != tc.autoPasses {
			t.Fatalf("%s: auto %d", name, code)
		}
		if !tc.autoPasses {
			code = b.flowAnswer(s.AuthURL(), tok, "tick")
			if (code == http.StatusOK) != tc.tickPasses {
				t.Errorf("%s: tick %d", name, code)
			}
		}
		got := s.CheckCounters()
		cleared := tc.autoPasses || tc.tickPasses
		if got.Shown != 1 || got.TurnedInteractive != tc.wantInteractive || got.Ticks != tc.wantTick || (got.Cleared == 1) != cleared {
			t.Errorf("%s: counters %+v", name, got)
		}
		resp, _ = b.get(s.AuthURL() + "/log-in")
		if (resp.StatusCode == http.StatusOK) != cleared {
			t.Errorf("%s: /log-in after the challenge: %d", name, resp.StatusCode)
		}
	}
}

func TestSecurityCheckAtViewAndWhatIsAPage(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Quiet: true, SecurityCheck: &SecurityCheck{Mode: CheckInteractive, Origin: "both", AtView: 2, Delay: time.Second}})
	b := newBrowser(t)
	// Not pages: never challenged, never counted.
	for _, u := range []string{"/api/auth/session", "/assets/lib.js", "/favicon.ico", "/backend-api/settings/user"} {
		if resp, _ := b.get(s.AppURL() + u); resp.StatusCode == http.StatusForbidden {
			t.Errorf("%s challenged", u)
		}
	}
	if resp, _ := b.post(s.AuthURL()+"/cdn-cgi/challenge-platform/turnstile/token", url.Values{}); resp.StatusCode != http.StatusOK {
		t.Errorf("turnstile token: %d", resp.StatusCode)
	}
	// App view 1 passes, view 2 and later are challenged until cleared.
	if resp, _ := b.get(s.AppURL() + "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("app view 1: %d", resp.StatusCode)
	}
	for i := 2; i <= 3; i++ {
		if resp, _ := b.get(s.AppURL() + "/"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("app view %d: %d", i, resp.StatusCode)
		}
	}
	// The login origin counts on its own: /authorize is view 1 there.
	resp, _ := b.get(s.AppURL() + "/api/auth/signin/openai")
	if resp.StatusCode != http.StatusForbidden || resp.Request.URL.Path != "/log-in" {
		t.Fatalf("sign-in entry: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// A client that keeps no cookies is a new visitor every time.
	nojar := &browser{t: t, c: &http.Client{Timeout: 5 * time.Second}, ua: "curl/8"}
	for i := 0; i < 3; i++ {
		if resp, _ := nojar.get(s.AppURL() + "/"); resp.StatusCode != http.StatusOK {
			t.Errorf("cookieless view: %d", resp.StatusCode)
		}
	}
	if got := s.CheckCounters(); got.Shown != 3 {
		t.Errorf("counters %+v", got)
	}
	// A page POST is never challenged.
	if resp, _ := b.post(s.AuthURL()+"/log-in", url.Values{}); resp.StatusCode == http.StatusForbidden {
		t.Error("a POST was challenged")
	}

	for _, bad := range []Options{
		{SecurityCheck: &SecurityCheck{Mode: "sometimes"}},
		{SecurityCheck: &SecurityCheck{Mode: CheckClears, Origin: "cdn"}},
		{SecurityCheck: &SecurityCheck{Mode: CheckClears, Delay: -time.Second}},
		{SecurityCheck: &SecurityCheck{Mode: CheckClears, AtView: -1}},
	} {
		if s, err := Start(bad); err == nil {
			s.Close()
			t.Errorf("Start(%+v) accepted", *bad.SecurityCheck)
		}
	}
}

func TestClientsRecorded(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Quiet: true})
	get := func(u, ua, chua, lang string) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("User-Agent", ua)
		if chua != "" {
			req.Header.Set("Sec-CH-UA", chua)
		}
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	const chua = `"Chromium";v="131", "Not_A Brand";v="24"`
	get(s.AppURL()+"/", headlessChromeUA, `"HeadlessChrome";v="131"`, "en-US")
	get(s.AuthURL()+"/log-in", headlessChromeUA, `"HeadlessChrome";v="131"`, "en-US")
	get(s.AppURL()+"/auth/login", plainChromeUA, chua, "en-US,en;q=0.9")
	get(s.AppURL()+"/api/auth/session", "not-a-page/1", "", "")
	get(s.AppURL()+"/assets/app.css", "not-a-page/2", "", "")
	want := []Client{
		{UserAgent: headlessChromeUA, SecCHUA: `"HeadlessChrome";v="131"`, AcceptLanguage: "en-US"},
		{UserAgent: plainChromeUA, SecCHUA: chua, AcceptLanguage: "en-US,en;q=0.9"},
	}
	got := s.Clients()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("clients %+v", got)
	}
}

// noticeResponse posts how the UnknownDialog ended, as the page does.
func noticeResponse(t *testing.T, s *Server, token, action string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", s.AppURL()+"/backend-api/notices/response", strings.NewReader(`{"action":"`+action+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestUnknownDialogUntilClosedOrAnswered(t *testing.T) {
	t.Parallel()
	for _, ui := range []UI{UICurrent, UI2023} {
		s := start(t, Options{UI: ui, Quiet: true, UnknownDialog: &UnknownDialog{Close: CloseDismiss}})
		b := newBrowser(t)
		var body string
		if ui == UICurrent {
			_, body = loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
		} else {
			_, body = login2023(t, s, b, "alice@example.com", "alice-password-1")
		}
		d := bootOf(t, body).UnknownDialog
		if d == nil || d.Title != "Personalized ads" || d.Accept != "Turn on personalized ads" || d.Close != CloseDismiss || d.OverSettings ||
			d.Text != "Ads in ChatGPT can now be personalized using your chats and memory. You can change this anytime in Settings." {
			t.Fatalf("%s: boot %+v", ui, d)
		}
		// A reload brings it back until it is closed or answered.
		_, body = b.get(s.AppURL() + "/")
		if bootOf(t, body).UnknownDialog == nil {
			t.Fatalf("%s: gone after a reload", ui)
		}
		tok := b.token(s)
		if code := noticeResponse(t, s, "", "close"); code != http.StatusUnauthorized {
			t.Errorf("%s: without a token: %d", ui, code)
		}
		if code := noticeResponse(t, s, tok, "shrug"); code != http.StatusUnprocessableEntity {
			t.Errorf("%s: unknown action: %d", ui, code)
		}
		if code := noticeResponse(t, s, tok, "close"); code != http.StatusOK {
			t.Fatalf("%s: close %d", ui, code)
		}
		_, body = b.get(s.AppURL() + "/")
		if bootOf(t, body).UnknownDialog != nil {
			t.Errorf("%s: shown after it was closed", ui)
		}
		if c := s.Counters("alice@example.com"); c.DialogsClosed != 1 || c.ChoicePresses != 0 || c.Patches != 0 {
			t.Errorf("%s: counters %+v", ui, c)
		}
		// A new session shows it again; a choice ends it too, and counts.
		tok2, _ := s.NewSession("alice@example.com")
		b2 := newBrowser(t)
		u, _ := url.Parse(s.AppURL())
		b2.c.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: tok2, Path: "/"}})
		_, body = b2.get(s.AppURL() + "/")
		if bootOf(t, body).UnknownDialog == nil {
			t.Fatalf("%s: a new session without it", ui)
		}
		for _, action := range []string{"accept", "learn_more"} {
			if code := noticeResponse(t, s, b2.token(s), action); code != http.StatusOK {
				t.Errorf("%s: %s %d", ui, action, code)
			}
		}
		if c := s.Counters("alice@example.com"); c.DialogsClosed != 1 || c.ChoicePresses != 2 {
			t.Errorf("%s: counters %+v", ui, c)
		}
		if tot := s.Counters(""); tot.ChoicePresses != 2 {
			t.Errorf("%s: totals %+v", ui, tot)
		}
	}
	// Other wording, over the settings.
	s := start(t, Options{Quiet: true, UnknownDialog: &UnknownDialog{Title: "Try Plus free", Text: "One month on us.", Accept: "Start trial", Close: CloseNone, OverSettings: true}})
	tok, _ := s.NewSession("bob@example.com")
	b := newBrowser(t)
	u, _ := url.Parse(s.AppURL())
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: tok, Path: "/"}})
	_, body := b.get(s.AppURL() + "/")
	if d := bootOf(t, body).UnknownDialog; d == nil || *d != (noticeBoot{Title: "Try Plus free", Text: "One month on us.", Accept: "Start trial", Close: CloseNone, OverSettings: true}) {
		t.Errorf("boot %+v", d)
	}
	// None without the option; an unknown close is refused.
	s = start(t, Options{Quiet: true})
	b = newBrowser(t)
	_, body = loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	if bootOf(t, body).UnknownDialog != nil {
		t.Error("a dialog without the option")
	}
	if s, err := Start(Options{UnknownDialog: &UnknownDialog{Close: "swipe"}}); err == nil {
		s.Close()
		t.Error("Close swipe accepted")
	}
	if c, err := ParseDialogClose("escape"); err != nil || c != CloseEscape {
		t.Errorf("ParseDialogClose: %q %v", c, err)
	}
	if _, err := ParseDialogClose("swipe"); err == nil || !strings.Contains(err.Error(), "dismiss") {
		t.Errorf("ParseDialogClose(swipe): %v", err)
	}
}

// withAccount is DemoAccounts with alice changed by f.
func withAccount(f func(*Account)) []Account {
	accounts := DemoAccounts()
	f(&accounts[0])
	return accounts
}

// errorPage checks the body is the /unexpected-state page saying text.
func errorPage(t *testing.T, resp *http.Response, body, text string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/unexpected-state" {
		t.Fatalf("not the error page: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	for _, want := range []string{
		"<title>Oops! - OpenAI</title>", "Oops, an error occurred!", text,
		`<form method="post" action="/unexpected-state"`, `<button type="submit" class="primary" data-dd-action-name="Try again">Try again</button>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	for _, no := range []string{`type="password"`, `name="email"`, `type="email"`} {
		if strings.Contains(body, no) {
			t.Errorf("error page has %s", no)
		}
	}
}

func TestSiteErrorsThenTryAgain(t *testing.T) {
	t.Parallel()
	const email, password = "alice@example.com", "alice-password-1"
	s := start(t, Options{Quiet: true, Accounts: withAccount(func(a *Account) { a.SiteErrors = 2 })})
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, email, password)
	errorPage(t, resp, body, "Operation timed out")
	resp, body = b.post(s.AuthURL()+"/unexpected-state", url.Values{})
	errorPage(t, resp, body, "Operation timed out")
	resp, body = b.post(s.AuthURL()+"/unexpected-state", url.Values{})
	if !strings.HasPrefix(resp.Request.URL.String(), s.AppURL()) || bootOf(t, body).AuthStatus != "logged_in" {
		t.Fatalf("third try: at %s", resp.Request.URL)
	}
	if c := s.Counters(email); c.SiteErrorPages != 2 || c.TryAgainPresses != 2 || c.ChoicePresses != 0 || c.Logins != 1 {
		t.Errorf("counters %+v", c)
	}
	// The first N times: the next sign-in goes straight through.
	b2 := newBrowser(t)
	resp, _ = loginCurrent(t, s, b2, email, password)
	if !strings.HasPrefix(resp.Request.URL.String(), s.AppURL()) {
		t.Errorf("second sign-in at %s", resp.Request.URL)
	}

	// -1: every time, in both eras.
	for _, ui := range []UI{UICurrent, UI2023} {
		s := start(t, Options{UI: ui, Quiet: true, Accounts: withAccount(func(a *Account) { a.SiteErrors = -1 })})
		b := newBrowser(t)
		var resp *http.Response
		var body string
		if ui == UICurrent {
			resp, body = loginCurrent(t, s, b, email, password)
		} else {
			resp, body = login2023(t, s, b, email, password)
		}
		errorPage(t, resp, body, "Operation timed out")
		form := url.Values{}
		if ui == UI2023 {
			st := resp.Request.URL.Query().Get("state")
			if st == "" || !strings.Contains(body, `name="state" value="`+st+`"`) {
				t.Fatalf("2023 error page without its state: %s", resp.Request.URL)
			}
			form.Set("state", st)
		}
		for i := 0; i < 4; i++ {
			resp, body = b.post(s.AuthURL()+"/unexpected-state", form)
			errorPage(t, resp, body, "Operation timed out")
		}
		if c := s.Counters(email); c.SiteErrorPages != 5 || c.TryAgainPresses != 4 || c.Logins != 0 {
			t.Errorf("%s: counters %+v", ui, c)
		}
	}
	if s, err := Start(Options{Accounts: withAccount(func(a *Account) { a.SiteErrors = -2 })}); err == nil {
		s.Close()
		t.Error("SiteErrors -2 accepted")
	}
}

func TestMaxCheckAttempts(t *testing.T) {
	t.Parallel()
	const email = "alice@example.com"
	s := start(t, Options{Quiet: true, Accounts: withAccount(func(a *Account) { a.MaxCheckAttempts = true; a.SiteErrors = 1 })})
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, email, "alice-password-1")
	const text = "Too many attempts. Please try again later. (max_check_attempts)"
	errorPage(t, resp, body, text)
	resp, body = b.post(s.AuthURL()+"/unexpected-state", url.Values{})
	errorPage(t, resp, body, text)
	if c := s.Counters(email); c.SiteErrorPages != 2 || c.TryAgainPresses != 1 || c.ChoicePresses != 1 || c.Logins != 0 || c.PasswordAttempts != 1 {
		t.Errorf("counters %+v", c)
	}
	// A wrong password is still only that.
	b2 := newBrowser(t)
	resp, body = loginCurrent(t, s, b2, email, "wrong")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Incorrect email address or password") {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
}

func TestPersonPages(t *testing.T) {
	t.Parallel()
	const email, password = "alice@example.com", "alice-password-1"
	for _, tc := range []struct {
		need, path string
		wants      []string
	}{
		{NeedsAddPhone, "/add-phone", []string{"<h1 class=\"heading\">Add a phone number</h1>", "verify your phone number", `type="tel"`, `data-dd-action-name="Continue">Continue</button>`}},
		{NeedsAboutYou, "/about-you", []string{"<h1 class=\"heading\">Tell us about you</h1>", `name="name" autocomplete="name"`, `placeholder="Full name"`,
			`role="spinbutton" data-type="year"`, `role="spinbutton" data-type="month"`, `role="spinbutton" data-type="day"`, ">Continue</button>"}},
		{NeedsAge, "/age-verification", []string{"<h1 class=\"heading\">Verify your age</h1>", "selfie", "Persona", "keep using ChatGPT", `data-dd-action-name="Start verification">Start verification</button>`}},
		{NeedsPhone, "/log-in", []string{"<h1 class=\"heading\">Log in with your phone number</h1>", `type="tel" name="phone"`, ">Continue</button>"}},
	} {
		s := start(t, Options{Quiet: true, Accounts: withAccount(func(a *Account) { a.Needs = tc.need })})
		b := newBrowser(t)
		resp, body := loginCurrent(t, s, b, email, password)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != tc.path {
			t.Fatalf("%s: at %d %s", tc.need, resp.StatusCode, resp.Request.URL)
		}
		if tc.need == NeedsPhone && resp.Request.URL.Query().Get("usernameKind") != "phone_number" {
			t.Errorf("phone: at %s", resp.Request.URL)
		}
		for _, want := range tc.wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", tc.need, want)
			}
		}
		if strings.Contains(body, `type="password"`) {
			t.Errorf("%s: a password field", tc.need)
		}
		// Nothing gets past it: a POST shows it again.
		resp, body = b.post(resp.Request.URL.String(), url.Values{"phone": {"+15555550100"}, "name": {"Alice Example"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, tc.wants[0]) {
			t.Errorf("%s: POST %d at %s", tc.need, resp.StatusCode, resp.Request.URL)
		}
		c := s.Counters(email)
		if c.PersonPages != 2 || c.Logins != 0 {
			t.Errorf("%s: counters %+v", tc.need, c)
		}
		if tc.need == NeedsPhone && c.PasswordAttempts != 0 {
			t.Errorf("phone: password asked: %+v", c)
		}
	}
	// The 2023 login origin serves the same pages.
	s := start(t, Options{UI: UI2023, Quiet: true, Accounts: withAccount(func(a *Account) { a.Needs = NeedsAddPhone })})
	resp, body := login2023(t, s, newBrowser(t), email, password)
	if resp.Request.URL.Path != "/add-phone" || !strings.Contains(body, "Add a phone number") || !strings.Contains(body, `name="state"`) {
		t.Errorf("2023: at %s", resp.Request.URL)
	}
	// Without a flow, the pages send a visitor to the login.
	resp, _ = newBrowser(t).get(start(t, Options{Quiet: true}).AuthURL() + "/add-phone")
	if resp.Request.URL.Path != "/log-in" {
		t.Errorf("/add-phone without a flow: at %s", resp.Request.URL)
	}
	if s, err := Start(Options{Accounts: withAccount(func(a *Account) { a.Needs = "selfie" })}); err == nil {
		s.Close()
		t.Error("Needs selfie accepted")
	}
}

func TestOneTimeCodeOffer(t *testing.T) {
	t.Parallel()
	const email = "alice@example.com"
	s := start(t, Options{Quiet: true, OneTimeCodeOffer: true, IMAPPlain: true})
	if s.MailboxUser(email) != email || s.MailboxPassword(email) == "" {
		t.Fatalf("alice has no mailbox: %q", s.MailboxUser(email))
	}
	b := newBrowser(t)
	b.get(s.AppURL() + "/api/auth/signin/openai?prompt=login")
	resp, body := b.post(s.AuthURL()+"/log-in", b.ts(s, url.Values{"email": {email}}))
	if resp.Request.URL.Path != "/log-in/password" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	cont := strings.Index(body, `data-dd-action-name="Continue">Continue</button>`)
	otc := strings.Index(body, `<button type="submit" name="intent" value="passwordless_login_send_otp" class="secondary" formnovalidate data-dd-action-name="Log in with a one-time code">Log in with a one-time code</button>`)
	end := strings.Index(body, "</form>")
	if cont < 0 || otc < cont || end < otc {
		t.Fatalf("one-time code button not after Continue in the form: %d %d %d", cont, otc, end)
	}
	// The password is not needed for it.
	resp, body = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"intent": {"passwordless_login_send_otp"}, "current-password": {""}}))
	if resp.Request.URL.Path != "/email-verification" || !strings.Contains(body, "Check your inbox") {
		t.Fatalf("at %s", resp.Request.URL)
	}
	code := s.EmailCode(email)
	if code == "" {
		t.Fatal("no code sent")
	}
	if c := s.Counters(email); c.OneTimeCodeRequests != 1 || c.MailsSent != 1 || c.PasswordAttempts != 0 {
		t.Errorf("counters %+v", c)
	}
	resp, body = b.post(s.AuthURL()+"/email-verification", url.Values{"code": {code}})
	if !strings.HasPrefix(resp.Request.URL.String(), s.AppURL()) || bootOf(t, body).AuthStatus != "logged_in" {
		t.Fatalf("after the code: at %s", resp.Request.URL)
	}

	// Without the option: no button, and the intent does not skip the password.
	s = start(t, Options{Quiet: true})
	b = newBrowser(t)
	b.get(s.AppURL() + "/api/auth/signin/openai?prompt=login")
	_, body = b.post(s.AuthURL()+"/log-in", b.ts(s, url.Values{"email": {email}}))
	if strings.Contains(body, "one-time code") {
		t.Error("the offer without the option")
	}
	resp, _ = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"intent": {"passwordless_login_send_otp"}}))
	if resp.StatusCode != http.StatusUnauthorized || s.Counters(email).OneTimeCodeRequests != 0 {
		t.Errorf("without the option: %d", resp.StatusCode)
	}
}

func TestVariantImproveDoneInBoot(t *testing.T) {
	t.Parallel()
	vs, err := ParseVariants("improve-done")
	if err != nil || len(vs) != 1 || vs[0] != VariantImproveDone {
		t.Fatalf("ParseVariants: %v %v", vs, err)
	}
	s := start(t, Options{Quiet: true, Variants: vs})
	b := newBrowser(t)
	jar, _ := cookiejar.New(nil)
	b.c.Jar = jar
	_, body := loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	if got := bootOf(t, body).Variants; len(got) != 1 || got[0] != VariantImproveDone {
		t.Errorf("boot variants %v", got)
	}
}
