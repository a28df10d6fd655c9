package simulator

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// CheckMode is how a Cloudflare managed challenge (Options.SecurityCheck)
// ends for a visitor.
type CheckMode string

// The managed challenge's modes.
const (
	CheckClears      CheckMode = "clears"      // passes by itself after SecurityCheck.Delay
	CheckInteractive CheckMode = "interactive" // the checkbox widget after Delay; a tick clears it, except for HeadlessChrome
	CheckHeadless    CheckMode = "headless"    // clears after Delay, or (a HeadlessChrome User-Agent: a signal of its own) turns interactive
)

// SecurityCheck puts a Cloudflare managed challenge in front of the app
// and/or the login origin: from a visitor's AtView-th HTML page load there
// until it holds a valid cf_clearance, the answer is the 403 "Just a
// moment..." page. A visitor is a cookie jar (__cf_bm), so every browser
// context of a fleet clears on its own.
type SecurityCheck struct {
	Mode   CheckMode     // CheckClears, CheckInteractive or CheckHeadless
	Delay  time.Duration // how long the first face shows; 0 means 2 s
	Origin string        // "app", "auth" or "both" ("" means both)
	AtView int           // the first page load challenged; 0 or 1 = the first
}

// Client is what the site received from one browser on its HTML page
// requests (Server.Clients).
type Client struct {
	UserAgent      string // the User-Agent header
	SecCHUA        string // the sec-ch-ua client hint ("" when not sent)
	AcceptLanguage string // the Accept-Language header
}

// CheckCounters count the managed challenge's work, server-wide: the
// visitor is not an account yet.
type CheckCounters struct {
	Shown             int // challenge pages served (403 "Just a moment...")
	Cleared           int // cf_clearance cookies issued
	TurnedInteractive int // challenges that turned into the checkbox widget
	Ticks             int // ticks of the widget's checkbox: a person's action, never automation's
}

const (
	checkVisitorCookie   = "__cf_bm"
	checkClearanceCookie = "cf_clearance"
	checkFlowPath        = "/cdn-cgi/challenge-platform/h/g/flow/ov1"
	defaultCheckDelay    = 2 * time.Second
	visitorCookieAge     = 30 * 60            // __cf_bm: 30 minutes
	clearanceCookieAge   = 365 * 24 * 60 * 60 // cf_clearance: the longest passage a zone can set
)

type checkState struct {
	visitors   map[string]*visitor   // by origin + " " + __cf_bm value
	clearances map[string]string     // cf_clearance value → origin
	challenges map[string]*challenge // by the token in the challenge page
	counters   CheckCounters
	clients    []Client // distinct, in the order first seen
}

type visitor struct{ views int }

type challenge struct {
	origin      string
	interactive bool
	created     time.Time
}

func normalizeCheck(c *SecurityCheck) (*SecurityCheck, error) {
	if c == nil {
		return nil, nil
	}
	n := *c
	n.Origin = cmp.Or(n.Origin, "both")
	switch {
	case !slices.Contains([]CheckMode{CheckClears, CheckInteractive, CheckHeadless}, n.Mode):
		return nil, fmt.Errorf("simulator: unknown SecurityCheck.Mode %q (want %s, %s or %s)", n.Mode, CheckClears, CheckInteractive, CheckHeadless)
	case !slices.Contains([]string{"app", "auth", "both"}, n.Origin):
		return nil, fmt.Errorf("simulator: unknown SecurityCheck.Origin %q (want app, auth or both)", n.Origin)
	case n.Delay < 0:
		return nil, fmt.Errorf("simulator: negative SecurityCheck.Delay %v", n.Delay)
	case n.AtView < 0:
		return nil, fmt.Errorf("simulator: negative SecurityCheck.AtView %d", n.AtView)
	}
	n.Delay, n.AtView = cmp.Or(n.Delay, defaultCheckDelay), max(n.AtView, 1)
	return &n, nil
}

func (c *SecurityCheck) covers(origin string) bool {
	return c != nil && (c.Origin == "both" || c.Origin == origin)
}

// isPageRequest reports whether r asks for an HTML page: a GET that is not
// an API call, a beacon, a Cloudflare endpoint, a static asset, a
// WebSocket or the favicon.
func isPageRequest(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	p := r.URL.Path
	notPages := []string{"/api/", "/backend-api/", "/cdn-cgi/", "/ces/", "/assets/", "/celsius/"}
	if slices.ContainsFunc(notPages, func(prefix string) bool { return strings.HasPrefix(p, prefix) }) ||
		p == "/favicon.ico" || strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".js", ".css", ".png", ".jpg", ".svg", ".ico", ".woff", ".woff2", ".json", ".map", ".webp":
		return false
	}
	// A browser says what a request is for; a script's fetch of a page is
	// not a page load.
	if d := r.Header.Get("Sec-Fetch-Dest"); d != "" && d != "document" && d != "iframe" {
		return false
	}
	return true
}

