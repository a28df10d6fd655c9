package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// UnknownDialog is a notice nobody catalogued, such as the 2026 consent
// prompt about personalized ads: a Radix modal after sign-in, once per
// session, until closed (Counters.DialogsClosed: it decides nothing) or
// answered (accept or "Learn more": Counters.ChoicePresses).
type UnknownDialog struct {
	// Title, Text and Accept (the primary button's label) default to the
	// personalized ads prompt.
	Title, Text, Accept string
	Close               DialogClose // how it closes without a choice; "" means CloseX
	OverSettings        bool        // shown 50 ms after the settings open, over them
}

// DialogClose is the way an UnknownDialog closes without a choice.
type DialogClose string

// The ways an UnknownDialog closes.
const (
	CloseX       DialogClose = "x"       // a header button aria-label="Close" showing ✕ (an svg); Escape too
	CloseButton  DialogClose = "close"   // a text button "Close"; Escape too
	CloseDismiss DialogClose = "dismiss" // a text button "Dismiss"; Escape too
	CloseEscape  DialogClose = "escape"  // no close control; Escape closes it
	CloseNone    DialogClose = "none"    // no close control, Escape does nothing: only a choice ends it
	CloseNotNow  DialogClose = "not-now" // a text button "Not now", a decline; Escape does nothing
)

const (
	defaultNoticeTitle  = "Personalized ads"
	defaultNoticeText   = "Ads in ChatGPT can now be personalized using your chats and memory. You can change this anytime in Settings."
	defaultNoticeAccept = "Turn on personalized ads"
)

// Account.Needs values: sign-in pages that need a person (current UI
// pages; the 2023 login origin serves the same).
const (
	NeedsAddPhone = "add-phone" // /add-phone after the password
	NeedsAboutYou = "about-you" // /about-you after the password
	NeedsAge      = "age"       // /age-verification after the password
	NeedsPhone    = "phone"     // the email step goes to /log-in?usernameKind=phone_number
)

// The kinds of /unexpected-state page a flow can be on.
const (
	errTimeout  = "timeout"            // Account.SiteErrors: "Operation timed out", Try again goes on
	errMaxCheck = "max_check_attempts" // Account.MaxCheckAttempts: must not be retried
)

func normalizeNotice(d *UnknownDialog) (*UnknownDialog, error) {
	if d == nil {
		return nil, nil
	}
	n := *d
	if strings.TrimSpace(n.Title) == "" {
		n.Title = defaultNoticeTitle
	}
	if strings.TrimSpace(n.Text) == "" {
		n.Text = defaultNoticeText
	}
	if strings.TrimSpace(n.Accept) == "" {
		n.Accept = defaultNoticeAccept
	}
	if n.Close = cmp.Or(n.Close, CloseX); !slices.Contains(dialogCloses, n.Close) {
		return nil, fmt.Errorf("simulator: unknown UnknownDialog.Close %q (want x, close, dismiss, escape or none)", n.Close)
	}
	return &n, nil
}

var dialogCloses = []DialogClose{CloseX, CloseButton, CloseDismiss, CloseEscape, CloseNone, CloseNotNow} // chaos draws the first five

// ParseDialogClose reads a DialogClose as a command-line flag carries it.
func ParseDialogClose(s string) (DialogClose, error) {
	if c := DialogClose(strings.TrimSpace(s)); slices.Contains(dialogCloses, c) {
		return c, nil
	}
	return "", fmt.Errorf("unknown dialog close %q (want x, close, dismiss, escape or none)", s)
}

func validNeeds(n string) bool {
	return slices.Contains([]string{"", NeedsAddPhone, NeedsAboutYou, NeedsAge, NeedsPhone}, n)
}

type noticeBoot struct {
	Title        string      `json:"title"`
	Text         string      `json:"text"`
	Accept       string      `json:"accept"`
	Close        DialogClose `json:"close"`
	OverSettings bool        `json:"overSettings"`
}

