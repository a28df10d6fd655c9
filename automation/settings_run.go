package automation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// walkToExtra walks to a setting's switches and returns them, or
// errNotOffered where the file says they may be missing.
func (s *session) walkToExtra(ctx context.Context, x *selectors.ExtraSetting, byURL bool) ([]aSwitch, error) {
	s.closeOpened(ctx, x.Opener)
	pl := pathPlan{p: s.profile, steps: extraSteps(s.profile, x), route: s.cfg.Route, routed: s.route != "", where: s.where(), alternatives: true}
	spec := withSteps(switchesSpec(s.profile, x), s.profile, pl.steps)
	opened := false
	r, err := s.walkTo(ctx, "the "+x.Name+" setting's switches", pl, spec, byURL, func(r *probeResult, w *walk, g glance) error {
		// The walk's first step is any switch of the setting, uncovered.
		opened = opened || w.clicks[stepRowOpener] > 0
		inside := opened || x.Opener != nil && sameElement(s.opened, x.Opener) && r.el(stepRowOpener).Covered
		if inside {
			// The dialog on top is the one the setting's opener opened,
			// not one nobody described.
			r.Dialogs = nil
		}
		at := "settings." + x.Name
		if x.Tab != nil {
			s.observe(at+".tab", r.el(stepDataControls))
		}
		if x.Opener != nil {
			s.observe(at+".opener", r.el(stepRowOpener))
		}
		for j := range x.Switches {
			s.observe(fmt.Sprintf("%s.switches.%d", at, j), r.el(fmt.Sprintf("switch.%d", j)))
		}
		sws := switchesIn(x, r, opened)
		m := &match{Candidate: -1, Counts: []int{0}}
		if len(sws) > 0 {
			c := *sws[0].m
			c.Candidate, c.Counts = 0, []int{len(sws)}
			m = &c
		}
		r.Elements[stepSwitch] = m
		// A setting of uncertain rollout missing from the dialog its opener
		// opened, once the reading stayed the same a moment (the rows render
		// with it), is not offered: the busy page around says nothing.
		rendered := g.stable >= s.cfg.Settle/4 || !opened && time.Since(s.openedAt) >= s.cfg.Settle/4
		if off, note := absentIs(x, ""); off && inside && len(sws) == 0 && x.Offered == selectors.OfferedUncertain && rendered {
			return &errNotOffered{note: note}
		}
		return nil
	})
	var drift *DriftError
	if errors.As(err, &drift) && r == nil && drift.Element != "unknown_dialogs" {
		// Nothing of the setting is on the page (a tab, a row, its
		// switches): not offered where the file allows it, else drift.
		if off, note := absentIs(x, s.readPlan(ctx)); off {
			return nil, &errNotOffered{note: note}
		}
		if last := s.lastReading; last != nil {
			return nil, s.settingDrift(x, last, pl)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if !sameElement(s.opened, x.Opener) || x.Opener == nil {
		s.openedAt = time.Now()
	}
	s.opened, s.lastSw = x.Opener, switchesSpec(s.profile, x)
	return switchesIn(x, r, opened), nil
}

// stepDialogClose is the control that closes a setting's own dialog.
const stepDialogClose = "setting.dialog_close"

// closeOpened closes the dialog the last setting's switches were in, when
// the next setting is not behind the same opener: Escape, and where the
// page settled with the opener still covered, the dialog's own close
// control (setting.dialog_close: Done, Close) once. It waits, until the
// page settles at most, for the opener to be uncovered again.
func (s *session) closeOpened(ctx context.Context, next *selectors.Element) {
	if s.opened == nil || sameElement(s.opened, next) {
		return
	}
	s.opened = nil
	s.log.Info("closing the setting's dialog")
	if err := pressKey(ctx, "Escape", 27, ""); err != nil {
		return
	}
	spec := s.lastSw
	spec.Elements = maps.Clone(spec.Elements)
	var closers []selectors.Candidate
	for _, name := range s.profile.Setting.DialogClose {
		closers = append(closers, selectors.Candidate{Role: "button", Name: name})
	}
	if len(closers) > 0 {
		// Every visible, uncovered one: the dialog on top's, not the
		// settings' own Close under it.
		spec.Elements[stepDialogClose] = elementSpec{Candidates: closers, All: true}
	}
	pressed := false
	_ = s.await(ctx, "the setting's dialog to close", s.readerOf(look, spec), func(ctx context.Context, g glance) (reading, error) {
		if op := g.r.el(stepRowOpener); op.found() && !op.Covered {
			return finished, nil
		}
		if !g.settled() {
			return keepWaiting, nil
		}
		// Only a dialog still over the opener is closed by its control.
		if m := g.r.el(stepDialogClose); !pressed && g.r.el(stepRowOpener).found() && m.found() && len(m.All) > 0 && !m.All[0].AriaHidden {
			pressed = true
			s.log.Info("Escape did not close the setting's dialog: pressing its control", "with", m.All[0].Name)
			return didAct, pressMatch(ctx, s.world, m.All[0])
		}
		return finished, nil
	})
}

// extra reads one setting (training's is s.training) and, unless readOnly,
// switches off each of its switches that is on; changed says it wrote
// something. A setting not offered, locked, or that did not take ends in
// its result; err is only what ends the run (drift, a timeout, the browser).
func (s *session) extra(ctx context.Context, res *Result, name DataSetting, readOnly bool) (sr SettingResult, changed bool, err error) {
	if name == DataTraining {
		return s.training(ctx, res, readOnly)
	}
	sr = SettingResult{Name: name, Labels: []string{}, Before: StateUnknown, After: StateUnknown, Action: ActionNone}
	notOffered := func(note string) (SettingResult, bool, error) {
		sr.Outcome, sr.Note = OutcomeNotOffered, note
		s.log.Info("not offered", "setting", name, "note", note)
		return sr, false, nil
	}
	x, ok := s.profile.ExtraSetting(string(name))
	if !ok {
		sr.Outcome, sr.Note = OutcomeNotOffered, fmt.Sprintf("UI profile %s of selectors file %s has no %s setting", s.profile.Name, s.where(), name)
		return sr, false, nil
	}
	if x.Offered == selectors.OfferedPlans {
		if off, note := absentIs(x, s.readPlan(ctx)); off && s.planName != "" {
			return notOffered(note)
		}
	}
	sws, err := s.walkToExtra(ctx, x, false)
	if e, ok := err.(*errNotOffered); ok {
		return notOffered(e.note)
	}
	if err != nil {
		return sr, false, err
	}
	states := make([]State, len(sws))
	for i, sw := range sws {
		if why := meaningOf(x, sw); why != "" {
			return sr, false, s.switchesError(x, sw, why)
		}
		states[i] = s.stateOf(sw.m)
		sr.Labels = append(sr.Labels, sw.m.Name)
	}
	sr.Before = sumState(states)
	if sr.Before == StateOff {
		var why error
		if sws, why, err = s.confirmSwitchesOff(ctx, x, sws); err != nil {
			return sr, false, err
		}
		for i, sw := range sws {
			states[i] = s.stateOf(sw.m)
		}
		if sr.Before = sumState(states); why != nil && sr.Before == StateOff {
			sr.Before = StateUnknown
			return failSetting(sr, why), false, nil
		}
	}
	sr.After = sr.Before
	s.log.Info("read the setting", "setting", name, "labels", sr.Labels, "state", sr.Before)
	switch {
	case sr.Before == StateUnknown:
		return sr, false, s.switchesError(x, sws[0], fmt.Sprintf("a switch's %s reads %s, neither on nor off", s.profile.Setting.StateAttribute, attrText(sws[0].m)))
	case sr.Before == StateOff:
		sr.Outcome = OutcomeCompliant
		return sr, false, nil
	}
	for i, sw := range sws {
		if locked(sw.m, states[i]) {
			return failSetting(sr, lockedError(name, sw.m)), false, nil
		}
	}
	switch {
	case readOnly:
		sr.Outcome = OutcomeNoncompliant
		return sr, false, nil
	case s.cfg.DryRun:
		sr.Action, sr.Outcome = ActionWouldTurnOff, OutcomeNoncompliant
		return sr, false, nil
	}
	for i, sw := range sws {
		if states[i] != StateOn {
			continue
		}
		_, off, err := s.turnOff(ctx, "the "+x.Name+" switch", switchesSpec(s.profile, x), sw.m, func(r *probeResult) *match {
			for _, again := range switchesIn(x, r, true) {
				if again.key == sw.key {
					return again.m
				}
			}
			return nil
		}, func(ctx context.Context) (*match, error) {
			byURL, err := s.freshPage(ctx)
			if err != nil {
				return nil, err
			}
			again, err := s.walkToExtra(ctx, x, byURL)
			if e, ok := err.(*errNotOffered); ok {
				return nil, newError(KindDidNotStick, "the %s setting was clicked but is gone after a reload (%s)", x.Name, e.note)
			}
			if err != nil {
				return nil, err
			}
			for _, a := range again {
				if a.key == sw.key {
					return a.m, nil
				}
			}
			return nil, s.switchesError(x, sw, "it is gone after a reload")
		})
		if err != nil {
			return sr, true, err
		}
		if !off {
			return failSetting(sr, newError(KindDidNotStick, "the %s switch %q was clicked %d times and still reads on: the site did not save the change; try again later", x.Name, sw.m.Name, maxToggleAttempts)), true, nil
		}
	}
	sr.Action = ActionTurnedOff
	return sr, true, nil
}

// confirmSwitchesOff checks a setting's switches that all read off before
// that stands, as confirmOff does training's: the backend witnesses where
// they answer, else the switches held off for offHold settle windows. It returns
// the switches as last read; why is the site's error where the page keeps
// off what a witness reports on.
func (s *session) confirmSwitchesOff(ctx context.Context, x *selectors.ExtraSetting, sws []aSwitch) (_ []aSwitch, why error, err error) {
	hold := time.Duration(0)
	for _, sw := range sws {
		var w *selectors.Witness
		if sw.named != nil {
			w = sw.named.Witness
		}
		off, ok, err := s.witness(ctx, w)
		switch {
		case err != nil:
			return sws, nil, err
		case ok && !off:
			s.log.Info("the page reads a switch off but the backend reports it on: waiting for the page", "switch", sw.label, "witness", w.URL)
			why = newError(KindSiteError, "the page reads the %s switch %q off but %s reports it on: the site's page and its backend disagree; nothing was clicked; try again later", x.Name, sw.m.Name, w.URL)
			hold = settleCapFactor * s.cfg.Settle
		case !ok:
			hold = max(hold, offHold*s.cfg.Settle)
		}
	}
	if hold == 0 {
		return sws, nil, nil
	}
	err = s.await(ctx, "the "+x.Name+" switches to show their values", s.readerOf(probe, switchesSpec(s.profile, x)), func(ctx context.Context, g glance) (reading, error) {
		again := switchesIn(x, g.r, true)
		if len(again) == len(sws) {
			sws = again
		}
		if slices.ContainsFunc(sws, func(a aSwitch) bool { return s.stateOf(a.m) == StateOn }) || g.stable >= hold {
			return finished, nil
		}
		return keepWaiting, nil
	})
	return sws, why, err
}

// failSetting records a setting that failed on its own: the other chosen
// settings are still handled.
func failSetting(sr SettingResult, err error) SettingResult {
	sr.Outcome, sr.ErrorKind, sr.Error = OutcomeFailed, KindOf(err), err.Error()
	return sr
}

// verifyExtra reads a changed setting (training's: verifyTraining) back
// after the reload: every switch must read off, and the backend agree where
// the file names a witness.
func (s *session) verifyExtra(ctx context.Context, res *Result, sr *SettingResult, byURL bool) error {
	if sr.Name == DataTraining {
		return s.verifyTraining(ctx, res, sr, byURL)
	}
	x, _ := s.profile.ExtraSetting(string(sr.Name))
	sws, err := s.walkToExtra(ctx, x, byURL)
	if e, ok := err.(*errNotOffered); ok {
		return newError(KindDidNotStick, "the %s setting was switched off but is gone after a reload (%s)", sr.Name, e.note)
	}
	if err != nil {
		return err
	}
	states := make([]State, len(sws))
	for i, sw := range sws {
		states[i] = s.stateOf(sw.m)
	}
	sr.After = sumState(states)
	if sr.After != StateOff {
		return newError(KindDidNotStick, "the %s switches read off after the click but %s after a reload: the site did not keep the change", sr.Name, sr.After)
	}
	for _, sw := range sws {
		if sw.named == nil || sw.named.Witness == nil {
			continue
		}
		off, ok, err := s.witness(ctx, sw.named.Witness)
		if err != nil {
			return err
		}
		if ok && !off {
			sr.After = StateUnknown
			return newError(KindDidNotStick, "the %s switch %q reads off after a reload but %s still reports it on: the change did not stick", sr.Name, sw.label, sw.named.Witness.URL)
		}
	}
	return nil
}
