package automation

import (
	"context"
	"fmt"

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
	return stepsTo(p, &p.Path.Switch, p.Path.RowOpener, &p.Path.DataControlsTab)
}

// stepsTo are the steps to a switch sw, behind opener (nil: none) on tab.
func stepsTo(p *selectors.Profile, sw, opener, tab *selectors.Element) []step {
	steps := []step{{stepSwitch, sw}}
	if opener != nil {
		steps = append(steps, step{stepRowOpener, opener})
	}
	return append(steps, step{stepDataControls, tab}, step{stepSettingsItem, &p.Path.SettingsItem}, step{stepProfileMenu, &p.Path.ProfileMenu})
}

func pathSpec(p *selectors.Profile) probeSpec {
	var spec probeSpec
	spec.add(stepSwitch, &p.Path.Switch, p.Setting.StateAttribute)
	return withSteps(spec, p, pathSteps(p))
}

// withSteps adds to a spec that reads the switch the steps after it, and
// the dialogs the file knows how to dismiss.
func withSteps(spec probeSpec, p *selectors.Profile, steps []step) probeSpec {
	for _, st := range steps[1:] {
		spec.add(st.name, st.el, "")
	}
	for i := range p.Dialogs {
		spec.add(dialogKey(i), &p.Dialogs[i].Dismiss, "")
	}
	return spec
}

func dialogKey(i int) string { return fmt.Sprintf("dialog.%d", i) }

// openSetting walks from wherever the tab is to the setting's switch and
// returns it, on screen and not covered (decidePath). byURL says the page
// was just loaded from the settings URL: the app opens the settings itself.
func (s *session) openSetting(ctx context.Context, byURL bool) (*match, error) {
	p := s.profile
	pl := pathPlan{p: p, steps: pathSteps(p), route: s.cfg.Route, where: s.where()}
	r, err := s.walkTo(ctx, "the setting's switch", pl, pathSpec(p), byURL, func(r *probeResult, _ *walk, g glance) error {
		for _, st := range pl.steps {
			s.observe(st.name, r.el(st.name))
		}
		for i := range p.Dialogs {
			s.observe("dialogs."+p.Dialogs[i].Name, r.el(dialogKey(i)))
		}
		// A row that stays disabled opens nothing: the setting is
		// controlled elsewhere (a parent's account, a workspace), not moved.
		if op := r.el(stepRowOpener); op.found() && op.Disabled && !op.Covered && !r.el(stepSwitch).found() && g.settled() {
			return &errLockedRow{row: op}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r.el(stepSwitch), nil
}

// errLockedRow is a setting's row that the page shows disabled.
type errLockedRow struct{ row *match }

func (e *errLockedRow) Error() string { return "the setting's row is disabled" }

// walkTo walks along pl's steps until its first, the switch, is on screen
// and not covered, and returns that reading. adjust sees every reading
// before the decision (it may set the switch step, or end the walk).
func (s *session) walkTo(ctx context.Context, what string, pl pathPlan, spec probeSpec, byURL bool, adjust func(r *probeResult, w *walk, g glance) error) (*probeResult, error) {
	w := &walk{clicks: map[string]int{}, deepLink: byURL, awaitURL: byURL}
	var found *probeResult
	err := s.await(ctx, what, s.readerOf(probe, spec), func(ctx context.Context, g glance) (reading, error) {
		r := g.r
		if adjust != nil {
			if err := adjust(r, w, g); err != nil {
				return finished, err
			}
		}
		pl.routed = s.route != ""
		mv := decidePath(pl, pathPage{r: r, settled: g.settled(), dialogSettled: g.settledFor(s.cfg.Settle / 4), unknown: topUnknown(r)}, w)
		if mv.warn != "" {
			s.warn(mv.warn)
		}
		if mv.urlGaveUp {
			w.awaitURL = false
		}
		switch mv.act {
		case pathFound:
			found = r
			s.noteCandidate(stepSwitch, pl.steps[0].el, r.el(stepSwitch))
			if s.route == "" {
				s.route = RouteDeepLink
				if w.usedMenu {
					s.route = RouteMenu
				}
			}
			return finished, nil
		case pathFail:
			return finished, mv.err
		case pathCloseDialog:
			return s.closeUnknownDialog(ctx, topUnknown(r), g.settled(), r.URL)
		case pathDeepLink:
			w.deepLink, w.awaitURL, s.route = true, true, RouteDeepLink
			s.log.Info("opening the settings by their URL", "url", s.url(s.profile.URLs.Settings))
			return didAct, s.actionError(ctx, "opening "+s.profile.URLs.Settings, chromedp.Do(ctx, chromedp.Navigate(s.url(s.profile.URLs.Settings))))
		case pathClick:
			return didAct, s.clickStep(ctx, pl, w, mv.step, r.el(mv.step))
		}
		return keepWaiting, nil
	})
	return found, err
}

// where names the selectors file in use, for messages.
func (s *session) where() string {
	return fmt.Sprintf("%s (version %s)", s.cfg.Selectors.Source, s.cfg.Selectors.Version)
}

// clickStep presses a path step or a dialog's dismiss button, counting the
// clicks per element.
func (s *session) clickStep(ctx context.Context, pl pathPlan, w *walk, name string, m *match) error {
	var i int
	_, err := fmt.Sscanf(name, "dialog.%d", &i)
	isDialog := err == nil
	if isDialog {
		s.log.Info("dismissing a dialog", "dialog", pl.p.Dialogs[i].Name)
	} else {
		for _, st := range pl.steps {
			if st.name == name {
				if !pl.alternatives {
					s.noteCandidate(st.name, st.el, m)
				}
				s.log.Info("clicking", "step", st.name, "element", m.Desc, "input", st.el.Input)
			}
		}
		if name == stepProfileMenu || name == stepSettingsItem {
			w.usedMenu = true
		}
	}
	press := pressMatch
	if isDialog && m.Unreachable {
		s.log.Info("no pointer reaches the dialog's button: pressing Enter on it", "element", m.Desc)
		press = pressByKeyboard
	}
	w.clicks[name]++ // a press the page lost counts too: the clicks stay bounded
	return s.actionError(ctx, "clicking "+name, press(ctx, s.world, m))
}
