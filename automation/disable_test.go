package automation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func TestDisable_TurnsOnSettingOffAndVerifiesIt(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			a := account(t, srv, "alice@example.com")
			if !training(t, srv, a.Email) {
				t.Fatal("precondition: alice starts with the setting on")
			}
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged || res.Before != automation.StateOn || res.After != automation.StateOff || !res.Verified {
				t.Fatalf("result = %+v, want on → off, changed, verified", res)
			}
			if res.Action != automation.ActionTurnedOff || res.UI != string(ui) || res.Route != "menu" {
				t.Errorf("action %s ui %s route %s, want turned_off %s menu", res.Action, res.UI, res.Route, ui)
			}
			if training(t, srv, a.Email) {
				t.Error("the simulator still has the setting on")
			}
			c := srv.Counters(a.Email)
			if c.Patches != 1 || c.Logins != 1 {
				t.Errorf("counters = %+v, want exactly one PATCH and one login", c)
			}
			if len(res.Warnings) != 0 {
				t.Errorf("unexpected warnings: %v", res.Warnings)
			}
		})
	}
}

func TestDisable_AlreadyOffSendsNoChange(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			a := account(t, srv, "bob@example.com")
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeCompliant || res.Action != automation.ActionNone || res.After != automation.StateOff {
				t.Fatalf("result = %+v, want compliant with no action", res)
			}
			if c := srv.Counters(a.Email); c.Patches != 0 {
				t.Errorf("the tool sent %d PATCHes for an account already off", c.Patches)
			}
		})
	}
}

func TestStatus_ReadsWithoutChanging(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			on := status(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			if on.Outcome != automation.OutcomeNoncompliant || on.Before != automation.StateOn || on.ErrorKind != "" {
				t.Errorf("status of an account that is on = %+v, want noncompliant, no error", on)
			}
			off := status(t, browser(t), account(t, srv, "bob@example.com"), config(t, srv))
			if off.Outcome != automation.OutcomeCompliant {
				t.Errorf("status of an account that is off = %+v, want compliant", off)
			}
			if !training(t, srv, "alice@example.com") || srv.Counters("").Patches != 0 {
				t.Error("status changed the setting")
			}
		})
	}
}

func TestDisable_DryRunChangesNothing(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.DryRun = true
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Action != automation.ActionWouldTurnOff || res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("dry run = %+v, want would_turn_off, exit 2", res)
	}
	if !training(t, srv, "alice@example.com") || srv.Counters("").Patches != 0 {
		t.Error("the dry run changed the setting")
	}
}

func TestDisable_SignInFailuresHaveTheirOwnKinds(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cases := []struct {
				name  string
				acct  automation.Account
				kind  automation.ErrorKind
				words string
				fix   automation.Setting
			}{
				{"wrong password", withPassword(account(t, srv, "alice@example.com"), "not-the-password"), automation.KindBadCredentials, "password", automation.SettingPassword},
				{"TOTP account without a secret", withTOTP(account(t, srv, "carol@example.com"), ""), automation.KindMFARequired, "TOTP secret", automation.SettingTOTPSecret},
				{"TOTP account with the wrong secret", withTOTP(account(t, srv, "carol@example.com"), "GEZDGNBVGY3TQOJQ"), automation.KindMFAFailed, "TOTP secret", automation.SettingTOTPSecret},
				{"bot wall", account(t, srv, "erin@example.com"), automation.KindHumanVerification, "profile folder", automation.SettingProfileDir},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					res, err := runE(t, automation.Disable, browser(t), c.acct, config(t, srv))
					if res.ErrorKind != c.kind || res.Outcome != automation.OutcomeFailed {
						t.Fatalf("result = %+v, want %s, failed", res, c.kind)
					}
					if !strings.Contains(res.Error, c.words) || !points(err, c.fix) {
						t.Errorf("error %q (fix %v) does not tell the user about the %s", res.Error, automation.FixOf(err), c.fix)
					}
					if res.After == automation.StateOff {
						t.Error("a failed run reported the setting off")
					}
					// The run ends as soon as the page says what is wrong,
					// not when the 60 s timeout runs out.
					if res.DurationMS > 30_000 {
						t.Errorf("took %d ms: the failure was not recognised, the run waited for its timeout", res.DurationMS)
					}
				})
			}
			if srv.Counters("").Patches != 0 {
				t.Error("a failed sign-in still reached the setting")
			}
		})
	}
}

