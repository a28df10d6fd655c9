package automation

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

//go:embed probe.js
var probeJS string

// pollInterval is how long a wait pauses when the page cannot be read (a
// navigation is under way).
const pollInterval = 50 * time.Millisecond

// Waiting probes: the page answers when its DOM changes, or after
// probeWaitMs, and never more often than every probeGapMs.
const (
	probeWaitMs = 250
	probeGapMs  = 25
)

// probeSpec is what one probe looks for.
type probeSpec struct {
	WaitMs   int                          `json:"waitMs,omitempty"`
	MinGapMs int                          `json:"minGapMs,omitempty"`
	Elements map[string]elementSpec       `json:"elements,omitempty"`
	Markers  map[string]selectors.Markers `json:"markers,omitempty"`
	Texts    map[string][]string          `json:"texts,omitempty"`
	Dialogs  *dialogSpec                  `json:"dialogs,omitempty"`
	// Obstacles are the CSS of a third party's boxes over the page, by
	// name (selectors.Obstacle): a cover inside one is named by it.
	Obstacles map[string][]string `json:"obstacles,omitempty"`
	// Prefilled asks, by name, whether the page already holds a value (see
	// probeResult.Prefilled).
	Prefilled map[string]prefillSpec `json:"prefilled,omitempty"`
}

// prefillSpec looks for Value in the fields CSS matches, hidden ones too,
// and in the page's visible text.
type prefillSpec struct {
	CSS   []string `json:"css"`
	Value string   `json:"value"`
}

type elementSpec struct {
	Candidates []selectors.Candidate `json:"candidates"`
	Attr       string                `json:"attr,omitempty"`
	// Holding narrows a candidate that matches several elements to those
	// whose text holds it (case ignored): the row that names the account.
	Holding string `json:"holding,omitempty"`
	// All takes every visible, uncovered match of the first candidate
	// that finds any (match.All): a panel's switches.
	All bool `json:"all,omitempty"`
}

func (s *probeSpec) add(name string, el *selectors.Element, attr string) {
	if el == nil || len(el.Candidates) == 0 {
		return
	}
	if s.Elements == nil {
		s.Elements = map[string]elementSpec{}
	}
	s.Elements[name] = elementSpec{Candidates: el.Candidates, Attr: attr}
}

// match is what the probe found for one element.
type match struct {
	Counts     []int   `json:"counts"`
	Candidate  int     `json:"candidate"` // index of the candidate that matched one element, or -1
	X          float64 `json:"x"`
	Y          float64 `json:"y"`
	Covered    bool    `json:"covered"`
	Cover      string  `json:"cover"`    // what covers it, for messages
	Obstacle   string  `json:"obstacle"` // the obstacle the cover lies in, if any (probeSpec.Obstacles)
	Name       string  `json:"name"`
	Text       string  `json:"text"`
	Disabled   bool    `json:"disabled"`   // disabled or aria-disabled: a click on it is lost
	Filled     bool    `json:"filled"`     // a field that holds a value
	AriaHidden bool    `json:"ariaHidden"` // an ancestor hides it from the accessibility tree (a modal does)
	// Unreachable says only the keyboard reaches it (pointer-events:none):
	// a dialog over a modal layer that set it on the page's body.
	Unreachable bool    `json:"unreachable"`
	Attr        *string `json:"attr"`
	Desc        string  `json:"desc"`
	Context     string  `json:"context"`    // text of the dialog or panel around an element read for its state
	Row         string  `json:"row"`        // text of its row (label, description), for an element read for its state
	DialogName  string  `json:"dialogName"` // name of the dialog it is the only switch of, for an element read for its state

	Offscreen bool `json:"offscreen"` // outside the viewport: pressMatch scrolls it into view
	// All are, with elementSpec.All, every visible and uncovered element
	// found (the first is the match itself).
	All []*match `json:"all"`

	confirmed bool   // a role match was checked against the accessibility tree
	key       string // its name in the probe
}

// found reports whether exactly one visible element matched a candidate.
func (m *match) found() bool { return m != nil && m.Candidate >= 0 }

