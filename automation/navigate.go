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

// openSetting walks from wherever the tab is to the setting's switch and
// returns it, on screen and not covered. It dismisses the dialogs the
// selectors file knows, and clicks an element again only once the page has
// settled without the next step appearing.
func (s *session) openSetting(ctx context.Context) (*match, error) {
	p := s.profile
	spec := pathSpec(p)
	steps := pathSteps(p)
	clicked := map[string]time.Time{}
	usedMenu := false
	for {
		r, err := probe(ctx, spec)
		if err != nil {
			if ctx.Err() != nil {
				return nil, s.waitError(ctx, "the setting's switch")
			}
			if !transient(err) {
				return nil, &Error{Kind: KindBrowser, Msg: "reading the page failed: " + err.Error(), Err: err}
			}
		} else {
			sw := r.el(stepSwitch)
			if sw.found() && !sw.Covered {
				s.noteCandidate(stepSwitch, &p.Path.Switch, sw)
				if s.route == "" {
					s.route = string(RouteDeepLink)
					if usedMenu {
						s.route = string(RouteMenu)
					}
				}
				return sw, nil
			}
			acted, err := s.nextStep(ctx, r, steps, clicked, &usedMenu)
			if err != nil {
				return nil, err
			}
			if !acted && s.settled(r) {
				if err := s.pathDrift(ctx, r, steps); err != nil {
					return nil, err
				}
			}
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return nil, s.waitError(ctx, "the setting's switch")
		}
	}
}

// nextStep does one thing on the way to the switch, if there is one to do.
func (s *session) nextStep(ctx context.Context, r *probeResult, steps []step, clicked map[string]time.Time, usedMenu *bool) (bool, error) {
	p := s.profile
	// Dialogs first: they cover what lies under them.
	for i := range p.Dialogs {
		if m := r.el(dialogKey(i)); m.found() && !m.Covered {
			if again(clicked, dialogKey(i), s.cfg.Settle, r) {
				s.log.Info("dismissing a dialog", "dialog", p.Dialogs[i].Name)
				if err := press(ctx, m.X, m.Y); err != nil {
					return false, s.actionError(ctx, "dismissing the dialog "+p.Dialogs[i].Name, err)
				}
				clicked[dialogKey(i)] = time.Now()
			}
			return true, nil
		}
	}
	for _, st := range steps[1:] { // the switch itself is handled by the caller
		m := r.el(st.name)
		if !m.found() {
			continue
		}
		if st.name == stepProfileMenu || st.name == stepSettingsItem {
			if s.cfg.Route == RouteDeepLink {
				return s.deepLink(ctx, clicked)
			}
			*usedMenu = true
		}
		if m.Covered {
			// Something lies over the next step: wait for it to go, and
			// call it drift once the page is still.
			if s.settled(r) {
				return false, newError(KindSelectorDrift, "%s (%s) is covered by %s, which the selectors file %s (version %s) does not know how to dismiss: add it to dialogs", st.name, m.Desc, m.Cover, s.cfg.Selectors.Source, s.cfg.Selectors.Version)
			}
			return true, nil
		}
		if again(clicked, st.name, s.cfg.Settle, r) {
			s.noteCandidate(st.name, st.el, m)
			s.log.Info("clicking", "step", st.name, "element", m.Desc, "input", st.el.Input)
			if err := press(ctx, m.X, m.Y); err != nil {
				return false, s.actionError(ctx, "clicking "+st.name, err)
			}
			clicked[st.name] = time.Now()
		}
		return true, nil
	}
	return false, nil
}

// again allows a click on an element that was not clicked yet, or whose
// click had no effect by the time the page settled.
func again(clicked map[string]time.Time, name string, settle time.Duration, r *probeResult) bool {
	at, ok := clicked[name]
	if !ok {
		return true
	}
	return time.Since(at) > settle && time.Duration(r.QuietMs)*time.Millisecond > settle
}

// deepLink opens the settings through their URL.
func (s *session) deepLink(ctx context.Context, clicked map[string]time.Time) (bool, error) {
	if _, ok := clicked["deep_link"]; ok {
		return false, nil
	}
	clicked["deep_link"] = time.Now()
	s.log.Info("opening the settings by their URL", "url", s.url(s.profile.URLs.Settings))
	if err := chromedp.Do(ctx, chromedp.Navigate(s.url(s.profile.URLs.Settings))); err != nil {
		return false, s.actionError(ctx, "opening "+s.profile.URLs.Settings, err)
	}
	s.route = string(RouteDeepLink)
	return true, nil
}

// pathDrift is called on a still page where no step can be taken. With the
// auto route, a broken menu path falls back to the deep link once.
func (s *session) pathDrift(ctx context.Context, r *probeResult, steps []step) error {
	// The deepest step on screen was done and led nowhere: the one after it
	// is what went missing. With nothing on screen, the menu itself is.
	missing := steps[len(steps)-1]
	for i, st := range steps {
		if r.el(st.name).found() {
			if i == 0 {
				m := r.el(st.name)
				return newError(KindSelectorDrift, "%s (%s) is covered by %s, which the selectors file %s (version %s) does not know how to dismiss: add it to dialogs", st.name, m.Desc, m.Cover, s.cfg.Selectors.Source, s.cfg.Selectors.Version)
			}
			missing = steps[i-1]
			break
		}
	}
	if s.cfg.Route == RouteAuto && s.route == "" {
		s.warn(fmt.Sprintf("the menu path stopped at %s (%s); opened the settings by their URL instead: update the selectors file %s (version %s)",
			missing.name, describeCandidates(missing.el, r.el(missing.name)), s.cfg.Selectors.Source, s.cfg.Selectors.Version))
		s.route = string(RouteDeepLink)
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url(s.profile.URLs.Settings))); err != nil {
			return s.actionError(ctx, "opening "+s.profile.URLs.Settings, err)
		}
		return nil
	}
	m := r.el(missing.name)
	why := "matches nothing"
	if m.ambiguous() {
		why = "matches more than one element, and the tool never guesses"
	}
	return newError(KindSelectorDrift, "%s %s on %s: the UI no longer matches selectors file %s (version %s, profile %s). Candidates: %s",
		missing.name, why, r.URL, s.cfg.Selectors.Source, s.cfg.Selectors.Version, s.profile.Name, describeCandidates(missing.el, m))
}
