package simulator

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestChromiumSecurityCheck shows the managed challenge in a real browser:
// it clears by itself and reloads the page asked for when the User-Agent
// is a plain Chrome one, and turns into the checkbox widget for the
// default HeadlessChrome User-Agent in CheckHeadless mode, where a tick
// never clears it.
func TestChromiumSecurityCheck(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 45*time.Second)

	t.Run("headless-turns-interactive", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(root, 15*time.Second)
		defer cancel()
		s := start(t, Options{Quiet: true, SecurityCheck: &SecurityCheck{Mode: CheckHeadless, Delay: 300 * time.Millisecond, Origin: "auth"}})
		must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AuthURL()+"/log-in")))
		if title := eval[string](t, ctx, `document.title`); title != "Just a moment..." {
			t.Fatalf("title %q", title)
		}
		const frame = `document.querySelector('iframe[title="Widget containing a Cloudflare security challenge"]')`
		waitJS(t, ctx, "the widget", `!!`+frame+` && !!`+frame+`.contentDocument && !!`+frame+`.contentDocument.querySelector('input[type=checkbox]')`)
		if h2 := eval[string](t, ctx, `document.getElementById('challenge-running').textContent`); h2 != "Verify you are human by completing the action below." {
			t.Errorf("h2 %q", h2)
		}
		if label := eval[string](t, ctx, frame+`.contentDocument.querySelector('label').textContent`); label != "Verify you are human" {
			t.Errorf("checkbox label %q", label)
		}
		if !strings.Contains(eval[string](t, ctx, `location.search`), "__cf_chl_rt_tk=") {
			t.Error("no __cf_chl_rt_tk on the URL")
		}
		// A tick spins and never clears for HeadlessChrome.
		eval[chromedp.Void](t, ctx, frame+`.contentDocument.querySelector('input[type=checkbox]').click()`)
		waitJS(t, ctx, "the tick's answer", `(() => { const c = `+frame+`.contentDocument.getElementById('content'); return !c.classList.contains('verifying') && !c.querySelector('input').checked; })()`)
		if c := s.CheckCounters(); c != (CheckCounters{Shown: 1, TurnedInteractive: 1, Ticks: 1}) {
			t.Errorf("counters %+v", c)
		}
		if title := eval[string](t, ctx, `document.title`); title != "Just a moment..." {
			t.Errorf("after the tick: %q", title)
		}
		if !slices.ContainsFunc(s.Clients(), func(c Client) bool { return strings.Contains(c.UserAgent, "HeadlessChrome/") }) {
			t.Errorf("clients %+v", s.Clients())
		}
	})

	t.Run("clears-for-plain-chrome", func(t *testing.T) {
		// A tab of its own, with a plain Chrome User-Agent.
		tab, cancelTab := chromedp.NewContext(root)
		defer cancelTab()
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
		_, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "en-US"})
		must(t, "user agent", err)
		s := start(t, Options{Quiet: true, SecurityCheck: &SecurityCheck{Mode: CheckHeadless, Delay: 3 * time.Second, Origin: "app"}})
		// The check clears after 3 s: long enough, on a loaded machine, to
		// be read before it does.
		must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+"/?from=test")))
		if title := eval[string](t, ctx, `document.title`); title != "Just a moment..." {
			t.Fatalf("title %q", title)
		}
		if h2 := eval[string](t, ctx, `document.getElementById('challenge-running').textContent`); h2 != "Verifying you are human. This may take a few seconds." {
			t.Errorf("h2 %q", h2)
		}
		if !strings.Contains(eval[string](t, ctx, `location.search`), "__cf_chl_rt_tk=") {
			t.Error("no __cf_chl_rt_tk on the URL")
		}
		// It clears and reloads the page asked for: the app.
		waitAcross(t, ctx, "the app", `!!document.getElementById('client-bootstrap') && !!document.querySelector('[data-testid="login-button"]')`)
		if loc := eval[string](t, ctx, `location.pathname + location.search`); loc != "/?from=test" {
			t.Errorf("reloaded at %q", loc)
		}
		if c := s.CheckCounters(); c != (CheckCounters{Shown: 1, Cleared: 1}) {
			t.Errorf("counters %+v", c)
		}
		got := s.Clients()
		if len(got) != 1 || got[0].UserAgent != ua || got[0].AcceptLanguage != "en-US" {
			t.Errorf("clients %+v", got)
		}
		// Cleared: a reload goes straight to the app.
		must(t, "reload", chromedp.Do(ctx, chromedp.Reload()))
		if title := eval[string](t, ctx, `document.title`); title != "ChatGPT" {
			t.Errorf("after a reload: %q", title)
		}
	})
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}

