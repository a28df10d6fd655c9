package simulator

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/goccy/go-yaml"
)

// corpusPath is the evidence corpus: every locator the reference quotes,
// with its source, date, page state and match count.
const corpusPath = "../testdata/ui-evidence.yaml"

type evidence struct {
	CSS    string   `yaml:"css" json:"css,omitempty"`
	Text   string   `yaml:"text" json:"text,omitempty"`
	URL    string   `yaml:"url" json:"url,omitempty"`
	Role   string   `yaml:"role" json:"-"`
	Name   string   `yaml:"name" json:"-"`
	Source string   `yaml:"source" json:"-"`
	Date   string   `yaml:"date" json:"-"`
	Expect []expect `yaml:"expect" json:"-"`
}

type expect struct {
	Era     UI     `yaml:"era"`
	State   string `yaml:"state"`
	Count   int    `yaml:"count"`
	Visible *int   `yaml:"visible"`
}

func (e evidence) String() string {
	switch {
	case e.CSS != "":
		return "css " + e.CSS
	case e.Text != "":
		return "text " + e.Text
	case e.URL != "":
		return "url " + e.URL
	}
	return "role " + e.Role + " name " + e.Name
}

func loadCorpus(t *testing.T) []evidence {
	t.Helper()
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Reference string     `yaml:"reference"`
		Revised   string     `yaml:"revised"`
		Entries   []evidence `yaml:"entries"`
	}
	if err := yaml.UnmarshalWithOptions(data, &c, yaml.Strict()); err != nil {
		t.Fatalf("%s: %v", corpusPath, err)
	}
	for i, e := range c.Entries {
		kinds := 0
		for _, k := range []string{e.CSS, e.Text, e.URL, e.Role} {
			if k != "" {
				kinds++
			}
		}
		if kinds != 1 || (e.Role != "") != (e.Name != "") {
			t.Errorf("entry %d (%s): exactly one of css, text, url, role+name", i, e)
		}
		if e.Source == "" || e.Date == "" || len(e.Expect) == 0 {
			t.Errorf("entry %d (%s): source, date and expect are required", i, e)
		}
		for _, x := range e.Expect {
			if x.Era != UICurrent && x.Era != UI2023 || x.State == "" {
				t.Errorf("entry %d (%s): bad expectation %+v", i, e, x)
			}
		}
	}
	return c.Entries
}

// TestEvidenceCorpusIsWellFormed needs no browser.
func TestEvidenceCorpusIsWellFormed(t *testing.T) {
	t.Parallel()
	if n := len(loadCorpus(t)); n < 100 {
		t.Errorf("the corpus has %d entries", n)
	}
}

const measureJS = `(entries) => {
  const vis = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  return entries.map((e) => {
    if (e.css) {
      const els = [...document.querySelectorAll(e.css)];
      return [els.length, els.filter(vis).length];
    }
    if (e.url) return location.href.includes(e.url) ? [1, 1] : [0, 0];
    const els = [...document.body.querySelectorAll('*')].filter((el) =>
      el.tagName !== 'SCRIPT' && el.tagName !== 'STYLE' && norm(el.textContent) === e.text &&
      ![...el.children].some((c) => norm(c.textContent) === e.text) && vis(el));
    return [els.length, els.length];
  });
}`

// corpusChecker checks the corpus state by state and remembers which
// states were visited.
type corpusChecker struct {
	t       *testing.T
	entries []evidence
	visited map[string]bool
}