// ambiguous reports whether no candidate matched one element but some
// matched several: a guess would be unsafe.
func (m *match) ambiguous() bool {
	return m != nil && !m.found() && slices.ContainsFunc(m.Counts, func(c int) bool { return c > 1 })
}

type probeResult struct {
	URL      string            `json:"url"`
	Title    string            `json:"title"`
	Ready    string            `json:"ready"`
	QuietMs  float64           `json:"quietMs"`
	Elements map[string]*match `json:"elements"`
	Markers  map[string]bool   `json:"markers"`
	Texts    map[string]string `json:"texts"`
	Dialogs  []*openDialog     `json:"dialogs"`
	// Blank says the page shows no control at all: it has drawn nothing
	// to act on yet. Loading names a loading indicator it shows (a
	// progress bar, a busy region, a spinner, a skeleton), or is "".
	// Neither page is evidence that the UI changed (driftCall).
	Blank   bool   `json:"blank"`
	Loading string `json:"loading"`
	// Prefilled says, per probeSpec.Prefilled name, where the page holds
	// the value: "field" (a field, perhaps hidden), "text" (its visible
	// text), or "" nowhere.
	Prefilled map[string]string `json:"prefilled"`
}

func (r *probeResult) el(name string) *match { return r.Elements[name] }

// probe looks at the page once and confirms its role matches against the
// accessibility tree (confirmRoles). With wait, it first waits in the page
// for the DOM to change (or probeWaitMs): a loop reacts to a change at once
// and costs nothing while the page is still.
func probe(ctx context.Context, w *world, spec probeSpec, wait bool) (*probeResult, error) {
	r, err := look(ctx, w, spec, wait)
	if err != nil {
		return nil, err
	}
	confirmRoles(ctx, spec, r, "")
	return r, nil
}

// look is probe without the confirmation, for a spec that covers several
// profiles: only the matches of the profile the page turns out to be are
// worth the accessibility tree's word.
func look(ctx context.Context, w *world, spec probeSpec, wait bool) (*probeResult, error) {
	if wait {
		spec.WaitMs, spec.MinGapMs = probeWaitMs, probeGapMs
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	r, err := evalIn[*probeResult](ctx, w, probeJS+"("+string(b)+")")
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("probe returned nothing")
	}
	for name, m := range r.Elements {
		if m != nil {
			m.key = name
			for k, a := range m.All {
				a.key = fmt.Sprintf("%s#%d", name, k)
			}
		}
	}
	for _, d := range r.Dialogs {
		if d != nil && d.Close != nil {
			d.Close.key = d.Key + ".close"
		}
	}
	r.Dialogs = slices.DeleteFunc(r.Dialogs, func(d *openDialog) bool { return d == nil })
	return r, nil
}

// revealJS scrolls the element a probe matched under name into view, just
// before its press so that no coordinates go stale, and measures it again.
const revealJS = `((name) => {
  const el = (window.__optoutMatched || {})[name];
  if (!el || !el.isConnected) return null;
  el.scrollIntoView({block: "center", inline: "center"});
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {x, y, covered: !(hit && (hit === el || el.contains(hit)))};
})`

// pressMatch presses the element m, first scrolling it into view when the
// probe saw it outside the viewport.
func pressMatch(ctx context.Context, w *world, m *match) error {
	if m.Offscreen {
		name, _ := json.Marshal(m.key)
		at, err := evalIn[*struct {
			X, Y    float64
			Covered bool
		}](ctx, w, revealJS+"("+string(name)+")")
		if err != nil {
			return err
		}
		if at == nil {
			return fmt.Errorf("%w: the element left the page before it could be pressed", errPressLost)
		}
		if at.Covered {
			return fmt.Errorf("%w: the element is covered once scrolled into view", errPressLost)
		}
		m.X, m.Y, m.Offscreen = at.X, at.Y, false
	}
	return press(ctx, m.X, m.Y)
}

// errPressLost is a press that never reached its element: the page moved
// it between the reading and the press. The loop reads the page again; the
// press still counts towards its element's limit.
var errPressLost = errors.New("the press did not reach the element")

