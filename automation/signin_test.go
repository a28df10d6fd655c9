package automation_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// xvfb is one Xvfb server for the package's headed browsers, started by
// the first test that needs it and stopped by TestMain.
var xvfb struct {
	once sync.Once
	cmd  *exec.Cmd
	err  error
}

// display points DISPLAY at the package's Xvfb server, the way CI runners
// run --headed. It sets the variable for the whole test process: only a
// headed browser passes it on (TestBrowser_ProcessesGetNoSecretsInTheirEnvironment),
// so the headed tests run in parallel with the others.
func display(t *testing.T) {
	t.Helper()
	xvfb.once.Do(func() { xvfb.cmd, xvfb.err = startXvfb() })
	if xvfb.err != nil {
		t.Fatal(xvfb.err)
	}
}

// startXvfb starts Xvfb on a free display number and sets DISPLAY to it.
func startXvfb() (*exec.Cmd, error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return nil, fmt.Errorf("headed tests need Xvfb (Debian: apt-get install -y xvfb); scripts/test installs it")
	}
	for n := 90 + os.Getpid()%50; ; n++ {
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(sock); err == nil {
			continue
		}
		cmd := exec.Command("Xvfb", fmt.Sprintf(":%d", n), "-screen", "0", "1280x900x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			if time.Now().After(deadline) {
				stopXvfb(cmd)
				return nil, fmt.Errorf("Xvfb :%d did not open %s within 10s", n, sock)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return cmd, os.Setenv("DISPLAY", fmt.Sprintf(":%d", n))
	}
}

func stopXvfb(cmd *exec.Cmd) {
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// person attaches to the browser's tab whose URL contains urlPart, as a
// person looking at the window would, and returns a context driving it.
func person(t *testing.T, browser context.Context, urlPart string) context.Context {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(browser)
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range infos {
			if info.Type == "page" && strings.Contains(info.URL, urlPart) {
				ctx, cancel := chromedp.NewContext(browser, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				ctx, cancel2 := context.WithTimeout(ctx, 30*time.Second)
				t.Cleanup(cancel2)
				return ctx
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no tab at %s", urlPart)
	return nil
}

// signInByHand types the credentials into the current-era pages with real
// mouse and keyboard input. Like a person, it waits for a submit button the
// invisible captcha holds disabled.
func signInByHand(t *testing.T, ctx context.Context, email, password string) {
	t.Helper()
	const submit = `button[type="submit"]:not([aria-disabled="true"])`
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email, chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(submit), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`input[name="current-password"]`), password, chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(submit), chromedp.NodeVisible),
	)
	if err != nil {
		t.Fatalf("the person could not sign in: %v", err)
	}
}

func TestLogin_APersonSignsInOnceAndLaterRunsReuseTheProfile(t *testing.T) {
	t.Parallel()
	display(t)
	srv := startSim(t, simulator.Options{})
	profile := filepath.Join(t.TempDir(), "profile")
	cfg := config(t, srv)

	headed, err := automation.Launch(context.Background(), automation.BrowserOptions{Headed: true, ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	type loginResult struct {
		ui  string
		err error
	}
	done := make(chan loginResult, 1)
	go func() {
		ui, err := automation.Login(context.Background(), headed, cfg)
		done <- loginResult{ui, err}
	}()
	signInByHand(t, person(t, headed.Context(), srv.AppURL()), "alice@example.com", "alice-password-1")
	got := <-done
	headed.Close()
	if got.err != nil || got.ui != "current" {
		t.Fatalf("login = %q, %v; want the current UI signed in", got.ui, got.err)
	}
	if fi, err := os.Stat(profile); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("profile folder: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	before := srv.Counters("alice@example.com")

	// Headless, no password: the session in the profile is enough.
	browser, err := automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer browser.Close()
	res := disable(t, browser, automation.Account{Email: "alice@example.com", ProfileDir: profile}, cfg)
	if res.Outcome != automation.OutcomeChanged || training(t, srv, "alice@example.com") {
		t.Fatalf("disable with the profile = %+v", res)
	}
	after := srv.Counters("alice@example.com")
	if after.LoginPageViews != before.LoginPageViews || after.Logins != before.Logins {
		t.Errorf("the run visited the login page: counters %+v → %+v", before, after)
	}
}

func TestProfile_SecondRunOnTheSameProfileFailsFast(t *testing.T) {
	t.Parallel()
	profile := filepath.Join(t.TempDir(), "profile")
	first, err := automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	start := time.Now()
	second, err := automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
	if err == nil {
		second.Close()
		t.Fatal("a second browser started on a profile in use")
	}
	if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), profile) {
		t.Errorf("error %q does not say the profile is in use", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to refuse", d)
	}
}

func TestSessionToken_SignsInWithoutAPassword(t *testing.T) {
	t.Parallel()
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprintf("split=%v", split), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{SplitSessionCookie: split})
			tok, err := srv.NewSession("alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if split && len(tok) <= 3800 {
				t.Fatalf("precondition: a split token is long, got %d chars", len(tok))
			}
			res := disable(t, browser(t), automation.Account{Email: "alice@example.com", SessionToken: tok}, config(t, srv))
			if res.Outcome != automation.OutcomeChanged {
				t.Fatalf("result = %+v", res)
			}
			if c := srv.Counters("alice@example.com"); c.LoginPageViews != 0 || c.Logins != 0 {
				t.Errorf("the run signed in again: %+v", c)
			}
		})
	}
}

