package automation

import (
	"context"
	"errors"
	"fmt"
)

// ErrorKind says why a run failed, in terms a script can branch on.
type ErrorKind string

// The kinds of failure. Each has its own outcome and exit code (see ExitCode).
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
)

// IsDrift reports whether the kind means the page no longer matches the
// selectors file.
func (k ErrorKind) IsDrift() bool { return k == KindSelectorDrift || k == KindLabelChanged }

// Error is a failure with a kind and a sentence a person can act on.
type Error struct {
	Kind ErrorKind
	Msg  string
	Err  error // cause, if any
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

// ConfigError is a usage or configuration problem found before any browser
// starts (exit code 1).
func ConfigError(format string, args ...any) error {
	return newError(KindConfig, format, args...)
}

// KindOf returns the kind of err, deriving one for context errors.
func KindOf(err error) ErrorKind {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Kind
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, context.Canceled):
		return KindInterrupted
	default:
		return KindBrowser
	}
}