func TestDisable_SignsInWithTOTP(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			a := account(t, srv, "carol@example.com")
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged {
				t.Fatalf("result = %+v, want changed", res)
			}
			if c := srv.Counters(a.Email); c.MFAAttempts != 1 || training(t, srv, a.Email) {
				t.Errorf("counters %+v, setting on %v: want one MFA attempt and the setting off", c, training(t, srv, a.Email))
			}
		})
	}
}

// A cookie banner over the profile trigger is declined ("Reject
// non-essential"), never accepted, and the run goes on.
func TestDisable_DeclinesACookieBannerOverThePage(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, ConsentBanner: true})
			a := account(t, srv, "alice@example.com")
			// The era named, so only its profile's dialogs are known: the
			// sign-in of auto detection knows every profile's.
			cfg := config(t, srv)
			cfg.UI = string(ui)
			res := disable(t, browser(t), a, cfg)
			if res.Outcome != automation.OutcomeChanged || !res.Verified || len(res.Warnings) != 0 {
				t.Fatalf("result = %+v, want changed and verified with no warnings", res)
			}
			if c := srv.Counters(a.Email); c.Patches != 1 || training(t, srv, a.Email) {
				t.Errorf("counters %+v: want one PATCH and the setting off", c)
			}
		})
	}
}

// The 2023 onboarding comes late, over the settings the run opened (a slow
// backend keeps the Data controls panel loading meanwhile), where no
// pointer reaches its buttons: the settings' modal layer set
// pointer-events:none on the body. The run presses them from the keyboard
// and goes on.
func TestDisable_PressesADialogNoPointerReachesFromTheKeyboard(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{UI: simulator.UI2023, LateDialogs: true, Latency: 800 * time.Millisecond})
	a := account(t, srv, "dave@example.com")
	cfg := config(t, srv)
	var log bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	res := disable(t, browser(t), a, cfg)
	if res.Outcome != automation.OutcomeChanged || !res.Verified || training(t, srv, a.Email) {
		t.Fatalf("result = %+v, want changed and verified, and the simulator off\n%s", res, log.String())
	}
	if !strings.Contains(log.String(), "pressing Enter") {
		t.Errorf("the onboarding was not pressed from the keyboard (did it come before the settings?):\n%s", log.String())
	}
}

func TestDisable_DismissesPostLoginDialogs(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			a := account(t, srv, "dave@example.com")
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged || training(t, srv, a.Email) {
				t.Fatalf("result = %+v, want changed with the dialogs out of the way", res)
			}
		})
	}
}

func TestDisable_RetriesAFailedSave(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			a := account(t, srv, "alice@example.com")
			srv.FailPatches(a.Email, 1)
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged || res.Attempts != 2 || !res.Verified {
				t.Fatalf("result = %+v, want changed on the second attempt", res)
			}
			if c := srv.Counters(a.Email); c.Patches != 2 || training(t, srv, a.Email) {
				t.Errorf("counters %+v: want two PATCHes and the setting off", c)
			}
		})
	}
}

func TestDisable_NeverReportsOffWhenTheSaveKeepsFailing(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	a := account(t, srv, "alice@example.com")
	srv.FailPatches(a.Email, 100)
	res := disable(t, browser(t), a, config(t, srv))
	if res.ErrorKind != automation.KindDidNotStick || res.After == automation.StateOff || res.Verified {
		t.Fatalf("result = %+v, want did_not_stick and no claim of off", res)
	}
	if c := srv.Counters(a.Email); c.Patches != 3 {
		t.Errorf("PATCHes = %d, want exactly 3 attempts", c.Patches)
	}
	if !training(t, srv, a.Email) {
		t.Error("precondition broken: the simulator saved the change")
	}
}

func TestDisable_FollowsALoginDialogOnTheApp(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{LoginEntry: "dialog"})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	if res.Outcome != automation.OutcomeChanged {
		t.Fatalf("result = %+v, want changed", res)
	}
}

func TestDisable_SlowBackend(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Latency: 600 * time.Millisecond, ToggleDelay: 900 * time.Millisecond})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	if res.Outcome != automation.OutcomeChanged || srv.Counters("alice@example.com").Patches != 1 {
		t.Fatalf("result = %+v, PATCHes %d: want changed with a single click", res, srv.Counters("alice@example.com").Patches)
	}
}