func TestExpiredSession_FallsBackToThePasswordOrSaysSo(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	tok, err := srv.NewSession("alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	srv.ExpireSessions("alice@example.com")

	res, err := runE(t, automation.Status, browser(t), automation.Account{Email: "alice@example.com", SessionToken: tok}, config(t, srv))
	if res.ErrorKind != automation.KindSessionExpired || res.Outcome != automation.OutcomeFailed || !points(err, automation.SettingProfileDir, automation.SettingPassword) {
		t.Fatalf("without a password: %+v (fix %v); want session_expired pointing at a profile and the password", res, automation.FixOf(err))
	}
	a := account(t, srv, "alice@example.com")
	a.SessionToken = tok
	res = disable(t, browser(t), a, config(t, srv))
	if res.Outcome != automation.OutcomeChanged || srv.Counters(a.Email).Logins != 1 {
		t.Fatalf("with a password: %+v, counters %+v; want a fresh sign-in and the change", res, srv.Counters(a.Email))
	}
}

func TestEmailCode_EndsEmailVerification(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	res, err := runE(t, automation.Disable, browser(t), account(t, srv, "frank@example.com"), config(t, srv))
	if res.ErrorKind != automation.KindEmailVerification || !points(err, automation.SettingMailbox, automation.SettingProfileDir) {
		t.Fatalf("result = %+v (fix %v), want email_verification with what to do", res, automation.FixOf(err))
	}
}

// headedBrowser starts a visible Chrome on a display of the test's own,
// closed with the test.
func headedBrowser(t *testing.T) *automation.Browser {
	t.Helper()
	display(t)
	headed, err := automation.Launch(context.Background(), automation.BrowserOptions{Headed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { headed.Close() })
	return headed
}

func TestBotWall_APersonClearsItInAHeadedBrowser(t *testing.T) {
	t.Parallel()
	headed := headedBrowser(t)
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	done := make(chan *automation.Result, 1)
	go func() { done <- disable(t, headed, account(t, srv, "erin@example.com"), cfg) }()

	// The person sees the check and ticks its box.
	wall := person(t, headed.Context(), srv.AuthURL())
	if err := chromedp.Do(wall,
		chromedp.WaitVisible(chromedp.CSS(`input[type="checkbox"][aria-label="Verify you are human"]`)),
		chromedp.Click(chromedp.CSS(`input[type="checkbox"][aria-label="Verify you are human"]`)),
	); err != nil {
		t.Fatalf("ticking the box: %v", err)
	}
	res := <-done
	if res.Outcome != automation.OutcomeChanged || training(t, srv, "erin@example.com") {
		t.Fatalf("result = %+v, want changed once the person cleared the check", res)
	}
}

// A session token the site rejected never stays in a kept profile: not
// when the run then signs in with the password (only that session stays),
// and not when it cannot sign in at all.
func TestProfile_DropsARejectedSessionToken(t *testing.T) {
	t.Parallel()
	for name, password := range map[string]bool{"with a password": true, "without one": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{})
			tok, err := srv.NewSession("alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			srv.ExpireSessions("alice@example.com")
			profile := filepath.Join(t.TempDir(), "profile")
			b, err := automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
			if err != nil {
				t.Fatal(err)
			}
			a := automation.Account{Email: "alice@example.com", SessionToken: tok, ProfileDir: profile}
			if password {
				a.Password = account(t, srv, a.Email).Password
			}
			res := disable(t, b, a, config(t, srv))
			b.Close()
			if password && res.Outcome != automation.OutcomeChanged || !password && res.ErrorKind != automation.KindSessionExpired {
				t.Fatalf("result = %+v", res)
			}

			b, err = automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			tab, cancel := chromedp.NewContext(b.Context())
			defer cancel()
			cookies, err := chromedp.Call(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.AppURL() + "/"}})
			if err != nil {
				t.Fatal(err)
			}
			session := false
			for _, c := range cookies.Cookies {
				if c.Value == tok {
					t.Errorf("the rejected token is still in the profile as %s (expires %v)", c.Name, c.Expires)
				}
				session = session || strings.HasPrefix(c.Name, "__Secure-next-auth.session-token")
			}
			if password && !session {
				t.Error("the profile kept no session at all")
			}
		})
	}
}
