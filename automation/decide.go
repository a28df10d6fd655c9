package automation

import (
	"fmt"
	"slices"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// The decisions of a run: pure functions of what the page showed and what
// the run did so far, tested without a browser (decide_test.go).

// form is a sign-in page that asks for something.
type form int

const (
	formNone      form = iota
	formEntry          // the app's Log in button
	formEmail          // the email field
	formPassword       // the password field
	formMFA            // the one-time code field
	formEmailCode      // the field for a code the site sent by email
)

func (f form) String() string {
	return [...]string{"nothing", "the log-in button", "the email form", "the password form", "the one-time code form", "the emailed code form"}[f]
}

// submit is the state of a form's submit button.
type submit int

const (
	submitMissing  submit = iota // no button: Enter submits
	submitDisabled               // shown but disabled (an invisible captcha has no token yet): a click would be lost
	submitReady
)

// signInSeen is what one reading of a sign-in page showed.
type signInSeen struct {
	signedIn      bool
	challenge     string // a challenge marker: human_verification, email_verification, push_verification
	form          form   // the deepest form on screen
	filled        bool   // the form's field holds a value
	submit        submit
	passwordError string // an error text of the password page, if shown
	mfaError      string
	settled       bool

	chooser       bool   // an account chooser over a valid session
	chooserHolds  bool   // its row holds this account's email
	wayOut        string // the way from an emailed code to the password, on screen
	dialog        string // a dialog the selectors file knows how to dismiss
	skip          string // an offer to decline (a passkey enrolment)
	sessionLive   bool   // the session endpoint answered a token, on a settled app page with no form
	dialogSettled bool   // settled with a shorter window, for a dialog in the way
	// Pages the site puts on the way: its transient error page (with or
	// without a Try again button; siteText names it), a refusal of more
	// attempts, a page only the account's owner can answer.
	siteError   bool
	tryAgain    bool
	siteText    string
	rateLimited bool
	person      *selectors.PersonStep
	// oneTimeCode says the password page offers a code by email instead.
	oneTimeCode bool
	// prefilled says the email form has no field to type into but already
	// holds the account's email (prefilledEmail): filled is then true.
	prefilled bool
	// unknown is a modal dialog nobody described, on a page with no form
	// to fill; blocked says it covers a form the sign-in needs.
	unknown *openDialog
	blocked bool
}

// prefilledEmail says a page that draws no email field is the email form,
// filled: it holds the account's email already (held is "field" for a
// hidden field, "text" for its visible text, "" for neither) and its email
// submit can be pressed. A "Welcome back" page shows the email as text,
// keeps it in a hidden field and offers only Continue. A drawn field speaks
// for itself, even when something covers it for now.
func prefilledEmail(held string, fieldDrawn, submitUsable bool) bool {
	return !fieldDrawn && held != "" && submitUsable
}

// credentials says which ways to sign in the account has.
type credentials struct {
	email, password, totp bool
	mailbox               bool // a mailbox that receives the site's codes
	savedSession          bool // a session token, a profile folder or a saved state
	headed                bool // a person can clear checks in the window
}

// signInDone counts what the run did per form, across the sign-in.
type signInDone struct {
	typed     map[form]int
	submitted map[form]int
	pressed   map[string]int // other elements pressed: a chooser row, a dialog's button
	// siteRetries counts the error page's retries across the sign-in's
	// pages (a retry may land on a new one).
	siteRetries int
}

func newSignInDone() *signInDone {
	return &signInDone{typed: map[form]int{}, submitted: map[form]int{}, pressed: map[string]int{}}
}

// signInAct is what the sign-in does next.
type signInAct int

const (
	signInWait        signInAct = iota // nothing to do yet
	signInOver                         // signed in
	signInType                         // type into the form's field
	signInSubmit                       // click the form's submit button, or press Enter without one
	signInDrift                        // the page matches nothing known
	signInFail                         // stop with err
	signInPress                        // press target: a chooser row, a way out, a dialog's button, a skip
	signInCloseDialog                  // close the unknown dialog (closeUnknownDialog decides how)
	signInRestart                      // open the app again: the error page has no Try again
)

type signInMove struct {
	act    signInAct
	form   form
	target string
	err    error
}

// Bounds on repeating a step that showed no effect.
const (
	// maxSiteRetries bounds the retries of the sign-in's transient error
	// page: it passes with a retry or two; one that stays is the site's.
	maxSiteRetries = 3
	maxCodeTries   = 3 // emailed codes, each newer than the one refused
	maxTypes       = 3 // a form that keeps clearing its field (a re-render)
	maxSubmits     = 2 // a submit the page missed while it was rendering
)

// decideSignIn picks the next sign-in step.
func decideSignIn(seen signInSeen, c credentials, done *signInDone) signInMove {
	fail := func(err error) signInMove { return signInMove{act: signInFail, err: err} }
	// again makes mv, done n times so far, and again only once the page
	// settled without it having an effect, up to limit times.
	again := func(mv signInMove, n, limit int) signInMove {
		switch {
		case n == 0 || n < limit && seen.settled:
			return mv
		case seen.settled:
			return signInMove{act: signInDrift}
		}
		return signInMove{act: signInWait}
	}
	pressing := func(target string, limit int) signInMove {
		return again(signInMove{act: signInPress, target: target}, done.pressed[target], limit)
	}
	switch {
	case seen.signedIn:
		return signInMove{act: signInOver}
	case seen.rateLimited:
		return fail(newError(KindRateLimited, "the site refuses further sign-in attempts for now (max_check_attempts): wait before the next run; the tool does not retry it"))
	case seen.person != nil:
		return fail(newError(KindAccountAction, "the site asks for %s (%s) before it lets this account in: only the account's owner can give it; do it once as a person in a visible browser (signing in with a profile folder keeps the session for later runs)", seen.person.Asks, seen.person.Name).fix(SettingProfileDir))
	case seen.siteError:
		return decideSiteError(seen, done)
	case seen.chooser && !seen.chooserHolds:
		return fail(newError(KindSessionExpired, "the site asks to choose an account and does not offer this one: the saved session belongs to another account; sign in again as this account in a profile folder of its own").fix(SettingProfileDir))
	case seen.chooser:
		return pressing(elChooser, maxSubmits)
	case seen.challenge == string(KindEmailVerification) && seen.wayOut != "" && c.password:
		return pressing(seen.wayOut, maxSubmits)
	case seen.challenge == string(KindEmailVerification) && seen.form == formEmailCode && c.mailbox:
		// The code is in the mailbox: the form below is filled with it.
	case seen.challenge == string(KindEmailVerification) && (c.mailbox || c.password) && !seen.settled && !c.headed:
		// The page may still render its code field or its way to the
		// password: decide once it has settled.
		return signInMove{act: signInWait}
	case seen.challenge != "":
		if c.headed {
			return signInMove{act: signInWait}
		}
		return fail(challengeError(seen.challenge))
	case seen.dialog != "":
		return pressing(seen.dialog, maxDismissals)
	case seen.skip != "":
		return pressing(seen.skip, maxSubmits)
	case seen.unknown != nil && (seen.settled || seen.blocked && seen.dialogSettled):
		return signInMove{act: signInCloseDialog}
	}
	f := seen.form
	switch f {
	case formMFA:
		if done.submitted[f] > 0 && seen.mfaError != "" {
			return fail(newError(KindMFAFailed, "the one-time code was refused (%q): check that the TOTP secret is the one of this account's authenticator and that this machine's clock is right", seen.mfaError).fix(SettingTOTPSecret))
		}
		if !c.totp {
			if c.headed {
				return signInMove{act: signInWait}
			}
			return fail(newError(KindMFARequired, "the account asks for a one-time code: set its TOTP secret (the authenticator's base32 secret), or sign in once as a person in a profile folder and reuse the profile").fix(SettingTOTPSecret, SettingProfileDir))
		}
	case formEmailCode:
		// A refused code may be one the site replaced by a newer email:
		// the next newer one is tried, a few times.
		if done.submitted[f] >= maxCodeTries && seen.mfaError != "" {
			return fail(newError(KindEmailVerification, "the code from the mailbox was refused (%q): check that the mailbox is this account's and that its newest code email is the site's", seen.mfaError))
		}
	case formPassword:
		if done.submitted[f] > 0 && seen.passwordError != "" {
			return fail(newError(KindBadCredentials, "the sign-in was refused (%q): check the email and the password", seen.passwordError).fix(SettingEmail, SettingPassword))
		}
		if !c.password && seen.oneTimeCode && c.mailbox {
			// The code by email instead of the password: the mailbox has
			// it. The offer submits the same form, which waits for its
			// invisible captcha's token as the password's submit does.
			if seen.submit == submitDisabled {
				return signInMove{act: signInWait}
			}
			return pressing(elOneTimeCode, maxSubmits)
		}
		if !c.password {
			return fail(noPasswordError(c))
		}
	case formEmail, formEntry:
		if !c.email || !c.password && !c.mailbox {
			return fail(noPasswordError(c))
		}
	case formNone:
		if seen.sessionLive && seen.settled {
			return signInMove{act: signInOver}
		}
		if seen.settled {
			return signInMove{act: signInDrift}
		}
		return signInMove{act: signInWait}
	}
	if f == formEntry { // a button, no field
		return again(signInMove{act: signInSubmit, form: f}, done.submitted[f], maxSubmits)
	}
	switch {
	case !seen.filled && done.typed[f] < maxTypes && (done.typed[f] == 0 || seen.settled || done.submitted[f] == 0):
		return signInMove{act: signInType, form: f}
	case !seen.filled:
		return signInMove{act: signInWait}
	case seen.submit == submitDisabled:
		return signInMove{act: signInWait} // the click would be lost
	case done.submitted[f] == 0, done.submitted[f] < maxSubmits && seen.settled:
		return signInMove{act: signInSubmit, form: f}
	}
	return signInMove{act: signInWait}
}

// decideSiteError retries the site's transient error page: its Try again,
// pressed again only once the page settled without it having an effect,
// or, without one, a fresh start of the sign-in; after maxSiteRetries the
// error is the site's. Never drift: nothing about the page is unknown.
func decideSiteError(seen signInSeen, done *signInDone) signInMove {
	switch {
	case done.siteRetries >= maxSiteRetries && seen.settled:
		return signInMove{act: signInFail, err: newError(KindSiteError, "the site kept showing its error page during sign-in (%q) after %d retries: the site is having trouble; try again later (a fleet retries the account)", seen.siteText, done.siteRetries)}
	case done.siteRetries >= maxSiteRetries:
		return signInMove{act: signInWait}
	case seen.tryAgain && (done.pressed[elTryAgain] == 0 || seen.settled):
		return signInMove{act: signInPress, target: elTryAgain}
	case !seen.tryAgain && seen.settled:
		return signInMove{act: signInRestart}
	}
	return signInMove{act: signInWait}
}

func noPasswordError(c credentials) error {
	if c.savedSession {
		return newError(KindSessionExpired, "the saved session is missing or expired and no password is set: sign in again as a person in the profile folder, or set the password").fix(SettingProfileDir, SettingPassword)
	}
	return newError(KindBadCredentials, "the site asks to sign in but no email and password are set: set them, or use a profile folder a person signed in with").fix(SettingEmail, SettingPassword, SettingProfileDir)
}

// ---- drift ----

// driftHoldFactor is how many settle windows a page must have stayed the
// same, drawn and with no loading indicator, before a drift found on it
// ends the run: 6 s with the default window. The settle cap (three
// windows) is when a busy page counts as settled; two more give a page that
// draws in stages without showing it (a part loaded late on a slow
// connection) time to draw its last part. The slow pages seen so far (a
// first paint after 5.5 s, a signed-out placeholder for 9 s, a panel 10 s
// behind a spinner) were blank or showed an indicator, and those wait for
// the run's deadline whatever the hold; every real drift pays the hold
// once, so it stays short.
const driftHoldFactor = 5

// driftCall is what a loop does with a drift its step found.
type driftCall int

const (
	driftLookAgain driftCall = iota // a first reading, or a page that changed since: read again
	driftBlank                      // the page shows no control yet: keep waiting, to the deadline if need be
	driftLoading                    // the page shows a loading indicator: keep waiting likewise
	driftStands                     // the site changed: the drift ends the run
)

func (c driftCall) String() string {
	return [...]string{"look again", "blank page", "loading page", "drift"}[c]
}

// decideDrift judges a drift by what the page is doing, not by one frame.
// A drift ends the run (a fleet stops on it) only when two readings in a
// row find it (again: the page may change between a probe and its
// confirmation), on a page that has drawn controls and shows no loading
// indicator, and that has stayed so (calm) with what the loop looks for
// unchanged (stable) for hold. A blank or loading page is no evidence that
// the site changed: the loop keeps reading, and a run that ends there ends
// on its deadline, whose message says the page was still loading.
func decideDrift(again, blank, loading bool, stable, calm, hold time.Duration) driftCall {
	switch {
	case blank:
		return driftBlank
	case loading:
		return driftLoading
	case !again || stable < hold || calm < hold:
		return driftLookAgain
	}
	return driftStands
}

// pathAct is what the walk to the switch does next.
type pathAct int

const (
	pathWait        pathAct = iota // nothing to do yet
	pathFound                      // the switch is on screen
	pathClick                      // click step (a path step or a dialog's dismiss button)
	pathDeepLink                   // open the settings by their URL
	pathFail                       // stop with err
	pathCloseDialog                // close the unknown dialog in the way (closeUnknownDialog decides how)
)

type pathMove struct {
	act       pathAct
	step      string // the element to click: a path step or dialogKey(i)
	warn      string // to record before acting
	urlGaveUp bool   // the app did not open the settings from their URL: walk the menu
	err       error
}

// pathPage is one reading on the way to the switch.
type pathPage struct {
	r             *probeResult
	settled       bool        // see glance.settled
	dialogSettled bool        // a shorter window: a tour's buttons come one after another
	unknown       *openDialog // a modal dialog nobody described, if one is open
}

// walk is the progress of one walk to the switch.
type walk struct {
	clicks   map[string]int
	usedMenu bool
	deepLink bool // the settings URL was opened
	awaitURL bool // waiting for the app to open the settings from its URL
}

// maxClicks bounds the clicks on one step of the path: a second click
// covers a click the page missed while it was still rendering; after that,
// a step that leads nowhere is drift.
const maxClicks = 2

// maxDismissals bounds the clicks on dialogs (a tour may need several).
const maxDismissals = 6

// pathPlan is what a walk knows of the selectors file and the run.
type pathPlan struct {
	p      *selectors.Profile
	steps  []step
	route  Route
	routed bool   // the run already has a route (a second walk)
	where  string // the selectors file's source and version, for messages
	// alternatives says the steps' candidates are alternatives, not a
	// primary and stale fallbacks: a later one matching is no warning.
	alternatives bool
}

// decidePath picks the next step on the way to the switch.
func decidePath(pl pathPlan, pg pathPage, w *walk) pathMove {
	r := pg.r
	if sw := r.el(stepSwitch); sw.found() && !sw.Covered {
		return pathMove{act: pathFound}
	}
	// Dialogs first: they cover what lies under them.
	for i := range pl.p.Dialogs {
		key := dialogKey(i)
		// A button no pointer reaches (a dialog over a modal layer) is
		// pressed from the keyboard: it counts as on top.
		if m := r.el(key); m.found() && (!m.Covered || m.Unreachable) {
			n := w.clicks[key]
			if n == 0 || (n < maxDismissals && pg.dialogSettled) {
				return pathMove{act: pathClick, step: key}
			}
			if n < maxDismissals {
				return pathMove{act: pathWait}
			}
		}
	}
	// A dialog nobody described is closed once it is in the way: it
	// covers a step on screen (as soon as it has rendered), or nothing
	// else can be done on the settled page.
	if pg.unknown != nil && (pg.settled || pg.dialogSettled && coversStep(pl, r)) {
		return pathMove{act: pathCloseDialog}
	}
	isMenu := func(name string) bool { return name == stepProfileMenu || name == stepSettingsItem }
	for _, st := range pl.steps[1:] { // the switch itself is handled above
		m := r.el(st.name)
		if !m.found() || m.Covered {
			// A covered step lies under what an earlier click opened (or
			// under something unknown: the drift decision tells which).
			continue
		}
		if isMenu(st.name) && pl.route == RouteDeepLink && !w.deepLink {
			if pl.p.URLs.Settings == "" {
				return pathMove{act: pathFail, err: configError(nil, "the deep-link route needs a settings URL, and UI profile %s of selectors file %s has none (urls.settings): use the menu route", pl.p.Name, pl.where)}
			}
			return pathMove{act: pathDeepLink}
		}
		mv := pathMove{act: pathClick, step: st.name}
		if w.awaitURL && (isMenu(st.name) || st.name == stepDataControls) {
			// The app opens the settings at the tab its URL names once it
			// has loaded; clicking the menu or the tab meanwhile races it.
			// Only a page that settled without them gets clicks.
			if !pg.settled {
				return pathMove{act: pathWait}
			}
			mv.urlGaveUp = true
			mv.warn = fmt.Sprintf("the settings URL %s did not open the settings at Data controls; clicked %s instead: update urls.settings in selectors file %s",
				pl.p.URLs.Settings, st.name, pl.where)
		}
		n := w.clicks[st.name]
		if n == 0 || (n < maxClicks && pg.settled) {
			return mv
		}
		if n < maxClicks {
			return pathMove{act: pathWait}
		}
		break // clicked enough: the step leads nowhere
	}
	if !pg.settled {
		return pathMove{act: pathWait}
	}
	return pathDriftMove(pl, r, w)
}

// deepLinkFirst says a run opens the settings by their URL before it knows
// it is signed in: with a saved session (a token, a state, a kept profile),
// where the profile has a settings URL and the run starts with training
// (the URL opens Data controls, training's tab), unless the menu route is
// asked for or every element of the path is being checked (verifying).
func deepLinkFirst(p *selectors.Profile, saved, trainingFirst bool, route Route, verifying bool) bool {
	return saved && trainingFirst && p.URLs.Settings != "" && route != RouteMenu && !verifying
}

// coversStep says a step of the path is on the page but covered.
func coversStep(pl pathPlan, r *probeResult) bool {
	return slices.ContainsFunc(pl.steps, func(st step) bool {
		m := r.el(st.name)
		return m.found() && m.Covered
	})
}

// pathDriftMove is the decision on a settled page where no step can be
// taken. With the auto route, a broken menu path falls back to the deep
// link once.
func pathDriftMove(pl pathPlan, r *probeResult, w *walk) pathMove {
	steps := pl.steps
	// The deepest step on screen was done and led nowhere: the one after it
	// is what went missing. With nothing on screen, the menu itself is.
	missing := steps[len(steps)-1]
	for i, st := range steps {
		m := r.el(st.name)
		if !m.found() {
			continue
		}
		if m.Covered && w.clicks[st.name] == 0 {
			return pathMove{act: pathFail, err: newDrift(KindSelectorDrift, st.name, st.el, m, r.URL, "%s (%s) is covered by %s, which the selectors file %s does not know how to dismiss: add it to dialogs",
				st.name, m.Desc, m.Cover, pl.where)}
		}
		if i > 0 {
			missing = steps[i-1]
		}
		break
	}
	menuPart := slices.Contains([]string{stepSettingsItem, stepProfileMenu, stepDataControls}, missing.name)
	if pl.route == RouteAuto && !w.deepLink && !pl.routed && menuPart && pl.p.URLs.Settings != "" {
		return pathMove{act: pathDeepLink, warn: fmt.Sprintf("the menu path stopped at %s (%s); opened the settings by their URL instead: update the selectors file %s",
			missing.name, describeCandidates(missing.el, r.el(missing.name)), pl.where)}
	}
	m := r.el(missing.name)
	why := "matches nothing"
	if m.ambiguous() {
		why = "matches more than one element, and the tool never guesses"
	}
	return pathMove{act: pathFail, err: newDrift(KindSelectorDrift, missing.name, missing.el, m, r.URL, "%s %s on %s: the UI no longer matches selectors file %s (profile %s). Candidates: %s",
		missing.name, why, r.URL, pl.where, pl.p.Name, describeCandidates(missing.el, m))}
}

// toggleAct is what the run does after clicking the switch.
type toggleAct int

const (
	toggleWait  toggleAct = iota // the site has not answered yet
	toggleOff                    // the switch reads off
	toggleAgain                  // the page settled with the switch unchanged: the click did not take
)

// decideToggle reads the switch after a click. The site flips it only
// after its backend answers, so a click counts as failed only once the page
// settled with the switch unchanged and no save the click set off is still
// in flight (pending): a save can take longer than any settle window, and a
// click while it is pending turns the setting back on.
func decideToggle(found bool, state State, settled, pending bool) toggleAct {
	switch {
	case found && state == StateOff:
		return toggleOff
	case settled && !pending:
		return toggleAgain
	default:
		return toggleWait
	}
}