// noticeLocked is the session's pending UnknownDialog for the page, or nil.
func (s *Server) noticeLocked(ss *session) *noticeBoot {
	d := s.opts.UnknownDialog
	if ss == nil || !ss.notice || d == nil {
		return nil
	}
	return &noticeBoot{Title: d.Title, Text: d.Text, Accept: d.Accept, Close: d.Close, OverSettings: d.OverSettings}
}

// handleNoticeResponse records how the session's UnknownDialog ended:
// {"action": "accept" | "learn_more"} is a choice, "close" | "escape" is
// not. Either way the dialog is not shown again in the session.
func (s *Server) handleNoticeResponse(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Action string `json:"action"`
	}
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body)
	ok := true
	if !s.withBearer(w, r, func(ss *session, a *account) {
		switch body.Action {
		case "accept", "learn_more":
			a.counters.ChoicePresses++
		case "close", "escape":
			a.counters.DialogsClosed++
		default:
			ok = false
			return
		}
		ss.notice = false
	}) {
		return
	}
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": "unknown action"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// flowOf finds the flow of a request by its state parameter (2023, or a
// form's) and, with byCookie, else by the login_session cookie (current).
func (s *Server) flowOf(r *http.Request, byCookie bool) *flow {
	// A form's field comes first; a GET has none.
	st := cmp.Or(r.PostFormValue("state"), r.URL.Query().Get("state"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flows[st]; f != nil || !byCookie {
		return f
	}
	if c, err := r.Cookie(s.flowCookie()); err == nil {
		return s.flows[c.Value]
	}
	return nil
}

func (s *Server) countersLocked(a *account) *Counters {
	if a != nil {
		return &a.counters
	}
	return &s.unattributed
}

func (s *Server) flowAccountLocked(f *flow) *account {
	if f == nil {
		return nil
	}
	return s.lookup(f.email)
}

func (s *Server) restartPath() string {
	if s.opts.UI == UI2023 {
		return "/authorize"
	}
	return "/log-in"
}

// stateSuffix is "?state=ID" for a 2023 flow, which the pages find by its
// state parameter, and "" for a current one (the cookie finds it).
func stateSuffix(f *flow) string {
	if f.era == UI2023 {
		return "?state=" + url.QueryEscape(f.id)
	}
	return ""
}

// handleUnexpectedState is the error page a sign-in can land on (SiteErrors,
// MaxCheckAttempts), whose "Try again" POSTs here: after a timeout it goes
// on with the flow; after max_check_attempts it is a choice that must not
// be made, and shows the same page again.
func (s *Server) handleUnexpectedState(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r, true)
	s.mu.Lock()
	kind := errTimeout
	if f != nil && f.errKind != "" {
		kind = f.errKind
	}
	c := s.countersLocked(s.flowAccountLocked(f))
	switch {
	case r.Method != http.MethodPost:
		c.SiteErrorPages++
	case kind == errMaxCheck:
		c.ChoicePresses++
		fallthrough
	default:
		c.TryAgainPresses++
	}
	s.mu.Unlock()

	if r.Method == http.MethodGet {
		page := authPage{Title: "Oops! - OpenAI", Error: "Operation timed out"}
		if kind == errMaxCheck {
			page.Error = "Too many attempts. Please try again later. (max_check_attempts)"
		}
		if f != nil && f.era == UI2023 {
			page.State = f.id
		}
		s.renderAuth(w, http.StatusOK, "unexpected-state", page)
		return
	}
	switch {
	case f == nil: // nothing to go on with: start again
		http.Redirect(w, r, s.restartPath(), http.StatusSeeOther)
	case kind == errMaxCheck:
		http.Redirect(w, r, "/unexpected-state"+stateSuffix(f), http.StatusSeeOther)
	default:
		s.goNext(w, r, f, http.StatusSeeOther)
	}
}

// personPages are the pages of Account.Needs: paths after the password
// (none for NeedsPhone), templates and titles.
var personPages = map[string]struct{ path, template, title string }{
	NeedsAddPhone: {"/add-phone", "person-add-phone", "Add a phone number - OpenAI"},
	NeedsAboutYou: {"/about-you", "person-about-you", "Tell us about you - OpenAI"},
	NeedsAge:      {"/age-verification", "person-age", "Verify your age - OpenAI"},
	NeedsPhone:    {"", "person-phone", "Log in with your phone number - OpenAI"},
}

// handlePerson serves a page of Account.Needs; a POST renders it again.
func (s *Server) handlePerson(need string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.flowOf(r, true)
		s.mu.Lock()
		a := s.flowAccountLocked(f)
		ok := a != nil && f.passwordOK && a.Needs == need
		if ok {
			a.counters.PersonPages++
		}
		s.mu.Unlock()
		if !ok {
			http.Redirect(w, r, s.restartPath(), http.StatusFound)
			return
		}
		s.renderPerson(w, need, f)
	}
}

