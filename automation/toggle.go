package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"

	"github.com/chromedp/chromedp"
)

// maxToggleAttempts bounds the clicks on a switch the site fails to save.
const maxToggleAttempts = 3

// stateOf reads the switch's state attribute.
func (s *session) stateOf(m *match) State {
	set := s.profile.Setting
	switch {
	case m.Attr == nil:
	case *m.Attr == set.OnValue:
		return StateOn
	case *m.Attr == set.OffValue:
		return StateOff
	}
	return StateUnknown
}

// checkMeaning refuses a switch that does not say what the selectors file
// promises (decideMeaning).
func (s *session) checkMeaning(m *match) error {
	set := s.profile.Setting
	mn, missing, ok := decideMeaning(set, ownText(m), m.Context)
	switch {
	case ok:
		s.label = mn.Label
		return nil
	case mn != nil:
		return newDrift(KindLabelChanged, stepSwitch, &s.profile.Path.Switch, m, s.lastURL, "the switch labelled %q is no longer described with %q (locale %s): the setting may have changed its meaning, so the tool did not touch it; check the page and update setting.meaning in selectors file %s",
			mn.Label, missing, mn.Locale, s.where())
	}
	return newDrift(KindLabelChanged, stepSwitch, &s.profile.Path.Switch, m, s.lastURL, "the switch found by %s is labelled %q, not %q: the setting may have changed its meaning, so the tool did not touch it; check the page and update setting.label and setting.meaning in selectors file %s",
		s.profile.Path.Switch.Candidates[m.Candidate], m.Name, set.Label, s.where())
}

// ownText is what a switch says of itself: its accessible name and text,
// or where it has neither (a bare button named by nothing), the text of
// its row, which holds a label beside it, and the name of the dialog it is
// the only switch of, whose title is then its label.
func ownText(m *match) string {
	if own := strings.TrimSpace(m.Name + " " + m.Text); own != "" {
		return own
	}
	return strings.TrimSpace(m.Row + " " + m.DialogName)
}

// decideMeaning says whether a switch means what the selectors file
// promises (a locator may match another setting after a redesign): one
// meaning's label (set.Label without any) in its own text, and all its key
// words around. It returns that meaning (nil: none) and the words missing.
func decideMeaning(set selectors.Setting, own, around string) (*selectors.Meaning, []string, bool) {
	meanings := set.Meaning
	if len(meanings) == 0 {
		meanings = []selectors.Meaning{{Locale: "any", Label: set.Label}}
	}
	own, around = strings.ToLower(own), strings.ToLower(around)
	for i := range meanings {
		mn := &meanings[i]
		if !strings.Contains(own, strings.ToLower(mn.Label)) {
			continue
		}
		var missing []string
		for _, k := range mn.Keywords {
			if !strings.Contains(around, strings.ToLower(k)) {
				missing = append(missing, k)
			}
		}
		return mn, missing, len(missing) == 0
	}
	return nil, nil, false
}

// turnOff clicks a switch until find reads it off (decideToggle). A click
// that did not take is tried again only on a fresh page, after a backoff:
// rewalk reloads the page and walks back to the switch. The same page's
// switch may still have a save pending, and a second click on it turns the
// setting back on. off is false when it never read off.
func (s *session) turnOff(ctx context.Context, what string, spec probeSpec, sw *match, find func(*probeResult) *match, rewalk func(context.Context) (*match, error)) (attempt int, off bool, err error) {
	read := s.readerOf(probe, spec)
	for attempt = 1; ; attempt++ {
		s.log.Info("switching off", "switch", what, "attempt", attempt)
		clicked := time.Now()
		// A press that never reached the switch (the page moved under it)
		// reads unchanged below and is tried again from a fresh page.
		if err := pressMatch(ctx, s.world, sw); err != nil && !errors.Is(err, errPressLost) {
			return attempt, false, s.actionError(ctx, "clicking "+what, err)
		}
		err := s.await(ctx, what+" to turn off", read, func(ctx context.Context, g glance) (reading, error) {
			m := find(g.r)
			st := StateUnknown
			if m != nil {
				sw, st = m, s.stateOf(m)
			}
			pending := s.net.writesSince(clicked, time.Now()) > 0
			switch decideToggle(m != nil, st, g.settled(), pending) {
			case toggleWait:
				return keepWaiting, nil
			case toggleOff:
				off = true
			}
			return finished, nil
		})
		if err != nil || off || attempt == maxToggleAttempts {
			return attempt, off, err
		}
		pause := time.Duration(attempt) * 400 * time.Millisecond
		s.ownWait += pause
		if err := sleep(ctx, pause); err != nil {
			return attempt, false, s.endedError(ctx, "waiting to click the switch again")
		}
		s.log.Info("the switch still reads on: reading it again from a fresh page", "switch", what)
		if sw, err = rewalk(ctx); err != nil || s.stateOf(sw) == StateOff {
			return attempt, err == nil, err
		}
	}
}

