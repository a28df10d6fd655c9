package fleet_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

// On a page that is never idle, with a setting write that never reports
// finished, a UI change still stops the fleet at its canary: the canary
// ends in drift (not in a timeout the fleet would retry), and no other
// account is touched.
func TestRun_CanaryDriftStopsTheFleetOnABusyPage(t *testing.T) {
	if _, err := automation.FindChrome(); err != nil {
		t.Fatal("this test drives a real Chromium:", err)
	}
	sims, accts := simFleet("busy", 4)
	srv := simtest.Start(t, simulator.Options{Accounts: sims, HoldWrites: true})
	file, err := selectors.Default()
	if err != nil {
		t.Fatal(err)
	}
	for i := range file.Profiles {
		file.Profiles[i].Path.Switch.Candidates = []selectors.Candidate{{TestID: "no-such-switch"}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := fleet.Run(ctx, accts, fleet.Options{
		Config:   automation.Config{BaseURL: srv.AppURL(), Selectors: file},
		Parallel: 2,
		Retries:  2,
	})
	if err != nil {
		t.Fatal(err)
	}
	canary := rep.Results[0]
	if rep.Summary != (fleet.Summary{Total: 4, Drift: 1, NotRun: 3}) || rep.Unknown() || rep.StoppedEarly == "" || canary.ErrorKind != automation.KindSelectorDrift || canary.Retries != 0 {
		t.Fatalf("summary %+v unknown %v stopped early %q, canary %s/%s retries %d (%s): want drift at the canary, not retried, and the others skipped",
			rep.Summary, rep.Unknown(), rep.StoppedEarly, canary.Outcome, canary.ErrorKind, canary.Retries, canary.Error)
	}
	var drift *automation.DriftError
	if !errors.As(canary.Err, &drift) || drift.Kind != automation.KindSelectorDrift || drift.Element == "" {
		t.Errorf("the canary's error %#v, want the run's *automation.DriftError naming the element", canary.Err)
	}
	for _, a := range sims[1:] {
		if c := srv.Counters(a.Email); c.LoginPageViews != 0 || c.Patches != 0 {
			t.Errorf("%s was touched after the canary's drift: %+v", a.Email, c)
		}
	}
	if srv.Counters("").Patches != 0 {
		t.Error("a drifted fleet wrote a setting")
	}
}
