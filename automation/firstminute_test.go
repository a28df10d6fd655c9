package automation_test

import (
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// The real site's first minute, on the busy simulator: what clears itself
// is waited out, what can be closed without choosing is closed, what is
// transient is retried, and what needs a person is named as such. Every
// test asserts the simulator's own record too: sign-ins, writes, and the
// presses it counts as defects (a choice made in a dialog, a retry of a
// page that forbids one).

// demoWith returns the demo accounts with edit applied to each.
func demoWith(edit func(a *simulator.Account)) []simulator.Account {
	accts := simulator.DemoAccounts()
	for i := range accts {
		edit(&accts[i])
	}
	return accts
}

// noChoice fails the test when the simulator saw the tool press a choice.
func noChoice(t *testing.T, srv *simulator.Server) {
	t.Helper()
	if n := srv.Counters("").ChoicePresses; n != 0 {
		t.Errorf("the tool pressed a choice %d times (a dialog's accept or Learn more, or Try again on a page that forbids a retry)", n)
	}
}

// changedOnce asserts an account switched off, verified, with one sign-in
// and one write on the simulator's side.
func changedOnce(t *testing.T, srv *simulator.Server, res *automation.Result, email string) {
	t.Helper()
	if res.Outcome != automation.OutcomeChanged || !res.Verified {
		t.Fatalf("result = %+v, want changed and verified", res)
	}
	if c := srv.Counters(email); c.Logins != 1 || c.Patches != 1 || training(t, srv, email) {
		t.Errorf("counters %+v: want one sign-in, one write and the setting off", c)
	}
}

func TestFirstMinute_ASecurityCheckThatClearsItselfIsWaitedOut(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, SecurityCheck: &simulator.SecurityCheck{Mode: simulator.CheckClears, Delay: 1500 * time.Millisecond}})
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			changedOnce(t, srv, res, "alice@example.com")
			c := srv.CheckCounters()
			if c.Shown < 2 || c.Cleared != c.Shown || c.TurnedInteractive != 0 {
				t.Errorf("checks %+v: want one on each origin, each cleared by itself", c)
			}
			if res.Timings.SecurityCheck < 1500 {
				t.Errorf("timings %+v: the wait for the checks is not in security_check", res.Timings)
			}
		})
	}
}

// The check can come at any point: here at the app's second page load, the
// reload that verifies the change.
func TestFirstMinute_ASecurityCheckLaterInTheRunIsWaitedOutWhereItCame(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{SecurityCheck: &simulator.SecurityCheck{Mode: simulator.CheckClears, Delay: time.Second, Origin: "app", AtView: 3}})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	changedOnce(t, srv, res, "alice@example.com")
	if c := srv.CheckCounters(); c.Shown != 1 || c.Cleared != 1 {
		t.Errorf("checks %+v: want one, cleared", c)
	}
}

// Four accounts at once on one browser: each isolated context meets the
// check and clears it on its own.
func TestFirstMinute_EachAccountOfAFleetClearsTheCheckOnItsOwn(t *testing.T) {
	t.Parallel()
	emails := []string{"alice@example.com", "dave@example.com", "grace@example.com", "kim@example.com"}
	srv := startSim(t, simulator.Options{SecurityCheck: &simulator.SecurityCheck{Mode: simulator.CheckClears, Delay: time.Second}})
	results := make([]*automation.Result, len(emails))
	var wg sync.WaitGroup
	for i, e := range emails {
		wg.Go(func() { results[i] = run(t, automation.Disable, browser(t), account(t, srv, e), config(t, srv)) })
	}
	wg.Wait()
	for i, e := range emails {
		changedOnce(t, srv, results[i], e)
	}
	if c := srv.CheckCounters(); c.Shown < 2*len(emails) || c.Cleared != c.Shown {
		t.Errorf("checks %+v: want each account's context to meet and clear one per origin", c)
	}
}

