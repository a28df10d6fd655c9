package automation

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/state"
)

// session is the state of one account's run in its own browser context.
// The chromedp context is passed to every method, never kept here.
type session struct {
	cfg     Config
	opts    BrowserOptions // of the browser the run is on
	acct    Account
	profile *selectors.Profile // chosen or detected UI profile
	log     *slog.Logger

	state       *state.Session  // the saved session loaded for this run, if any
	signed      bool            // the run got past the sign-in
	start       time.Time       // when the run began, for timeouts
	origins     map[string]bool // origins of the pages the run read, for the saved state
	submittedAt time.Time       // the last sign-in submit: a code email for it arrives after it
	codeUID     mailbox.UID     // the mailbox message of the last emailed code typed

	world   *world // the probe's isolated world in the tab
	net     *netTracker
	console *consoleLog

	route    Route
	ownWait  time.Duration // Timings.OwnWait
	lastURL  string        // of the page the run read last
	warnings []string
	label    string                 // the setting's label as found on the page
	entered  int                    // sign-in forms filled in, across sign-ins
	stale    map[string]bool        // elements already warned about
	seen     map[string]observation // verify only: elements sighted

	sessionLive      bool      // the session endpoint's last answer
	sessionAsked     time.Time // when it was asked
	signedByEndpoint bool      // the session endpoint, not signed_in, proved the last sign-in

	check       checkEpisode            // the run's time on security checks
	dialogTries map[string]*dialogTries // unknown dialogs, by openDialog.id
	closing     *closingDialog          // the last unknown dialog closed, until confirmed
	artifacts   []string                // written during the run (a dialog's screenshot)
	siteRetries int                     // the sign-in's error page, retried so far

	planName string // the account's plan as the page named it
	planRead bool   // the plan was read (planName may still be "")
	// The switches the run handled last: the element that opened them (a
	// row that opens a dialog; nil on a panel), what reads them, and when.
	opened   *selectors.Element
	lastSw   probeSpec
	openedAt time.Time
	// atSettings says the page was loaded from the settings URL, signed in
	// by a saved session, and no walk has used that yet: training's walk
	// then waits for the app to open the settings itself.
	atSettings  bool
	lastReading *probeResult // for the messages of a decision taken after its loop
}

// warn records a message for the result and the log, once.
func (s *session) warn(msg string) {
	if slices.Contains(s.warnings, msg) {
		return
	}
	s.warnings = append(s.warnings, msg)
	s.log.Warn(msg)
}

// noteCandidate warns when an element was found by a fallback candidate:
// the earlier ones are stale and the file should be fixed before they all are.
func (s *session) noteCandidate(name string, el *selectors.Element, m *match) {
	if m.Candidate <= 0 || s.stale[name] {
		return
	}
	if s.stale == nil {
		s.stale = map[string]bool{}
	}
	s.stale[name] = true
	s.warn(fmt.Sprintf("selectors file %s: %s was found by its fallback candidate %d (%s); the primary %s matched nothing: update the file",
		s.cfg.Selectors.Version, name, m.Candidate+1, el.Candidates[m.Candidate], el.Candidates[0]))
}

// url joins the base URL and a path from the selectors file.
func (s *session) url(path string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + path
}

// consoleLog keeps the page's console messages for the artifacts.
type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) add(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) < 2000 {
		c.lines = append(c.lines, line)
	}
}

func (c *consoleLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}
