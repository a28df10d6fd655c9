package simulator

import (
	"context"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const chromiumPath = "/usr/bin/chromium"

// newChrome starts one headless Chromium for a test and returns a tab
// context in a fresh browser context (its own cookie jar), plus a func that
// reports uncaught page exceptions seen so far.
func newChrome(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	// A limit against a hung browser, not a speed test: generous, for a
	// machine whose other packages' Chromes take the CPU meanwhile.
	return newChromeFor(t, 90*time.Second)
}

// chromeSlots bounds the tests that drive a Chromium of their own at
// once, to one per CPU: the others (plain HTTP) run beside them, and a
// test's time limit starts only once it has its slot.
var chromeSlots = make(chan struct{}, max(2, goruntime.NumCPU()))

// newChromeFor is newChrome with a time limit for the whole test.
func newChromeFor(t *testing.T, limit time.Duration) (context.Context, func() []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("real browser test skipped in -short mode")
	}
	chromeSlots <- struct{}{}
	t.Cleanup(func() { <-chromeSlots })
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium at " + chromiumPath + ": in CI scripts/ensure-chromium installs it, so this is a failure")
		}
		t.Skip("no Chromium at " + chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 800),
		// Chrome keeps its singleton socket in a folder of TMPDIR, which a
		// killed Chrome leaves behind: the test's own folder goes with it.
		chromedp.Env("TMPDIR="+t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // start the browser
		cancelB()
		cancelA()
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(bctx, limit)
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
	t.Parallel()
	ctx, exceptions := newChrome(t)
	s := start(t, Options{ToggleDelay: 400 * time.Millisecond, Latency: 50 * time.Millisecond})
	const email, password = "alice@example.com", "alice-password-1"

	// Sign in across the two origins. Each step is its own action: one
	// whose element a navigation took away before it acted (DevTools
	// answers "Could not find node") did nothing and is taken again.
	must(t, "login", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+"/")))
	for _, step := range []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		// The invisible Turnstile: a click before the token is lost.
		chromedp.Click(chromedp.CSS(`button[type="submit"][name="intent"][value="email"]:not([aria-disabled])`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="current-password"]`), password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]:not([aria-disabled])`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
	} {
		_, err := chromedp.Run(ctx, step)
		for try := 0; err != nil && strings.Contains(err.Error(), "Could not find node") && try < 5; try++ {
			_, err = chromedp.Run(ctx, step)
		}
		must(t, "login", err)
	}
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
	t.Parallel()
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

// axCount counts the nodes of the browser's accessibility tree (not
// ignored, so not under aria-hidden) with the role and accessible name.
func axCount(t *testing.T, ctx context.Context, role, name string) int {
	t.Helper()
	// The root goes by its JavaScript object, not by DOM.getDocument,
	// which would invalidate the node ids chromedp's queries hold.
	doc, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "document", ObjectGroup: "axcount"})
	must(t, "document", err)
	defer chromedp.Call(ctx, runtime.ReleaseObjectGroup, runtime.ReleaseObjectGroupParams{ObjectGroup: "axcount"})
	res, err := chromedp.Call(ctx, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		ObjectID: runtime.RemoteObjectID(doc.Result.ObjectID), Role: role, AccessibleName: name,
	})
	must(t, "accessibility tree", err)
	n := 0
	for _, node := range res.Nodes {
		if !node.Ignored {
			n++
		}
	}
	return n
}

// axIs waits up to two seconds for axCount to be want (the browser updates
// its accessibility tree a little after the DOM) and returns the last count.
func axIs(t *testing.T, ctx context.Context, role, name string, want int) (int, bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := axCount(t, ctx, role, name)
		if n == want || time.Now().After(deadline) {
			return n, n == want
		}
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(50*time.Millisecond)))
	}
}

