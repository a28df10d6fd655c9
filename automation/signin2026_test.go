package automation_test

import (
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// The sign-in and the pages after it as they are in 2026, each with the
// shipped selectors file and no warning: the tool finds its way through
// every one of them on its own.
func TestSignIn2026_EveryPageOnTheWay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, email string
		opts        simulator.Options
	}{
		{"Turnstile-gated email and password forms", "alice@example.com", simulator.Options{}},
		{"the passkey offer is skipped", "grace@example.com", simulator.Options{}},
		{"an emailed code is left for the password", "heidi@example.com", simulator.Options{}},
		{"the account chooser picks the account", "ivan@example.com", simulator.Options{}},
		{"a rate-limit dialog after sign-in", "kim@example.com", simulator.Options{}},
		{"Welcome back with the email prefilled", "alice@example.com", simulator.Options{WelcomeBackEmail: "alice@example.com"}},
		{"settings as a page", "alice@example.com", simulator.Options{Variants: []simulator.Variant{simulator.VariantSettingsPage}}},
		{"a login dialog on the app", "alice@example.com", simulator.Options{LoginEntry: "dialog"}},
		{"a write that never finishes", "alice@example.com", simulator.Options{HoldWrites: true}},
		{"the sidebar collapsed: only the rail's profile trigger shows", "alice@example.com", simulator.Options{SidebarCollapsed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tt.opts)
			res := disable(t, browser(t), account(t, srv, tt.email), config(t, srv))
			if res.Outcome != automation.OutcomeChanged || !res.Verified || len(res.Warnings) != 0 {
				t.Fatalf("result = %+v, want changed and verified with no warnings", res)
			}
			if c := srv.Counters(tt.email); c.Patches != 1 || c.Logins != 1 || training(t, srv, tt.email) {
				t.Errorf("counters %+v: want one sign-in, one PATCH and the setting off", c)
			}
		})
	}
}

// With the sidebar collapsed the page shows none of signed_in's candidates
// (the sidebar's links and its named trigger are hidden; the rail's
// trigger may be the signed-out placeholder's twin): the session endpoint
// proves the sign-in. Without session_token_field in the file the same
// page is drift, and nothing is changed.
func TestSignIn2026_ACollapsedSidebarIsSignedInByTheSessionEndpoint(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{SidebarCollapsed: true})
	a := account(t, srv, "alice@example.com")

	res := verify(t, browser(t), a, config(t, srv))
	for _, c := range res.Elements {
		if c.Status == automation.CheckMissing {
			t.Errorf("selectors verify: %s is missing on a signed-in page", c.Element)
		}
	}
	if !training(t, srv, a.Email) || srv.Counters(a.Email).Patches != 0 {
		t.Fatal("selectors verify changed the setting")
	}

	cfg := config(t, srv)
	cfg.Selectors = mutated(t, func(f *selectors.File) {
		for i := range f.Profiles {
			f.Profiles[i].SessionTokenField = ""
		}
	})
	res, err := runE(t, automation.Disable, browser(t), a, cfg)
	if automation.KindOf(err) != automation.KindSelectorDrift {
		t.Fatalf("without session_token_field: err = %v, result %+v; want selector_drift", err, res)
	}
	if !training(t, srv, a.Email) || srv.Counters(a.Email).Patches != 0 {
		t.Error("a drifted run changed the setting")
	}
}

// A one-time code split into six one-digit boxes gets one digit per box,
// and the site takes it at the first try.
func TestSignIn2026_ACodeSplitIntoBoxes(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{SplitCode: true})
	a := account(t, srv, "carol@example.com")
	res := disable(t, browser(t), a, config(t, srv))
	if res.Outcome != automation.OutcomeChanged || !res.Verified {
		t.Fatalf("result = %+v, want changed and verified", res)
	}
	if c := srv.Counters(a.Email); c.MFAAttempts != 1 || c.Patches != 1 || training(t, srv, a.Email) {
		t.Errorf("counters %+v: want one MFA attempt, one PATCH and the setting off", c)
	}
}