// edge is Cloudflare in front of an origin: it records the clients of HTML
// page requests and answers the managed challenge instead of the page.
func (s *Server) edge(origin string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == checkFlowPath && r.Method == http.MethodPost && s.opts.SecurityCheck.covers(origin):
			s.handleCheckFlow(w, r, origin)
			return
		case isPageRequest(r): // never checkFlowPath, under /cdn-cgi/
			s.recordClient(r)
			if s.opts.SecurityCheck.covers(origin) && s.challengeNeeded(w, r, origin) {
				s.renderCheck(w, r, origin)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recordClient(r *http.Request) {
	c := Client{UserAgent: r.UserAgent(), SecCHUA: r.Header.Get("Sec-CH-UA"), AcceptLanguage: r.Header.Get("Accept-Language")}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.cf.clients, c) {
		s.cf.clients = append(s.cf.clients, c)
	}
}

// challengeNeeded counts the visitor's page view and reports whether it
// must be challenged. A visitor without a __cf_bm cookie gets one.
func (s *Server) challengeNeeded(w http.ResponseWriter, r *http.Request, origin string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := r.Cookie(checkClearanceCookie); err == nil && s.cf.clearances[c.Value] == origin {
		return false
	}
	var v *visitor
	if c, err := r.Cookie(checkVisitorCookie); err == nil {
		v = s.cf.visitors[origin+" "+c.Value]
	}
	if v == nil {
		id := randomB64(43)
		v = &visitor{}
		s.cf.visitors[origin+" "+id] = v
		http.SetCookie(w, &http.Cookie{Name: checkVisitorCookie, Value: id, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteLaxMode, MaxAge: visitorCookieAge})
	}
	v.views++
	return v.views >= s.opts.SecurityCheck.AtView
}

func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, origin string) {
	tok := randomText(32)
	s.mu.Lock()
	now := time.Now()
	maps.DeleteFunc(s.cf.challenges, func(_ string, c *challenge) bool { return now.Sub(c.created) > flowTTL })
	s.cf.challenges[tok] = &challenge{origin: origin, created: now}
	s.cf.counters.Shown++
	s.mu.Unlock()
	base := s.appURL
	if origin == "auth" {
		base = s.authURL
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=UTF-8")
	h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0")
	h.Set("cf-mitigated", "challenge")
	h.Set("Server", "cloudflare")
	h.Set("CF-RAY", randomFrom("0123456789abcdef", 16)+"-AMS")
	renderHTML(w, http.StatusForbidden, "managed-challenge", map[string]any{
		"Host":     strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"),
		"Token":    tok,                                                             // ties the script's answer to this challenge
		"RT":       randomB64(40) + "-" + fmt.Sprint(now.Unix()) + "-0-gaNycGzNCzs", // the __cf_chl_rt_tk value put on the URL
		"DelayMs":  s.opts.SecurityCheck.Delay.Milliseconds(),
		"FlowPath": checkFlowPath,
	})
}

// handleCheckFlow is the challenge script's call: action "auto" after the
// checks of the non-interactive face, "tick" when the widget's checkbox
// was ticked. It sets cf_clearance on success.
func (s *Server) handleCheckFlow(w http.ResponseWriter, r *http.Request, origin string) {
	tok, action := r.PostFormValue("chl"), r.PostFormValue("action")
	headless := strings.Contains(r.UserAgent(), "HeadlessChrome")
	s.mu.Lock()
	c := s.cf.challenges[tok]
	if c == nil || c.origin != origin {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": "unknown challenge"})
		return
	}
	var pass bool
	switch action {
	case "tick":
		s.cf.counters.Ticks++
		// A person ticks the box; Headless Chrome never gets through.
		pass = c.interactive && !headless
	default:
		mode := s.opts.SecurityCheck.Mode
		pass = mode == CheckClears || mode == CheckHeadless && !headless
		if !pass && !c.interactive {
			c.interactive = true
			s.cf.counters.TurnedInteractive++
		}
	}
	var clearance string
	if pass {
		clearance = randomB64(43) + "-" + fmt.Sprint(time.Now().Unix()) + "-1.2.1.1-" + randomB64(40)
		s.cf.clearances[clearance] = origin
		s.cf.counters.Cleared++
		delete(s.cf.challenges, tok)
	}
	s.mu.Unlock()
	if !pass {
		writeJSON(w, http.StatusForbidden, map[string]any{"success": false, "interactive": true})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: checkClearanceCookie, Value: clearance, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: clearanceCookieAge})
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// Clients returns the distinct clients of HTML page requests of either
// origin, in the order first seen.
func (s *Server) Clients() []Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cf.clients)
}

// CheckCounters returns the managed challenge's counters (server-wide).
func (s *Server) CheckCounters() CheckCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cf.counters
}