func (s *Server) renderPerson(w http.ResponseWriter, need string, f *flow) {
	t := personPages[need]
	page := authPage{Title: t.title}
	if f != nil {
		page.Email = f.email
		if f.era == UI2023 {
			page.State = f.id
		}
	}
	s.renderAuth(w, http.StatusOK, t.template, page)
}

// handlePhoneLogIn is /log-in?usernameKind=phone_number, where an account
// of Needs "phone" goes after the email step. Nothing gets past it.
func (s *Server) handlePhoneLogIn(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r, true)
	s.mu.Lock()
	s.countersLocked(s.flowAccountLocked(f)).PersonPages++
	s.mu.Unlock()
	s.renderPerson(w, NeedsPhone, f)
}

// ---- slow and crowded pages (Options.FirstPaint, PlaceholderFor,
// DataControlsDelay, OneTap) ----

// quirks are the options that shape how the current UI's signed-out page
// and Data controls panel load, and what floats over them (FirstPaint,
// PlaceholderFor, DataControlsDelay, OneTap), for the boot blob; nil for
// the 2023 UI.
func (s *Server) quirks() map[string]any {
	if s.opts.UI != UICurrent {
		return nil
	}
	q := map[string]any{
		"firstPaintMs":        max(s.opts.FirstPaint, 0).Milliseconds(),
		"placeholderMs":       max(s.opts.PlaceholderFor, 0).Milliseconds(),
		"dataControlsDelayMs": max(s.opts.DataControlsDelay, 0).Milliseconds(),
		"oneTap":              s.opts.OneTap,
	}
	if s.opts.OneTap {
		q["oneTapURL"] = s.authURL + "/gsi/iframe/select?client_id=sim.apps.googleusercontent.com&ux_mode=popup"
	}
	return q
}

// handleOneTapFrame is Google One Tap's prompt, the frame of the box the
// app draws top right: "Sign in to chatgpt.com with google.com", an
// account and its "Continue as", and a close button that asks the page to
// remove the box. A person's choice; a run never makes it, and cannot
// reach into the frame anyway.
func (s *Server) handleOneTapFrame(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(oneTapHTML))
}

// handleOneTapChoice records a press on One Tap's "Continue as": a choice
// a run must never make.
func (s *Server) handleOneTapChoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.unattributed.ChoicePresses++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

const oneTapHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in with Google</title>
<style>body{margin:0;font:14px system-ui,sans-serif;color:#1f1f1f}header{display:flex;justify-content:space-between;align-items:center;padding:12px 16px;border-bottom:1px solid #e0e0e0}
.acct{display:flex;gap:12px;align-items:center;padding:16px}.av{width:32px;height:32px;border-radius:16px;background:#7b1fa2}
button.go{margin:0 16px;width:calc(100% - 32px);height:40px;border:0;border-radius:20px;background:#1a73e8;color:#fff;font-size:14px}
button.x{border:0;background:none;font-size:18px;cursor:pointer}</style></head>
<body><header><span>Sign in to chatgpt.com with google.com</span><button class="x" type="button" aria-label="Close">✕</button></header>
<div class="acct"><div class="av" aria-hidden="true"></div><div><div>Alex Example</div><div style="color:#5f6368">alex@gmail.example</div></div></div>
<button class="go" type="button">Continue as Alex</button>
<script>
document.querySelector('.go').addEventListener('click', function () { fetch('/gsi/select', {method: 'POST'}); });
document.querySelector('.x').addEventListener('click', function () { parent.postMessage({gsi: 'close'}, '*'); });
</script></body></html>`
