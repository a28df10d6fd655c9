package simulator

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// ChaosPlan is the set of surprises Options.Chaos draws from its seed: the
// first minute on the real site, in a combination a test did not choose,
// for the whole server.
type ChaosPlan struct {
	Seed int64 `json:"seed"`
	// SecurityCheck is nil or a managed challenge with a random mode,
	// Delay 0.3-4 s (0.3-2.5 s on both origins), Origin and AtView 1-3.
	SecurityCheck *SecurityCheck `json:"security_check,omitempty"`
	// Dialog is nil or an UnknownDialog with wording from a pool, a
	// random Close and a random OverSettings.
	Dialog           *UnknownDialog `json:"dialog,omitempty"`
	SiteErrors       int            `json:"site_errors"` // 0, 1, 2 or -1 (always)
	MaxCheckAttempts bool           `json:"max_check_attempts"`
	Needs            string         `json:"needs,omitempty"` // "" mostly; rarely a page of Account.Needs
	// Expect is how a run on an account without surprises of its own
	// must end: "off", or the first terminal surprise (see NewChaosPlan).
	Expect  string `json:"expect"`
	Summary string `json:"summary"` // one line, for a failing test and the sim command
}

// The outcomes a ChaosPlan can expect.
const (
	ExpectOff                   = "off"
	ExpectHumanVerification     = "human_verification"
	ExpectRateLimited           = "rate_limited"
	ExpectSiteError             = "site_error"
	ExpectAccountActionRequired = "account_action_required"
	ExpectSelectorDrift         = "selector_drift"
)

// chaosWordings are an unknown dialog's title, text and accept-like label:
// notices of the kinds 2025-2026 brought.
var chaosWordings = [][3]string{
	{defaultNoticeTitle, defaultNoticeText, defaultNoticeAccept},
	{"Memory is now more helpful", "ChatGPT can now reference all your past chats to give more personal answers.", "Turn on memory"},
	{"Meet the new voice", "Voice conversations now sound more natural, and you can talk with ChatGPT while you browse.", "Try voice"},
	{"We're updating our terms", "Our updated Terms of Use and Privacy Policy take effect soon. Please review and accept them to keep using ChatGPT.", "Accept and continue"},
	{"You're invited to Sora", "Turn your ideas into videos with Sora. Your ChatGPT history can help Sora suggest ideas.", "Accept invite"},
	{"Try Plus free for 1 month", "Get more messages, faster image generation and our most capable models.", "Start free trial"},
	{"Allow location access", "ChatGPT can use your precise location to give more relevant answers about places nearby.", "Allow"},
	{"Connect your apps", "Let ChatGPT use your email, calendar and files to answer with your own information.", "Connect"},
}

// NewChaosPlan draws a plan from seed, deterministically (math/rand/v2,
// PCG seeded by it): the same seed always gives the same plan.
//
// Expect is the first terminal surprise along the way a sign-in walks,
// for a headless tool with a plain Chrome User-Agent that presses "Try
// again" at most three times: app view 1, auth views 1-3 (/authorize,
// /log-in, password or phone-only page), the password, error or person
// pages, the callback, the app (view 2), its settings, a reload (view 3).
// A plan with a CheckInteractive challenge has no other terminal surprise,
// so that its outcome does not hang on how many app pages a tool loads
// before it signs in. The injected waiting stays under about 5 s.
func NewChaosPlan(seed int64) ChaosPlan {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	p := ChaosPlan{Seed: seed}

	if r.Float64() < 0.65 {
		c := &SecurityCheck{Origin: []string{"app", "auth", "both"}[r.IntN(3)], AtView: 1 + r.IntN(3)}
		c.Mode = []CheckMode{CheckClears, CheckHeadless, CheckInteractive}[below(r.Float64(), 0.48, 0.78)]
		ms := 300 + r.IntN(3701)
		if c.Origin == "both" {
			ms = 300 + r.IntN(2201) // two challenges: keep the wait short
		}
		c.Delay = time.Duration(ms) * time.Millisecond
		p.SecurityCheck = c
	}
	if r.Float64() < 0.6 {
		w := chaosWordings[r.IntN(len(chaosWordings))]
		d := &UnknownDialog{Title: w[0], Text: w[1], Accept: w[2], OverSettings: r.IntN(5) < 2}
		d.Close = dialogCloses[below(r.Float64(), 0.25, 0.45, 0.65, 0.88)]
		p.Dialog = d
	}
	p.SiteErrors = []int{0, 1, 2, -1}[below(r.Float64(), 0.45, 0.68, 0.88)]
	p.MaxCheckAttempts = r.Float64() < 0.08
	if r.Float64() < 0.07 {
		p.Needs = []string{NeedsAddPhone, NeedsAboutYou, NeedsAge, NeedsPhone}[r.IntN(4)]
	}

	if p.SecurityCheck != nil && p.SecurityCheck.Mode == CheckInteractive {
		// The challenge alone ends the run.
		p.MaxCheckAttempts, p.Needs = false, ""
		if p.SiteErrors < 0 {
			p.SiteErrors = 2
		}
		if p.Dialog != nil && p.Dialog.Close == CloseNone {
			p.Dialog.Close = CloseEscape
		}
	}
	p.Expect = p.expect()
	p.Summary = p.summary()
	return p
}

