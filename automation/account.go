package automation

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
	"github.com/chatgpt-optout/chatgpt-optout/state"
	"github.com/pquerna/otp/totp"
)

// Account is one ChatGPT account. Its secrets never reach logs, reports or
// artifacts: LogValue leaves them out, and artifacts are masked.
type Account struct {
	Name         string // label in reports; the email when empty
	Email        string
	Password     string
	TOTPSecret   string // base32, for authenticator-app MFA
	SessionToken string // an existing session cookie, used instead of a password
	ProfileDir   string // a persistent Chrome profile holding a session
	// StateFile is a saved session state (package state), loaded before
	// the first page load and written after a run that ended signed in.
	StateFile string
	// State is StateFile's session when the caller read it already (with
	// ReadState, before starting Chrome), so a run decrypts it only once.
	State *state.Session
	// Mailbox receives the site's sign-in codes, for a sign-in that asks
	// for a code sent by email.
	Mailbox *mailbox.Mailbox
	// Settings are the data-use settings of this account's run, when it
	// has its own (an accounts file's settings:); nil means the Config's.
	Settings []DataSetting
}

// Label is the name used in reports.
func (a Account) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Email
}

// LogValue keeps secrets out of structured logs.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", a.Label()),
		slog.String("email", a.Email),
		slog.Bool("password", a.Password != ""),
		slog.Bool("totp", a.TOTPSecret != ""),
		slog.Bool("session_token", a.SessionToken != ""),
		slog.String("profile_dir", a.ProfileDir),
		slog.String("state_file", a.StateFile),
		slog.Bool("mailbox", a.Mailbox != nil),
	)
}

// String keeps secrets out of fmt output.
func (a Account) String() string { return "account " + a.Label() }

// CanSignIn reports whether the account has a way to sign in: a password,
// a session token, a profile folder, a state file, or its email with a
// mailbox for the site's sign-in codes. A TOTP secret only finishes one.
func (a Account) CanSignIn() bool {
	return a.Password != "" || a.hasSavedSession() || a.StateFile != "" || a.Email != "" && a.Mailbox != nil
}

// hasSavedSession reports whether the account brings a session of its own
// (a token, or a profile folder) besides a state file.
func (a Account) hasSavedSession() bool { return a.SessionToken != "" || a.ProfileDir != "" }

// Redact replaces the account's secrets in text with [REDACTED].
func (a Account) Redact(text string) string { return redact(text, a.secrets()) }

// Check refuses, before anything starts, an account whose TOTP secret is
// not a base32 authenticator secret: a configuration error pointing at it
// (SettingTOTPSecret). The secret is never quoted.
func (a Account) Check() error {
	if a.TOTPSecret != "" {
		if _, err := totpCode(a.TOTPSecret, time.Now()); err != nil {
			return configError([]Setting{SettingTOTPSecret}, "the TOTP secret is not a base32 authenticator secret: copy the secret shown when MFA was set up")
		}
	}
	return nil
}

// totpCode is the authenticator code of a base32 TOTP secret at t (spaces
// and case do not matter). An error means secret is not such a secret.
func totpCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCode(strings.ToUpper(strings.ReplaceAll(secret, " ", "")), t)
}

// secrets lists the values that must never be written anywhere.
func (a Account) secrets() []string {
	vals := []string{a.Password, a.TOTPSecret, a.SessionToken}
	if a.Mailbox != nil {
		vals = append(vals, a.Mailbox.Password)
	}
	return slices.DeleteFunc(vals, func(v string) bool { return len(v) < 4 })
}

// redact replaces every secret in text.
func redact(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, "[REDACTED]")
	}
	return text
}
