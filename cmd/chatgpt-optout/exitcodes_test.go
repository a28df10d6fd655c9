package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
)

func res(o automation.Outcome, k automation.ErrorKind) *automation.Result {
	return &automation.Result{Outcome: o, ErrorKind: k}
}

// The exit codes of the interface, from outcomes and kinds: the highest
// applicable code wins.
func TestExitCodes_FromOutcomesAndKinds(t *testing.T) {
	var (
		changed    = res(automation.OutcomeChanged, "")
		compliant  = res(automation.OutcomeCompliant, "")
		on         = res(automation.OutcomeNoncompliant, "")
		config     = res(automation.OutcomeFailed, automation.KindConfig)
		refused    = res(automation.OutcomeFailed, automation.KindBadCredentials)
		timeout    = res(automation.OutcomeFailed, automation.KindTimeout)
		drift      = res(automation.OutcomeDrift, automation.KindSelectorDrift)
		relabelled = res(automation.OutcomeDrift, automation.KindLabelChanged)
		skipped    = res(fleet.OutcomeNotRun, fleet.KindSkipped)
		unrun      = res(fleet.OutcomeNotRun, automation.KindInterrupted)
	)
	tests := []struct {
		name    string
		results []*automation.Result
		want    int
	}{
		{"nothing", nil, 0},
		{"changed and compliant", []*automation.Result{changed, compliant}, 0},
		{"a setting left on", []*automation.Result{changed, on}, 2},
		{"a configuration error", []*automation.Result{config}, 1},
		{"a setting left on outranks a configuration error", []*automation.Result{config, on}, 2},
		{"a refused sign-in", []*automation.Result{on, refused}, 3},
		{"a timeout", []*automation.Result{timeout}, 3},
		{"drift outranks everything", []*automation.Result{refused, drift, on}, 4},
		{"a changed label is drift", []*automation.Result{relabelled}, 4},
		{"accounts the canary's drift left alone carry no code of their own", []*automation.Result{drift, skipped, skipped}, 4},
		{"an account an interrupt left not run is not known to be off", []*automation.Result{changed, unrun}, 3},
		{"the site's error page that stayed", []*automation.Result{changed, res(automation.OutcomeFailed, automation.KindSiteError)}, 3},
		{"too many attempts", []*automation.Result{res(automation.OutcomeFailed, automation.KindRateLimited)}, 3},
		{"a page only the owner can answer", []*automation.Result{on, res(automation.OutcomeFailed, automation.KindAccountAction)}, 3},
		{"a security check that needs a person", []*automation.Result{res(automation.OutcomeFailed, automation.KindHumanVerification)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.results...); got != tt.want {
				t.Errorf("exitCode = %d, want %d", got, tt.want)
			}
			rep := &fleet.Report{}
			for _, r := range tt.results {
				rep.Results = append(rep.Results, fleet.AccountResult{Result: r})
			}
			if got := fleetExitCode(rep); got != tt.want {
				t.Errorf("fleetExitCode = %d, want %d", got, tt.want)
			}
			if exitMeanings[tt.want] == "" {
				t.Errorf("exit code %d has no meaning for the reports", tt.want)
			}
		})
	}
}

// verify's code is about the file, not the setting.
func TestExitCodes_VerifyIgnoresTheSetting(t *testing.T) {
	for _, tt := range []struct {
		r    *automation.Result
		want int
	}{
		{res(automation.OutcomeNoncompliant, ""), 0},
		{res(automation.OutcomeCompliant, ""), 0},
		{res(automation.OutcomeDrift, automation.KindSelectorDrift), 4},
		{res(automation.OutcomeFailed, automation.KindTimeout), 3},
	} {
		if got := verifyExitCode(tt.r); got != tt.want {
			t.Errorf("verifyExitCode(%s) = %d, want %d", tt.r.Outcome, got, tt.want)
		}
	}
}

// A command's error: its kind decides, wrapped or not; cobra's own errors
// are a bad command line.
func TestExitCodes_FromErrors(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{configErrorf("bad"), 1},
		{fmt.Errorf("loading: %w", configErrorf("bad")), 1},
		{&automation.Error{Kind: automation.KindBrowser, Msg: "crashed"}, 3},
		{&automation.Error{Kind: automation.KindInterrupted, Msg: "interrupted"}, 3},
		{&automation.DriftError{Kind: automation.KindSelectorDrift, Element: "signed_in", Msg: "unknown UI"}, 4},
		{&exitError{code: 2}, 2},
		{errors.New(`unknown flag: --nope`), 1},
	} {
		if got := errorCode(tt.err); got != tt.want {
			t.Errorf("errorCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// The library says what to change in its own words; the command line
// adds its flag or variable, for one account and for an accounts file.
func TestDescribe_NamesTheFlagsOfTheSettings(t *testing.T) {
	err := fmt.Errorf("signing in: %w", &automation.Error{Kind: automation.KindBadCredentials, Msg: "the sign-in was refused: check the email and the password",
		Fix: []automation.Setting{automation.SettingEmail, automation.SettingPassword}})
	if got := describe(err, nil); !strings.HasSuffix(got, "(CHATGPT_EMAIL; CHATGPT_PASSWORD)") {
		t.Errorf("one account: %q", got)
	}
	alice := &fleet.AccountSpec{Name: "alice", Email: "alice@example.com", PasswordEnv: "ALICE_PASSWORD"}
	if got := describe(err, alice); !strings.HasSuffix(got, "(its email: alice@example.com; the variable of its password_env: ALICE_PASSWORD)") {
		t.Errorf("an account of an accounts file: %q", got)
	}
	for s := range map[automation.Setting]bool{
		automation.SettingBaseURL: true, automation.SettingBrowser: true, automation.SettingHeaded: true, automation.SettingProfileDir: true,
		automation.SettingEmail: true, automation.SettingPassword: true, automation.SettingTOTPSecret: true, automation.SettingStateKey: true,
		automation.SettingStatePlaintext: true, automation.SettingTimeout: true, automation.SettingArtifacts: true, automation.SettingSelectors: true,
		automation.SettingRoute: true, automation.SettingCheckWait: true, automation.SettingSettings: true, automation.SettingUI: true, automation.SettingMailbox: true, automation.SettingMailboxPass: true,
		fleet.SettingParallel: true, fleet.SettingRetries: true, fleet.SettingCanary: true, fleet.SettingShard: true, fleet.SettingStateDir: true,
	} {
		if settingNames[s] == "" {
			t.Errorf("setting %s has no name on the command line", s)
		}
	}
	if got := describe(errors.New("plain"), nil); got != "plain" {
		t.Errorf("an error without settings = %q", got)
	}
}

// An error that wraps the one it was caused by has its own kind: an
// account skipped after the canary's drift is skipped, not drift.
func TestExitCodes_TheOutermostKindDecides(t *testing.T) {
	drift := &automation.DriftError{Kind: automation.KindSelectorDrift, Element: "path.switch", Msg: "gone"}
	skipped := &automation.Error{Kind: fleet.KindSkipped, Msg: "not run", Err: drift}
	if k := automation.KindOf(skipped); k != fleet.KindSkipped {
		t.Errorf("KindOf = %s, want skipped", k)
	}
	if k := automation.KindOf(fmt.Errorf("context: %w", drift)); k != automation.KindSelectorDrift {
		t.Errorf("KindOf a wrapped drift = %s", k)
	}
}