// loadedSwitch waits, where sw is disabled, until the switch is enabled or
// has stayed disabled while the page showed nothing new for the settle
// cap. A page renders a switch disabled and off while its value loads (a
// skeleton): that reads nothing. One that stays disabled is locked
// (a parent's or a workspace's), and its reading stands.
func (s *session) loadedSwitch(ctx context.Context, what string, spec probeSpec, sw *match, find func(*probeResult) *match) (*match, error) {
	if !sw.Disabled {
		return sw, nil
	}
	s.log.Info("the switch is disabled: waiting for its value to load", "switch", what)
	err := s.await(ctx, what+" to load its value", s.readerOf(probe, spec), func(ctx context.Context, g glance) (reading, error) {
		if m := find(g.r); m != nil {
			sw = m
		}
		if !sw.Disabled || g.stable >= settleCapFactor*g.window {
			return finished, nil
		}
		return keepWaiting, nil
	})
	return sw, err
}

// offHold is how many settle windows a switch without a witness must hold
// off before that reading stands: a page that shows off until its value
// loads does so for about a second.
const offHold = 2

// confirmOff checks a reading of off before it stands: a page can show off
// before it has loaded the value, or a stale copy of it. The backend
// witness w decides where it answers, the page given up to the settle cap
// to catch up with it; without one, the switch must hold off for offHold
// settle windows. A page that keeps off where the backend says on is the
// site's error: clicking the switch would ask to turn the setting on.
func (s *session) confirmOff(ctx context.Context, what string, spec probeSpec, sw *match, find func(*probeResult) *match, w *selectors.Witness) (*match, State, error) {
	off, ok, err := s.witness(ctx, w)
	switch {
	case err != nil:
		return sw, StateUnknown, err
	case ok && off:
		return sw, StateOff, nil
	}
	hold := offHold * s.cfg.Settle
	if ok {
		s.log.Info("the page reads the switch off but the backend reports it on: waiting for the page", "switch", what, "witness", w.URL)
		hold = settleCapFactor * s.cfg.Settle
	}
	sw, caught, err := s.until(ctx, what+" to show its value", spec, sw, find, StateOn, hold)
	switch {
	case err != nil:
		return sw, StateUnknown, err
	case caught:
		return sw, StateOn, nil
	case !ok:
		return sw, StateOff, nil
	case sw.Disabled:
		return sw, StateOn, nil // on, and locked
	}
	return sw, StateUnknown, newError(KindSiteError, "the page reads %s off but %s reports the setting on: the site's page and its backend disagree; nothing was clicked; try again later", what, w.URL)
}

// until re-reads a switch until it reads want (caught), or the page showed
// nothing new for hold.
func (s *session) until(ctx context.Context, what string, spec probeSpec, sw *match, find func(*probeResult) *match, want State, hold time.Duration) (_ *match, caught bool, err error) {
	err = s.await(ctx, what, s.readerOf(probe, spec), func(ctx context.Context, g glance) (reading, error) {
		if m := find(g.r); m != nil {
			sw = m
		}
		if caught = s.stateOf(sw) == want; caught || g.stable >= hold {
			return finished, nil
		}
		return keepWaiting, nil
	})
	return sw, caught, err
}

// witnessResult is the answer of the read-only backend endpoint.
type witnessResult struct {
	Status int             `json:"status"`
	Value  json.RawMessage `json:"value"`
	Error  string          `json:"error"`
}

// witnessJS asks the endpoint from the page. Each request has its own
// deadline: a hung endpoint gives no answer, not a timeout of the run.
const witnessJS = `(async (sessionURL, tokenField, url, field, timeoutMs) => {
  const dig = ` + digJS + `;
  try {
    let headers = {};
    if (sessionURL && tokenField) {
      const s = await fetch(sessionURL, {credentials: "include", signal: AbortSignal.timeout(timeoutMs)}).then((r) => r.json()).catch(() => ({}));
      const token = dig(s, tokenField);
      if (typeof token === "string" && token) headers = {Authorization: "Bearer " + token};
    }
    const r = await fetch(url, {headers, credentials: "include", signal: AbortSignal.timeout(timeoutMs)});
    if (!r.ok) return {status: r.status};
    const v = dig(await r.json(), field);
    return {status: r.status, value: v === undefined ? null : v};
  } catch (e) {
    return {status: 0, error: String(e)};
  }
})`

// digJS reads a dotted path ("settings.training_allowed") of a JSON value
// in the page scripts; undefined where the path leads nowhere.
const digJS = `(v, path) => {
    for (const k of path.split(".")) v = v == null ? undefined : v[k];
    return v;
  }`

// witnessTimeout bounds each request of the witness.
const witnessTimeout = 5 * time.Second

// witness asks the backend w (nil: none), from the page, whether the
// setting is off. The access token stays in the page; only the field's
// value comes back. ok is false when the endpoint gave no answer.
func (s *session) witness(ctx context.Context, w *selectors.Witness) (off bool, ok bool, err error) {
	if w == nil {
		return false, false, nil
	}
	sessionURL := ""
	if s.profile.URLs.Session != "" {
		sessionURL = s.url(s.profile.URLs.Session)
	}
	args, _ := json.Marshal([]any{sessionURL, s.profile.SessionTokenField, s.url(w.URL), w.Field, witnessTimeout.Milliseconds()})
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
