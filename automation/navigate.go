package automation

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// The steps from the chat page to the switch, deepest first: when a deeper
// one is on screen the shallower ones are already done.
const (
	stepSwitch       = "path.switch"
	stepRowOpener    = "path.row_opener"
	stepDataControls = "path.data_controls_tab"
	stepSettingsItem = "path.settings_item"
	stepProfileMenu  = "path.profile_menu"
)

type step struct {
	name string
	el   *selectors.Element
}

func pathSteps(p *selectors.Profile) []step {
	steps := []step{{stepSwitch, &p.Path.Switch}}
	if p.Path.RowOpener != nil {
		steps = append(steps, step{stepRowOpener, p.Path.RowOpener})
	}
	return append(steps,
		step{stepDataControls, &p.Path.DataControlsTab},
		step{stepSettingsItem, &p.Path.SettingsItem},
		step{stepProfileMenu, &p.Path.ProfileMenu},
	)
}

func pathSpec(p *selectors.Profile) probeSpec {
	var spec probeSpec
	for _, st := range pathSteps(p) {
		attr := ""
		if st.name == stepSwitch {
			attr = p.Setting.StateAttribute
		}
		spec.add(st.name, st.el, attr)
	}
	for i := range p.Dialogs {
		spec.add(dialogKey(i), &p.Dialogs[i].Dismiss, "")
	}
	return spec
}

func dialogKey(i int) string { return fmt.Sprintf("dialog.%d", i) }

// maxClicks bounds the clicks on one step of the path: a second click
// covers a click the page missed while it was still rendering; after that,
// a step that leads nowhere is drift.
const maxClicks = 2

// maxDismissals bounds the clicks on dialogs (a tour may need several).
const maxDismissals = 6

// walk is the progress of one openSetting.
type walk struct {
	clicks   map[string]int
	lastAt   map[string]time.Time
	usedMenu bool
	deepLink bool // the settings URL was opened
	awaitURL bool // waiting for the app to open the settings from its URL
}

// openSetting walks from wherever the tab is to the setting's switch and
// returns it, on screen and not covered. It dismisses the dialogs the
// selectors file knows, and clicks an element again only once the page has
// settled without the next step appearing. byURL says the page was just
// loaded from the settings URL: the app opens the settings itself then.
func (s *session) openSetting(ctx context.Context, byURL bool) (*match, error) {
	p := s.profile
	spec := pathSpec(p)
	steps := pathSteps(p)
	w := &walk{clicks: map[string]int{}, lastAt: map[string]time.Time{}, deepLink: byURL, awaitURL: byURL}
	for first := true; ; first = false {
		r, err := probe(ctx, spec, !first)
		if err != nil {
			if ctx.Err() != nil {
				return nil, s.waitError(ctx, "the setting's switch")
			}
			if !transient(err) {
				return nil, &Error{Kind: KindBrowser, Msg: "reading the page failed: " + err.Error(), Err: err}
			}
			if err := sleep(ctx, pollInterval); err != nil {
				return nil, s.waitError(ctx, "the setting's switch")
			}
		} else {
			for _, st := range steps {
				s.observe(st.name, r.el(st.name))
			}
			for i := range p.Dialogs {
				s.observe("dialogs."+p.Dialogs[i].Name, r.el(dialogKey(i)))
			}
			sw := r.el(stepSwitch)
			if sw.found() && !sw.Covered {
				s.noteCandidate(stepSwitch, &p.Path.Switch, sw)
				if s.route == "" {
					s.route = string(RouteDeepLink)
					if w.usedMenu {
						s.route = string(RouteMenu)
					}
				}
				return sw, nil
			}
			acted, err := s.nextStep(ctx, r, steps, w)
			if err != nil {
				return nil, err
			}
			if !acted && s.settled(r) {
				if err := s.pathDrift(ctx, r, steps, w); err != nil {
					return nil, err
				}
			}
		}
		if ctx.Err() != nil {
			return nil, s.waitError(ctx, "the setting's switch")
		}
	}
}

// click presses an element, counting the clicks per step.
func (s *session) click(ctx context.Context, w *walk, name string, m *match) error {
	if err := press(ctx, m.X, m.Y); err != nil {
		return s.actionError(ctx, "clicking "+name, err)
	}
	w.clicks[name]++
	w.lastAt[name] = time.Now()
	return nil
}

// ready reports whether an element may be clicked (again): not yet
// clicked, or clicked and the page settled without the click having an
// effect, and under the limit.
func (w *walk) ready(name string, limit int, settle time.Duration, r *probeResult) bool {
	n := w.clicks[name]
	if n == 0 {
		return true
	}
	return n < limit && time.Since(w.lastAt[name]) > settle && time.Duration(r.QuietMs)*time.Millisecond > settle
}

