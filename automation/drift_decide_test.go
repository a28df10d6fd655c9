package automation

import (
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// What the independent replicas showed: a slow page is not a changed one,
// a "Welcome back" page may hold the email where nobody can type, and a
// third party's box over the page is hidden, never answered. Decisions
// only, without a browser (replica_signin_test.go drives them).

func TestDecideDrift(t *testing.T) {
	const hold = 6 * time.Second
	tests := []struct {
		name         string
		again        bool
		blank        bool
		loading      bool
		stable, calm time.Duration
		want         driftCall
	}{
		{"drawn, idle and still for the hold, found twice: drift", true, false, false, hold, hold, driftStands},
		{"the first reading that finds it: look again", false, false, false, hold, hold, driftLookAgain},
		{"still only for the settle cap: look again", true, false, false, hold / 2, hold, driftLookAgain},
		{"the spinner went away just now: look again", true, false, false, 20 * time.Second, time.Second, driftLookAgain},
		{"a blank page (a first paint after 5.5 s): wait", true, true, false, time.Minute, 0, driftBlank},
		{"a placeholder that pulses for 9 s: wait", true, false, true, time.Minute, 0, driftLoading},
		{"a panel 10 s behind a spinner: wait", true, false, true, 10 * time.Second, 0, driftLoading},
		{"blank and loading: blank first", true, true, true, time.Minute, 0, driftBlank},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideDrift(tt.again, tt.blank, tt.loading, tt.stable, tt.calm, hold); got != tt.want {
				t.Errorf("decideDrift = %s, want %s", got, tt.want)
			}
		})
	}
	if h := (&session{cfg: Config{Settle: DefaultSettle}}).driftHold(); h < settleCapFactor*DefaultSettle+2*time.Second || h > 10*time.Second {
		t.Errorf("drift hold %s: want a few seconds more than the settle cap %s, and modest", h, settleCapFactor*DefaultSettle)
	}
}

func TestPrefilledEmail(t *testing.T) {
	tests := []struct {
		name          string
		held          string
		drawn, submit bool
		want          bool
	}{
		{"a hidden field holds it, Continue usable", "field", false, true, true},
		{"the page shows it as text, Continue usable", "text", false, true, true},
		{"held, but Continue covered or missing", "field", false, false, false},
		{"not held (another account's Welcome back)", "", false, true, false},
		{"a drawn field under something: it speaks for itself once uncovered", "text", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := prefilledEmail(tt.held, tt.drawn, tt.submit); got != tt.want {
				t.Errorf("prefilledEmail(%q, %v, %v) = %v, want %v", tt.held, tt.drawn, tt.submit, got, tt.want)
			}
		})
	}
	// Such a form is submitted as it is, never typed into.
	seen := signInSeen{form: formEmail, filled: true, prefilled: true, submit: submitReady}
	if mv := decideSignIn(seen, credentials{email: true, password: true}, newSignInDone()); mv.act != signInSubmit || mv.form != formEmail {
		t.Errorf("decideSignIn on a prefilled email form = %+v, want its submit", mv)
	}
	seen.submit = submitDisabled
	if mv := decideSignIn(seen, credentials{email: true, password: true}, newSignInDone()); mv.act != signInWait {
		t.Errorf("decideSignIn on a prefilled email form whose Continue waits for Turnstile = %+v, want a wait", mv)
	}
}

func TestCoveredByObstacle(t *testing.T) {
	r := &probeResult{Elements: map[string]*match{
		"p0.entry":     {Candidate: 0, Covered: true, Obstacle: "google-one-tap", Cover: `iframe "Sign in with Google Dialog" in google-one-tap (#credential_picker_container)`},
		"p0.email":     {Candidate: -1},
		"p0.signed_in": {Candidate: 0, Covered: true, Cover: "div.overlay"}, // under a dialog: not an obstacle's
		"p1.entry":     {Candidate: 0, Covered: true, Obstacle: "google-one-tap"},
	}}
	got := coveredByObstacle(r)
	if len(got) != 1 || strings.Join(got["google-one-tap"], ",") != "p0.entry,p1.entry" {
		t.Errorf("coveredByObstacle = %v, want google-one-tap over p0.entry and p1.entry only", got)
	}
	if got := coveredByObstacle(&probeResult{Elements: map[string]*match{"p0.entry": {Candidate: 0}}}); len(got) != 0 {
		t.Errorf("coveredByObstacle on an uncovered page = %v", got)
	}
}

// A drift message names what covers an element it found but passed over.
func TestDescribeCandidates_NamesTheCover(t *testing.T) {
	el := &selectors.Element{Candidates: []selectors.Candidate{{TestID: "login-button"}, {Role: "button", Name: "Log in"}}}
	m := &match{Candidate: 0, Counts: []int{1, -1}, Covered: true, Cover: `iframe "Sign in with Google Dialog" in google-one-tap (#credential_picker_container)`}
	got := describeCandidates(el, m)
	if !strings.Contains(got, `testid="login-button" → 1`) || !strings.Contains(got, "found, but covered by iframe \"Sign in with Google Dialog\" in google-one-tap") {
		t.Errorf("describeCandidates = %q, want the counts and what covers the element", got)
	}
	m.Covered = false
	if got := describeCandidates(el, m); strings.Contains(got, "covered") {
		t.Errorf("describeCandidates of an uncovered element = %q", got)
	}
}
