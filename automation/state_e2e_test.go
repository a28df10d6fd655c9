package automation_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// testStateKey is an age identity: a passphrase works too (state_test.go)
// but costs seconds of scrypt on every read.
var testStateKey = func() string {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	return id.String()
}()

// A scheduled run that saved its session signs in once: the next run loads
// the state before its first page load and goes straight to the settings
// by their URL where the UI has one (one page load, no menu), else to the
// app and its menu.
func TestState_TheNextRunSkipsTheSignIn(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, simulator.Options{UI: ui})
			cfg := config(t, srv)
			cfg.StateKey = testStateKey
			a := account(t, srv, "alice@example.com")
			a.StateFile = filepath.Join(t.TempDir(), "alice.state")
			if res := disable(t, browser(t), a, cfg); res.Outcome != automation.OutcomeChanged || len(res.Warnings) != 0 {
				t.Fatalf("first run = %+v, want changed, no warnings", res)
			}
			raw, err := os.ReadFile(a.StateFile)
			if err != nil || !strings.Contains(string(raw), "BEGIN AGE ENCRYPTED FILE") {
				t.Fatalf("state file: %v; want it age-encrypted", err)
			}
			before := srv.Counters(a.Email)
			res := status(t, browser(t), automation.Account{Email: a.Email, StateFile: a.StateFile}, cfg)
			if res.Outcome != automation.OutcomeCompliant {
				t.Fatalf("second run from the state, no password = %+v, want compliant", res)
			}
			if want := map[simulator.UI]automation.Route{simulator.UICurrent: automation.RouteDeepLink, simulator.UI2023: automation.RouteMenu}[ui]; res.Route != want || len(res.Warnings) != 0 {
				t.Errorf("second run took route %q with warnings %q, want %q and none", res.Route, res.Warnings, want)
			}
			if after := srv.Counters(a.Email); after.LoginPageViews != before.LoginPageViews || after.Logins != before.Logins {
				t.Errorf("the second run signed in: counters %+v → %+v", before, after)
			}
		})
	}
}

// An expired state falls back to the password and is then replaced;
// without a password it is session_expired.
func TestState_ExpiredFallsBackAndIsReplaced(t *testing.T) {
	t.Parallel()
	for _, ui := range eras {
		t.Run(string(ui), func(t *testing.T) { expiredStateFallsBack(t, ui) })
	}
}

func expiredStateFallsBack(t *testing.T, ui simulator.UI) {
	srv := startSim(t, simulator.Options{UI: ui})
	cfg := config(t, srv)
	cfg.StateKey = testStateKey
	a := account(t, srv, "alice@example.com")
	a.StateFile = filepath.Join(t.TempDir(), "alice.state")
	if res := status(t, browser(t), a, cfg); res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("first run = %+v", res)
	}
	first, _ := os.ReadFile(a.StateFile)
	srv.ExpireSessions(a.Email)

	res := status(t, browser(t), automation.Account{Email: a.Email, StateFile: a.StateFile}, cfg)
	if res.ErrorKind != automation.KindSessionExpired {
		t.Fatalf("expired state, no password = %+v, want session_expired", res)
	}
	logins := srv.Counters(a.Email).Logins
	if res := status(t, browser(t), a, cfg); res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("expired state with the password = %+v, want a fresh sign-in", res)
	}
	if srv.Counters(a.Email).Logins != logins+1 {
		t.Error("no fresh sign-in")
	}
	if again, _ := os.ReadFile(a.StateFile); string(again) == string(first) {
		t.Error("the expired state was not replaced")
	}
	if res := status(t, browser(t), automation.Account{Email: a.Email, StateFile: a.StateFile}, cfg); res.Outcome != automation.OutcomeNoncompliant {
		t.Errorf("the replaced state = %+v, want it to sign in", res)
	}
}

func TestState_RefusedBeforeTheBrowserOpens(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	cfg := config(t, srv)
	cfg.StateKey = testStateKey
	dir := t.TempDir()
	bob := account(t, srv, "bob@example.com")
	bob.StateFile = filepath.Join(dir, "bob.state")
	if res := status(t, browser(t), bob, cfg); res.Outcome != automation.OutcomeCompliant {
		t.Fatalf("bob's run = %+v", res)
	}
	views := srv.Counters("").LoginPageViews
	cases := map[string]func() (automation.Account, automation.Config){
		"another account's state": func() (automation.Account, automation.Config) {
			a := account(t, srv, "alice@example.com")
			a.StateFile = bob.StateFile
			return a, cfg
		},
		"the wrong key": func() (automation.Account, automation.Config) {
			c := cfg
			c.StateKey = "not the key"
			return bob, c
		},
		"no key, no plaintext allowed": func() (automation.Account, automation.Config) {
			c := cfg
			c.StateKey = ""
			return bob, c
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			a, c := mk()
			res := status(t, browser(t), a, c)
			if res.ErrorKind != automation.KindConfig || res.Outcome != automation.OutcomeFailed || strings.Contains(res.Error, testStateKey) {
				t.Fatalf("result = %+v, want a configuration error, without the key", res)
			}
		})
	}
	if srv.Counters("").LoginPageViews != views {
		t.Error("a refused state still opened the site")
	}
}
