package automation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// These tests need no browser: each decision is a function of what the
// page showed. go test ./automation -run Decide

func TestDecide_SettledIsAHintNeverAGate(t *testing.T) {
	const w, limit = time.Second, 3 * time.Second
	tests := []struct {
		name                      string
		loaded, loading           bool
		stable, domQuiet, netIdle time.Duration
		want                      bool
	}{
		{"still page, stable for the window", true, false, w, w, w, true},
		{"the observation changed just now", true, false, w / 2, 10 * w, 10 * w, false},
		{"DOM changing every second, under the cap", true, false, 2 * w, 0, w, false},
		{"DOM changing every second, at the cap", true, false, limit, 0, w, true},
		{"a request never finishes, at the cap", true, false, limit, w, 0, true},
		{"a request never finishes, under the cap", true, false, 2 * w, w, 0, false},
		{"still loading, under twice the cap", false, false, limit, w, w, false},
		{"still loading, at twice the cap", false, false, 2 * limit, 0, 0, true},
		{"a spinner on a quiet page, at the cap", true, true, limit, limit, limit, false},
		{"a spinner for three caps: not yet", true, true, 3 * limit, 0, 0, false},
		{"a spinner that never ends, at four caps", true, true, loadingCapFactor * limit, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isSettled(tt.loaded, tt.loading, tt.stable, tt.domQuiet, tt.netIdle, w, limit); got != tt.want {
				t.Errorf("isSettled = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecide_FingerprintIgnoresTextAndPositions(t *testing.T) {
	on, off := "true", "false"
	base := func() *probeResult {
		return &probeResult{URL: "http://app/", Elements: map[string]*match{
			"path.switch": {Candidate: 0, X: 10, Y: 20, Text: "a", Attr: &on},
		}}
	}
	a, b := base(), base()
	b.Elements["path.switch"].X, b.Elements["path.switch"].Text, b.QuietMs = 99, "rotated", 5
	if fingerprint(a) != fingerprint(b) {
		t.Error("a moved or reworded element changed the fingerprint")
	}
	b.Elements["path.switch"].Attr = &off
	if fingerprint(a) == fingerprint(b) {
		t.Error("a switch that flipped left the fingerprint unchanged")
	}
	c := base()
	c.Elements["path.switch"].Covered = true
	if fingerprint(a) == fingerprint(c) {
		t.Error("a covered element left the fingerprint unchanged")
	}
}

func TestDecide_NetTrackerForgetsLongLivedRequests(t *testing.T) {
	t0 := time.Unix(1000, 0)
	n := newNetTracker()
	n.last = t0
	sent := func(id string, typ network.ResourceType, at time.Time) { n.note(requestSent(id, typ), at) }
	sent("beacon", "Ping", t0)
	sent("stream", "EventSource", t0)
	if a := n.at(t0.Add(time.Second)); a.Inflight != 0 || a.IdleFor != time.Second {
		t.Errorf("beacon and event stream counted: %+v", a)
	}
	sent("write", "Fetch", t0.Add(time.Second))
	if a := n.at(t0.Add(2 * time.Second)); a.Inflight != 1 || a.IdleFor != 0 {
		t.Errorf("a fresh fetch is activity: %+v", a)
	}
	// The fetch never reports finished (its body is never read).
	if a := n.at(t0.Add(time.Second + longLived + 500*time.Millisecond)); a.Inflight != 0 || a.IdleFor != 500*time.Millisecond {
		t.Errorf("a request older than %s still counts: %+v", longLived, a)
	}
	sent("poll", "XHR", t0.Add(10*time.Second))
	n.note(responseReceived("poll", "text/event-stream"), t0.Add(10*time.Second))
	if a := n.at(t0.Add(10*time.Second + 100*time.Millisecond)); a.Inflight != 0 {
		t.Errorf("a text/event-stream response counted: %+v", a)
	}
	sent("xhr", "XHR", t0.Add(20*time.Second))
	n.note(mainFrameNavigated(), t0.Add(21*time.Second))
	if a := n.at(t0.Add(21*time.Second + 200*time.Millisecond)); a.Inflight != 0 || a.IdleFor != 200*time.Millisecond {
		t.Errorf("a main-frame navigation did not forget what was in flight: %+v", a)
	}
}

// A save the click set off holds the decision on the switch while it is
// in flight; reads, the page's later traffic, writes that ended, and a
// write that hangs past writeCap do not.
func TestDecide_NetTrackerKnowsTheClicksSave(t *testing.T) {
	click := time.Unix(2000, 0)
	n := newNetTracker()
	send := func(id, method string, at time.Time) {
		n.note(&network.EventRequestWillBeSent{RequestID: network.RequestID(id), Type: "Fetch", Request: &network.Request{Method: method}}, at)
	}
	send("before", "POST", click.Add(-time.Second))
	send("read", "GET", click.Add(100*time.Millisecond))
	if c := n.writesSince(click, click.Add(200*time.Millisecond)); c != 0 {
		t.Errorf("a write started before the click or a read counted: %d", c)
	}
	send("save", "PATCH", click.Add(150*time.Millisecond))
	send("beacon", "POST", click.Add(writeStart+time.Second))
	if c := n.writesSince(click, click.Add(5*time.Second)); c != 1 {
		t.Errorf("writes in flight = %d, want the save alone (the beacon started too late to be the click's)", c)
	}
	if c := n.writesSince(click, click.Add(writeCap+time.Second)); c != 0 {
		t.Errorf("a save in flight past %s still holds the decision: %d", writeCap, c)
	}
	n.note(&network.EventLoadingFinished{RequestID: "save"}, click.Add(6*time.Second))
	if c := n.writesSince(click, click.Add(7*time.Second)); c != 0 {
		t.Errorf("an answered save still counts: %d", c)
	}
	send("save2", "POST", click.Add(300*time.Millisecond))
	n.note(mainFrameNavigated(), click.Add(time.Second))
	if c := n.writesSince(click, click.Add(2*time.Second)); c != 0 {
		t.Errorf("a new document did not forget the old one's writes: %d", c)
	}
}

func TestDecideSignIn(t *testing.T) {
	all := credentials{email: true, password: true, totp: true}
	none := credentials{}
	saved := credentials{savedSession: true}
	headed := credentials{email: true, password: true, headed: true}
	mailboxToo := credentials{email: true, password: true, mailbox: true}
	did := func(typed, submitted map[form]int) *signInDone {
		d := newSignInDone()
		for k, v := range typed {
			d.typed[k] = v
		}
		for k, v := range submitted {
			d.submitted[k] = v
		}
		return d
	}
	fresh := newSignInDone
	pressed := func(name string, n int) *signInDone { d := newSignInDone(); d.pressed[name] = n; return d }
	pressedOnce := func(name string) *signInDone { return pressed(name, 1) }
	tests := []struct {
		name     string
		seen     signInSeen
		c        credentials
		done     *signInDone
		want     signInAct
		form     form
		wantKind ErrorKind
	}{
		{"signed in ends the sign-in", signInSeen{signedIn: true, form: formPassword}, all, fresh(), signInOver, formNone, ""},
		{"the session endpoint's token on a settled page with no form ends the sign-in", signInSeen{sessionLive: true, settled: true}, all, fresh(), signInOver, formNone, ""},
		{"the session endpoint's token on a page still rendering: wait (a chooser may come)", signInSeen{sessionLive: true}, saved, fresh(), signInWait, formNone, ""},
		{"no token and nothing on a settled page is drift", signInSeen{settled: true}, all, fresh(), signInDrift, formNone, ""},
		{"no token and nothing yet: wait", signInSeen{}, all, fresh(), signInWait, formNone, ""},
		{"a bot wall headless", signInSeen{challenge: "human_verification"}, all, fresh(), signInFail, formNone, KindHumanVerification},
		{"an email code headless, the page still rendering", signInSeen{challenge: "email_verification"}, all, fresh(), signInWait, formNone, ""},
		{"an email code headless, no way on", signInSeen{challenge: "email_verification", settled: true}, all, fresh(), signInFail, formNone, KindEmailVerification},
		{"an email code and only a session: no wait", signInSeen{challenge: "email_verification"}, saved, fresh(), signInFail, formNone, KindEmailVerification},
		{"a push approval headless", signInSeen{challenge: "push_verification"}, all, fresh(), signInFail, formNone, KindMFARequired},
		{"a bot wall headed waits for a person", signInSeen{challenge: "human_verification"}, headed, fresh(), signInWait, formNone, ""},
		{"the log-in button is pressed", signInSeen{form: formEntry}, all, fresh(), signInSubmit, formEntry, ""},
		{"the log-in button is not pressed twice at once", signInSeen{form: formEntry}, all, did(nil, map[form]int{formEntry: 1}), signInWait, formNone, ""},
		{"the log-in button is pressed again on a settled page", signInSeen{form: formEntry, settled: true}, all, did(nil, map[form]int{formEntry: 1}), signInSubmit, formEntry, ""},
		{"a log-in button that does nothing is drift", signInSeen{form: formEntry, settled: true}, all, did(nil, map[form]int{formEntry: maxSubmits}), signInDrift, formNone, ""},
		{"no credentials at the log-in button", signInSeen{form: formEntry}, none, fresh(), signInFail, formNone, KindBadCredentials},
		{"a saved session gone at the log-in button", signInSeen{form: formEntry}, saved, fresh(), signInFail, formNone, KindSessionExpired},
		{"an empty email field is typed into", signInSeen{form: formEmail, submit: submitReady}, all, fresh(), signInType, formEmail, ""},
		{"a filled email field is submitted", signInSeen{form: formEmail, filled: true, submit: submitReady}, all, did(map[form]int{formEmail: 1}, nil), signInSubmit, formEmail, ""},
		{"a prefilled email field is submitted untyped", signInSeen{form: formEmail, filled: true, submit: submitReady}, all, fresh(), signInSubmit, formEmail, ""},
		{"a disabled submit is not clicked (the click would be lost)", signInSeen{form: formEmail, filled: true, submit: submitDisabled}, all, did(map[form]int{formEmail: 1}, nil), signInWait, formNone, ""},
		{"a disabled submit is waited for on a settled page too", signInSeen{form: formEmail, filled: true, submit: submitDisabled, settled: true}, all, did(map[form]int{formEmail: 1}, nil), signInWait, formNone, ""},
		{"no submit button: Enter", signInSeen{form: formEmail, filled: true, submit: submitMissing}, all, did(map[form]int{formEmail: 1}, nil), signInSubmit, formEmail, ""},
		{"a submitted form is not submitted again at once", signInSeen{form: formEmail, filled: true, submit: submitReady}, all, did(map[form]int{formEmail: 1}, map[form]int{formEmail: 1}), signInWait, formNone, ""},
		{"a submit the page missed is repeated once settled", signInSeen{form: formEmail, filled: true, submit: submitReady, settled: true}, all, did(map[form]int{formEmail: 1}, map[form]int{formEmail: 1}), signInSubmit, formEmail, ""},
		{"submits are bounded", signInSeen{form: formEmail, filled: true, submit: submitReady, settled: true}, all, did(map[form]int{formEmail: 1}, map[form]int{formEmail: maxSubmits}), signInWait, formNone, ""},
		{"a field that keeps clearing is typed into again, bounded", signInSeen{form: formEmail, settled: true}, all, did(map[form]int{formEmail: maxTypes}, map[form]int{formEmail: 1}), signInWait, formNone, ""},
		{"no password at the email form", signInSeen{form: formEmail}, credentials{email: true}, fresh(), signInFail, formNone, KindBadCredentials},
		{"the password is typed", signInSeen{form: formPassword, submit: submitReady}, all, fresh(), signInType, formPassword, ""},
		{"a refused password", signInSeen{form: formPassword, passwordError: "Incorrect email address or password"}, all, did(map[form]int{formPassword: 1}, map[form]int{formPassword: 1}), signInFail, formNone, KindBadCredentials},
		{"an error text before any submit is not ours", signInSeen{form: formPassword, passwordError: "Incorrect email address or password"}, all, fresh(), signInType, formPassword, ""},
		{"a password page and only a session", signInSeen{form: formPassword}, saved, fresh(), signInFail, formNone, KindSessionExpired},
		{"a code is typed", signInSeen{form: formMFA}, all, fresh(), signInType, formMFA, ""},
		{"no TOTP secret", signInSeen{form: formMFA}, credentials{email: true, password: true}, fresh(), signInFail, formNone, KindMFARequired},
		{"no TOTP secret, headed: a person types it", signInSeen{form: formMFA}, headed, fresh(), signInWait, formNone, ""},
		{"a refused code", signInSeen{form: formMFA, mfaError: "Incorrect code"}, all, did(map[form]int{formMFA: 1}, map[form]int{formMFA: 1}), signInFail, formNone, KindMFAFailed},
		{"the chooser offers this account", signInSeen{chooser: true, chooserHolds: true, form: formEntry}, all, fresh(), signInPress, formNone, ""},
		{"the chooser is not pressed twice at once", signInSeen{chooser: true, chooserHolds: true}, all, pressedOnce(elChooser), signInWait, formNone, ""},
		{"the chooser offers another account", signInSeen{chooser: true}, all, fresh(), signInFail, formNone, KindSessionExpired},
		{"an emailed code with a way out, and a password", signInSeen{challenge: "email_verification", wayOut: elWayOut, form: formMFA}, all, fresh(), signInPress, formNone, ""},
		{"an emailed code with a way out, no password", signInSeen{challenge: "email_verification", wayOut: elWayOut}, saved, fresh(), signInFail, formNone, KindEmailVerification},
		{"a known dialog over the sign-in", signInSeen{dialog: "dialog.2", form: formEntry}, all, fresh(), signInPress, formNone, ""},
		{"a passkey offer is declined", signInSeen{skip: elSkip}, all, fresh(), signInPress, formNone, ""},
		{"a skip that does nothing is drift once settled", signInSeen{skip: elSkip, settled: true}, all, pressed(elSkip, maxSubmits), signInDrift, formNone, ""},
		{"an emailed code with a mailbox is typed", signInSeen{challenge: "email_verification", form: formEmailCode}, mailboxToo, fresh(), signInType, formEmailCode, ""},
		{"an emailed code without a mailbox", signInSeen{challenge: "email_verification", form: formEmailCode, settled: true}, all, fresh(), signInFail, formNone, KindEmailVerification},
		{"a refused emailed code: a newer one is read", signInSeen{challenge: "email_verification", form: formEmailCode, mfaError: "Incorrect code", settled: true}, mailboxToo, did(map[form]int{formEmailCode: 1}, map[form]int{formEmailCode: 1}), signInType, formEmailCode, ""},
		{"emailed codes refused again and again", signInSeen{challenge: "email_verification", form: formEmailCode, mfaError: "Incorrect code"}, mailboxToo, did(map[form]int{formEmailCode: maxCodeTries}, map[form]int{formEmailCode: maxCodeTries}), signInFail, formNone, KindEmailVerification},
		{"an unknown page still changing", signInSeen{}, all, fresh(), signInWait, formNone, ""},
		{"an unknown page, settled", signInSeen{settled: true}, all, fresh(), signInDrift, formNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decideSignIn(tt.seen, tt.c, tt.done)
			if got.act != tt.want || got.form != tt.form {
				t.Fatalf("decideSignIn = act %d form %v (err %v), want act %d form %v", got.act, got.form, got.err, tt.want, tt.form)
			}
			if tt.wantKind != "" && KindOf(got.err) != tt.wantKind {
				t.Errorf("error kind = %s (%v), want %s", KindOf(got.err), got.err, tt.wantKind)
			}
		})
	}
}

// testProfile is a current-era profile of the shipped file, for path decisions.
func testProfile(t *testing.T) *selectors.Profile {
	t.Helper()
	f, err := selectors.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := f.Profile("current")
	if !ok {
		t.Fatal("no current profile")
	}
	return p
}

func pageWith(found map[string]bool, covered ...string) *probeResult {
	r := &probeResult{URL: "http://app/", Elements: map[string]*match{}}
	for n, ok := range found {
		m := &match{Candidate: -1, Counts: []int{0}}
		if ok {
			m.Candidate, m.Counts = 0, []int{1}
		}
		r.Elements[n] = m
	}
	for _, n := range covered {
		r.Elements[n].Covered, r.Elements[n].Cover = true, "div.overlay"
	}
	return r
}

func TestDecidePath(t *testing.T) {
	p := testProfile(t)
	p2023 := *p
	p2023.URLs.Settings = ""
	plan := func(p *selectors.Profile, route Route) pathPlan {
		return pathPlan{p: p, steps: pathSteps(p), route: route, where: "test file"}
	}
	menuOnly := map[string]bool{stepProfileMenu: true}
	nothing := map[string]bool{}
	tests := []struct {
		name     string
		pl       pathPlan
		r        *probeResult
		settled  bool
		w        walk
		want     pathAct
		step     string
		warn     string
		wantKind ErrorKind
		lost     string
	}{
		{"the switch on screen", plan(p, RouteAuto), pageWith(map[string]bool{stepSwitch: true, stepRowOpener: true}), false, walk{}, pathFound, "", "", "", ""},
		{"a covered switch is not found", plan(p, RouteAuto), pageWith(map[string]bool{stepSwitch: true, dialogKey(0): true}, stepSwitch), false, walk{}, pathClick, dialogKey(0), "", "", ""},
		{"the deepest step is clicked", plan(p, RouteAuto), pageWith(map[string]bool{stepRowOpener: true, stepDataControls: true, stepProfileMenu: true}), false, walk{}, pathClick, stepRowOpener, "", "", ""},
		{"a step is not clicked twice at once", plan(p, RouteAuto), pageWith(menuOnly), false, walk{clicks: map[string]int{stepProfileMenu: 1}}, pathWait, "", "", "", ""},
		{"a missed click is repeated once settled", plan(p, RouteAuto), pageWith(menuOnly), true, walk{clicks: map[string]int{stepProfileMenu: 1}}, pathClick, stepProfileMenu, "", "", ""},
		{"a menu that never opens falls back to the settings URL", plan(p, RouteAuto), pageWith(menuOnly), true, walk{clicks: map[string]int{stepProfileMenu: maxClicks}}, pathDeepLink, "", "the menu path stopped at path.settings_item", "", ""},
		{"a menu that never opens, menu route, is drift", plan(p, RouteMenu), pageWith(menuOnly), true, walk{clicks: map[string]int{stepProfileMenu: maxClicks}}, pathFail, "", "", KindSelectorDrift, stepSettingsItem},
		{"a menu that never opens, no settings URL (2023), is drift", plan(&p2023, RouteAuto), pageWith(menuOnly), true, walk{clicks: map[string]int{stepProfileMenu: maxClicks}}, pathFail, "", "", KindSelectorDrift, stepSettingsItem},
		{"nothing on a busy page: wait", plan(p, RouteAuto), pageWith(nothing), false, walk{}, pathWait, "", "", "", ""},
		{"nothing on a settled page: the menu is missing, deep link", plan(p, RouteAuto), pageWith(nothing), true, walk{}, pathDeepLink, "", "the menu path stopped at path.profile_menu", "", ""},
		{"nothing after the deep link: drift at the menu", plan(p, RouteAuto), pageWith(nothing), true, walk{deepLink: true}, pathFail, "", "", KindSelectorDrift, stepProfileMenu},
		{"the deep-link route opens the URL", plan(p, RouteDeepLink), pageWith(menuOnly), false, walk{}, pathDeepLink, "", "", "", ""},
		{"the deep-link route without a settings URL", plan(&p2023, RouteDeepLink), pageWith(menuOnly), false, walk{}, pathFail, "", "", KindConfig, ""},
		{"a tab under the settings URL waits for the app", plan(p, RouteAuto), pageWith(map[string]bool{stepDataControls: true}), false, walk{awaitURL: true, deepLink: true}, pathWait, "", "", "", ""},
		{"a settings URL that did nothing: the menu, with a warning", plan(p, RouteAuto), pageWith(menuOnly), true, walk{awaitURL: true, deepLink: true}, pathClick, stepProfileMenu, "did not open the settings", "", ""},
		{"a step under an unknown overlay is drift naming it", plan(p, RouteAuto), pageWith(menuOnly, stepProfileMenu), true, walk{}, pathFail, "", "", KindSelectorDrift, stepProfileMenu},
		{"a row that opens nothing: the switch is missing", plan(p, RouteAuto), pageWith(map[string]bool{stepRowOpener: true}), true, walk{clicks: map[string]int{stepRowOpener: maxClicks}}, pathFail, "", "", KindSelectorDrift, stepSwitch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			if w.clicks == nil {
				w.clicks = map[string]int{}
			}
			got := decidePath(tt.pl, pathPage{r: tt.r, settled: tt.settled, dialogSettled: tt.settled}, &w)
			if got.act != tt.want || got.step != tt.step {
				t.Fatalf("decidePath = act %d step %q (err %v), want act %d step %q", got.act, got.step, got.err, tt.want, tt.step)
			}
			if !strings.Contains(got.warn, tt.warn) || (tt.warn == "") != (got.warn == "") {
				t.Errorf("warning = %q, want one containing %q", got.warn, tt.warn)
			}
			if tt.wantKind != "" && KindOf(got.err) != tt.wantKind {
				t.Errorf("error kind = %s (%v), want %s", KindOf(got.err), got.err, tt.wantKind)
			}
			lost := ""
			var drift *DriftError
			if errors.As(got.err, &drift) {
				lost = drift.Element
				if len(drift.Candidates) == 0 || drift.URL != tt.r.URL {
					t.Errorf("the drift error has candidates %q and URL %q: want the element's candidates and the page %q", drift.Candidates, drift.URL, tt.r.URL)
				}
			}
			if lost != tt.lost {
				t.Errorf("the drift error names %q, want %q", lost, tt.lost)
			}
		})
	}
}

// A run with a saved session opens the settings by their URL first: one
// page load signs it in and opens them. Without one it signs in first (the
// sign-in lands on the app), and the menu route and verify walk the menu.
func TestDecide_DeepLinkFirstOnlyForASavedSession(t *testing.T) {
	p := testProfile(t)
	noURL := *p
	noURL.URLs.Settings = ""
	tests := []struct {
		name          string
		p             *selectors.Profile
		saved         bool
		trainingFirst bool
		route         Route
		verifying     bool
		want          bool
	}{
		{"a saved session, auto route", p, true, true, RouteAuto, false, true},
		{"a saved session, deep-link route", p, true, true, RouteDeepLink, false, true},
		{"no saved session", p, false, true, RouteAuto, false, false},
		{"a first setting on another tab than Data controls", p, true, false, RouteAuto, false, false},
		{"the menu route", p, true, true, RouteMenu, false, false},
		{"verify checks the whole path", p, true, true, RouteAuto, true, false},
		{"a profile without a settings URL (2023)", &noURL, true, true, RouteAuto, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deepLinkFirst(tt.p, tt.saved, tt.trainingFirst, tt.route, tt.verifying); got != tt.want {
				t.Errorf("deepLinkFirst = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecidePath_DialogsFirstAndBounded(t *testing.T) {
	p := testProfile(t)
	pl := pathPlan{p: p, steps: pathSteps(p), route: RouteAuto, where: "test file"}
	r := pageWith(map[string]bool{dialogKey(0): true, stepProfileMenu: true}, stepProfileMenu)
	w := &walk{clicks: map[string]int{}}
	if mv := decidePath(pl, pathPage{r: r}, w); mv.act != pathClick || mv.step != dialogKey(0) {
		t.Fatalf("first look = %+v, want the dialog dismissed", mv)
	}
	w.clicks[dialogKey(0)] = 1
	if mv := decidePath(pl, pathPage{r: r, settled: true}, w); mv.act != pathWait {
		t.Errorf("a dialog clicked just now = %+v, want a wait for the dialog window", mv)
	}
	if mv := decidePath(pl, pathPage{r: r, dialogSettled: true}, w); mv.act != pathClick || mv.step != dialogKey(0) {
		t.Errorf("a dialog still there = %+v, want it clicked again (a tour)", mv)
	}
	w.clicks[dialogKey(0)] = maxDismissals
	mv := decidePath(pl, pathPage{r: r, settled: true, dialogSettled: true}, w)
	if mv.act != pathFail || !strings.Contains(mv.err.Error(), "covered by") {
		t.Errorf("a dialog that never goes = %+v, want drift naming what covers the menu", mv)
	}
}

// A dialog's button that no pointer reaches (pointer-events:none from a
// modal layer under it) is pressed all the same, from the keyboard; one
// that is merely covered waits for what covers it.
func TestDecidePath_ADialogNoPointerReachesIsStillPressed(t *testing.T) {
	p := testProfile(t)
	pl := pathPlan{p: p, steps: pathSteps(p), route: RouteAuto, where: "test file"}
	r := pageWith(map[string]bool{dialogKey(0): true, stepDataControls: true}, dialogKey(0), stepDataControls)
	r.Elements[dialogKey(0)].Cover = "html"
	w := &walk{clicks: map[string]int{}}
	if mv := decidePath(pl, pathPage{r: r}, w); mv.act == pathClick && mv.step == dialogKey(0) {
		t.Fatalf("a covered dialog button = %+v, want it left alone", mv)
	}
	r.Elements[dialogKey(0)].Unreachable = true
	if mv := decidePath(pl, pathPage{r: r}, w); mv.act != pathClick || mv.step != dialogKey(0) {
		t.Errorf("an unreachable dialog button = %+v, want it pressed", mv)
	}
}

func TestDecideToggle(t *testing.T) {
	tests := []struct {
		name    string
		found   bool
		state   State
		settled bool
		pending bool
		want    toggleAct
	}{
		{"off", true, StateOff, false, false, toggleOff},
		{"off while a save is still in flight", true, StateOff, true, true, toggleOff},
		{"still on while the site answers", true, StateOn, false, false, toggleWait},
		{"on after the page settled: the click did not take", true, StateOn, true, false, toggleAgain},
		{"on after the page settled, the save still in flight: a slow site, not a lost click", true, StateOn, true, true, toggleWait},
		{"the switch gone for a moment", false, StateUnknown, false, false, toggleWait},
		{"the switch gone while the save is in flight", false, StateUnknown, true, true, toggleWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideToggle(tt.found, tt.state, tt.settled, tt.pending); got != tt.want {
				t.Errorf("decideToggle = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDecide_SetupErrorAfterAnInterruptIsAnInterrupt(t *testing.T) {
	live, stop := context.WithCancel(context.Background())
	defer stop()
	running := Attach(live, nil, BrowserOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := setupError(ctx, running, "setting up the browser tab", errors.New("websocket: close sent"))
	if KindOf(err) != KindInterrupted || !errors.Is(err, context.Canceled) {
		t.Errorf("kind = %s (%v), want interrupted, wrapping context.Canceled", KindOf(err), err)
	}
	if err := setupError(live, running, "setting up the browser tab", fmt.Errorf("calling Target.createTarget: %w", context.Canceled)); KindOf(err) != KindInterrupted {
		t.Errorf("a canceled DevTools call = %s, want interrupted", KindOf(err))
	}
	if err := setupError(live, running, "setting up the browser tab", errors.New("target crashed")); KindOf(err) != KindBrowser {
		t.Errorf("a crashed tab = %s, want browser", KindOf(err))
	}
	past, cancelPast := context.WithTimeout(context.Background(), -time.Second)
	defer cancelPast()
	if err := setupError(past, running, "setting up the browser tab", errors.New("websocket: close sent")); KindOf(err) != KindTimeout || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "caller's deadline passed while setting up the browser tab") {
		t.Errorf("the caller's deadline during the set-up = %s (%v), want a timeout that says so", KindOf(err), err)
	}
	gone, kill := context.WithCancel(context.Background())
	kill()
	if err := setupError(live, Attach(gone, nil, BrowserOptions{}), "opening a browser tab", errors.New("context canceled")); KindOf(err) != KindBrowser || !strings.Contains(err.Error(), "browser stopped") {
		t.Errorf("a browser that died under a live caller = %s (%v), want browser, saying it stopped", KindOf(err), err)
	}
}

func requestSent(id string, typ network.ResourceType) *network.EventRequestWillBeSent {
	return &network.EventRequestWillBeSent{RequestID: network.RequestID(id), Type: typ}
}

func responseReceived(id, mime string) *network.EventResponseReceived {
	return &network.EventResponseReceived{RequestID: network.RequestID(id), Response: &network.Response{MimeType: mime}}
}

func mainFrameNavigated() *cdppage.EventFrameNavigated {
	return &cdppage.EventFrameNavigated{Frame: &cdp.Frame{ID: "main"}}
}

func TestDecide_SessionTokenChunks(t *testing.T) {
	for _, n := range []int{1, cookieChunk, cookieChunk + 1, 2 * cookieChunk, 3*cookieChunk + 7} {
		tok := strings.Repeat("x", n-1) + "y"
		parts := cookieChunks("s", tok)
		want := (n + cookieChunk - 1) / cookieChunk
		if len(parts) != want {
			t.Errorf("%d characters: %d cookies, want %d", n, len(parts), want)
		}
		joined := parts["s"]
		for i := 0; want > 1 && i < want; i++ {
			joined += parts[fmt.Sprintf("s.%d", i)]
		}
		if joined != tok {
			t.Errorf("%d characters: the chunks do not join to the token", n)
		}
	}
}

func TestDecide_ATimeoutSaysWhatItWaitedForAndWhatItSaw(t *testing.T) {
	s := &session{cfg: Config{Timeout: time.Minute}}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	r := &probeResult{URL: "http://app/settings", Title: "ChatGPT", Ready: "complete", QuietMs: 20, Elements: map[string]*match{
		"path.row_opener": {Candidate: 0, Counts: []int{1}},
		"path.switch":     {Candidate: -1, Counts: []int{0}},
	}}
	tests := []struct {
		name string
		g    *glance
		want []string
		not  []string
	}{
		{"a busy page", &glance{r: r, stable: 5 * time.Second, net: activity{Inflight: 3}, window: time.Second},
			[]string{"the setting's switch", "http://app/settings", "path.row_opener", "not found: path.switch", "busy (3 requests in flight"}, []string{"longer timeout"}},
		{"a still page", &glance{r: r, stable: 5 * time.Second, net: activity{IdleFor: 5 * time.Second}, window: 10 * time.Millisecond},
			[]string{"the page was still"}, []string{"longer timeout"}},
		{"a page still loading", &glance{r: &probeResult{URL: "http://app/", Ready: "loading"}, window: time.Second},
			[]string{"still loading", "longer timeout"}, nil},
		{"nothing could be read", nil, []string{"could not be read"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.waitError(ctx, "the setting's switch", tt.g)
			if KindOf(err) != KindTimeout {
				t.Fatalf("kind = %s, want timeout", KindOf(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(err.Error(), w) {
					t.Errorf("%q says %q", err, w)
				}
			}
		})
	}
}
