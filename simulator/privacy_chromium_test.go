package simulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The privacy baseline (issue 21) in a real browser: the Marketing privacy
// dialog, the Ads controls tab and Memory on a free account, flipped with
// real clicks and checked on the server; no Ads controls on plus; the
// teen's read-only switch; the variants marketing-page and voice-rows on
// the settings page.
func TestChromiumPrivacyBaseline(t *testing.T) {
	t.Parallel()
	root, exceptions := newChromeFor(t, 60*time.Second)
	// swJS finds the switch labelled by label.
	swJS := func(label string) string {
		return `[...document.querySelectorAll('button[role="switch"][aria-labelledby]')].find(s => document.getElementById(s.getAttribute('aria-labelledby'))?.textContent === ` + jsString(label) + `)`
	}
	// rowButton is the first button of the settings row labelled label.
	rowButton := func(label string) string {
		return `[...document.querySelectorAll('.settings-row')].find(r => r.querySelector('.text-sm')?.textContent === ` + jsString(label) + `)?.querySelector('button')`
	}
	open := func(t *testing.T, ctx context.Context, s *Server, email, path string) {
		t.Helper()
		signInWithCookie(t, ctx, s, email)
		// A new document, not a fragment change of the page open now.
		must(t, "navigate", chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(s.AppURL()+path)))
	}
	flip := func(t *testing.T, ctx context.Context, s *Server, email, label, key string) {
		t.Helper()
		sw := swJS(label)
		waitJS(t, ctx, label, `!!`+sw)
		if got := eval[string](t, ctx, sw+`.getAttribute('aria-checked')`); got != "true" {
			t.Fatalf("%s shows %s", label, got)
		}
		clickAt(t, ctx, label, sw)
		waitJS(t, ctx, label+" off", sw+`.getAttribute('aria-checked') === 'false' && `+sw+`.getAttribute('data-state') === 'unchecked'`)
		if on, err := s.Setting(email, key); err != nil || on {
			t.Errorf("%s: the server says %v, %v", key, on, err)
		}
	}

	t.Run("free", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(root)
		defer cancel()
		s := start(t, Options{Quiet: true, ToggleDelay: 50 * time.Millisecond})
		const alice = "alice@example.com"
		open(t, ctx, s, alice, "/#settings/DataControls")
		manage := rowButton("Marketing privacy")
		waitAcross(t, ctx, "Marketing privacy", `!!`+manage)
		clickAt(t, ctx, "Manage", manage)
		const dlg = `[...document.querySelectorAll('[role="dialog"]')].find(d => d.querySelector('h2')?.textContent === 'Marketing privacy')`
		waitJS(t, ctx, "the Marketing privacy dialog", `!!`+dlg)
		if n := eval[int](t, ctx, dlg+`.querySelectorAll('button[role="switch"][aria-checked]:not([data-testid])').length`); n != 2 {
			t.Errorf("%d switches in the dialog", n)
		}
		if n := eval[int](t, ctx, dlg+`.querySelectorAll('button[data-testid="close-button"][aria-label="Close"]').length`); n != 1 {
			t.Errorf("%d close buttons in the dialog", n)
		}
		flip(t, ctx, s, alice, "Marketing cookies", SettingMarketingCookies)
		flip(t, ctx, s, alice, "Share with marketing partners", SettingMarketingPartners)
		must(t, "escape", chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)))
		waitJS(t, ctx, "the dialog closed, the settings open", `!`+dlg+` && !!document.querySelector('[data-testid="improve-model-open-modal-button"]')`)

		// Ads controls: after Data controls, no test id.
		const tab = `document.querySelector('button[role="tab"][id$="-trigger-AdsControls"]')`
		if !eval[bool](t, ctx, `!!`+tab+` && !`+tab+`.hasAttribute('data-testid') && `+tab+`.previousElementSibling.getAttribute('data-testid') === 'data-controls-tab'`) {
			t.Fatal("no Ads controls tab after Data controls")
		}
		must(t, "tab", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[role="tab"][id$="-trigger-AdsControls"]`))))
		waitJS(t, ctx, "the panel", `document.querySelector('[id$="-content-AdsControls"] h3')?.textContent === 'Ads controls' && location.hash === '#settings/AdsControls'`)
		flip(t, ctx, s, alice, "Personalize ads", SettingAdsPersonalization)
		flip(t, ctx, s, alice, "Past chats and memory", SettingAdsHistory)
		if c := s.Counters(alice); c.DangerPresses != 0 || c.Patches != 4 {
			t.Errorf("counters %+v", c)
		}
		clickAt(t, ctx, "Delete ads data", rowButton("Delete ads data"))
		waitJS(t, ctx, "the press", `new Promise(r => setTimeout(() => r(true), 300))`)
		if c := s.Counters(alice); c.DangerPresses != 1 {
			t.Errorf("Delete ads data: DangerPresses %d", c.DangerPresses)
		}

		// Memory: saved memories off takes chat history with it.
		must(t, "personalization", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="personalization-tab"]`))))
		flip(t, ctx, s, alice, "Reference saved memories", SettingSavedMemories)
		moon := swJS("Reference chat history")
		waitJS(t, ctx, "chat history off and disabled", moon+`.getAttribute('aria-checked') === 'false' && `+moon+`.disabled && `+moon+`.getAttribute('aria-disabled') === 'true'`)
		if on, _ := s.Setting(alice, SettingChatHistory); on {
			t.Error("moonshine on on the server")
		}
	})

	t.Run("plus-and-teen", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(root)
		defer cancel()
		s := start(t, Options{Quiet: true, ToggleDelay: 50 * time.Millisecond})
		// Plus: no Ads controls, and the link falls back to General.
		open(t, ctx, s, "oscar@example.com", "/#settings/AdsControls")
		waitAcross(t, ctx, "the settings", `document.querySelectorAll('div[role="tablist"] > button[role="tab"]').length === 9 && !!document.querySelector('[aria-label="Oscar Example Plus, open profile menu"]')`)
		if n := eval[int](t, ctx, `document.querySelectorAll('[id$="-trigger-AdsControls"]').length + [...document.querySelectorAll('[role="tab"]')].filter(e => e.textContent.includes('Ads')).length`); n != 0 {
			t.Errorf("plus has an Ads controls tab (%d)", n)
		}
		if sel := eval[string](t, ctx, `document.querySelector('button[role="tab"][aria-selected="true"]').id`); !strings.HasSuffix(sel, "-trigger-General") {
			t.Errorf("selected tab %s", sel)
		}

		// The teen: the switch is read-only, with its note.
		open(t, ctx, s, "tina@example.com", "/#settings/DataControls")
		waitAcross(t, ctx, "the row", `!!document.querySelector('[data-testid="improve-model-open-modal-button"]')`)
		must(t, "row", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`))))
		const sw = `document.querySelector('[data-testid="improve-model-toggle"]')`
		waitJS(t, ctx, "the switch", `!!`+sw)
		if !eval[bool](t, ctx, sw+`.disabled && `+sw+`.getAttribute('aria-disabled') === 'true' && `+sw+`.getAttribute('aria-checked') === 'true'`) {
			t.Error("the teen's switch is not read-only")
		}
		if note := eval[string](t, ctx, `document.getElementById(`+sw+`.getAttribute('aria-describedby')).textContent`); note != "Your parent or guardian manages model training for this account." {
			t.Errorf("note %q", note)
		}
		clickAt(t, ctx, "the disabled switch", sw)
		must(t, "sleep", chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
		if n := s.Writes("tina@example.com", SettingTraining); n != 0 || eval[string](t, ctx, sw+`.getAttribute('aria-checked')`) != "true" {
			t.Errorf("a click on the disabled switch: %d writes", n)
		}
	})

	t.Run("settings-page+marketing-page+voice-rows", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(root)
		defer cancel()
		s := start(t, Options{Quiet: true, ToggleDelay: 50 * time.Millisecond, Variants: []Variant{VariantSettingsPage, VariantMarketingPage, VariantVoiceRows}})
		const alice = "alice@example.com"
		open(t, ctx, s, alice, "/#settings/DataControls")
		manage := rowButton("Marketing privacy")
		waitAcross(t, ctx, "Marketing privacy", `location.pathname === '/settings/data-controls' && !!`+manage)
		clickAt(t, ctx, "Manage", manage)
		const panel = `document.querySelector('main [id$="-content-DataControls"]')`
		waitJS(t, ctx, "the sub-view", panel+`?.querySelector('h3')?.textContent === 'Marketing privacy'`)
		if n := eval[int](t, ctx, `document.querySelectorAll('[role="dialog"]').length`); n != 0 {
			t.Errorf("%d dialogs", n)
		}
		flip(t, ctx, s, alice, "Marketing cookies", SettingMarketingCookies)
		clickAt(t, ctx, "Back", `[...`+panel+`.querySelectorAll('button')].find(b => b.textContent === 'Back')`)
		waitJS(t, ctx, "the rows again", `!!document.querySelector('[data-testid="improve-model-open-modal-button"]')`)

		// Voice rows: off and disabled once training is off.
		must(t, "row", chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid="improve-model-open-modal-button"]`))))
		audio, video := swJS("Include your audio recordings"), swJS("Include your video recordings")
		waitJS(t, ctx, "the voice rows", `!!`+audio+` && !!`+video+` && `+audio+`.getAttribute('aria-checked') === 'true' && !`+audio+`.disabled`)
		flip(t, ctx, s, alice, "Include your video recordings", SettingVideo)
		clickAt(t, ctx, "the switch", `document.querySelector('[data-testid="improve-model-toggle"]')`)
		waitJS(t, ctx, "voice off and disabled", `[`+audio+`, `+video+`].every(s => s.getAttribute('aria-checked') === 'false' && s.disabled && s.getAttribute('aria-disabled') === 'true')`)
		if on, _ := s.Setting(alice, SettingVoice); on {
			t.Error("voice on on the server")
		}
		if c := s.Counters(alice); c.Patches != 3 || c.DangerPresses != 0 {
			t.Errorf("counters %+v", c)
		}
	})

	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("page exceptions: %v", ex)
	}
}

// jsString quotes s for a JavaScript string literal (no quotes or
// backslashes in the labels used here).
func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