// clickAt sends a real mouse click to the centre of the element that the
// JavaScript expression el evaluates to.
func clickAt(t *testing.T, ctx context.Context, what, el string) {
	t.Helper()
	xy := eval[[]float64](t, ctx, `(() => { const e = `+el+`; if (!e) return null; e.scrollIntoView({block: 'nearest'}); const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	if len(xy) != 2 {
		t.Fatalf("%s: not on the page", what)
	}
	must(t, "click "+what, chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])))
}

// TestChromiumVariants loads every variant in one headless Chromium and
// checks the DOM facts README.md promises to selector authors, and that a
// person can still reach and flip the setting with real input.
func TestChromiumVariants(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 60*time.Second)
	const email = "alice@example.com"
	// Each case gets its own time limit, so that one stuck wait does not
	// use up the others' time. The helpers below use ctx.
	var ctx context.Context
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(root, 12*time.Second)
			defer cancel()
			f(t)
		})
	}
	// open signs in to a fresh simulator with a session cookie, as the
	// session-token path does, and loads path.
	open := func(t *testing.T, opts Options, path string) *Server {
		t.Helper()
		opts.ToggleDelay = 50 * time.Millisecond
		s := start(t, opts)
		tok, err := s.NewSession(email)
		must(t, "session", err)
		_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: SessionCookie, Value: tok, URL: s.AppURL() + "/", Path: "/",
			Secure: new(true), HTTPOnly: new(true), SameSite: network.CookieSameSiteLax,
		})
		must(t, "cookie", err)
		must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+path)))
		return s
	}
	count := func(t *testing.T, sel string) int {
		t.Helper()
		return eval[int](t, ctx, `document.querySelectorAll('`+sel+`').length`)
	}
	// Every class on every element is a generated one; the stable names
	// are gone, and the styles followed them.
	onlyGenerated := func(t *testing.T) {
		t.Helper()
		if bad := eval[[]string](t, ctx, `[...new Set([...document.querySelectorAll('[class]')].flatMap(e => [...e.classList]))].filter(c => !/^_[a-z0-9]{5}$/.test(c))`); len(bad) > 0 {
			t.Errorf("stable class names left: %v", bad)
		}
		if n := count(t, `.flex, .min-w-0, .truncate, .ps-3, .fixed, .switch-root, .toast-root, .sr-only, .btn`); n != 0 {
			t.Errorf("%d elements still match stable class selectors", n)
		}
		if w := eval[string](t, ctx, `getComputedStyle(document.querySelector('[role="switch"]')).width`); w != "38px" {
			t.Errorf("switch width %s: styles did not follow the renamed classes", w)
		}
	}
	improveDialog := `[...document.querySelectorAll('[role="dialog"]')].find(d => d.querySelector('h2')?.textContent === 'Improve the model for everyone')`

	run("current/renamed-classes+no-switch-testid", func(t *testing.T) {
		s := open(t, Options{Variants: []Variant{VariantRenamedClasses, VariantNoSwitchTestID}}, "/")
		// The whole path with real input.
		must(t, "path", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
			chromedp.Click(chromedp.CSS(`[role="menu"] [data-testid="settings-menu-item"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="data-controls-tab"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)),
		))
		waitJS(t, ctx, "the dialog's switches", improveDialog+`?.querySelector('[role="switch"]')`)
		if got := eval[string](t, ctx, `getComputedStyle(`+improveDialog+`.parentElement.parentElement).position`); got != "fixed" {
			t.Errorf("dialog overlay position %q", got)
		}
		onlyGenerated(t)
		if n := count(t, `[data-testid="improve-model-toggle"]`); n != 0 {
			t.Errorf("improve-model-toggle still there (%d)", n)
		}
		sw := improveDialog + `.querySelector('[role="switch"]')`
		if got := eval[string](t, ctx, `document.getElementById(`+sw+`.getAttribute('aria-labelledby')).textContent`); got != "Improve the model for everyone" {
			t.Errorf("switch labelled %q", got)
		}
		if n, ok := axIs(t, ctx, "switch", "Improve the model for everyone", 1); !ok {
			t.Errorf("switches named Improve the model for everyone: %d", n)
		}
		clickAt(t, ctx, "switch", sw)
		waitJS(t, ctx, "switch off", sw+`.getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on {
			t.Error("server still on")
		}
		s.FailPatches(email, 1)
		clickAt(t, ctx, "switch", sw)
		waitJS(t, ctx, "error toast", `[...document.querySelectorAll('[role="alert"]')].some(e => e.textContent === 'Something went wrong. Please try again.')`)
		onlyGenerated(t)
	})

	run("current/profile-top-right", func(t *testing.T) {
		open(t, Options{Variants: []Variant{VariantProfileTopRight}}, "/")
		must(t, "trigger", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[data-testid="profile-button"]`))))
		const btn = `document.querySelector('[data-testid="profile-button"]')`
		for _, sel := range []string{`[data-testid="accounts-profile-button"]`, `[aria-label="Open profile menu"]`, `nav [aria-haspopup="menu"]`} {
			if n := count(t, sel); n != 0 {
				t.Errorf("%s: %d", sel, n)
			}
		}
		if n, ok := axIs(t, ctx, "button", "Open profile menu", 0); !ok {
			t.Errorf("buttons named Open profile menu: %d", n)
		}
		if n, ok := axIs(t, ctx, "button", "User", 1); !ok {
			t.Errorf("buttons named User: %d", n)
		}
		if !eval[bool](t, ctx, `(() => { const r = `+btn+`.getBoundingClientRect(); return r.right > innerWidth - 80 && r.top < 60; })()`) {
			t.Error("profile-button is not at the top right")
		}
		eval[chromedp.Void](t, ctx, btn+`.click()`)
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)))
		if count(t, `[role="menu"]`) != 0 {
			t.Fatal("menu opened on a synthetic el.click()")
		}
		must(t, "menu", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="profile-button"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[role="menu"] [data-testid="settings-menu-item"]`)),
		))
		if !eval[bool](t, ctx, `document.querySelector('[role="menu"]').getBoundingClientRect().top >= `+btn+`.getBoundingClientRect().bottom`) {
			t.Error("menu not below the trigger")
		}
		must(t, "settings", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="settings-menu-item"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="data-controls-tab"]`)),
		))
	})

	run("current/reworded-label", func(t *testing.T) {
		s := open(t, Options{Variants: []Variant{VariantRewordedLabel}}, "/#settings/DataControls")
		must(t, "row", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`))))
		if txt := eval[string](t, ctx, `document.querySelector('[data-testid="improve-model-open-modal-button"]').textContent`); txt != "Use my chats for model training On" {
			t.Errorf("row text %q", txt)
		}
		must(t, "dialog", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="improve-model-toggle"][role="switch"]`)),
		))
		if strings.Contains(eval[string](t, ctx, `document.body.textContent`), "Improve the model for everyone") {
			t.Error("the old label is still on the page")
		}
		if n, ok := axIs(t, ctx, "switch", "Use my chats for model training", 1); !ok {
			t.Errorf("switches named Use my chats for model training: %d", n)
		}
		if n, ok := axIs(t, ctx, "switch", "Improve the model for everyone", 0); !ok {
			t.Errorf("switches with the old name: %d", n)
		}
		must(t, "click", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-toggle"]`))))
		waitJS(t, ctx, "switch off", `document.querySelector('[data-testid="improve-model-toggle"]').getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on || s.Counters(email).Patches != 1 {
			t.Errorf("server on=%v, counters %+v", on, s.Counters(email))
		}
	})

	run("current/new-dialog", func(t *testing.T) {
		open(t, Options{Variants: []Variant{VariantNewDialog}}, "/")
		const dlg = `[...document.querySelectorAll('[role="dialog"]')].find(d => d.textContent.includes('Introducing memory'))`
		waitJS(t, ctx, "announcement", dlg)
		must(t, "trigger", chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`[data-testid="accounts-profile-button"]`))))
		if n, ok := axIs(t, ctx, "dialog", "Introducing memory", 1); !ok {
			t.Errorf("dialogs named Introducing memory: %d", n)
		}
		if n, ok := axIs(t, ctx, "button", "Open profile menu", 0); !ok {
			t.Errorf("trigger in the accessibility tree behind the modal: %d", n)
		}
		const trigger = `document.querySelector('[data-testid="accounts-profile-button"]')`
		covered := `(() => { const t = ` + trigger + `, r = t.getBoundingClientRect(); return !t.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); })()`
		if !eval[bool](t, ctx, covered) {
			t.Fatal("the profile trigger is not covered")
		}
		must(t, "escape", chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)))
		clickAt(t, ctx, "covered trigger", trigger)
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)))
		if !eval[bool](t, ctx, `!!(`+dlg+`)`) || count(t, `[role="menu"]`) != 0 {
			t.Fatal("Escape or a click behind the announcement got through")
		}
		// Settings opened by their deep link while it is shown go under it.
		must(t, "deep link", chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`location.hash = '#settings/DataControls'`)))
		waitJS(t, ctx, "settings", `!!document.querySelector('[data-testid="data-controls-tab"]')`)
		if _, ok := axIs(t, ctx, "dialog", "Settings", 0); !ok || !eval[bool](t, ctx, `(() => { const e = document.querySelector('[data-testid="data-controls-tab"]'), r = e.getBoundingClientRect(); return !e.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); })()`) {
			t.Error("deep-linked Settings came above the announcement")
		}
		clickAt(t, ctx, "Got it", dlg+`.querySelector('button')`)
		waitJS(t, ctx, "announcement gone", `!(`+dlg+`)`)
		if n, ok := axIs(t, ctx, "dialog", "Settings", 1); !ok {
			t.Errorf("Settings not on top after the announcement: %d", n)
		}
		must(t, "reload", chromedp.Do(ctx,
			chromedp.Sleep(300*time.Millisecond), // the dismissal reaches the backend
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="accounts-profile-button"]`)),
			chromedp.Sleep(300*time.Millisecond),
		))
		if eval[bool](t, ctx, `!!(`+dlg+`)`) {
			t.Error("announcement back after dismissal")
		}
	})

	run("current/unknown-ui", func(t *testing.T) {
		s := open(t, Options{Variants: []Variant{VariantUnknownUI}}, "/")
		must(t, "avatar", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[data-testid="user-avatar"]`))))
		none := func() {
			t.Helper()
			for _, sel := range []string{`[data-testid="accounts-profile-button"]`, `[data-testid="profile-button"]`,
				`[id^="headlessui-menu-button-"]`, `[aria-label="Open profile menu"]`, `[data-testid="improve-model-open-modal-button"]`,
				`[data-testid="improve-model-toggle"]`, `nav[aria-label="Chat history"]`, `[role="tab"]`, `[role="dialog"]`} {
				if n := count(t, sel); n != 0 {
					t.Errorf("%s: %d", sel, n)
				}
			}
			if n, ok := axIs(t, ctx, "button", "Open profile menu", 0); !ok {
				t.Errorf("buttons named Open profile menu: %d", n)
			}
		}
		none()
		if n, ok := axIs(t, ctx, "button", "Alice Example", 1); !ok {
			t.Errorf("buttons named after the user: %d", n)
		}
		// The old deep link does nothing.
		must(t, "deep link", chromedp.Do(ctx,
			chromedp.Navigate(s.AppURL()+"/#settings/DataControls"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="user-avatar"]`)),
			chromedp.Sleep(400*time.Millisecond),
		))
		none()
		// A person finds the setting: avatar, Preferences, Privacy.
		must(t, "menu", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-testid="user-avatar"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[role="menu"] [role="menuitem"]`)),
		))
		clickAt(t, ctx, "Preferences", `[...document.querySelectorAll('[role="menuitem"]')].find(e => e.textContent === 'Preferences')`)
		waitJS(t, ctx, "preferences", `location.pathname === '/preferences/profile'`)
		clickAt(t, ctx, "Privacy", `document.querySelector('nav[aria-label="Preference sections"] a[href="/preferences/privacy"]')`)
		must(t, "switch", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="pref-training-switch"]`))))
		if n, ok := axIs(t, ctx, "switch", "Improve the model for everyone", 1); !ok {
			t.Errorf("preferences switch by name: %d", n)
		}
		must(t, "click", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="pref-training-switch"]`))))
		waitJS(t, ctx, "switch off", `document.querySelector('[data-testid="pref-training-switch"]').getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on {
			t.Error("server still on")
		}
	})

	// The 2023 page has no deep link: Settings open from the menu.
	menu2023 := func(t *testing.T) {
		t.Helper()
		must(t, "2023 menu", chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`)),
			chromedp.Click(chromedp.CSS(`div[id^="headlessui-menu-items-"] a[role="menuitem"]:nth-of-type(3)`)),
			chromedp.Click(chromedp.CSS(`[role="dialog"] button[role="tab"][id$="-trigger-DataControls"]`)),
		))
	}

	run("2023/renamed-classes+reworded-label+profile-top-right", func(t *testing.T) {
		open(t, Options{UI: UI2023, Variants: []Variant{VariantRenamedClasses, VariantRewordedLabel, VariantProfileTopRight}}, "/")
		menu2023(t)
		must(t, "switch", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[role="switch"][aria-label="Save chat history"]`))))
		onlyGenerated(t)
		if count(t, `nav[aria-label="Chat history"] button[id^="headlessui-menu-button-"]`) != 1 || count(t, `[data-testid="profile-button"]`) != 0 {
			t.Error("profile-top-right changed the 2023 menu")
		}
		if strings.Contains(eval[string](t, ctx, `document.body.textContent`), "Chat history & training") {
			t.Error("the old label is still on the page")
		}
		if n, ok := axIs(t, ctx, "switch", "Save chat history", 1); !ok {
			t.Errorf("switches named Save chat history: %d", n)
		}
	})

	run("2023/no-switch-testid", func(t *testing.T) {
		s := open(t, Options{UI: UI2023, Variants: []Variant{VariantNoSwitchTestID}}, "/")
		menu2023(t)
		must(t, "switch", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[role="switch"][aria-labelledby]`))))
		const sw = `document.querySelector('button[role="switch"][aria-labelledby]')`
		if n := count(t, `[role="switch"][aria-label]`); n != 0 {
			t.Errorf("switches with aria-label: %d", n)
		}
		if txt := eval[string](t, ctx, `(() => { const l = document.getElementById(`+sw+`.getAttribute('aria-labelledby')); return l.offsetWidth > 0 ? l.textContent : 'hidden'; })()`); txt != "Chat history & training" {
			t.Errorf("label %q", txt)
		}
		if n, ok := axIs(t, ctx, "switch", "Chat history & training", 1); !ok {
			t.Errorf("switches named Chat history & training: %d", n)
		}
		must(t, "click", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[role="switch"][aria-labelledby]`))))
		waitJS(t, ctx, "switch off", sw+`.getAttribute('aria-checked') === 'false'`)
		if on, _ := s.TrainingAllowed(email); on {
			t.Error("server still on")
		}
	})

	run("2023/unknown-ui+new-dialog", func(t *testing.T) {
		open(t, Options{UI: UI2023, Variants: []Variant{VariantUnknownUI, VariantNewDialog}}, "/")
		waitJS(t, ctx, "announcement", `[...document.querySelectorAll('[role="dialog"]')].some(d => d.textContent.includes('Introducing memory'))`)
		if count(t, `[data-testid="user-avatar"]`) != 1 || count(t, `[id^="headlessui-menu-button-"]`) != 0 {
			t.Error("not the new shell")
		}
		if !eval[bool](t, ctx, `(() => { const a = document.querySelector('[data-testid="user-avatar"]'), r = a.getBoundingClientRect(); return !a.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); })()`) {
			t.Error("the avatar is not covered by the announcement")
		}
	})

	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}