// below returns the index of the first of the ascending cuts above x.
func below(x float64, cuts ...float64) int {
	i := 0
	for i < len(cuts) && x >= cuts[i] {
		i++
	}
	return i
}

func (p ChaosPlan) expect() string {
	first, kind := 1e9, ExpectOff
	event := func(at float64, k string) {
		if at < first {
			first, kind = at, k
		}
	}
	if c := p.SecurityCheck; c != nil && c.Mode == CheckInteractive {
		at := max(c.AtView, 1)
		if c.Origin != "auth" && at <= 3 {
			event([]float64{0, 7, 10}[at-1], ExpectHumanVerification)
		}
		if c.Origin != "app" && at <= 3 {
			event(float64(at), ExpectHumanVerification)
		}
	}
	if p.Needs == NeedsPhone {
		event(3.5, ExpectAccountActionRequired)
	}
	if p.MaxCheckAttempts {
		event(4, ExpectRateLimited)
	}
	if p.Needs != "" && p.Needs != NeedsPhone {
		event(5, ExpectAccountActionRequired)
	}
	if p.SiteErrors < 0 {
		event(6, ExpectSiteError)
	}
	if d := p.Dialog; d != nil && d.Close == CloseNone {
		at := 8.0
		if d.OverSettings {
			at = 9
		}
		event(at, ExpectSelectorDrift)
	}
	return kind
}

// Surprises counts the plan's surprises: a challenge, a dialog, site
// errors, max_check_attempts, a page that needs a person.
func (p ChaosPlan) Surprises() int {
	n := 0
	for _, on := range []bool{p.SecurityCheck != nil, p.Dialog != nil, p.SiteErrors != 0, p.MaxCheckAttempts, p.Needs != ""} {
		if on {
			n++
		}
	}
	return n
}

func (p ChaosPlan) summary() string {
	var parts []string
	if c := p.SecurityCheck; c != nil {
		parts = append(parts, fmt.Sprintf("security check %s on %s at view %d after %.1fs", c.Mode, c.Origin, c.AtView, c.Delay.Seconds()))
	}
	if d := p.Dialog; d != nil {
		where := "after sign-in"
		if d.OverSettings {
			where = "over the settings"
		}
		parts = append(parts, fmt.Sprintf("dialog %q (%q) %s, closes by %s", d.Title, d.Accept, where, d.Close))
	}
	switch {
	case p.SiteErrors < 0:
		parts = append(parts, "site errors always")
	case p.SiteErrors > 0:
		parts = append(parts, fmt.Sprintf("%d site error(s)", p.SiteErrors))
	}
	if p.MaxCheckAttempts {
		parts = append(parts, "max_check_attempts")
	}
	if p.Needs != "" {
		parts = append(parts, "needs "+p.Needs)
	}
	if len(parts) == 0 {
		parts = append(parts, "no surprise")
	}
	return fmt.Sprintf("chaos %d: %s; expect %s", p.Seed, strings.Join(parts, "; "), p.Expect)
}

// ChaosPlan returns (a deep copy of) the plan Options.Chaos drew, or nil
// without Chaos. The plan is drawn again: the same seed gives the same plan.
func (s *Server) ChaosPlan() *ChaosPlan {
	if s.opts.Chaos == 0 {
		return nil
	}
	return new(NewChaosPlan(s.opts.Chaos))
}
