package simulator

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const chromiumPath = "/usr/bin/chromium"

// newChrome starts one headless Chromium for a test and returns a tab
// context in a fresh browser context (its own cookie jar), plus a func that
// reports uncaught page exceptions seen so far.
func newChrome(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("real browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("no Chromium at " + chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		cancelB()
		cancelA()
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 25*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })

	var mu sync.Mutex
	var exceptions []string
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() {
				mu.Lock()
				exceptions = append(exceptions, m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), exceptions...)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	must(t, js, err)
	return v
}

func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(5*time.Second)))
	must(t, "waiting for "+what, err)
}

// TestChromiumCurrent drives the current UI with real mouse input and
// proves the properties that make the simulator worth testing against.
func TestChromiumCurrent(t *testing.T) {
	ctx, exceptions := newChrome(t)
	s := start(t, Options{ToggleDelay: 400 * time.Millisecond, Latency: 50 * time.Millisecond})
	const email, password = "alice@example.com", "alice-password-1"

	// Sign in across the two origins.
	must(t, "login", chromedp.Do(ctx,
		chromedp.Navigate(s.AppURL()+"/"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="current-password"]`), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
	))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasPrefix(loc, s.AppURL()) {
		t.Fatalf("after login at %s", loc)
	}
	// The Secure, HttpOnly cookie stuck on http://localhost (the shell says
	// logged in only when the server saw it) and is invisible to scripts.
	if eval[string](t, ctx, `JSON.parse(document.getElementById('client-bootstrap').textContent).authStatus`) != "logged_in" {
		t.Fatal("server did not see the session cookie")
	}
	if strings.Contains(eval[string](t, ctx, `document.cookie`), "next-auth") {
		t.Error("session cookie visible to JavaScript")
	}
	if c := s.Counters(email); c.Logins != 1 || c.LoginPageViews != 1 || c.PasswordAttempts != 1 {
		t.Errorf("counters %+v", c)
	}

	// A synthetic click does not open the Radix menu.
	eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="accounts-profile-button"]').click()`)
	must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
	if eval[bool](t, ctx, `!!document.querySelector('[role="menu"]')`) {
		t.Fatal("menu opened on a synthetic el.click()")
	}
	// Real mouse input does.
	must(t, "open menu", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="menu"] [data-testid="settings-menu-item"]`)),
	))
	if eval[string](t, ctx, `document.querySelector('[data-testid="accounts-profile-button"]').getAttribute('aria-expanded')`) != "true" {
		t.Error("aria-expanded not true on open menu")
	}
	must(t, "settings", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="settings-menu-item"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="dialog"] [data-testid="data-controls-tab"]`)),
	))
	if h := eval[string](t, ctx, `location.hash`); h != "#settings/General" {
		t.Errorf("hash %q", h)
	}

	// Tabs: a synthetic click does nothing, a real click activates.
	const tab = `document.querySelector('[data-testid="data-controls-tab"]')`
	eval[chromedp.Void](t, ctx, tab+`.click()`)
	must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)))
	if eval[string](t, ctx, tab+`.getAttribute('aria-selected')`) != "false" {
		t.Fatal("tab activated on a synthetic click()")
	}
	must(t, "tab", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="data-controls-tab"]`))))
	waitJS(t, ctx, "tab active", tab+`.getAttribute('aria-selected') === 'true'`)

	// The row, its dialog and the switch.
	must(t, "row", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`))))
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid="improve-model-open-modal-button"]').textContent`); txt != "Improve the model for everyone On" {
		t.Errorf("row text %q", txt)
	}
	must(t, "open toggle dialog", chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="improve-model-toggle"]`)),
	))
	const sw = `document.querySelector('[data-testid="improve-model-toggle"]')`
	if eval[string](t, ctx, sw+`.getAttribute('aria-checked')`) != "true" {
		t.Fatal("switch not on")
	}
	if eval[string](t, ctx, `document.getElementById(`+sw+`.getAttribute('aria-labelledby')).textContent`) != "Improve the model for everyone" {
		t.Error("switch label")
	}
	must(t, "click switch", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-toggle"]`))))
	if eval[string](t, ctx, sw+`.getAttribute('aria-checked')`) != "true" {
		t.Fatal("switch flipped before the backend answered")
	}
	waitJS(t, ctx, "switch off", sw+`.getAttribute('aria-checked') === 'false'`)
	if on, _ := s.TrainingAllowed(email); on {
		t.Fatal("server still on after the switch flipped")
	}

	// A failing PATCH: error toast, switch unchanged.
	s.FailPatches(email, 1)
	must(t, "click switch again", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-toggle"]`))))
	waitJS(t, ctx, "error toast", `[...document.querySelectorAll('div.toast-root[role="alert"] [class*="text-error"]')].some(e => e.textContent === 'Something went wrong. Please try again.')`)
	if eval[string](t, ctx, sw+`.getAttribute('aria-checked')`) != "false" {
		t.Error("switch changed on a failed PATCH")
	}
	if on, _ := s.TrainingAllowed(email); on {
		t.Error("failed PATCH changed the server")
	}
	if c := s.Counters(email); c.Patches != 2 || c.SettingsReads != 1 {
		t.Errorf("counters %+v", c)
	}

	// Escape closes only the top dialog; the row now says Off.
	must(t, "escape", chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="improve-model-toggle"]`)),
	))
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid="improve-model-open-modal-button"]').textContent`); txt != "Improve the model for everyone Off" {
		t.Errorf("row text after change %q", txt)
	}

	// A deep link in a new document opens Settings on Data controls.
	must(t, "deep link", chromedp.Do(ctx,
		chromedp.Navigate(s.AppURL()+"/c/abc#settings/DataControls"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)),
	))
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}

// TestChromium2023 drives the 2023 UI end to end.
func TestChromium2023(t *testing.T) {
	ctx, exceptions := newChrome(t)
	s := start(t, Options{UI: UI2023, ToggleDelay: 300 * time.Millisecond})
	const email, password = "alice@example.com", "alice-password-1"
	must(t, "login", chromedp.Do(ctx,
		chromedp.Navigate(s.AppURL()+"/"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), email),
		chromedp.Click(chromedp.CSS(`button[name="action"][type="submit"]`)),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`button[data-action-button-primary="true"]`)),
		chromedp.Click(chromedp.CSS(`nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`)),
		chromedp.Click(chromedp.CSS(`div[id^="headlessui-menu-items-"] a[role="menuitem"]:nth-of-type(3)`)),
		chromedp.Click(chromedp.CSS(`[role="dialog"] button[role="tab"][id$="-trigger-DataControls"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[role="switch"][aria-label="Chat history & training"]`)),
	))
	const sw = `document.querySelector('button[role="switch"][aria-label="Chat history & training"]')`
	if eval[string](t, ctx, sw+`.getAttribute('data-state')`) != "checked" {
		t.Fatal("switch not checked")
	}
	must(t, "click", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[role="switch"][aria-label="Chat history & training"]`))))
	if eval[string](t, ctx, sw+`.getAttribute('aria-checked')`) != "true" {
		t.Fatal("switch flipped before the backend answered")
	}
	waitJS(t, ctx, "switch off", sw+`.getAttribute('aria-checked') === 'false'`)
	if on, _ := s.TrainingAllowed(email); on {
		t.Error("server still on")
	}
	if v := eval[string](t, ctx, `localStorage.getItem('oai/apps/historyDisabled')`); v != `"true"` {
		t.Errorf("localStorage %q", v)
	}
	waitJS(t, ctx, "history-off notice", `document.querySelector('nav[aria-label="Chat history"]').textContent.includes('Chat History is off for this browser.')`)
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}