// The deep link is the current era's (2023 had none: see
// TestBusyPage_DeepLinkRouteNeedsASettingsURL).
func TestDisable_DeepLinkRoute(t *testing.T) {
	t.Parallel()
	for _, ui := range []simulator.UI{simulator.UICurrent} {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cfg := config(t, srv)
			cfg.Route = automation.RouteDeepLink
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
			if res.Outcome != automation.OutcomeChanged || res.Route != "deep_link" {
				t.Fatalf("result = %+v, want changed through the deep link", res)
			}
		})
	}
}

// clicksLogged counts the clicks on a step in a run's JSON log after the
// first message after.
func clicksLogged(t *testing.T, log *bytes.Buffer, after, step string) int {
	t.Helper()
	n, seen := 0, false
	for _, line := range strings.Split(log.String(), "\n") {
		var e struct {
			Msg  string `json:"msg"`
			Step string `json:"step"`
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		seen = seen || e.Msg == after
		if seen && e.Msg == "clicking" && e.Step == step {
			n++
		}
	}
	if !seen {
		t.Fatalf("the log has no %q\n%s", after, log.String())
	}
	return n
}

// The current era's settings URL opens the settings itself (2023 had none:
// the check walks the menu there, TestBusyPage_2023SwitchesOffWithoutADeepLink).
func TestDisable_VerifiesOnAPageLoadedFromTheSettingsURL(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]simulator.Options{
		"dialog":           {},
		"settings as page": {Variants: []simulator.Variant{simulator.VariantSettingsPage}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, opts)
			var log bytes.Buffer
			cfg := config(t, srv)
			cfg.Logger = slog.New(slog.NewJSONHandler(&log, nil))
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
			if res.Outcome != automation.OutcomeChanged || !res.Verified || len(res.Warnings) != 0 {
				t.Fatalf("result = %+v, want changed and verified without warnings", res)
			}
			// The check after the reload lets the app open the settings
			// from the URL: no menu, no tab.
			for _, step := range []string{"path.profile_menu", "path.settings_item", "path.data_controls_tab"} {
				if n := clicksLogged(t, &log, "verifying after a reload", step); n != 0 {
					t.Errorf("%s was clicked %d times after the reload, want 0\n%s", step, n, log.String())
				}
			}
			if training(t, srv, "alice@example.com") {
				t.Error("the simulator still has the setting on")
			}
		})
	}
}

func TestDisable_VerifyFindsTheSettingWhenTheSettingsURLIsStale(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			for _, settingsURL := range []string{"/#settings/Nope", "/#nothing-here"} {
				srv := startSim(t, simulator.Options{UI: ui})
				cfg := config(t, srv)
				cfg.Selectors = mutated(t, func(f *selectors.File) {
					p, _ := f.Profile(string(ui))
					p.URLs.Settings = settingsURL
				})
				res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
				if res.Outcome != automation.OutcomeChanged || !res.Verified || training(t, srv, "alice@example.com") {
					t.Fatalf("%s: result = %+v, want changed and verified", settingsURL, res)
				}
				if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "urls.settings") {
					t.Errorf("%s: warnings = %v, want one naming urls.settings", settingsURL, res.Warnings)
				}
			}
		})
	}
}

func TestDisable_FallsBackToTheDeepLinkWhenTheMenuDrifts(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		p, _ := f.Profile("current")
		p.Path.SettingsItem.Candidates = []selectors.Candidate{{TestID: "no-such-settings-item"}}
	})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Outcome != automation.OutcomeChanged || res.Route != "deep_link" {
		t.Fatalf("result = %+v, want changed through the deep link", res)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "path.settings_item") {
		t.Errorf("warnings %v do not name the broken step", res.Warnings)
	}
}

