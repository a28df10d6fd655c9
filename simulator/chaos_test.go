package simulator

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestChaosPlanDeterministic(t *testing.T) {
	t.Parallel()
	for seed := int64(-3); seed < 200; seed++ {
		a, b := NewChaosPlan(seed), NewChaosPlan(seed)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: two draws differ:\n%+v\n%+v", seed, a, b)
		}
		if a.Seed != seed {
			t.Fatalf("seed %d: plan says %d", seed, a.Seed)
		}
	}
	// Neighbouring seeds do not give one plan.
	distinct := map[string]bool{}
	for seed := int64(1); seed <= 50; seed++ {
		p := NewChaosPlan(seed)
		_, rest, _ := strings.Cut(p.Summary, ": ")
		distinct[rest] = true
	}
	if len(distinct) < 25 {
		t.Errorf("50 seeds gave only %d different plans", len(distinct))
	}
}

// TestChaosPlanProperties checks every plan of 500 seeds against the rules
// of NewChaosPlan, and the distribution: every Expect reachable, about 60%
// "off", most plans with two surprises or more.
func TestChaosPlanProperties(t *testing.T) {
	t.Parallel()
	const n = 500
	expects := map[string]int{}
	closes := map[DialogClose]int{}
	modes := map[CheckMode]int{}
	needs := map[string]int{}
	two := 0
	for seed := int64(1); seed <= n; seed++ {
		p := NewChaosPlan(seed)
		expects[p.Expect]++
		if p.Surprises() >= 2 {
			two++
		}
		if !strings.HasPrefix(p.Summary, "chaos ") || !strings.HasSuffix(p.Summary, "expect "+p.Expect) || strings.Contains(p.Summary, "\n") {
			t.Errorf("seed %d: summary %q", seed, p.Summary)
		}
		wait := time.Duration(0)
		if c := p.SecurityCheck; c != nil {
			modes[c.Mode]++
			if _, err := normalizeCheck(c); err != nil {
				t.Errorf("seed %d: %v", seed, err)
			}
			if c.Delay < 300*time.Millisecond || c.Delay > 4*time.Second || c.AtView < 1 || c.AtView > 3 {
				t.Errorf("seed %d: check %+v", seed, *c)
			}
			wait += c.Delay
			if c.Origin == "both" {
				wait += c.Delay
			}
			if c.Mode == CheckInteractive {
				// The challenge is the only terminal surprise.
				if p.MaxCheckAttempts || p.Needs != "" || p.SiteErrors < 0 || (p.Dialog != nil && p.Dialog.Close == CloseNone) {
					t.Errorf("seed %d: an interactive challenge with another terminal surprise: %s", seed, p.Summary)
				}
				if p.Expect != ExpectHumanVerification {
					t.Errorf("seed %d: %s", seed, p.Summary)
				}
			}
		}
		if d := p.Dialog; d != nil {
			closes[d.Close]++
			if _, err := normalizeNotice(d); err != nil || d.Title == "" || d.Text == "" || d.Accept == "" {
				t.Errorf("seed %d: dialog %+v: %v", seed, *d, err)
			}
			if d.OverSettings {
				wait += 300 * time.Millisecond
			}
		}
		if wait > 5500*time.Millisecond {
			t.Errorf("seed %d: %v of injected waiting", seed, wait)
		}
		if p.SiteErrors < -1 || p.SiteErrors > 2 || !validNeeds(p.Needs) {
			t.Errorf("seed %d: %+v", seed, p)
		}
		needs[p.Needs]++

		// Expect is the first terminal surprise of the walk.
		want := ExpectOff
		switch {
		case p.SecurityCheck != nil && p.SecurityCheck.Mode == CheckInteractive:
			want = ExpectHumanVerification
		case p.Needs == NeedsPhone:
			want = ExpectAccountActionRequired
		case p.MaxCheckAttempts:
			want = ExpectRateLimited
		case p.Needs != "":
			want = ExpectAccountActionRequired
		case p.SiteErrors == -1:
			want = ExpectSiteError
		case p.Dialog != nil && p.Dialog.Close == CloseNone:
			want = ExpectSelectorDrift
		}
		if p.Expect != want {
			t.Errorf("seed %d: expect %q, want %q: %s", seed, p.Expect, want, p.Summary)
		}
	}
	for _, e := range []string{ExpectOff, ExpectHumanVerification, ExpectRateLimited, ExpectSiteError, ExpectAccountActionRequired, ExpectSelectorDrift} {
		if expects[e] == 0 {
			t.Errorf("no seed of %d expects %s: %v", n, e, expects)
		}
	}
	if off := float64(expects[ExpectOff]) / n; off < 0.5 || off > 0.7 {
		t.Errorf("%.0f%% of plans expect off: %v", off*100, expects)
	}
	if float64(two)/n < 0.55 {
		t.Errorf("only %d of %d plans inject two surprises or more", two, n)
	}
	for _, m := range []CheckMode{CheckClears, CheckInteractive, CheckHeadless} {
		if modes[m] == 0 {
			t.Errorf("no %s challenge: %v", m, modes)
		}
	}
	for _, c := range []DialogClose{CloseX, CloseButton, CloseDismiss, CloseEscape, CloseNone} {
		if closes[c] == 0 {
			t.Errorf("no dialog closing by %s: %v", c, closes)
		}
	}
	for _, need := range []string{NeedsAddPhone, NeedsAboutYou, NeedsAge, NeedsPhone} {
		if needs[need] == 0 {
			t.Errorf("no plan needs %s: %v", need, needs)
		}
	}
	if needs[""] < n*85/100 {
		t.Errorf("person pages are not rare: %v", needs)
	}
	t.Logf("expects %v; %d of %d with 2+ surprises; modes %v; closes %v; needs %v", expects, two, n, modes, closes, needs)
}