// check waits up to limit for every entry of (era, state) to match, then
// reports the ones that do not.
func (c *corpusChecker) check(ctx context.Context, era UI, state string, limit time.Duration) {
	t := c.t
	t.Helper()
	c.visited[string(era)+"/"+state] = true
	type item struct {
		e evidence
		x expect
	}
	var items []item
	var page []evidence
	for _, e := range c.entries {
		for _, x := range e.Expect {
			if x.Era == era && x.State == state {
				items = append(items, item{e, x})
				if e.Role == "" {
					page = append(page, e)
				}
			}
		}
	}
	if len(items) == 0 {
		t.Errorf("%s/%s: no corpus entries", era, state)
		return
	}
	if page == nil {
		page = []evidence{}
	}
	arg, _ := json.Marshal(page)
	deadline := time.Now().Add(limit)
	for {
		counts, err := chromedp.Run(ctx, chromedp.Evaluate[[][2]int]("("+measureJS+")("+string(arg)+")"))
		var bad []string
		if err != nil {
			bad = append(bad, "evaluate: "+err.Error())
		} else {
			i := 0
			for _, it := range items {
				var n, v int
				if it.e.Role != "" {
					var aerr error
					n, aerr = axCountE(ctx, it.e.Role, it.e.Name)
					if aerr != nil { // mid-navigation: look again
						bad = append(bad, fmt.Sprintf("%s: %v", it.e, aerr))
						continue
					}
					v = n
				} else {
					n, v = counts[i][0], counts[i][1]
					i++
				}
				wantN, wantV := it.x.Count, it.x.Visible
				if n != wantN || (wantV != nil && v != *wantV) {
					want := fmt.Sprint(wantN)
					if wantV != nil {
						want += fmt.Sprintf(" (%d visible)", *wantV)
					}
					bad = append(bad, fmt.Sprintf("%s: %d (%d visible), want %s [%s, %s]", it.e, n, v, want, it.e.Source, it.e.Date))
				}
			}
		}
		if len(bad) == 0 {
			return
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			for _, b := range bad {
				t.Errorf("%s/%s at %s: %s", era, state, loc, b)
			}
			return
		}
		time.Sleep(60 * time.Millisecond)
	}
}

// axCountE is axCount returning its error, for polling across navigations.
func axCountE(ctx context.Context, role, name string) (int, error) {
	doc, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "document", ObjectGroup: "axcount"})
	if err != nil {
		return 0, err
	}
	defer chromedp.Call(ctx, runtime.ReleaseObjectGroup, runtime.ReleaseObjectGroupParams{ObjectGroup: "axcount"})
	if doc.Result == nil || doc.Result.ObjectID == "" {
		return 0, fmt.Errorf("no document")
	}
	res, err := chromedp.Call(ctx, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		ObjectID: runtime.RemoteObjectID(doc.Result.ObjectID), Role: role, AccessibleName: name,
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, node := range res.Nodes {
		if !node.Ignored {
			n++
		}
	}
	return n, nil
}

