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

// UnknownDialog is a notice nobody catalogued (Options.UnknownDialog),
// such as the 2026 consent prompt about personalized ads: a Radix modal
// dialog after sign-in, once per session (both eras), until it is closed
// or answered. Closing it (its close control, Escape) decides nothing and
// counts in Counters.DialogsClosed; pressing its accept button or its
// "Learn more" link is a choice and counts in Counters.ChoicePresses.
type UnknownDialog struct {
	// Title, Text and Accept (the consent-like primary button's label)
	// default to "Personalized ads", "Ads in ChatGPT can now be
	// personalized using your chats and memory. You can change this
	// anytime in Settings." and "Turn on personalized ads".
	Title, Text, Accept string
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
	if n.Close = cmp.Or(n.Close, CloseX); !slices.Contains(dialogCloses, n.Close) {
		return nil, fmt.Errorf("simulator: unknown UnknownDialog.Close %q (want x, close, dismiss, escape or none)", n.Close)
	}
	return &n, nil
}

var dialogCloses = []DialogClose{CloseX, CloseButton, CloseDismiss, CloseEscape, CloseNone}

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

// ---- the login origin's error page (/unexpected-state) ----

// flowOf finds the flow of a request by its state parameter (2023, or a
// form's hidden state) and, with byCookie, else by the login_session
// cookie (current).
func (s *Server) flowOf(r *http.Request, byCookie bool) *flow {
	st := r.URL.Query().Get("state")
	if r.Method == http.MethodPost && r.PostFormValue("state") != "" {
		st = r.PostFormValue("state")
	}
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

// countersLocked are the counters of a, or the unattributed ones for nil.
func (s *Server) countersLocked(a *account) *Counters {
	if a != nil {
		return &a.counters
	}
	return &s.unattributed
}

// flowAccountLocked is the account of the flow's email, or nil.
func (s *Server) flowAccountLocked(f *flow) *account {
	if f == nil {
		return nil
	}
	return s.lookup(f.email)
}

// restartPath is where a sign-in with nothing to go on starts again.
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

// handleUnexpectedState is the error page a sign-in can land on:
// "Oops, an error occurred!" with "Operation timed out" (Account.SiteErrors)
// or naming max_check_attempts (Account.MaxCheckAttempts), and a "Try
// again" button that POSTs here. Trying again after a timeout goes on
// with the flow (another error page while errors remain); after
// max_check_attempts it is a choice that must not be made, and shows the
// same page again.
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

// ---- pages that need a person ----

// personPages are the pages of Account.Needs: their paths after the
// password (NeedsPhone has none: it is /log-in?usernameKind=phone_number),
// templates and titles.
var personPages = map[string]struct{ path, template, title string }{
	NeedsAddPhone: {"/add-phone", "person-add-phone", "Add a phone number - OpenAI"},
	NeedsAboutYou: {"/about-you", "person-about-you", "Tell us about you - OpenAI"},
	NeedsAge:      {"/age-verification", "person-age", "Verify your age - OpenAI"},
	NeedsPhone:    {"", "person-phone", "Log in with your phone number - OpenAI"},
}

// handlePerson serves a page of Account.Needs: it never lets the flow go
// on; a POST renders it again.
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

// handlePhoneLogIn is /log-in?usernameKind=phone_number, "Log in with your
// phone number", where an account of Needs "phone" is sent after the
// email step. Nothing gets past it.
func (s *Server) handlePhoneLogIn(w http.ResponseWriter, r *http.Request) {
	f := s.flowOf(r, true)
	s.mu.Lock()
	s.countersLocked(s.flowAccountLocked(f)).PersonPages++
	s.mu.Unlock()
	s.renderPerson(w, NeedsPhone, f)
}
