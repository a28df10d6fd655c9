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
	mn, missing, ok := decideMeaning(set, m.Name+" "+m.Text, m.Context)
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

// turnOff clicks a switch until find reads it off (decideToggle), after a
// backoff each time, from a fresh walk where rewalk is set (there a lost
// press is an error; without, the switch reads unchanged). off is false
// when it never read off.
func (s *session) turnOff(ctx context.Context, what string, spec probeSpec, sw *match, find func(*probeResult) *match, rewalk func(context.Context) (*match, error)) (attempt int, off bool, err error) {
	read := s.readerOf(probe, spec)
	for attempt = 1; ; attempt++ {
		s.log.Info("switching off", "switch", what, "attempt", attempt)
		if err := pressMatch(ctx, s.world, sw); err != nil && (rewalk != nil || !errors.Is(err, errPressLost)) {
			return attempt, false, s.actionError(ctx, "clicking "+what, err)
		}
		err := s.await(ctx, what+" to turn off", read, func(ctx context.Context, g glance) (reading, error) {
			m := find(g.r)
			st := StateUnknown
			if m != nil {
				sw, st = m, s.stateOf(m)
			}
			switch decideToggle(m != nil, st, g.settled()) {
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
		if rewalk == nil {
			continue
		}
		if sw, err = rewalk(ctx); err != nil || s.stateOf(sw) == StateOff {
			return attempt, err == nil, err
		}
	}
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
