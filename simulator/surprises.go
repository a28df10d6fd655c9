package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// UnknownDialog is a notice nobody catalogued (Options.UnknownDialog),
// such as the 2026 consent prompt about personalized ads: a Radix modal
// dialog after sign-in, once per session (both eras), until it is closed
// or answered. Closing it (its close control, Escape) decides nothing and
// counts in Counters.DialogsClosed; pressing its accept button or its
// "Learn more" link is a choice and counts in Counters.ChoicePresses.
type UnknownDialog struct {
	// Title and Text default to "Personalized ads" and "Ads in ChatGPT
	// can now be personalized using your chats and memory. You can change
	// this anytime in Settings."
	Title, Text string
	// Accept labels the consent-like primary button, default "Turn on
	// personalized ads".
	Accept string
	// Close is how it closes without a choice; "" means CloseX.
	Close DialogClose
	// OverSettings shows it as the settings open (50 ms after), over them,
	// instead of when the app loads after sign-in.
	OverSettings bool
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
)

// The default wording of an UnknownDialog.
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
	switch n.Close {
	case "":
		n.Close = CloseX
	case CloseX, CloseButton, CloseDismiss, CloseEscape, CloseNone:
	default:
		return nil, fmt.Errorf("simulator: unknown UnknownDialog.Close %q (want x, close, dismiss, escape or none)", n.Close)
	}
	return &n, nil
}

// ParseDialogClose reads a DialogClose as a command-line flag carries it.
func ParseDialogClose(s string) (DialogClose, error) {
	switch c := DialogClose(strings.TrimSpace(s)); c {
	case CloseX, CloseButton, CloseDismiss, CloseEscape, CloseNone:
		return c, nil
	}
	return "", fmt.Errorf("unknown dialog close %q (want x, close, dismiss, escape or none)", s)
}

func validNeeds(n string) bool {
	switch n {
	case "", NeedsAddPhone, NeedsAboutYou, NeedsAge, NeedsPhone:
		return true
	}
	return false
}

// noticeBoot is the UnknownDialog as the page gets it.
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
	s.mu.Lock()
	ss, a := s.bearerLocked(r)
	ok := true
	if ss != nil {
		switch body.Action {
		case "accept", "learn_more":
			a.counters.ChoicePresses++
		case "close", "escape":
			a.counters.DialogsClosed++
		default:
			ok = false
		}
		if ok {
			ss.notice = false
		}
	}
	s.mu.Unlock()
	switch {
	case ss == nil:
		unauthorized(w, r)
	case !ok:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": "unknown action"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"success": true})
	}
}

// ---- the login origin's error page (/unexpected-state) ----

// flowOf finds the flow of a request of either era: by its state
// parameter (2023, or a form's hidden state), else by the login_session
// cookie (current).
func (s *Server) flowOf(r *http.Request) *flow {
	st := r.URL.Query().Get("state")
	if r.Method == http.MethodPost {
		if v := r.PostFormValue("state"); v != "" {
			st = v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.flows[st]; st != "" && f != nil {
		return f
	}
	if c, err := r.Cookie(s.flowCookie()); err == nil {
		return s.flows[c.Value]
	}
	return nil
}

// stateSuffix is "?state=ID" for a 2023 flow, which the pages find by its
// state parameter, and "" for a current one (the cookie finds it).
func stateSuffix(f *flow) string {
	if f.era == UI2023 {
		return "?state=" + url.QueryEscape(f.id)
	}
	return ""
}

// handleUnexpectedState is the error page a sign-in can land on:
// "Oops, an error occurred!" with "Operation timed out" (Account.SiteErrors)
// or naming max_check_attempts (Account.MaxCheckAttempts), and a "Try
// again" button that POSTs here. Trying again after a timeout goes on
// with the flow (another error page while errors remain); after
// max_check_attempts it is a choice that must not be made, and shows the
// same page again.
func (s *Server) handleUnexpectedState(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r)
	s.mu.Lock()
	var a *account
	kind := errTimeout
	if f != nil {
		a = s.lookup(f.email)
		if f.errKind != "" {
			kind = f.errKind
		}
	}
	count := func(c *Counters) {
		if r.Method == http.MethodPost {
			c.TryAgainPresses++
			if kind == errMaxCheck {
				c.ChoicePresses++
			}
		} else {
			c.SiteErrorPages++
		}
	}
	if a != nil {
		count(&a.counters)
	} else {
		count(&s.unattributed)
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
	case f == nil:
		// Nothing to go on with: start again.
		target := "/log-in"
		if s.ui == UI2023 {
			target = "/authorize"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	case kind == errMaxCheck:
		http.Redirect(w, r, "/unexpected-state"+stateSuffix(f), http.StatusSeeOther)
	default:
		s.goNext(w, r, f, http.StatusSeeOther)
	}
}

// ---- pages that need a person ----

// personPaths are the pages of Account.Needs after the password.
var personPaths = map[string]string{
	NeedsAddPhone: "/add-phone",
	NeedsAboutYou: "/about-you",
	NeedsAge:      "/age-verification",
}

var personTemplates = map[string]struct{ name, title string }{
	NeedsAddPhone: {"person-add-phone", "Add a phone number - OpenAI"},
	NeedsAboutYou: {"person-about-you", "Tell us about you - OpenAI"},
	NeedsAge:      {"person-age", "Verify your age - OpenAI"},
	NeedsPhone:    {"person-phone", "Log in with your phone number - OpenAI"},
}

// handlePerson serves a page of Account.Needs: it never lets the flow go
// on; a POST renders it again.
func (s *Server) handlePerson(need string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.flowOf(r)
		s.mu.Lock()
		var a *account
		if f != nil {
			a = s.lookup(f.email)
		}
		ok := f != nil && f.passwordOK && a != nil && a.Needs == need
		if ok {
			a.counters.PersonPages++
		}
		s.mu.Unlock()
		if !ok {
			target := "/log-in"
			if s.ui == UI2023 {
				target = "/authorize"
			}
			http.Redirect(w, r, target, http.StatusFound)
			return
		}
		s.renderPerson(w, need, f)
	}
}

func (s *Server) renderPerson(w http.ResponseWriter, need string, f *flow) {
	t := personTemplates[need]
	page := authPage{Title: t.title}
	if f != nil {
		page.Email = f.email
		if f.era == UI2023 {
			page.State = f.id
		}
	}
	s.renderAuth(w, http.StatusOK, t.name, page)
}

// handlePhoneLogIn is /log-in?usernameKind=phone_number, "Log in with your
// phone number", where an account of Needs "phone" is sent after the
// email step. Nothing gets past it.
func (s *Server) handlePhoneLogIn(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r)
	s.mu.Lock()
	var a *account
	if f != nil {
		a = s.lookup(f.email)
	}
	if a != nil {
		a.counters.PersonPages++
	} else {
		s.unattributed.PersonPages++
	}
	s.mu.Unlock()
	s.renderPerson(w, NeedsPhone, f)
}