func TestDisable_SwitchThatMatchesNothingIsDrift(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cfg := config(t, srv)
			cfg.Selectors = mutated(t, func(f *selectors.File) {
				for i := range f.Profiles {
					f.Profiles[i].Path.Switch.Candidates = []selectors.Candidate{{TestID: "no-such-switch"}}
				}
			})
			res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), cfg)
			if res.ErrorKind != automation.KindSelectorDrift || res.Outcome != automation.OutcomeDrift {
				t.Fatalf("result = %+v, want selector_drift, drift", res)
			}
			var drift *automation.DriftError
			if !errors.As(err, &drift) || drift.Element != "path.switch" || !slices.Equal(drift.Candidates, []string{`testid="no-such-switch"`}) || len(drift.Counts) != 1 || drift.Counts[0] != 0 || !strings.HasPrefix(drift.URL, srv.AppURL()) {
				t.Errorf("the error is %#v, want a *DriftError naming path.switch, its one candidate matching 0 elements on the app's page", err)
			}
			for _, want := range []string{"path.switch", cfg.Selectors.Version, "no-such-switch"} {
				if !strings.Contains(res.Error, want) {
					t.Errorf("error %q does not name %q", res.Error, want)
				}
			}
			if srv.Counters("").Patches != 0 || !training(t, srv, "alice@example.com") {
				t.Error("a drifted run changed the setting")
			}
			// Calling the switch missing took at least a settle window of
			// the run's own, after the page had shown all it would.
			if own := res.Timings.OwnWait; own < automation.DefaultSettle.Milliseconds() || own > res.DurationMS {
				t.Errorf("own waits %d ms of %d ms: want at least the settle window (%s), within the run", own, res.DurationMS, automation.DefaultSettle)
			}
		})
	}
}

func TestDisable_RefusesASwitchWithAnotherLabel(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		p, _ := f.Profile("current")
		p.Setting.Label = "Share my location"
		p.Setting.Meaning = []selectors.Meaning{{Locale: "en", Label: "Share my location"}}
	})
	res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.ErrorKind != automation.KindLabelChanged || res.Outcome != automation.OutcomeDrift {
		t.Fatalf("result = %+v, want label_changed, drift", res)
	}
	if drift := (*automation.DriftError)(nil); !errors.As(err, &drift) || drift.Element != "path.switch" || drift.Kind != automation.KindLabelChanged {
		t.Errorf("the error is %#v, want a *DriftError of kind label_changed naming path.switch", err)
	}
	if srv.Counters("").Patches != 0 {
		t.Error("the tool clicked a switch whose label it did not recognise")
	}
}

func TestDisable_RefusesASwitchDescribedOtherwise(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cfg := config(t, srv)
			cfg.Selectors = mutated(t, func(f *selectors.File) {
				for i := range f.Profiles {
					f.Profiles[i].Setting.Meaning[0].Keywords = append(f.Profiles[i].Setting.Meaning[0].Keywords, "advertising partners")
				}
			})
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
			if res.ErrorKind != automation.KindLabelChanged || !strings.Contains(res.Error, "advertising partners") {
				t.Fatalf("result = %+v, want label_changed naming the missing words", res)
			}
			if srv.Counters("").Patches != 0 {
				t.Error("the tool clicked a switch whose description it did not recognise")
			}
		})
	}
}

func TestDisable_StalePrimaryFallsBackWithAWarning(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cfg := config(t, srv)
			cfg.Selectors = mutated(t, func(f *selectors.File) {
				for i := range f.Profiles {
					sw := &f.Profiles[i].Path.Switch
					sw.Candidates = append([]selectors.Candidate{{TestID: "retired-switch-id"}}, sw.Candidates[1:]...)
				}
			})
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
			if res.Outcome != automation.OutcomeChanged {
				t.Fatalf("result = %+v, want changed through the fallback", res)
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "path.switch") || !strings.Contains(res.Warnings[0], "retired-switch-id") {
				t.Errorf("warnings = %v, want one naming the stale primary of path.switch", res.Warnings)
			}
		})
	}
}

func withPassword(a automation.Account, p string) automation.Account { a.Password = p; return a }
func withTOTP(a automation.Account, s string) automation.Account     { a.TOTPSecret = s; return a }

