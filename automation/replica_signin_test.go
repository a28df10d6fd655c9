package automation_test

import (
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

// What independent replicas of the site showed the tool, on the simulator:
// a page that draws late or loads behind a spinner is waited for, never
// called drift; a "Welcome back" page that holds the email where nobody can
// type is continued with its own Continue; Google One Tap's box over the
// Log in button and the login dialog is hidden, and nothing in it is
// pressed. Each test asserts the simulator's record (one sign-in, one
// write, the setting off, no choice made) and the result.

// Each delay is longer than the drift hold (6 s): only the judgement of
// the page (blank, loading) can have kept these runs from calling drift.
func TestReplicaSignIn_ASlowPageIsWaitedForNotCalledDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  simulator.Options
		delay time.Duration
	}{
		{"the first paint comes late: a blank page", simulator.Options{FirstPaint: 7500 * time.Millisecond}, 7500 * time.Millisecond},
		{"the signed-out placeholder pulses long before the Log in button", simulator.Options{PlaceholderFor: 8 * time.Second}, 8 * time.Second},
		{"Data controls' rows come late behind a spinner", simulator.Options{DataControlsDelay: 8 * time.Second}, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tt.opts)
			res := disable(t, browser(t), account(t, srv, "alice@example.com"), config(t, srv))
			changedOnce(t, srv, res, "alice@example.com")
			noChoice(t, srv)
			if len(res.Warnings) != 0 {
				t.Errorf("warnings %q: the slow page took the run off its way", res.Warnings)
			}
			if res.DurationMS < tt.delay.Milliseconds() {
				t.Errorf("the run took %d ms: the slow page (%s) was not in its way", res.DurationMS, tt.delay)
			}
		})
	}
}

// A page that never draws anything ends on the run's deadline, saying the
// page was blank: the site's trouble, never a change of the UI.
func TestReplicaSignIn_APageThatStaysBlankIsATimeoutThatSaysSo(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{FirstPaint: time.Hour})
	cfg := config(t, srv)
	cfg.Timeout = 10 * time.Second
	res, err := runE(t, automation.Disable, browser(t), account(t, srv, "alice@example.com"), cfg)
	if automation.KindOf(err) != automation.KindTimeout || !strings.Contains(res.Error, "still blank") {
		t.Fatalf("result = %+v, want a timeout saying the page was still blank", res)
	}
	if c := srv.Counters(""); c.Logins != 0 || c.Patches != 0 {
		t.Errorf("counters %+v: nothing may happen on a blank page", c)
	}
}

// "Welcome back" shows the email as text and keeps it in a hidden field,
// with only Continue: the tool continues with it, typing nothing.
func TestReplicaSignIn_WelcomeBackWithTheEmailOnlyAsText(t *testing.T) {
	t.Parallel()
	const email = "alice@example.com"
	srv := startSim(t, simulator.Options{WelcomeBackEmail: email, WelcomeBackAsText: true})
	res := disable(t, browser(t), account(t, srv, email), config(t, srv))
	changedOnce(t, srv, res, email)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q, want none", res.Warnings)
	}
	if c := srv.Counters(email); c.PasswordAttempts != 1 || c.LoginPageViews < 1 {
		t.Errorf("counters %+v: want the Welcome back page seen and one password", c)
	}
}

// Google One Tap's box over the header's Log in, and again over the login
// dialog's email field: hidden each time, nothing in it pressed.
func TestReplicaSignIn_GoogleOneTapOverTheLogInIsHiddenNotAnswered(t *testing.T) {
	t.Parallel()
	const email = "alice@example.com"
	srv := startSim(t, simulator.Options{OneTap: true, LoginEntry: "dialog"})
	logs := &simtest.Buffer{}
	cfg := config(t, srv)
	cfg.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), &slog.HandlerOptions{Level: slog.LevelInfo}))
	res := disable(t, browser(t), account(t, srv, email), cfg)
	changedOnce(t, srv, res, email)
	noChoice(t, srv)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q, want none: One Tap is known to the selectors file", res.Warnings)
	}
	var hidden []string // the log's lines that hid One Tap's box
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, "obstacle=google-one-tap") {
			hidden = append(hidden, line)
		}
	}
	for _, covered := range []string{"p0.entry", "p0.email"} { // the header's Log in, the dialog's email field
		if !slices.ContainsFunc(hidden, func(l string) bool { return strings.Contains(l, covered) }) {
			t.Errorf("no log line says One Tap's box was hidden over %s: %q", covered, hidden)
		}
	}
}
