package main

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
)

// Exit codes of the interface. This file is the one place where outcomes
// and error kinds become exit codes.
const (
	exitOK     = 0
	exitUsage  = 1
	exitOn     = 2
	exitFailed = 3
	exitDrift  = 4
)

// exitMeanings say what each exit code means, in the reports.
var exitMeanings = map[int]string{
	exitOK:     "every account's setting is off, and verified",
	exitUsage:  "a configuration error",
	exitOn:     "a setting is on and was left on",
	exitFailed: "at least one account failed or was not run",
	exitDrift:  "the UI no longer matches the selectors file (drift)",
}

// kindCode is the exit code of a failure of kind k.
func kindCode(k automation.ErrorKind) int {
	switch {
	case k == automation.KindConfig:
		return exitUsage
	case k.IsDrift():
		return exitDrift
	default:
		return exitFailed
	}
}

// resultCode is the exit code of one account's result.
func resultCode(r *automation.Result) int {
	switch r.Outcome {
	case automation.OutcomeNoncompliant:
		return exitOn
	case automation.OutcomeFailed:
		return kindCode(r.ErrorKind)
	case automation.OutcomeDrift:
		return exitDrift
	case fleet.OutcomeNotRun:
		// Left by an interrupt, its setting is not known to be off; left
		// by the canary's drift, the canary carries the code.
		if r.ErrorKind == automation.KindInterrupted {
			return exitFailed
		}
	}
	return exitOK
}

// exitCode is the code of a set of results: the highest applicable wins.
func exitCode(results ...*automation.Result) int {
	code := exitOK
	for _, r := range results {
		code = max(code, resultCode(r))
	}
	return code
}

// fleetExitCode is the code of a fleet run.
func fleetExitCode(rep *fleet.Report) int {
	code := exitOK
	for _, r := range rep.Results {
		code = max(code, resultCode(r.Result))
	}
	return code
}

// verifyExitCode is the code of `selectors verify`: the setting's state is
// not its business, only whether the file still matches the page.
func verifyExitCode(r *automation.Result) int {
	if r.Outcome == automation.OutcomeNoncompliant {
		return exitOK
	}
	return resultCode(r)
}

// errorCode is the code of an error a command returned.
func errorCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ae *automation.Error
	var de *automation.DriftError
	if errors.As(err, &ae) || errors.As(err, &de) {
		return kindCode(automation.KindOf(err))
	}
	return exitUsage // cobra's and pflag's own errors: a bad command line
}

// configErrorf is a problem of the command line or the configuration,
// found before any browser starts: exit 1, nothing changed.
func configErrorf(format string, args ...any) error {
	return &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf(format, args...)}
}

// wrapConfig is configErrorf caused by cause (a file that cannot be read,
// say): errors.Is and errors.As see the cause.
func wrapConfig(cause error, format string, args ...any) error {
	return &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// settingNames name, for a user of one account's commands, the flag or
// variable of each setting a library message points at.
var settingNames = map[automation.Setting]string{
	automation.SettingBaseURL:        "--base-url or CHATGPT_BASE_URL",
	automation.SettingBrowser:        "--chrome PATH or CHROME_PATH",
	automation.SettingHeaded:         "--headed",
	automation.SettingProfileDir:     "--profile-dir DIR, where a person signs in once with `chatgpt-optout login --profile-dir DIR`",
	automation.SettingEmail:          "CHATGPT_EMAIL",
	automation.SettingPassword:       "CHATGPT_PASSWORD",
	automation.SettingTOTPSecret:     "CHATGPT_TOTP_SECRET",
	automation.SettingStateKey:       envStateKey,
	automation.SettingStatePlaintext: "--state-plaintext",
	automation.SettingTimeout:        "--timeout",
	automation.SettingArtifacts:      "--artifacts DIR",
	automation.SettingSelectors:      "--selectors or CHATGPT_OPTOUT_SELECTORS",
	automation.SettingRoute:          "--route",
	automation.SettingCheckWait:      "--security-check-wait",
	automation.SettingSettings:       "--settings or CHATGPT_OPTOUT_SETTINGS",
	automation.SettingUI:             "--ui",
	automation.SettingMailbox:        "CHATGPT_IMAP_URL and CHATGPT_IMAP_PASSWORD",
	automation.SettingMailboxPass:    "CHATGPT_IMAP_PASSWORD",
	fleet.SettingParallel:            "--parallel",
	fleet.SettingRetries:             "--retries",
	fleet.SettingCanary:              "--no-canary",
	fleet.SettingShard:               "--shard I/N",
	fleet.SettingStateDir:            "--state-dir",
}

// fleetSettingName names a setting for an account of an accounts file, by
// its own keys and values, where that differs from the command line's.
func fleetSettingName(s automation.Setting, a *fleet.AccountSpec) (string, bool) {
	key := func(k, v string) string {
		if v == "" {
			return k + ": (not set)"
		}
		return k + ": " + v
	}
	switch s {
	case automation.SettingEmail:
		return "its " + key("email", a.Email), true
	case automation.SettingPassword:
		return "the variable of its " + key("password_env", a.PasswordEnv), true
	case automation.SettingTOTPSecret:
		return "the variable of its " + key("totp_secret_env", a.TOTPSecretEnv), true
	case automation.SettingProfileDir:
		return "its " + key("profile_dir", a.ProfileDir) + ", where a person signs in once with `chatgpt-optout login --profile-dir " + cmp.Or(a.ProfileDir, "DIR") + "`", true
	case automation.SettingMailbox:
		return "its " + key("imap_url_env", a.IMAPURLEnv) + " and " + key("imap_password_env", a.IMAPPasswordEnv), true
	case automation.SettingMailboxPass:
		return "the variable of its " + key("imap_password_env", a.IMAPPasswordEnv), true
	case automation.SettingSettings:
		return "its settings: or the file's", true
	}
	return "", false
}

// describe is err's sentence with the command line's names for the
// settings it points at; for an account of an accounts file (acct), its
// own keys and values.
func describe(err error, acct *fleet.AccountSpec) string {
	var names []string
	for _, s := range automation.FixOf(err) {
		n, ok := "", false
		if acct != nil {
			n, ok = fleetSettingName(s, acct)
		}
		if !ok {
			n, ok = settingNames[s]
		}
		if ok {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return err.Error()
	}
	return err.Error() + " (" + strings.Join(names, "; ") + ")"
}

// describeResult puts describe's sentence into a failed result.
func describeResult(r *automation.Result, err error, acct *fleet.AccountSpec) {
	if r != nil && err != nil && r.Error == err.Error() {
		r.Error = describe(err, acct)
	}
}