// waitAcross waits up to 5 s for js to be true, across the page's own
// reloads (chromedp's Poll gives up when the page navigates).
func waitAcross(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestChromiumUnknownDialog shows the dialog nobody catalogued closing by
// its control and by Escape, not closing by Escape when it has no way out,
// and counting a choice when its accept button is clicked.
func TestChromiumUnknownDialog(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 30*time.Second)
	const email = "alice@example.com"
	const dlg = `document.querySelector('[role=dialog][aria-modal=true][data-state=open][aria-labelledby]')`
	open := func(t *testing.T, ctx context.Context, opts Options, path string) *Server {
		t.Helper()
		opts.Quiet = true
		s := start(t, opts)
		signInWithCookie(t, ctx, s, email)
		must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate(s.AppURL()+path)))
		return s
	}
	waitCount := func(t *testing.T, s *Server, what string, f func(Counters) bool) {
		t.Helper()
		for deadline := time.Now().Add(3 * time.Second); !f(s.Counters(email)); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: counters %+v", what, s.Counters(email))
			}
		}
	}

	t.Run("x", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(root, 9*time.Second)
		defer cancel()
		s := open(t, ctx, Options{UnknownDialog: &UnknownDialog{Close: CloseX}}, "/")
		waitJS(t, ctx, "the dialog", dlg+` && `+dlg+`.querySelector('h2').textContent === 'Personalized ads'`)
		if d := eval[string](t, ctx, `document.getElementById(`+dlg+`.getAttribute('aria-describedby')).textContent`); !strings.HasPrefix(d, "Ads in ChatGPT can now be personalized") {
			t.Errorf("description %q", d)
		}
		if pe := eval[string](t, ctx, `document.body.style.pointerEvents`); pe != "none" {
			t.Errorf("body pointer-events %q", pe)
		}
		if !eval[bool](t, ctx, `[...document.body.children].some(e => e.getAttribute('aria-hidden') === 'true' && e.querySelector('nav'))`) {
			t.Error("the app is not aria-hidden under the dialog")
		}
		for _, sel := range []string{`a[href="#"]`, `button[aria-label="Close"] svg`} {
			if !eval[bool](t, ctx, `!!`+dlg+`.querySelector('`+sel+`')`) {
				t.Errorf("no %s in the dialog", sel)
			}
		}
		if eval[bool](t, ctx, `[...`+dlg+`.querySelectorAll('button')].some(b => /not now/i.test(b.textContent))`) {
			t.Error("a Not now button")
		}
		clickAt(t, ctx, "Close", dlg+`.querySelector('button[aria-label="Close"]')`)
		waitJS(t, ctx, "the dialog gone", `!`+dlg+` && document.body.style.pointerEvents === ''`)
		waitCount(t, s, "closed", func(c Counters) bool { return c.DialogsClosed == 1 })
		if c := s.Counters(email); c.ChoicePresses != 0 {
			t.Errorf("counters %+v", c)
		}
	})

	t.Run("escape-over-settings", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(root, 9*time.Second)
		defer cancel()
		s := open(t, ctx, Options{UnknownDialog: &UnknownDialog{Close: CloseEscape, OverSettings: true, Title: "Meet the new voice"},
			Variants: []Variant{VariantImproveDone}}, "/#settings/DataControls")
		waitJS(t, ctx, "the dialog over the settings", `[...document.querySelectorAll('[role=dialog] h2')].map(h => h.textContent).join('|') === 'Settings|Meet the new voice'`)
		if eval[int](t, ctx, strings.Replace(dlg, "querySelector", "querySelectorAll", 1)+`.length`) != 2 {
			t.Error("not two modal dialogs")
		}
		if eval[int](t, ctx, `[...document.querySelectorAll('[role=dialog]')].pop().querySelectorAll('button').length`) != 1 {
			t.Error("a close control besides the accept button")
		}
		must(t, "escape", chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)))
		waitJS(t, ctx, "only the settings left", `[...document.querySelectorAll('[role=dialog] h2')].map(h => h.textContent).join('|') === 'Settings'`)
		waitCount(t, s, "escape", func(c Counters) bool { return c.DialogsClosed == 1 })
		// Variant improve-done: the improve dialog's Done closes it.
		must(t, "row", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`))))
		waitJS(t, ctx, "Done", `[...document.querySelectorAll('[role=dialog] button')].some(b => b.textContent === 'Done')`)
		clickAt(t, ctx, "Done", `[...document.querySelectorAll('[role=dialog] button')].find(b => b.textContent === 'Done')`)
		waitJS(t, ctx, "the improve dialog gone", `!document.querySelector('[data-testid="improve-model-toggle"]') && !!document.querySelector('[data-testid="data-controls-tab"]')`)
		if c := s.Counters(email); c.ChoicePresses != 0 || c.Patches != 0 {
			t.Errorf("counters %+v", c)
		}
	})

	t.Run("none-2023-accept", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(root, 9*time.Second)
		defer cancel()
		s := open(t, ctx, Options{UI: UI2023, UnknownDialog: &UnknownDialog{Close: CloseNone}}, "/")
		waitJS(t, ctx, "the dialog", dlg+` && `+dlg+`.querySelector('h2').textContent === 'Personalized ads'`)
		must(t, "escape", chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape), chromedp.Sleep(300*time.Millisecond)))
		if !eval[bool](t, ctx, `!!`+dlg) {
			t.Fatal("Escape closed a dialog without a way out")
		}
		clickAt(t, ctx, "accept", `[...`+dlg+`.querySelectorAll('button')].find(b => b.textContent === 'Turn on personalized ads')`)
		waitJS(t, ctx, "the dialog gone", `!`+dlg)
		waitCount(t, s, "choice", func(c Counters) bool { return c.ChoicePresses == 1 })
		if c := s.Counters(email); c.DialogsClosed != 0 {
			t.Errorf("counters %+v", c)
		}
	})
	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}