// A check that turns interactive needs a person: the run says so within
// seconds of the turn, not at the end of its wait or its timeout.
func TestFirstMinute_ACheckThatTurnsInteractiveIsAPersons(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, SecurityCheck: &simulator.SecurityCheck{Mode: simulator.CheckInteractive, Delay: time.Second}})
			cfg := config(t, srv)
			cfg.SecurityCheckWait = 50 * time.Second // longer than the run could take if it waited it out
			res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), cfg)
			if automation.KindOf(err) != automation.KindHumanVerification || !strings.Contains(res.Error, "turned interactive") {
				t.Fatalf("result = %+v, want human_verification decided on the interactive face", res)
			}
			if c := srv.Counters(""); c.Patches != 0 || c.Logins != 0 {
				t.Errorf("counters %+v: nothing may happen behind a check", c)
			}
		})
	}
}

// A check that never clears for a HeadlessChrome User-Agent clears for the
// tool: its tabs say Chrome, as a visible Chrome of the same version does.
func TestFirstMinute_TheSiteNeverHearsHeadless(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{SecurityCheck: &simulator.SecurityCheck{Mode: simulator.CheckHeadless, Delay: 500 * time.Millisecond}})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	changedOnce(t, srv, res, "alice@example.com")
	clientsSayChrome(t, srv)
}

func clientsSayChrome(t *testing.T, srv *simulator.Server) {
	t.Helper()
	clients := srv.Clients()
	if len(clients) == 0 {
		t.Fatal("the simulator saw no client")
	}
	for _, c := range clients {
		if strings.Contains(c.UserAgent, "Headless") || strings.Contains(c.SecCHUA, "Headless") || !strings.Contains(c.UserAgent, "Chrome/") {
			t.Errorf("the site heard User-Agent %q, sec-ch-ua %q: want the visible Chrome's product string", c.UserAgent, c.SecCHUA)
		}
		if !strings.HasPrefix(c.AcceptLanguage, "en-US") {
			t.Errorf("Accept-Language %q does not match the browser's language en-US", c.AcceptLanguage)
		}
	}
}

func TestFirstMinute_AVisibleBrowserSaysChromeToo(t *testing.T) {
	t.Parallel()
	headed := headedBrowser(t)
	srv := startSim(t, simulator.Options{})
	res := disable(t, headed, account(t, srv, "alice@example.com"), config(t, srv))
	changedOnce(t, srv, res, "alice@example.com")
	clientsSayChrome(t, srv)
}

// A dialog nobody described is closed by what closes it without choosing,
// wherever it comes, and named in a warning; none of its other controls is
// pressed.
func TestFirstMinute_AnUnknownDialogIsClosedWithoutChoosing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ui           simulator.UI
		close        simulator.DialogClose
		overSettings bool
		how          string
	}{
		{simulator.UICurrent, simulator.CloseX, false, `"Close" control`},
		{simulator.UICurrent, simulator.CloseDismiss, true, `"Dismiss" control`},
		{simulator.UICurrent, simulator.CloseEscape, false, "Escape"},
		{simulator.UICurrent, simulator.CloseNotNow, false, `"Not now" control`},
		{simulator.UI2023, simulator.CloseButton, false, `"Close" control`},
		{simulator.UI2023, simulator.CloseEscape, true, "Escape"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/over-settings=%v", tt.ui, tt.close, tt.overSettings), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: tt.ui, UnknownDialog: &simulator.UnknownDialog{
				Title: "Personalized ads", Text: "Ads in ChatGPT can now be personalized using your chats.",
				Accept: "Turn on personalized ads", Close: tt.close, OverSettings: tt.overSettings}})
			cfg := config(t, srv)
			cfg.ArtifactsDir = t.TempDir()
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
			changedOnce(t, srv, res, "alice@example.com")
			noChoice(t, srv)
			warned := false
			for _, w := range res.Warnings {
				warned = warned || strings.Contains(w, `"Personalized ads"`) && strings.Contains(w, "Ads in ChatGPT") && strings.Contains(w, tt.how)
			}
			if !warned {
				t.Errorf("warnings %q: want one naming the dialog by its title and first line, and %s", res.Warnings, tt.how)
			}
			if c := srv.Counters(""); c.DialogsClosed < 1 {
				t.Errorf("counters %+v: the simulator saw no dialog closed", c)
			}
			shot := false
			for _, p := range res.Artifacts {
				shot = shot || strings.Contains(p, "-dialog-") && strings.HasSuffix(p, ".png")
			}
			if !shot {
				t.Errorf("artifacts %q: want the dialog's screenshot", res.Artifacts)
			}
		})
	}
}

