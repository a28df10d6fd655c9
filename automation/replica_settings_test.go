package automation_test

import (
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// The settings as independently written replicas of the real pages showed
// them: a save slower than any settle window, a switch that renders
// disabled while its value loads, a locked row, a dialog that only its
// Done button closes. Each is a wrong "off" or a wrong "drift" waiting to
// happen; each test asserts the simulator's record of what was written.

// A save that takes longer than the page takes to settle is a slow site,
// not a lost click: a second click on the same page while the save is
// pending would ask the site to turn the setting back on.
func TestSettings_ASlowSaveIsWaitedForNotClickedAgain(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{SlowWrites: 5 * time.Second})
	res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
	changedOnce(t, srv, res, "alice@example.com")
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1: the switch was clicked again while its save was pending", res.Attempts)
	}
}

// A switch that renders disabled and off while its value loads reads
// nothing yet: the run waits for the value, and status never reports off
// for an account whose setting is on.
func TestSettings_ASwitchStillLoadingIsNotReadAsOff(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{LoadingSwitches: 2 * time.Second})
	b := browser(t)
	res := status(t, b, account(t, srv, "alice@example.com"), config(t, srv))
	if res.Before != automation.StateOn || res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("status = before %s, outcome %s, want on and noncompliant (the setting is on)", res.Before, res.Outcome)
	}
	if c := srv.Counters("alice@example.com"); c.Patches != 0 || !training(t, srv, "alice@example.com") {
		t.Errorf("counters %+v: status wrote something or the setting changed", c)
	}
	res = disable(t, b, account(t, srv, "alice@example.com"), config(t, srv))
	if res.Outcome != automation.OutcomeChanged || !res.Verified || res.After != automation.StateOff {
		t.Fatalf("disable = %+v, want changed and verified off", res)
	}
	if c := srv.Counters("alice@example.com"); c.Patches != 1 || training(t, srv, "alice@example.com") {
		t.Errorf("counters %+v: want one write and the setting off", c)
	}
}

// A teen's row itself shown disabled, opening nothing: the setting is the
// parent's, not moved. It is setting_locked, never drift, and nothing is
// written.
func TestSettings_ADisabledRowIsLockedNotDrift(t *testing.T) {
	t.Parallel()
	accts := demoWith(func(a *simulator.Account) { a.TeenRow = a.Teen })
	srv := startSim(t, simulator.Options{Accounts: accts})
	email := "tina@example.com"
	res, err := runE(t, automation.Disable, browser(t), account(t, srv, email), config(t, srv))
	if automation.KindOf(err) != automation.KindSettingLocked || res.Outcome != automation.OutcomeFailed || res.Before != automation.StateOn {
		t.Fatalf("result = %+v (%v), want failed with setting_locked, read on from the backend", res, err)
	}
	if n := srv.Writes(email, "training_allowed"); n != 0 || !training(t, srv, email) {
		t.Errorf("training written %d times: a locked row opens nothing to click", n)
	}
}

// Training's switch named by nothing but its dialog's title, in a dialog
// that Escape does not close: the switch speaks by its dialog, and the
// dialog is closed by its Done before the next setting, whose switches are
// never looked for under it (they would be training's, and refused by
// their meaning).
func TestSettings_AnUnnamedSwitchInADialogOnlyDoneCloses(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{Variants: []simulator.Variant{simulator.VariantImproveDoneOnly, simulator.VariantUnnamedSwitch}})
	email := "alice@example.com"
	res := disable(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing))
	if res.Outcome != automation.OutcomeChanged || !res.Verified {
		t.Fatalf("result = %+v, want changed and verified", res)
	}
	if training(t, srv, email) {
		t.Error("training still on")
	}
	offOnTheServer(t, srv, email, automation.DataMarketing)
}

// A page that draws its switches off, enabled, until the settings request
// answers: training's off is checked with the backend, which says on, and
// marketing's (no backend to ask) must hold off before it stands. Status
// reports both on.
func TestSettings_SwitchesDrawnOffBeforeTheirValueAreNotReadAsOff(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{LazySwitches: 1500 * time.Millisecond})
	email := "alice@example.com"
	res := status(t, browser(t), account(t, srv, email), with(t, srv, automation.DataTraining, automation.DataMarketing))
	for _, d := range []automation.DataSetting{automation.DataTraining, automation.DataMarketing} {
		if sr := settingOf(t, res, d); sr.Before != automation.StateOn || sr.Outcome != automation.OutcomeNoncompliant {
			t.Errorf("%s = %+v, want read on and noncompliant (it is on)", d, sr)
		}
	}
	if c := srv.Counters(email); c.Patches != 0 {
		t.Errorf("status wrote %d times", c.Patches)
	}
}
