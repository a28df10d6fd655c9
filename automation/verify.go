package automation

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// CheckStatus is what Verify found of one element.
type CheckStatus string

// The check statuses.
const (
	CheckOK      CheckStatus = "ok"       // the primary candidate matched one element
	CheckStale   CheckStatus = "stale"    // a later candidate matched: fix the file before it breaks
	CheckMissing CheckStatus = "missing"  // the flow needed it and no candidate matched
	CheckNotSeen CheckStatus = "not_seen" // the flow did not pass that page (e.g. no MFA)
)

// ElementCheck is what verify learnt of one element of the selectors file.
type ElementCheck struct {
	Element   string      `json:"element"`
	Candidate string      `json:"candidate,omitempty"` // the candidate that matched
	Index     int         `json:"index,omitempty"`     // its 1-based place in the list
	Matches   int         `json:"matches"`             // elements it matched
	Input     string      `json:"input,omitempty"`
	Status    CheckStatus `json:"status"`

	candidates []string // the file's candidates, for a DriftError
}

// Verify walks the whole path read-only, as Status does, and reports for
// every element of the profile which candidate matched and how many
// elements it matched. An element the flow needed and did not find ends
// the run with a *DriftError naming it; the table is in the result anyway.
func Verify(ctx context.Context, b *Browser, acct Account, cfg Config) (*Result, error) {
	return run(ctx, b, acct, cfg, modeVerify)
}

// observation is the last sighting of an element.
type observation struct {
	candidate int
	counts    []int
}

// observe records that an element was seen on the page, keeping the best
// sighting: a page further on may show a look-alike that only a fallback
// candidate matches (the read-only email field on the password page).
func (s *session) observe(name string, m *match) {
	if s.seen == nil || !m.found() {
		return
	}
	if o, ok := s.seen[name]; ok && o.candidate <= m.Candidate {
		return
	}
	s.seen[name] = observation{candidate: m.Candidate, counts: m.Counts}
}

// verifyTable is the verify table of profile p, in file order, from the
// elements a run sighted and how it ended: an element the flow needs is
// missing when the run got past its step without seeing it (no error, or
// the deep link) or stopped there (runErr's drift names it); anything else
// unseen is "not seen".
func verifyTable(p *selectors.Profile, seen map[string]observation, runErr error, signedByEndpoint bool, route Route) []ElementCheck {
	type entry struct {
		name     string
		el       *selectors.Element
		required bool
	}
	l := &p.Login
	entries := []entry{
		{"login.entry", &l.Entry, false}, {"login.email", &l.Email, false}, {"login.email_submit", &l.EmailSubmit, false},
		{"login.password", &l.Password, false}, {"login.password_submit", &l.PasswordSubmit, false},
		{"login.mfa_code", l.MFACode, false}, {"login.mfa_submit", l.MFASubmit, false},
		{"login.skip", l.Skip, false}, {"login.password_way_out", l.PasswordWayOut, false}, {"login.account_chooser", l.AccountChooser, false},
		// Not missing where the session endpoint proved the sign-in.
		{"signed_in", &p.SignedIn, !signedByEndpoint},
	}
	for i := range p.Dialogs {
		entries = append(entries, entry{"dialogs." + p.Dialogs[i].Name, &p.Dialogs[i].Dismiss, false})
	}
	entries = append(entries,
		entry{stepProfileMenu, &p.Path.ProfileMenu, true}, entry{stepSettingsItem, &p.Path.SettingsItem, true},
		entry{stepDataControls, &p.Path.DataControlsTab, true}, entry{stepRowOpener, p.Path.RowOpener, true},
		entry{stepSwitch, &p.Path.Switch, true})
	// The settings beside training: one not offered is not seen, not missing.
	for _, x := range p.Settings {
		at := "settings." + x.Name
		if x.Tab != nil {
			entries = append(entries, entry{at + ".tab", x.Tab, false})
		}
		if x.Opener != nil {
			entries = append(entries, entry{at + ".opener", x.Opener, false})
		}
		for j := range x.Switches {
			entries = append(entries, entry{fmt.Sprintf("%s.switches.%d", at, j), &x.Switches[j].Element, false})
		}
	}
	lost := ""
	var drift *DriftError
	if errors.As(runErr, &drift) {
		lost = drift.Element
	}
	var out []ElementCheck
	for _, e := range entries {
		if e.el == nil {
			continue
		}
		c := ElementCheck{Element: e.name, Input: string(e.el.Input), Status: CheckNotSeen}
		for _, cand := range e.el.Candidates {
			c.candidates = append(c.candidates, cand.String())
		}
		if o, ok := seen[e.name]; ok {
			c.Candidate = e.el.Candidates[o.candidate].String()
			c.Index = o.candidate + 1
			c.Matches = o.counts[o.candidate]
			c.Status = CheckOK
			if o.candidate > 0 {
				c.Status = CheckStale
			}
		} else if e.required && (runErr == nil || lost == e.name || route == RouteDeepLink) {
			// The flow got past (or stopped at) this step without seeing it.
			c.Status = CheckMissing
		}
		out = append(out, c)
	}
	return out
}

// verifyError is the drift a verify run ends with when an element is missing.
func verifyError(checks []ElementCheck, f *selectors.File, url string) error {
	for _, c := range checks {
		if c.Status == CheckMissing {
			return &DriftError{Kind: KindSelectorDrift, Element: c.Element, URL: url, Candidates: c.candidates,
				Msg: fmt.Sprintf("%s matches nothing on the page: selectors file %s (version %s) needs an update", c.Element, f.Source, f.Version)}
		}
	}
	return nil
}