// A dialog that nothing closes without choosing is drift named by its
// title: the tool never picks one of its answers.
func TestFirstMinute_ADialogWithoutAWayOutIsDriftNamedByItsTitle(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, UnknownDialog: &simulator.UnknownDialog{
				Title: "Personalized ads", Text: "Ads in ChatGPT can now be personalized using your chats.",
				Accept: "Turn on personalized ads", Close: simulator.CloseNone}})
			res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if automation.KindOf(err) != automation.KindSelectorDrift || !strings.Contains(res.Error, `"Personalized ads"`) || strings.Contains(res.Error, "covered by div") {
				t.Fatalf("result = %+v, want drift naming the dialog", res)
			}
			noChoice(t, srv)
			if c := srv.Counters(""); c.Patches != 0 || !training(t, srv, "alice@example.com") {
				t.Errorf("counters %+v: a drifted run changed the setting", c)
			}
		})
	}
}

// The sign-in's error page passes with a retry or two; one that stays is
// the site's error, never drift.
func TestFirstMinute_TheSignInsErrorPageIsRetried(t *testing.T) {
	t.Parallel()
	t.Run("twice, then signed in", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Accounts: demoWith(func(a *simulator.Account) { a.SiteErrors = 2 })})
		res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
		changedOnce(t, srv, res, "alice@example.com")
		if c := srv.Counters("alice@example.com"); c.SiteErrorPages != 2 || c.TryAgainPresses != 2 {
			t.Errorf("counters %+v: want two error pages, each tried again once", c)
		}
	})
	t.Run("always", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Accounts: demoWith(func(a *simulator.Account) { a.SiteErrors = -1 })})
		res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
		if automation.KindOf(err) != automation.KindSiteError {
			t.Fatalf("result = %+v, want site_error", res)
		}
		if c := srv.Counters("alice@example.com"); c.TryAgainPresses != 3 || c.Logins != 0 || c.Patches != 0 {
			t.Errorf("counters %+v: want three retries, no sign-in, no write", c)
		}
	})
	t.Run("max_check_attempts is never retried", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{Accounts: demoWith(func(a *simulator.Account) { a.MaxCheckAttempts = true })})
		res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
		if automation.KindOf(err) != automation.KindRateLimited {
			t.Fatalf("result = %+v, want rate_limited", res)
		}
		noChoice(t, srv)
		if c := srv.Counters("alice@example.com"); c.TryAgainPresses != 0 {
			t.Errorf("counters %+v: the page was retried", c)
		}
	})
}

// Pages only the account's owner can answer end the run at once, saying
// what the site asks.
func TestFirstMinute_PagesThatNeedAPersonAreNamed(t *testing.T) {
	t.Parallel()
	tests := []struct{ needs, says string }{
		{"add-phone", "phone number"},
		{"about-you", "birthday"},
		{"age", "age check"},
		{"phone", "phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.needs, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{Accounts: demoWith(func(a *simulator.Account) { a.Needs = tt.needs })})
			res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if automation.KindOf(err) != automation.KindAccountAction || !strings.Contains(res.Error, tt.says) {
				t.Fatalf("result = %+v, want account_action_required saying %q", res, tt.says)
			}
			if c := srv.Counters("alice@example.com"); c.PersonPages < 1 || c.Patches != 0 {
				t.Errorf("counters %+v: want the page seen and nothing written", c)
			}
		})
	}
}

