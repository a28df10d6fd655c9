package simulator

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestTurnstileGatesTheForms(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	resp, body := b.get(s.AppURL() + "/api/auth/signin/openai?prompt=login")
	for _, want := range []string{
		`data-bare`, `data-bare-login data-dd-action-name="Log in"`, `data-bare-signup data-dd-action-name="Sign up"`,
		`data-hydrated hidden`, `type="email" name="email" autocomplete="email"`, `name="cf-turnstile-response" value=""`,
		`<button type="submit" name="intent" value="email" class="primary" data-dd-action-name="Continue">Continue</button>`,
		`form method="post" action="/log-in" novalidate data-turnstile`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("log-in page lacks %s", want)
		}
	}
	if resp.Request.URL.Path != "/log-in" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	// No token: the form does not advance.
	resp, body = b.post(s.AuthURL()+"/log-in", url.Values{"email": {"alice@example.com"}})
	if resp.StatusCode != http.StatusBadRequest || resp.Request.URL.Path != "/log-in" || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("no token: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// A token is spent once.
	form := b.ts(s, url.Values{"email": {"alice@example.com"}})
	resp, _ = b.post(s.AuthURL()+"/log-in", form)
	if resp.Request.URL.Path != "/log-in/password" {
		t.Fatalf("with a token at %s", resp.Request.URL)
	}
	resp, body = b.post(s.AuthURL()+"/log-in/password", url.Values{"current-password": {"alice-password-1"}, "cf-turnstile-response": form["cf-turnstile-response"]})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-turnstile`) {
		t.Fatalf("reused token: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if c := s.Counters("alice@example.com"); c.PasswordAttempts != 0 {
		t.Errorf("a password without a token counted: %+v", c)
	}
	resp, _ = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {"alice-password-1"}}))
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("after the password at %s", resp.Request.URL)
	}
}

func TestPasskeyOffer(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, "grace@example.com", "grace-password-7")
	if resp.Request.URL.Path != "/login-enroll-passkey" || !strings.Contains(body, "Log in faster next time") ||
		!strings.Contains(body, `name="intent" value="skip"`) || !strings.Contains(body, ">Skip</button>") {
		t.Fatalf("passkey offer at %s: %s", resp.Request.URL, body)
	}
	if len(b.session(s)) != 0 {
		t.Fatal("signed in before the offer was answered")
	}
	resp, _ = b.post(s.AuthURL()+"/login-enroll-passkey", url.Values{"intent": {"skip"}})
	if resp.Request.URL.String() != s.AppURL()+"/" || b.token(s) == "" {
		t.Fatalf("after Skip at %s", resp.Request.URL)
	}
	// alice is not offered one.
	resp, _ = loginCurrent(t, s, newBrowser(t), "alice@example.com", "alice-password-1")
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Errorf("alice at %s", resp.Request.URL)
	}
}

func TestEmailFirstWithPasswordWayOut(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	// By the code alone.
	b := newBrowser(t)
	resp, body := loginCurrent(t, s, b, "heidi@example.com", "unused")
	if resp.Request.URL.Path != "/email-verification" || !strings.Contains(body, "Check your inbox") || !strings.Contains(body, ">Continue with password</a>") {
		t.Fatalf("at %s: %s", resp.Request.URL, body)
	}
	resp, _ = b.post(s.AuthURL()+"/email-verification", url.Values{"code": {s.EmailCode("heidi@example.com")}})
	if resp.Request.URL.String() != s.AppURL()+"/" || b.token(s) == "" {
		t.Fatalf("after the code at %s", resp.Request.URL)
	}
	// By the way out: the password, and no code after it.
	b = newBrowser(t)
	loginCurrent(t, s, b, "heidi@example.com", "unused")
	resp, body = b.get(s.AuthURL() + "/log-in/password")
	if !strings.Contains(body, `name="current-password"`) {
		t.Fatalf("way out at %s", resp.Request.URL)
	}
	resp, _ = b.post(s.AuthURL()+"/log-in/password", b.ts(s, url.Values{"current-password": {"heidi-password-8"}}))
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("after the password at %s", resp.Request.URL)
	}
	// frank's code comes after the password, with no way out.
	_, body = loginCurrent(t, s, newBrowser(t), "frank@example.com", "frank-password-6")
	if !strings.Contains(body, "Check your inbox") || strings.Contains(body, "Continue with password") {
		t.Errorf("frank's code page: %s", body)
	}
}

func TestWelcomeBack(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	_, body := b.get(s.AuthURL() + "/log-in")
	if strings.Contains(body, "Welcome back") {
		t.Fatal("Welcome back before any sign-in")
	}
	loginCurrent(t, s, b, "judy@example.com", "judy-password-10")
	b.post(s.AppURL()+"/api/auth/signout", url.Values{})
	_, body = b.get(s.AuthURL() + "/log-in")
	if !strings.Contains(body, "Welcome back") || !strings.Contains(body, `value="judy@example.com"`) {
		t.Fatalf("no Welcome back page: %s", body)
	}
	_, body = b.get(s.AuthURL() + "/log-in?forget=1")
	if strings.Contains(body, "Welcome back") {
		t.Error("forget kept the email")
	}
	// alice is not remembered.
	b2 := newBrowser(t)
	loginCurrent(t, s, b2, "alice@example.com", "alice-password-1")
	if _, body := b2.get(s.AuthURL() + "/log-in"); strings.Contains(body, "Welcome back") {
		t.Error("alice remembered")
	}
	// The option prefills from the first visit.
	o := start(t, Options{WelcomeBackEmail: "bob@example.com"})
	_, body = newBrowser(t).get(o.AuthURL() + "/log-in")
	if !strings.Contains(body, "Welcome back") || !strings.Contains(body, `value="bob@example.com"`) {
		t.Errorf("WelcomeBackEmail: %s", body)
	}
}

func TestChooserAndSessionExpired(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	b := newBrowser(t)
	_, body := loginCurrent(t, s, b, "ivan@example.com", "ivan-password-9")
	bt := bootOf(t, body)
	if bt.AuthStatus != "logged_out" || bt.Chooser == nil || bt.Chooser["email"] != "ivan@example.com" {
		t.Fatalf("chooser boot %+v", bt)
	}
	if b.token(s) == "" {
		t.Fatal("the chooser's session is not valid")
	}
	resp, _ := b.post(s.AppURL()+"/api/auth/choose-account", url.Values{})
	if resp.StatusCode != 200 {
		t.Fatalf("choose: %d", resp.StatusCode)
	}
	_, body = b.get(s.AppURL() + "/")
	if bt := bootOf(t, body); bt.AuthStatus != "logged_in" || bt.Chooser != nil {
		t.Fatalf("after choosing %+v", bt)
	}

	// kim: rate-limit after sign-in, the session-expired dialog once after
	// the session lapsed.
	b = newBrowser(t)
	_, body = loginCurrent(t, s, b, "kim@example.com", "kim-password-11")
	if bt := bootOf(t, body); !reflect.DeepEqual(bt.Dialogs, []string{DialogRateLimit}) || bt.SessionExpired {
		t.Fatalf("kim's first page %+v", bt)
	}
	s.ExpireSessions("kim@example.com")
	_, body = b.get(s.AppURL() + "/")
	if bt := bootOf(t, body); bt.AuthStatus != "logged_out" || !bt.SessionExpired {
		t.Fatalf("after expiry %+v", bt)
	}
	_, body = b.get(s.AppURL() + "/")
	if bootOf(t, body).SessionExpired {
		t.Error("session-expired shown twice")
	}
	// alice gets neither.
	b = newBrowser(t)
	_, body = loginCurrent(t, s, b, "alice@example.com", "alice-password-1")
	if bt := bootOf(t, body); bt.Chooser != nil || len(bt.Dialogs) != 0 {
		t.Errorf("alice %+v", bt)
	}
	s.ExpireSessions("alice@example.com")
	if _, body = b.get(s.AppURL() + "/"); bootOf(t, body).SessionExpired {
		t.Error("alice's lapsed session shows the dialog")
	}
}

func TestVariantGettingStartedAndSettingsPageRoutes(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Variants: []Variant{VariantGettingStarted, VariantSettingsPage}})
	b := newBrowser(t)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if resp, _ := b.get(s.AppURL() + "/settings/data-controls"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" {
		t.Errorf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.c.CheckRedirect = nil
	_, body := loginCurrent(t, s, b, "dave@example.com", "dave-password-4")
	if got := bootOf(t, body).Dialogs; !reflect.DeepEqual(got, []string{DialogGettingStarted, DialogAllSet, DialogTour}) {
		t.Errorf("dialogs %v", got)
	}
	for _, p := range []string{"/settings/data-controls", "/settings/personalization", "/settings/general-settings"} {
		resp, body := b.get(s.AppURL() + p)
		if resp.StatusCode != 200 || bootOf(t, body).Page != "settings" {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	resp, _ := b.get(s.AppURL() + "/settings/apps")
	if resp.Request.URL.Path != "/settings/general-settings" {
		t.Errorf("/settings/apps went to %s", resp.Request.URL)
	}
	if resp, _ := b.get(s.AppURL() + "/settings/nope"); resp.StatusCode != 404 {
		t.Errorf("unknown section: %d", resp.StatusCode)
	}
	// Without the variant there is no such page, and no Tips dialog.
	s0 := start(t, Options{})
	b0 := newBrowser(t)
	_, body = loginCurrent(t, s0, b0, "dave@example.com", "dave-password-4")
	if got := bootOf(t, body).Dialogs; !reflect.DeepEqual(got, []string{DialogAllSet, DialogTour}) {
		t.Errorf("dialogs without the variant %v", got)
	}
	if resp, _ := b0.get(s0.AppURL() + "/settings/data-controls"); resp.StatusCode != 404 {
		t.Errorf("settings page without the variant: %d", resp.StatusCode)
	}
}