// nextStep does one thing on the way to the switch, if there is one to do.
// It reports false when nothing can be done (yet).
func (s *session) nextStep(ctx context.Context, r *probeResult, steps []step, w *walk) (bool, error) {
	p := s.profile
	// Dialogs first: they cover what lies under them.
	for i := range p.Dialogs {
		key := dialogKey(i)
		if m := r.el(key); m.found() && !m.Covered {
			if !w.ready(key, maxDismissals, s.cfg.Settle/4, r) {
				return w.clicks[key] < maxDismissals, nil
			}
			s.log.Info("dismissing a dialog", "dialog", p.Dialogs[i].Name)
			return true, s.click(ctx, w, key, m)
		}
	}
	for _, st := range steps[1:] { // the switch itself is handled by the caller
		m := r.el(st.name)
		if !m.found() || m.Covered {
			// A covered step lies under what an earlier click opened (or
			// under something unknown: pathDrift tells which).
			continue
		}
		if (st.name == stepProfileMenu || st.name == stepSettingsItem) && s.cfg.Route == RouteDeepLink && !w.deepLink {
			return true, s.openDeepLink(ctx, w)
		}
		if w.awaitURL && (st.name == stepProfileMenu || st.name == stepSettingsItem || st.name == stepDataControls) {
			// The app opens the settings at the tab its URL names once it
			// has loaded; clicking the menu or the tab meanwhile races it
			// (the menu and the settings dialog fight over focus and
			// clicks). Only a page that settled without them gets clicks.
			if !s.settled(r) {
				return true, nil
			}
			s.warn(fmt.Sprintf("the settings URL %s did not open the settings at Data controls; clicked %s instead: update urls.settings in selectors file %s (version %s)",
				p.URLs.Settings, st.name, s.cfg.Selectors.Source, s.cfg.Selectors.Version))
			w.awaitURL = false
		}
		if !w.ready(st.name, maxClicks, s.cfg.Settle, r) {
			return w.clicks[st.name] < maxClicks, nil
		}
		if st.name == stepProfileMenu || st.name == stepSettingsItem {
			w.usedMenu = true
		}
		s.noteCandidate(st.name, st.el, m)
		s.log.Info("clicking", "step", st.name, "element", m.Desc, "input", st.el.Input)
		return true, s.click(ctx, w, st.name, m)
	}
	return false, nil
}

// openDeepLink opens the settings through their URL.
func (s *session) openDeepLink(ctx context.Context, w *walk) error {
	w.deepLink, w.awaitURL = true, true
	s.route = string(RouteDeepLink)
	s.log.Info("opening the settings by their URL", "url", s.url(s.profile.URLs.Settings))
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(s.profile.URLs.Settings))); err != nil {
		return s.actionError(ctx, "opening "+s.profile.URLs.Settings, err)
	}
	return nil
}

// pathDrift is called on a still page where no step can be taken. With the
// auto route, a broken menu path falls back to the deep link once.
func (s *session) pathDrift(ctx context.Context, r *probeResult, steps []step, w *walk) error {
	// The deepest step on screen was done and led nowhere: the one after it
	// is what went missing. With nothing on screen, the menu itself is.
	missing := steps[len(steps)-1]
	for i, st := range steps {
		m := r.el(st.name)
		if !m.found() {
			continue
		}
		if m.Covered && w.clicks[st.name] == 0 {
			return newError(KindSelectorDrift, "%s (%s) is covered by %s, which the selectors file %s (version %s) does not know how to dismiss: add it to dialogs",
				st.name, m.Desc, m.Cover, s.cfg.Selectors.Source, s.cfg.Selectors.Version)
		}
		if i > 0 {
			missing = steps[i-1]
		}
		break
	}
	if s.cfg.Route == RouteAuto && !w.deepLink && s.route == "" && (missing.name == stepSettingsItem || missing.name == stepProfileMenu || missing.name == stepDataControls) {
		s.warn(fmt.Sprintf("the menu path stopped at %s (%s); opened the settings by their URL instead: update the selectors file %s (version %s)",
			missing.name, describeCandidates(missing.el, r.el(missing.name)), s.cfg.Selectors.Source, s.cfg.Selectors.Version))
		return s.openDeepLink(ctx, w)
	}
	s.lost = &lostElement{missing.name, missing.el}
	m := r.el(missing.name)
	why := "matches nothing"
	if m.ambiguous() {
		why = "matches more than one element, and the tool never guesses"
	}
	return newError(KindSelectorDrift, "%s %s on %s: the UI no longer matches selectors file %s (version %s, profile %s). Candidates: %s",
		missing.name, why, r.URL, s.cfg.Selectors.Source, s.cfg.Selectors.Version, s.profile.Name, describeCandidates(missing.el, m))
}