// The password page's "Log in with a one-time code": passed by when the
// account has a password, taken by an account that has only a mailbox.
func TestFirstMinute_TheOneTimeCodeOffer(t *testing.T) {
	t.Parallel()
	t.Run("with a password", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{OneTimeCodeOffer: true})
		res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
		changedOnce(t, srv, res, "alice@example.com")
		if c := srv.Counters("alice@example.com"); c.OneTimeCodeRequests != 0 || c.PasswordAttempts != 1 {
			t.Errorf("counters %+v: want the password, not the offer", c)
		}
	})
	t.Run("with only a mailbox", func(t *testing.T) {
		t.Parallel()
		srv := startSim(t, simulator.Options{OneTimeCodeOffer: true})
		a := account(t, srv, "alice@example.com")
		a.Password = ""
		a.Mailbox = testMailbox(t, srv, a.Email)
		res := disable(t, browser(t), a, config(t, srv))
		changedOnce(t, srv, res, a.Email)
		if c := srv.Counters(a.Email); c.OneTimeCodeRequests != 1 || c.PasswordAttempts != 0 || c.MFAAttempts != 1 {
			t.Errorf("counters %+v: want the code by email, once", c)
		}
	})
}

// The improve dialog with a "Done" button, as 2025 how-to guides show it.
func TestFirstMinute_TheImproveDialogsDone(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantImproveDone}})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	changedOnce(t, srv, res, "alice@example.com")
}

// chaosSeeds is how many seeds per era the chaos test runs: 20 by default,
// more with -chaos-seeds (200 for the long run).
var chaosSeeds = flag.Int("chaos-seeds", 20, "seeds per UI era for TestFirstMinute_Chaos")

// Surprises by the hundred: the simulator draws from a seed what it puts
// in the way, and when; every run ends with the setting off or with
// exactly the outcome the draw calls for. Never drift for something
// transient, never a choice pressed, never a timeout. A failing seed is
// printed; replay it with `chatgpt-optout sim --chaos SEED`.
func TestFirstMinute_Chaos(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		for seed := int64(1); seed <= int64(*chaosSeeds); seed++ {
			t.Run(fmt.Sprintf("%s/seed-%d", ui, seed), func(t *testing.T) {
				t.Parallel()
				srv := startSim(t, simulator.Options{UI: ui, Chaos: seed})
				plan := srv.ChaosPlan()
				email := "alice@example.com"
				res, err := runE(t, automation.Disable, browser(t), account(t, srv, email), config(t, srv))
				replay := fmt.Sprintf("seed %d, ui %s (replay: chatgpt-optout sim --ui %s --chaos %d): %s", seed, ui, ui, seed, plan.Summary)
				switch {
				case plan.Expect == "off":
					if res.Outcome != automation.OutcomeChanged || training(t, srv, email) {
						t.Fatalf("%s\nresult = %+v (err %v), want the setting off", replay, res, err)
					}
				case string(automation.KindOf(err)) != plan.Expect:
					t.Fatalf("%s\nresult = %+v, want %s", replay, res, plan.Expect)
				case plan.Expect == string(automation.KindHumanVerification):
					// A check may come at the reload that verifies the
					// change: the write is done, the verification is not.
					if n := srv.Counters(email).Patches; n > 1 || n == 1 && training(t, srv, email) {
						t.Errorf("%s\n%d writes before the check, and the setting on %v", replay, n, training(t, srv, email))
					}
				case srv.Counters(email).Patches != 0:
					t.Errorf("%s\na run that ended %s wrote the setting", replay, plan.Expect)
				}
				if n := srv.Counters("").ChoicePresses; n != 0 {
					t.Errorf("%s\nthe tool pressed a choice %d times", replay, n)
				}
			})
		}
	}
}