// pressByKeyboard focuses a matched button and presses Enter on it, as a
// person does where no pointer reaches (see match.Unreachable).
func pressByKeyboard(ctx context.Context, w *world, m *match) error {
	name, _ := json.Marshal(m.key)
	ok, err := evalIn[bool](ctx, w, `((name) => { const el = (window.__optoutMatched || {})[name]; if (!el || !el.isConnected) return false; el.focus(); return document.activeElement === el; })(`+string(name)+`)`)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the element could not take the focus")
	}
	return pressKey(ctx, "Enter", 13, "\r")
}

// transient reports whether a probe error comes from the page changing
// under it (a navigation), so the next probe will do.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errNoWorld) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"context was destroyed", "Cannot find context", "Inspected target navigated", "uniqueContextId", "No frame", "not found", "No node with given id"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	var ee *chromedp.ExceptionError
	return errors.As(err, &ee)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// press sends real mouse input at (x, y) through the DevTools protocol, so
// the page sees pointer, mouse and click events as from a person: Radix
// menus open on pointerdown and tabs on mousedown, which a synthetic
// element.click() would never trigger.
func press(ctx context.Context, x, y float64) error {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonType(input.MouseButtonLeft), chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonType(input.MouseButtonLeft), chromedp.ClickCount(1)),
	}
	return chromedp.Do(ctx, steps...)
}

// typeInto focuses a field by clicking it, clears it and inserts text as
// one input event, the way a paste would. The text travels only over the
// DevTools connection; it is never logged.
func typeInto(ctx context.Context, w *world, m *match, text string) error {
	if err := pressMatch(ctx, w, m); err != nil {
		return err
	}
	if n, err := evalIn[int](ctx, w, splitBoxesJS); err == nil && n > 1 && n >= len([]rune(text)) {
		return typeIntoBoxes(ctx, w, text)
	}
	clear := `(() => { const el = document.activeElement; if (el && "value" in el) { el.select && el.select(); } return true; })()`
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](clear)); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text})
	return err
}

// splitBoxesJS finds, when the focused field takes one character (a code
// split into one box per digit), the visible boxes of its group or form,
// keeps them for typeIntoBoxes and returns how many (0: an ordinary field).
const splitBoxesJS = `(() => {
  const el = document.activeElement;
  window.__optoutBoxes = [];
  if (!el || el.tagName !== "INPUT" || el.maxLength !== 1) return 0;
  const scope = el.closest('[role="group"], fieldset, form') || el.parentElement;
  const boxes = Array.from(scope.querySelectorAll("input")).filter((b) =>
    b.maxLength === 1 && b.type !== "hidden" && !b.disabled && b.getClientRects().length > 0);
  if (boxes[0] !== el) return 0;
  window.__optoutBoxes = boxes;
  return boxes.length;
})()`

// typeIntoBoxes types a code one character per box, focusing each box
// itself: pages that move the focus on input and pages that do not both
// get every digit in its place.
func typeIntoBoxes(ctx context.Context, w *world, text string) error {
	for i, r := range []rune(text) {
		focus := fmt.Sprintf(`(() => { const b = (window.__optoutBoxes || [])[%d]; if (!b || !b.isConnected) return false; b.focus(); b.select && b.select(); return document.activeElement === b; })()`, i)
		ok, err := evalIn[bool](ctx, w, focus)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the code's box %d went away while typing", i+1)
		}
		if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: string(r)}); err != nil {
			return err
		}
	}
	return nil
}

// describeCandidates renders counts per candidate, for drift messages,
// and what covers the element when one was found under something.
func describeCandidates(el *selectors.Element, m *match) string {
	var parts []string
	for i, c := range el.Candidates {
		n := "0"
		if m != nil && i < len(m.Counts) {
			n = fmt.Sprint(m.Counts[i])
			if m.Counts[i] < 0 {
				n = "not tried"
			}
		}
		parts = append(parts, fmt.Sprintf("%s → %s", c, n))
	}
	out := strings.Join(parts, "; ")
	if m.found() && m.Covered {
		// Found is not usable: a drift message must say why the page's
		// element was passed over.
		out += fmt.Sprintf(" (found, but covered by %s)", m.Cover)
	}
	return out
}