func TestVerify_ReportsEachElementAndChangesNothing(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			res := verify(t, browser(t), account(t, srv, "carol@example.com"), config(t, srv))
			if res.Outcome == automation.OutcomeFailed || res.Outcome == automation.OutcomeDrift {
				t.Fatalf("verify = %+v", res)
			}
			status := map[string]automation.CheckStatus{}
			for _, c := range res.Elements {
				status[c.Element] = c.Status
			}
			for _, el := range []string{"login.entry", "login.email", "login.password", "login.mfa_code", "path.profile_menu", "path.settings_item", "path.data_controls_tab", "path.switch"} {
				if status[el] != automation.CheckOK {
					t.Errorf("%s: %q, want ok (table %+v)", el, status[el], res.Elements)
				}
			}
			// The shipped file fits the page: nothing it reached is stale
			// or missing.
			for _, c := range res.Elements {
				if c.Status != automation.CheckOK && c.Status != automation.CheckNotSeen {
					t.Errorf("%s: %s (candidate %d, %s)", c.Element, c.Status, c.Index, c.Candidate)
				}
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings %q, want none", res.Warnings)
			}
			if srv.Counters("").Patches != 0 || !training(t, srv, "carol@example.com") {
				t.Error("verify changed the setting")
			}
		})
	}
}

func TestVerify_MissingElementIsDrift(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		p, _ := f.Profile("current")
		p.Path.Switch.Candidates = []selectors.Candidate{{TestID: "no-such-switch"}}
		p.Path.RowOpener.Candidates = append([]selectors.Candidate{{TestID: "old-row"}}, p.Path.RowOpener.Candidates...)
	})
	res := verify(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.Outcome != automation.OutcomeDrift {
		t.Fatalf("verify = %+v, want drift", res)
	}
	status := map[string]automation.CheckStatus{}
	for _, c := range res.Elements {
		status[c.Element] = c.Status
	}
	if status["path.switch"] != automation.CheckMissing || status["path.row_opener"] != automation.CheckStale || status["path.profile_menu"] != automation.CheckOK {
		t.Errorf("table = %+v, want switch missing, row opener stale, menu ok", res.Elements)
	}
}

// The caller's context is the caller's: cancelled before or during a run,
// the run ends interrupted and its error wraps context.Canceled; the
// caller's deadline, when it comes before the run's own timeout, ends the
// run as a timeout that says whose deadline it was. Nothing is changed.
func TestDisable_EndsWithTheCallersContext(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{HoldWrites: true})
	a := account(t, srv, "alice@example.com")

	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		views := srv.Counters("").LoginPageViews
		res, err := automation.Disable(ctx, browser(t), a, config(t, srv))
		if !errors.Is(err, context.Canceled) || automation.KindOf(err) != automation.KindInterrupted || res.Outcome != automation.OutcomeFailed || res.ErrorKind != automation.KindInterrupted {
			t.Fatalf("Disable on a cancelled context = %+v, %v; want interrupted, wrapping context.Canceled", res, err)
		}
		if srv.Counters("").LoginPageViews != views {
			t.Error("a run on a cancelled context opened the site")
		}
	})
	t.Run("cancelled during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The write never finishes, so the run is still going when the
		// caller gives up, whichever phase it is in.
		cancelled := make(chan time.Time, 1)
		go func() {
			for srv.Counters(a.Email).LoginPageViews == 0 {
				time.Sleep(20 * time.Millisecond)
			}
			cancelled <- time.Now()
			cancel()
		}()
		res, err := automation.Disable(ctx, browser(t), a, config(t, srv))
		if !errors.Is(err, context.Canceled) || res.ErrorKind != automation.KindInterrupted {
			t.Fatalf("Disable cancelled during the run = %+v, %v; want interrupted, wrapping context.Canceled", res, err)
		}
		// Measured from the cancellation, not the start: a loaded machine
		// starts Chrome slowly, but a cancelled run stops at its next step.
		if d := time.Since(<-cancelled); d > 20*time.Second {
			t.Errorf("the run took %s to notice the cancellation", d)
		}
	})
	t.Run("the caller's deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		res, err := automation.Disable(ctx, browser(t), a, config(t, srv)) // its own timeout is 60 s
		if !errors.Is(err, context.DeadlineExceeded) || res.ErrorKind != automation.KindTimeout || !strings.Contains(res.Error, "caller's deadline") {
			t.Fatalf("Disable past the caller's deadline = %+v, %v; want a timeout naming the caller's deadline, wrapping context.DeadlineExceeded", res, err)
		}
	})
	// The browser is still good for the next account.
	if res := status(t, browser(t), account(t, srv, "bob@example.com"), config(t, srv)); res.Outcome != automation.OutcomeCompliant {
		t.Errorf("a run after the cancelled ones = %+v, want compliant", res)
	}
}
