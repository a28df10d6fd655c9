package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"

	"github.com/chromedp/chromedp"
)

// maxToggleAttempts bounds the clicks on the switch when the site fails to
// save the change.
const maxToggleAttempts = 3

// stateOf reads the switch's state attribute.
func (s *session) stateOf(m *match) State {
	set := s.profile.Setting
	switch {
	case m.Attr == nil:
		return StateUnknown
	case *m.Attr == set.OnValue:
		return StateOn
	case *m.Attr == set.OffValue:
		return StateOff
	default:
		return StateUnknown
	}
}

// checkMeaning refuses a switch that does not say what the selectors file
// promises: a locator that still matches after a redesign may point at
// another setting, and clicking it would change something the user did not
// ask for. The label must be in the switch's name or text, and the key
// words of the same locale in the text around it.
func (s *session) checkMeaning(m *match) error {
	set := s.profile.Setting
	meanings := set.Meaning
	if len(meanings) == 0 {
		meanings = []selectors.Meaning{{Locale: "any", Label: set.Label}}
	}
	own := strings.ToLower(m.Name + " " + m.Text)
	around := strings.ToLower(m.Context)
	var missing []string
	for _, mn := range meanings {
		if !strings.Contains(own, strings.ToLower(mn.Label)) {
			continue
		}
		missing = nil
		for _, k := range mn.Keywords {
			if !strings.Contains(around, strings.ToLower(k)) {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			s.label = mn.Label
			return nil
		}
		s.lost = &lostElement{stepSwitch, &s.profile.Path.Switch}
		return newError(KindLabelChanged, "the switch labelled %q is no longer described with %q (locale %s): the setting may have changed its meaning, so the tool did not touch it; check the page and update setting.meaning in selectors file %s (version %s)",
			mn.Label, missing, mn.Locale, s.cfg.Selectors.Source, s.cfg.Selectors.Version)
	}
	s.lost = &lostElement{stepSwitch, &s.profile.Path.Switch}
	return newError(KindLabelChanged, "the switch found by %s is labelled %q, not %q: the setting may have changed its meaning, so the tool did not touch it; check the page and update setting.label and setting.meaning in selectors file %s (version %s)",
		s.profile.Path.Switch.Candidates[m.Candidate], m.Name, set.Label, s.cfg.Selectors.Source, s.cfg.Selectors.Version)
}

// turnOff clicks the switch and waits for it to read off. The site flips the
// switch only after its backend answers, so a click counts as failed only
// when the page has settled with the switch unchanged; only then, after a
// backoff, is it clicked again.
func (s *session) turnOff(ctx context.Context, sw *match) (int, error) {
	spec := pathSpec(s.profile)
	for attempt := 1; attempt <= maxToggleAttempts; attempt++ {
		s.log.Info("switching the setting off", "attempt", attempt)
		clickAt := time.Now()
		if err := press(ctx, sw.X, sw.Y); err != nil {
			return attempt, s.actionError(ctx, "clicking the switch", err)
		}
		for {
			r, err := probe(ctx, spec, true)
			if err != nil {
				if ctx.Err() != nil {
					return attempt, s.waitError(ctx, "the switch to turn off")
				}
				if !transient(err) {
					return attempt, s.actionError(ctx, "reading the switch", err)
				}
				if err := sleep(ctx, pollInterval); err != nil {
					return attempt, s.waitError(ctx, "the switch to turn off")
				}
				continue
			}
			m := r.el(stepSwitch)
			if m.found() && s.stateOf(m) == StateOff {
				return attempt, nil
			}
			if s.settled(r) && time.Since(clickAt) > s.cfg.Settle {
				break // the click did not take
			}
		}
		if attempt == maxToggleAttempts {
			break
		}
		if err := sleep(ctx, time.Duration(attempt)*400*time.Millisecond); err != nil {
			return attempt, s.waitError(ctx, "the switch to turn off")
		}
		m, err := s.openSetting(ctx, false)
		if err != nil {
			return attempt, err
		}
		if s.stateOf(m) == StateOff {
			return attempt, nil
		}
		sw = m
	}
	return maxToggleAttempts, newError(KindDidNotStick, "the switch was clicked %d times and still reads on: the site did not save the change; try again later", maxToggleAttempts)
}

// witnessResult is the answer of the read-only backend endpoint.
type witnessResult struct {
	Status int             `json:"status"`
	Value  json.RawMessage `json:"value"`
	Error  string          `json:"error"`
}

const witnessJS = `(async (sessionURL, url, field) => {
  try {
    let headers = {};
    if (sessionURL) {
      const s = await fetch(sessionURL, {credentials: "include"}).then((r) => r.json()).catch(() => ({}));
      if (s && s.accessToken) headers = {Authorization: "Bearer " + s.accessToken};
    }
    const r = await fetch(url, {headers, credentials: "include"});
    if (!r.ok) return {status: r.status};
    let v = await r.json();
    for (const k of field.split(".")) v = v == null ? undefined : v[k];
    return {status: r.status, value: v === undefined ? null : v};
  } catch (e) {
    return {status: 0, error: String(e)};
  }
})`

// witness asks the backend, from the page, whether the setting is off. The
// access token stays in the page; only the field's value comes back.
// It returns ok=false when the endpoint gave no answer to compare.
func (s *session) witness(ctx context.Context) (off bool, ok bool, err error) {
	w := s.profile.Setting.Witness
	if w == nil {
		return false, false, nil
	}
	sessionURL := ""
	if s.profile.URLs.Session != "" {
		sessionURL = s.url(s.profile.URLs.Session)
	}
	args, _ := json.Marshal([]string{sessionURL, s.url(w.URL), w.Field})
	expr := witnessJS + "(..." + string(args) + ")"
	res, err := chromedp.Run(ctx, chromedp.Evaluate[witnessResult](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return false, false, s.actionError(ctx, "asking "+w.URL, err)
	}
	if res.Status != 200 || len(res.Value) == 0 {
		s.warn(fmt.Sprintf("the second witness %s gave no answer (status %d %s)", w.URL, res.Status, res.Error))
		return false, false, nil
	}
	want, _ := json.Marshal(w.OffValue)
	return string(res.Value) == string(want), true, nil
}
