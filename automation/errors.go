package automation

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// ErrorKind says why a run failed, in terms a script can branch on.
type ErrorKind string

// The kinds of failure. A program maps them to its exit codes.
const (
	KindBadCredentials    ErrorKind = "bad_credentials"
	KindMFARequired       ErrorKind = "mfa_required"
	KindMFAFailed         ErrorKind = "mfa_failed"
	KindHumanVerification ErrorKind = "human_verification"
	KindEmailVerification ErrorKind = "email_verification"
	KindSessionExpired    ErrorKind = "session_expired"
	KindSelectorDrift     ErrorKind = "selector_drift"
	KindLabelChanged      ErrorKind = "label_changed"
	KindDidNotStick       ErrorKind = "did_not_stick"
	KindTimeout           ErrorKind = "timeout"
	KindBrowser           ErrorKind = "browser"
	KindConfig            ErrorKind = "config"
	KindInterrupted       ErrorKind = "interrupted"
	// KindSiteError: the site's transient error page stayed after the
	// bounded retries (a fleet retries the account).
	KindSiteError ErrorKind = "site_error"
	// KindRateLimited: the site refuses further attempts for now
	// (max_check_attempts); never retried within the run.
	KindRateLimited ErrorKind = "rate_limited"
	// KindAccountAction: the site asks for something only the account's
	// owner can give (a phone number, a birthday, an age check).
	KindAccountAction ErrorKind = "account_action_required"
	// KindSettingLocked: a switch is disabled or read-only, controlled
	// elsewhere (a parent, a workspace); nothing was clicked.
	KindSettingLocked ErrorKind = "setting_locked"
)

// IsDrift reports whether the kind means the page no longer matches the
// selectors file.
func (k ErrorKind) IsDrift() bool { return k == KindSelectorDrift || k == KindLabelChanged }

// Setting names a part of the configuration that a failure asks a person
// to change, in the library's words; a program names its own flag for it.
type Setting string

// The settings a message may point at.
const (
	SettingBaseURL        Setting = "base_url"        // Config.BaseURL
	SettingBrowser        Setting = "browser"         // BrowserOptions.ExecPath
	SettingHeaded         Setting = "headed"          // BrowserOptions.Headed
	SettingProfileDir     Setting = "profile_dir"     // BrowserOptions.ProfileDir, Account.ProfileDir
	SettingEmail          Setting = "email"           // Account.Email
	SettingPassword       Setting = "password"        // Account.Password
	SettingTOTPSecret     Setting = "totp_secret"     // Account.TOTPSecret
	SettingStateKey       Setting = "state_key"       // Config.StateKey
	SettingStatePlaintext Setting = "state_plaintext" // Config.StatePlaintext
	SettingTimeout        Setting = "timeout"         // Config.Timeout
	SettingArtifacts      Setting = "artifacts"       // Config.ArtifactsDir
	SettingSelectors      Setting = "selectors"       // Config.Selectors
	SettingRoute          Setting = "route"           // Config.Route
	SettingUI             Setting = "ui"              // Config.UI
	SettingMailbox        Setting = "mailbox"         // Account.IMAPURL
	SettingMailboxPass    Setting = "mailbox_password"
	SettingCheckWait      Setting = "security_check_wait" // Config.SecurityCheckWait
	SettingSettings       Setting = "settings"            // Config.Settings
)

// Error is a failure with a kind and a sentence a person can act on.
type Error struct {
	Kind ErrorKind
	Msg  string
	Err  error // cause, if any
	// Fix lists the settings the sentence asks to change, in its order.
	Fix []Setting
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func newError(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// fix returns e pointing at settings.
func (e *Error) fix(settings ...Setting) *Error {
	e.Fix = append(e.Fix, settings...)
	return e
}

// wrapConfig is a configuration error with its cause (a file that cannot
// be read, say), for errors.Is and errors.As.
func wrapConfig(cause error, format string, args ...any) error {
	return &Error{Kind: KindConfig, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// configError is a usage or configuration problem found before any
// browser starts (nothing was changed), pointing at the settings to change.
func configError(fix []Setting, format string, args ...any) error {
	return newError(KindConfig, format, args...).fix(fix...)
}

// DriftError is a failure because the page no longer matches the selectors
// file: an element matched nothing, or several, or the switch it found is
// labelled otherwise. The run changed nothing.
type DriftError struct {
	Kind ErrorKind // KindSelectorDrift or KindLabelChanged
	// Element is the element of the selectors file that went missing, by
	// its key (path.switch, signed_in, login.email).
	Element string
	// Candidates are the file's candidates for it, and Counts how many
	// elements each matched (-1: not tried; nil: the page was not read).
	Candidates []string
	Counts     []int
	URL        string // the page it was looked for on
	Msg        string

	el *selectors.Element
}

func (e *DriftError) Error() string { return e.Msg }

// newDrift is a DriftError for el, as the probe matched it (m may be nil).
func newDrift(kind ErrorKind, name string, el *selectors.Element, m *match, url, format string, args ...any) *DriftError {
	e := &DriftError{Kind: kind, Element: name, URL: url, Msg: fmt.Sprintf(format, args...), el: el}
	if el != nil {
		for _, c := range el.Candidates {
			e.Candidates = append(e.Candidates, c.String())
		}
	}
	if m != nil {
		e.Counts = append([]int(nil), m.Counts...)
	}
	return e
}

func (e *Error) kind() ErrorKind      { return e.Kind }
func (e *DriftError) kind() ErrorKind { return e.Kind }

// KindOf returns the kind of err: that of the outermost *Error or
// *DriftError in its chain (an error may wrap the one it was caused by),
// else one derived for context errors.
func KindOf(err error) ErrorKind {
	var k interface{ kind() ErrorKind }
	switch {
	case err == nil:
		return ""
	case errors.As(err, &k):
		return k.kind()
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindInterrupted
	default:
		return KindBrowser
	}
}

// FixOf returns the settings err asks to change, if it says.
func FixOf(err error) []Setting {
	var e *Error
	if errors.As(err, &e) {
		return e.Fix
	}
	return nil
}
