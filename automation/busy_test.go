package automation_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// The real page is never idle: a WebSocket, an event stream, a long poll and
// beacons stay open, and texts rotate. The simulator is busy like that by
// default; with HoldWrites the setting's own write never reports finished
// either. Every decision must still be taken: each case below ends in its
// own outcome, never in a timeout (the limit is config's 60 s).

// busySim starts a busy simulator whose setting writes never finish.
func busySim(t *testing.T, ui simulator.UI, variants ...simulator.Variant) *simulator.Server {
	t.Helper()
	return startSim(t, simulator.Options{UI: ui, HoldWrites: true, Variants: variants})
}

func TestBusyPage_EveryDecisionIsTaken(t *testing.T) {
	t.Parallel()
	noSwitch := func(f *selectors.File) {
		for i := range f.Profiles {
			f.Profiles[i].Path.Switch.Candidates = []selectors.Candidate{{TestID: "no-such-switch"}}
		}
	}
	tests := []struct {
		name     string
		eras     []simulator.UI
		variants []simulator.Variant
		edit     func(f *selectors.File)
		prepare  func(srv *simulator.Server, a *automation.Account)
		check    func(t *testing.T, srv *simulator.Server, res *automation.Result)
	}{
		{
			name: "the setting is switched off and verified",
			eras: eras,
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.Outcome != automation.OutcomeChanged || !res.Verified || len(res.Warnings) != 0 {
					t.Fatalf("result = %+v, want changed and verified, no warnings", res)
				}
				if c := srv.Counters("alice@example.com"); c.Patches != 1 || training(t, srv, "alice@example.com") {
					t.Errorf("counters %+v: want one PATCH and the setting off", c)
				}
			},
		},
		{
			name: "a removed switch is drift",
			eras: eras,
			edit: noSwitch,
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.ErrorKind != automation.KindSelectorDrift || !strings.Contains(res.Error, "path.switch") {
					t.Fatalf("result = %+v, want selector_drift at path.switch", res)
				}
				if srv.Counters("").Patches != 0 {
					t.Error("a drifted run wrote the setting")
				}
			},
		},
		{
			name:     "a reworded label is never clicked",
			eras:     eras,
			variants: []simulator.Variant{simulator.VariantRewordedLabel},
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.ErrorKind != automation.KindLabelChanged {
					t.Fatalf("result = %+v, want label_changed", res)
				}
				if srv.Counters("").Patches != 0 || !training(t, srv, "alice@example.com") {
					t.Error("a reworded switch was clicked")
				}
			},
		},
		{
			name: "a stale settings URL falls back to the menu with a warning",
			eras: []simulator.UI{simulator.UICurrent},
			edit: func(f *selectors.File) {
				p, _ := f.Profile("current")
				p.URLs.Settings = "/#settings/Nope"
			},
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.Outcome != automation.OutcomeChanged || !res.Verified {
					t.Fatalf("result = %+v, want changed and verified", res)
				}
				if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "urls.settings") {
					t.Errorf("warnings %q, want one naming urls.settings", res.Warnings)
				}
			},
		},
		{
			name:    "a refused save is clicked again and verified",
			eras:    eras,
			prepare: func(srv *simulator.Server, a *automation.Account) { srv.FailPatches(a.Email, 1) },
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.Outcome != automation.OutcomeChanged || res.Attempts != 2 || !res.Verified {
					t.Fatalf("result = %+v, want changed on the second attempt", res)
				}
				if c := srv.Counters("alice@example.com"); c.Patches != 2 || training(t, srv, "alice@example.com") {
					t.Errorf("counters %+v: want two PATCHes and the setting off", c)
				}
			},
		},
		{
			name:    "a wrong password is bad_credentials",
			eras:    eras,
			prepare: func(_ *simulator.Server, a *automation.Account) { a.Password = "not-the-password" },
			check: func(t *testing.T, srv *simulator.Server, res *automation.Result) {
				if res.ErrorKind != automation.KindBadCredentials {
					t.Fatalf("result = %+v, want bad_credentials", res)
				}
				if c := srv.Counters("alice@example.com"); c.PasswordAttempts != 1 || c.Patches != 0 {
					t.Errorf("counters %+v: want one password attempt, no PATCH", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, ui := range tt.eras {
				t.Run(string(ui), func(t *testing.T) {
					t.Parallel()
					srv := busySim(t, ui, tt.variants...)
					cfg := config(t, srv)
					if tt.edit != nil {
						cfg.Selectors = mutated(t, tt.edit)
					}
					a := account(t, srv, "alice@example.com")
					if tt.prepare != nil {
						tt.prepare(srv, &a)
					}
					res := disable(t, browser(t), a, cfg)
					if res.ErrorKind == automation.KindTimeout {
						t.Fatalf("the busy page stalled a decision: %s", res.Error)
					}
					tt.check(t, srv, res)
					if b := srv.Busy(); res.ErrorKind != automation.KindBadCredentials && (b.WebSockets == 0 || b.EventStreams == 0 || b.LongPolls == 0) {
						t.Errorf("the signed-in page was not busy: %+v", b)
					}
				})
			}
		})
	}
}

func TestBusyPage_2023SwitchesOffWithoutADeepLink(t *testing.T) {
	t.Parallel()
	srv := busySim(t, simulator.UI2023)
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	if res.Outcome != automation.OutcomeChanged || !res.Verified || res.Route != "menu" || len(res.Warnings) != 0 {
		t.Fatalf("result = %+v, want changed through the menu, verified, no warnings", res)
	}
	if training(t, srv, "alice@example.com") {
		t.Error("the simulator still has the setting on")
	}
}

func TestBusyPage_DeepLinkRouteNeedsASettingsURL(t *testing.T) {
	t.Parallel()
	srv := busySim(t, simulator.UI2023)
	cfg := config(t, srv)
	cfg.Route = automation.RouteDeepLink
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), cfg)
	if res.ErrorKind != automation.KindConfig || !strings.Contains(res.Error, "urls.settings") {
		t.Fatalf("result = %+v, want a configuration error naming urls.settings", res)
	}
	if srv.Counters("").Patches != 0 {
		t.Error("the setting was written")
	}
}

// A site may set its session cookie without an expiry; Chrome drops such
// cookies when it closes. A kept profile must still hold the session.
func TestProfile_KeepsASessionOnlyCookie(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui, SessionOnlyCookie: true, HoldWrites: true})
			profile := filepath.Join(t.TempDir(), "profile")
			cfg := config(t, srv)
			inOwnBrowser := func(a automation.Account, f runFunc) *automation.Result {
				b, err := automation.Launch(context.Background(), automation.BrowserOptions{ProfileDir: profile})
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close() // Chrome closes: session-only cookies are gone
				return run(t, f, b, a, cfg)
			}
			a := account(t, srv, "alice@example.com")
			a.ProfileDir = profile
			if res := inOwnBrowser(a, automation.Disable); res.Outcome != automation.OutcomeChanged {
				t.Fatalf("first run = %+v, want changed", res)
			}
			before := srv.Counters(a.Email)
			res := inOwnBrowser(automation.Account{Email: a.Email, ProfileDir: profile}, automation.Status)
			if res.Outcome != automation.OutcomeCompliant {
				t.Fatalf("second run, no password = %+v, want compliant from the kept session", res)
			}
			if after := srv.Counters(a.Email); after.LoginPageViews != before.LoginPageViews || after.Logins != before.Logins {
				t.Errorf("the second run signed in again: counters %+v → %+v", before, after)
			}
		})
	}
}
