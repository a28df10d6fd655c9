package automation

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// The decisions on what the site puts in the way, without a browser:
// go test ./automation -run Surprise

func TestSurprise_ASecurityCheckIsJudgedByWhatItDoes(t *testing.T) {
	const bound = 30 * time.Second
	tests := []struct {
		name                  string
		onCheck, interactive  bool
		shown, interactiveFor time.Duration
		headed                bool
		want                  checkAct
	}{
		{"no check on the page", false, false, 0, 0, false, checkNone},
		{"the first frame of a check: wait", true, false, 0, 0, false, checkWait},
		{"a check still verifying after 10 s: wait", true, false, 10 * time.Second, 0, false, checkWait},
		{"a check that outlasts its bound", true, false, bound, 0, false, checkOutlasted},
		{"the interactive face just now: wait, it may pass", true, true, 3 * time.Second, 0, false, checkWait},
		{"the interactive face for a moment: wait", true, true, 3 * time.Second, interactiveHold / 2, false, checkWait},
		{"the interactive face that stays: a person's", true, true, 3 * time.Second, interactiveHold, false, checkNeedsAPerson},
		{"the interactive face alone (an older file's wall marker)", false, true, interactiveHold, interactiveHold, false, checkNeedsAPerson},
		{"the interactive face wins over a bound not yet reached", true, true, 5 * time.Second, 3 * time.Second, false, checkNeedsAPerson},
		{"a visible browser waits for its person", true, true, 2 * bound, 2 * bound, true, checkWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideCheck(tt.onCheck, tt.interactive, tt.shown, tt.interactiveFor, bound, tt.headed); got != tt.want {
				t.Errorf("decideCheck = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSurprise_AnUnknownDialogIsClosedWithoutChoosing(t *testing.T) {
	tests := []struct {
		name     string
		hasClose bool
		tries    dialogTries
		settled  bool
		want     dialogAct
	}{
		{"a close control is pressed first", true, dialogTries{}, false, dialogPress},
		{"without one, Escape", false, dialogTries{}, false, dialogEscape},
		{"a try is given time to work", true, dialogTries{control: 1}, false, dialogWait},
		{"a press the page missed is repeated once settled", true, dialogTries{control: 1}, true, dialogPress},
		{"two presses that did nothing: Escape", true, dialogTries{control: maxDialogTries}, true, dialogEscape},
		{"Escape is tried twice", false, dialogTries{escape: 1}, true, dialogEscape},
		{"nothing closed it: stuck", false, dialogTries{escape: maxDialogTries}, true, dialogStuck},
		{"nothing closed it, close control too: stuck", true, dialogTries{control: maxDialogTries, escape: maxDialogTries}, true, dialogStuck},
		{"stuck only on a settled page", false, dialogTries{escape: maxDialogTries}, false, dialogWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideUnknownDialog(tt.hasClose, tt.tries, tt.settled); got != tt.want {
				t.Errorf("decideUnknownDialog = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSurprise_TheSignInsErrorPageIsRetriedThenTheSites(t *testing.T) {
	all := credentials{email: true, password: true}
	after := func(retries, pressed int) *signInDone {
		d := newSignInDone()
		d.siteRetries, d.pressed[elTryAgain] = retries, pressed
		return d
	}
	page := func(tryAgain, settled bool) signInSeen {
		return signInSeen{siteError: true, tryAgain: tryAgain, settled: settled, siteText: "Oops! - OpenAI"}
	}
	tests := []struct {
		name     string
		seen     signInSeen
		done     *signInDone
		want     signInAct
		target   string
		wantKind ErrorKind
	}{
		{"Try again is pressed at once", page(true, false), after(0, 0), signInPress, elTryAgain, ""},
		{"and not again before the page settled", page(true, false), after(1, 1), signInWait, "", ""},
		{"the error page once more: pressed again", page(true, true), after(1, 1), signInPress, elTryAgain, ""},
		{"no Try again: the sign-in starts again once settled", page(false, true), after(0, 0), signInRestart, "", ""},
		{"no Try again, still rendering: wait", page(false, false), after(0, 0), signInWait, "", ""},
		{"after the retries, the site's error", page(true, true), after(maxSiteRetries, 1), signInFail, "", KindSiteError},
		{"after the retries, the last one is given time", page(true, false), after(maxSiteRetries, 1), signInWait, "", ""},
		{"max_check_attempts is never retried", signInSeen{rateLimited: true, siteError: true, tryAgain: true}, after(0, 0), signInFail, "", KindRateLimited},
		{"a page for the owner ends the run at once", signInSeen{person: &selectors.PersonStep{Name: "add-phone", Asks: "a phone number"}}, after(0, 0), signInFail, "", KindAccountAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mv := decideSignIn(tt.seen, all, tt.done)
			if mv.act != tt.want || mv.target != tt.target {
				t.Fatalf("decideSignIn = act %d target %q (err %v), want act %d target %q", mv.act, mv.target, mv.err, tt.want, tt.target)
			}
			if tt.wantKind != "" && KindOf(mv.err) != tt.wantKind {
				t.Errorf("error kind = %s (%v), want %s", KindOf(mv.err), mv.err, tt.wantKind)
			}
			if KindOf(mv.err).IsDrift() {
				t.Errorf("a page the site put on the way is never drift: %v", mv.err)
			}
		})
	}
	if mv := decideSignIn(signInSeen{person: &selectors.PersonStep{Name: "add-phone", Asks: "a phone number to verify the account"}}, all, newSignInDone()); !strings.Contains(mv.err.Error(), "a phone number to verify the account") {
		t.Errorf("the message %q does not say what the site asks", mv.err)
	}
}

func TestSurprise_TheOneTimeCodeOfferIsForAMailboxWithoutAPassword(t *testing.T) {
	tests := []struct {
		name string
		c    credentials
		seen signInSeen
		want signInAct
	}{
		{"a password is typed, the offer passed by", credentials{email: true, password: true, mailbox: true}, signInSeen{form: formPassword, oneTimeCode: true}, signInType},
		{"only a mailbox takes the offer", credentials{email: true, mailbox: true}, signInSeen{form: formPassword, oneTimeCode: true}, signInPress},
		{"only a mailbox and no offer: no way in", credentials{email: true, mailbox: true}, signInSeen{form: formPassword}, signInFail},
		{"only a mailbox types the email", credentials{email: true, mailbox: true}, signInSeen{form: formEmail}, signInType},
		{"no password and no mailbox: no way in", credentials{email: true}, signInSeen{form: formEmail}, signInFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if mv := decideSignIn(tt.seen, tt.c, newSignInDone()); mv.act != tt.want {
				t.Errorf("decideSignIn = act %d target %q (err %v), want act %d", mv.act, mv.target, mv.err, tt.want)
			}
		})
	}
}

func TestSurprise_AnUnknownDialogInTheWayIsClosedNotDrift(t *testing.T) {
	d := &openDialog{Title: "Personalized ads", Text: "Ads can now be personalized", Buttons: []string{"Turn on personalized ads", "Close"}}
	all := credentials{email: true, password: true}
	tests := []struct {
		name string
		seen signInSeen
		want signInAct
	}{
		{"over the log-in button, once rendered", signInSeen{unknown: d, blocked: true, dialogSettled: true}, signInCloseDialog},
		{"over the log-in button, still opening", signInSeen{unknown: d, blocked: true}, signInWait},
		{"over a page with nothing else, settled", signInSeen{unknown: d, settled: true}, signInCloseDialog},
		{"no dialog, nothing, settled: drift", signInSeen{settled: true}, signInDrift},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if mv := decideSignIn(tt.seen, all, newSignInDone()); mv.act != tt.want {
				t.Errorf("decideSignIn = act %d (err %v), want act %d", mv.act, mv.err, tt.want)
			}
		})
	}

	p := testProfile(t)
	pl := pathPlan{p: p, steps: pathSteps(p), route: RouteAuto, where: "test file"}
	covered := pageWith(map[string]bool{stepProfileMenu: true}, stepProfileMenu)
	w := &walk{clicks: map[string]int{}}
	if mv := decidePath(pl, pathPage{r: covered, dialogSettled: true, unknown: d}, w); mv.act != pathCloseDialog {
		t.Errorf("a dialog over the profile menu = %+v, want it closed", mv)
	}
	if mv := decidePath(pl, pathPage{r: covered, unknown: d}, w); mv.act != pathWait {
		t.Errorf("a dialog over the profile menu, still opening = %+v, want a wait", mv)
	}
	free := pageWith(map[string]bool{stepProfileMenu: true})
	if mv := decidePath(pl, pathPage{r: free, dialogSettled: true, unknown: d}, w); mv.act != pathClick {
		t.Errorf("a dialog that covers nothing = %+v, want the walk to go on", mv)
	}
	known := pageWith(map[string]bool{stepProfileMenu: true, dialogKey(0): true}, stepProfileMenu)
	if mv := decidePath(pl, pathPage{r: known, dialogSettled: true, unknown: d}, w); mv.act != pathClick || mv.step != dialogKey(0) {
		t.Errorf("a known dialog and an unknown one = %+v, want the known one dismissed first", mv)
	}
}

func TestSurprise_AHeadlessUserAgentSaysChrome(t *testing.T) {
	info := uaInfo{
		UA:       "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
		Platform: "Linux x86_64",
		Meta: emulation.UserAgentMetadata{
			Brands:          []*emulation.UserAgentBrandVersion{{Brand: "Not:A-Brand", Version: "8"}, {Brand: "HeadlessChrome", Version: "156"}},
			FullVersionList: []*emulation.UserAgentBrandVersion{{Brand: "HeadlessChrome", Version: "156.0.8078.73"}},
		},
	}
	o := overrideFor(info)
	if strings.Contains(o.UserAgent, "Headless") || !strings.Contains(o.UserAgent, "Chrome/156.0.0.0") {
		t.Errorf("User-Agent = %q, want the visible Chrome's product string", o.UserAgent)
	}
	if o.AcceptLanguage != acceptLanguage {
		t.Errorf("Accept-Language = %q", o.AcceptLanguage)
	}
	for _, b := range append(o.UserAgentMetadata.Brands, o.UserAgentMetadata.FullVersionList...) {
		if strings.Contains(b.Brand, "Headless") {
			t.Errorf("client-hint brand %q names the headless browser", b.Brand)
		}
	}
	if o.UserAgentMetadata.Brands[1].Version != "156" {
		t.Errorf("the brand's version changed: %+v", o.UserAgentMetadata.Brands[1])
	}
}

func TestSurprise_ADialogIsNamedByItsTitleAndFirstLine(t *testing.T) {
	tests := []struct {
		d    openDialog
		want string
	}{
		{openDialog{Title: "Personalized ads", Text: "Ads can now use your chats"}, `"Personalized ads" ("Ads can now use your chats")`},
		{openDialog{Title: "Personalized ads"}, `"Personalized ads"`},
		{openDialog{Text: "Something new"}, `("Something new")`},
		{openDialog{}, "(a dialog with no title or text)"},
	}
	for _, tt := range tests {
		if got := tt.d.named(); got != tt.want {
			t.Errorf("named() = %s, want %s", got, tt.want)
		}
	}
}