// TestChaosAppliesToTheServer starts simulators with chaos seeds and
// checks the plan reached the options and every account.
func TestChaosAppliesToTheServer(t *testing.T) {
	t.Parallel()
	if s := start(t, Options{}); s.ChaosPlan() != nil || s.Info().Chaos != nil {
		t.Fatal("a plan without Chaos")
	}
	seen := 0
	for seed := int64(1); seed <= 40 && seen < 6; seed++ {
		p := NewChaosPlan(seed)
		if p.Surprises() < 2 {
			continue
		}
		seen++
		s := start(t, Options{Chaos: seed, Quiet: true})
		got := s.ChaosPlan()
		if got == nil || !reflect.DeepEqual(*got, p) {
			t.Fatalf("seed %d: server plan %+v, want %+v", seed, got, p)
		}
		if s.Info().Chaos == nil || s.Info().Chaos.Summary != p.Summary {
			t.Errorf("seed %d: Info().Chaos %+v", seed, s.Info().Chaos)
		}
		// The plan is a copy.
		got.SiteErrors = 99
		if s.ChaosPlan().SiteErrors == 99 {
			t.Error("ChaosPlan returns the server's own plan")
		}
		for _, a := range s.Accounts() {
			if a.SiteErrors != p.SiteErrors || a.MaxCheckAttempts != p.MaxCheckAttempts || a.Needs != p.Needs {
				t.Errorf("seed %d: account %s: %d %v %q", seed, a.Email, a.SiteErrors, a.MaxCheckAttempts, a.Needs)
			}
		}
		if (s.opts.SecurityCheck == nil) != (p.SecurityCheck == nil) || (s.opts.UnknownDialog == nil) != (p.Dialog == nil) {
			t.Errorf("seed %d: options not overridden: %+v %+v", seed, s.opts.SecurityCheck, s.opts.UnknownDialog)
		}
		if p.Dialog != nil && s.opts.UnknownDialog.Title != p.Dialog.Title {
			t.Errorf("seed %d: dialog %+v", seed, s.opts.UnknownDialog)
		}
	}
}