// TestChromiumEvidence drives the simulator through every state of the
// evidence corpus, in both eras, and checks every quoted locator there.
func TestChromiumEvidence(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 150*time.Second)
	c := &corpusChecker{t: t, entries: loadCorpus(t), visited: map[string]bool{}}
	ctx := root
	const settle = 6 * time.Second
	fresh := func() {
		t.Helper()
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, struct{}{})
		must(t, "clear cookies", err)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		must(t, what, chromedp.Do(ctx, steps...))
	}
	// enabled waits for the Turnstile token: a click before it is lost.
	enabled := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(sel + `:not([aria-disabled])`))
	}
	emailStep := func(s *Server, email string) {
		t.Helper()
		do("email "+email,
			chromedp.Navigate(s.AppURL()+"/api/auth/signin/openai?prompt=login"),
			chromedp.Click(chromedp.CSS(`[data-bare-login]`)), // the server's pages wait for it
			chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
			enabled(`button[type="submit"][name="intent"][value="email"]`),
		)
	}
	passwordStep := func(password string) {
		t.Helper()
		do("password", chromedp.SendKeys(chromedp.CSS(`input[name="current-password"]`), password), enabled(`button[type="submit"]`))
	}

	// The bare Log in / Sign up buttons stay until clicked, so a slow
	// machine still sees them.
	s := start(t, Options{ToggleDelay: 50 * time.Millisecond, HydrateAfter: -1})

	// Signed out, the login, signed in, the path to the setting.
	fresh()
	do("home", chromedp.Navigate(s.AppURL()+"/"))
	c.check(ctx, UICurrent, "signed-out-home-early", 2*time.Second)
	c.check(ctx, UICurrent, "signed-out-home", settle)
	do("log in", chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)), chromedp.WaitReady(chromedp.CSS(`[data-bare]`)))
	c.check(ctx, UICurrent, "auth-log-in-bare", 2*time.Second)
	do("bare log in", chromedp.Click(chromedp.CSS(`[data-bare-login]`)))
	c.check(ctx, UICurrent, "auth-log-in", settle)
	do("email", chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), "alice@example.com"),
		enabled(`button[type="submit"][name="intent"][value="email"]`))
	c.check(ctx, UICurrent, "auth-password", settle)
	passwordStep("not-the-password")
	c.check(ctx, UICurrent, "auth-password-wrong", settle)
	passwordStep("alice-password-1")
	c.check(ctx, UICurrent, "signed-in-chat", settle)
	clickAt(t, ctx, "the visible trigger", `[...document.querySelectorAll('[data-testid="accounts-profile-button"]')].find(e => e.getClientRects().length)`)
	c.check(ctx, UICurrent, "menu-open", settle)
	do("settings", chromedp.Click(chromedp.CSS(`[data-testid="settings-menu-item"]`)))
	c.check(ctx, UICurrent, "settings-dialog", settle)
	do("data controls", chromedp.Click(chromedp.CSS(`[data-testid="data-controls-tab"]`)))
	c.check(ctx, UICurrent, "settings-data-controls", settle)
	do("row", chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`)))
	c.check(ctx, UICurrent, "improve-model-dialog", settle)
	do("switch", chromedp.Click(chromedp.CSS(`[data-testid="improve-model-toggle"]`)))
	waitJS(t, ctx, "switch off", `document.querySelector('[data-testid="improve-model-toggle"]').getAttribute('aria-checked') === 'false'`)
	do("escape", chromedp.KeyEvent(kb.Escape))
	c.check(ctx, UICurrent, "improve-model-closed", settle)
	rows := eval[[]string](t, ctx, `[...document.querySelectorAll('[id$="-content-DataControls"] > section > div:nth-child(2) > div')].map(r => r.querySelector('.text-sm').textContent)`)
	want := []string{"Improve the model for everyone", "Location", "Remote browser data", "Shared links", "Archived chats", "Archive all chats", "Delete all chats", "Export data", "Marketing privacy"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("data controls rows %q, want %q", rows, want)
	}
	if on, _ := s.TrainingAllowed("alice@example.com"); on {
		t.Error("alice still on")
	}

	// The other sign-in pages.
	fresh()
	emailStep(s, "heidi@example.com")
	c.check(ctx, UICurrent, "auth-email-verification", settle)
	fresh()
	emailStep(s, "carol@example.com")
	passwordStep("carol-password-3")
	c.check(ctx, UICurrent, "auth-mfa", settle)
	fresh()
	emailStep(s, "grace@example.com")
	passwordStep("grace-password-7")
	c.check(ctx, UICurrent, "auth-passkey-offer", settle)
	do("skip", chromedp.Click(chromedp.CSS(`button[name="intent"][value="skip"]`)), chromedp.WaitVisible(chromedp.CSS(`[aria-label="Grace Example Free, open profile menu"]`)))
	wb := start(t, Options{WelcomeBackEmail: "judy@example.com"})
	fresh()
	do("welcome back", chromedp.Navigate(wb.AuthURL()+"/log-in"))
	c.check(ctx, UICurrent, "auth-welcome-back", settle)

	// The signed-in chat with its sidebar collapsed: only the rail's trigger.
	collapsed := start(t, Options{SidebarCollapsed: true})
	fresh()
	signInWithCookie(t, ctx, collapsed, "alice@example.com")
	do("collapsed", chromedp.Navigate(collapsed.AppURL()+"/"))
	c.check(ctx, UICurrent, "signed-in-chat-collapsed", settle)

	// Dialogs after sign-in.
	fresh()
	signInWithCookie(t, ctx, s, "ivan@example.com")
	do("chooser", chromedp.Navigate(s.AppURL()+"/"))
	c.check(ctx, UICurrent, "chooser", settle)
	clickAt(t, ctx, "the account row", `document.querySelector('[role="dialog"] [role="button"]')`)
	do("signed in after the chooser", chromedp.WaitVisible(chromedp.CSS(`[aria-label="Ivan Example Free, open profile menu"]`)))
	fresh()
	signInWithCookie(t, ctx, s, "kim@example.com")
	do("kim", chromedp.Navigate(s.AppURL()+"/"))
	c.check(ctx, UICurrent, "rate-limit-dialog", settle)
	s.ExpireSessions("kim@example.com")
	do("kim lapsed", chromedp.Reload())
	c.check(ctx, UICurrent, "session-expired-dialog", settle)
	gs := start(t, Options{Variants: []Variant{VariantGettingStarted}})
	fresh()
	signInWithCookie(t, ctx, gs, "alice@example.com")
	do("getting started", chromedp.Navigate(gs.AppURL()+"/"))
	c.check(ctx, UICurrent, "getting-started-dialog", settle)
	sp := start(t, Options{Variants: []Variant{VariantSettingsPage}})
	fresh()
	signInWithCookie(t, ctx, sp, "alice@example.com")
	do("settings page", chromedp.Navigate(sp.AppURL()+"/#settings/DataControls"))
	c.check(ctx, UICurrent, "settings-page", settle)

	// 2023.
	old := start(t, Options{UI: UI2023, ToggleDelay: 50 * time.Millisecond})
	fresh()
	do("2023 home", chromedp.Navigate(old.AppURL()+"/"))
	c.check(ctx, UI2023, "signed-out-login", settle)
	do("2023 log in", chromedp.Click(chromedp.CSS(`[data-testid="login-button"]`)))
	c.check(ctx, UI2023, "auth0-identifier", settle)
	do("2023 email", chromedp.SendKeys(chromedp.CSS(`#username`), "alice@example.com"), chromedp.Click(chromedp.CSS(`button[name="action"]`)))
	c.check(ctx, UI2023, "auth0-password", settle)
	do("2023 password", chromedp.SendKeys(chromedp.CSS(`#password`), "alice-password-1"), chromedp.Click(chromedp.CSS(`button[data-action-button-primary="true"]`)))
	c.check(ctx, UI2023, "signed-in-chat", settle)
	do("2023 menu", chromedp.Click(chromedp.CSS(`nav button[id^="headlessui-menu-button-"]`)))
	c.check(ctx, UI2023, "menu-open", settle)
	clickAt(t, ctx, "Settings", `[...document.querySelectorAll('a[role="menuitem"]')].find(e => e.textContent === 'Settings')`)
	c.check(ctx, UI2023, "settings-dialog", settle)
	do("2023 data controls", chromedp.Click(chromedp.CSS(`[role="dialog"] button[role="tab"][id$="-trigger-DataControls"]`)))
	c.check(ctx, UI2023, "settings-data-controls", settle)
	do("2023 switch", chromedp.Click(chromedp.CSS(`button[role="switch"][aria-label="Chat history & training"]`)))
	c.check(ctx, UI2023, "history-off", settle)
	// A new document (not a fragment change of the page open now).
	do("2023 deep link", chromedp.Navigate(old.AppURL()+"/c/abc#settings/DataControls"),
		chromedp.WaitVisible(chromedp.CSS(`nav button[id^="headlessui-menu-button-"]`)), chromedp.Sleep(800*time.Millisecond))
	c.check(ctx, UI2023, "deep-link", time.Second)

	// Every state the corpus names was visited.
	var missing []string
	for _, e := range c.entries {
		for _, x := range e.Expect {
			if k := string(x.Era) + "/" + x.State; !c.visited[k] {
				missing = append(missing, k)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("corpus states this test does not visit: %v", missing)
	}
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}

// TestChromiumPSST replays the event sequence of Brave's PSST with
// synthetic events from page script, as on the real page: pointerdown on
// the trigger's inner div, click on the Settings item, mousedown on the
// tab's inner div, click on the row, click on the switch. It ends with the
// setting off on the server, in the dialog and on the settings page.
func TestChromiumPSST(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 60*time.Second)
	for _, vs := range [][]Variant{nil, {VariantSettingsPage}} {
		t.Run(fmt.Sprint(vs), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(root)
			defer cancel()
			s := start(t, Options{Variants: vs, ToggleDelay: 50 * time.Millisecond})
			signInWithCookie(t, ctx, s, "alice@example.com")
			must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+"/")))
			waitJS(t, ctx, "the trigger", `!!document.querySelector('[data-testid="accounts-profile-button"] > div.flex.min-w-0.items-center.gap-2')`)

			// A synthetic element.click() on the trigger opens nothing.
			eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="accounts-profile-button"]').click()`)
			must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
			if eval[bool](t, ctx, `!!document.querySelector('[role="menu"]')`) {
				t.Fatal("a synthetic click() opened the menu")
			}
			const down = `document.querySelector('[data-testid="accounts-profile-button"] > div.flex.min-w-0.items-center.gap-2').dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, cancelable: true, button: 0, pointerType: 'mouse', isPrimary: true}))`
			// pointerdown toggles: open, closed, open again.
			eval[chromedp.Void](t, ctx, down)
			waitJS(t, ctx, "menu", `!!document.querySelector('[role="menu"] [data-testid="settings-menu-item"]')`)
			eval[chromedp.Void](t, ctx, down)
			waitJS(t, ctx, "menu closed by a second pointerdown", `!document.querySelector('[role="menu"]')`)
			// Enter and Space on the focused trigger toggle it too.
			const key = `(k) => { const t = document.querySelector('[data-testid="accounts-profile-button"]'); t.focus(); t.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true})); }`
			eval[chromedp.Void](t, ctx, `(`+key+`)('Enter')`)
			waitJS(t, ctx, "menu by Enter", `!!document.querySelector('[role="menu"]')`)
			eval[chromedp.Void](t, ctx, `(`+key+`)(' ')`)
			waitJS(t, ctx, "menu closed by Space", `!document.querySelector('[role="menu"]')`)
			eval[chromedp.Void](t, ctx, down)
			waitJS(t, ctx, "menu again", `!!document.querySelector('[role="menu"] [data-testid="settings-menu-item"]')`)
			if len(vs) == 0 {
				eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="settings-menu-item"]').click()`)
			} else {
				// An item also selects on a pointerup whose press started
				// elsewhere (a drag from the trigger).
				eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="settings-menu-item"]').dispatchEvent(new PointerEvent('pointerup', {bubbles: true, button: 0, pointerType: 'mouse'}))`)
			}
			waitJS(t, ctx, "the tab", `!!document.querySelector("[data-testid='data-controls-tab'] > div.min-w-0 > div")`)
			eval[chromedp.Void](t, ctx, `document.querySelector("[data-testid='data-controls-tab'] > div.min-w-0 > div").dispatchEvent(new MouseEvent('mousedown', {bubbles: true, cancelable: true, button: 0}))`)
			waitJS(t, ctx, "the row", `!!document.querySelector('[data-testid="improve-model-open-modal-button"]')`)
			eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="improve-model-open-modal-button"]').click()`)
			waitJS(t, ctx, "the switch", `!!document.querySelector('[data-testid="improve-model-toggle"]')`)
			eval[chromedp.Void](t, ctx, `document.querySelector('[data-testid="improve-model-toggle"]').click()`)
			waitJS(t, ctx, "switch off", `document.querySelector('[data-testid="improve-model-toggle"]').getAttribute('aria-checked') === 'false'`)
			if on, _ := s.TrainingAllowed("alice@example.com"); on {
				t.Error("the setting is still on in the server state")
			}
			if c := s.Counters("alice@example.com"); c.Patches != 1 {
				t.Errorf("PATCHes %d", c.Patches)
			}
			if len(vs) > 0 {
				if p := eval[string](t, ctx, `location.pathname`); p != "/settings/data-controls" {
					t.Errorf("settings page at %s", p)
				}
			}
		})
	}
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}
