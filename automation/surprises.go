package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// Marker names the guard adds to every probe.
const (
	markCheck = "@security_check"
	markWall  = "@human_verification"
)

// guard adds to spec what the real site puts in the way of any step: the
// security check's two faces (await waits them out before the loop's own
// decision), the modal dialogs nobody described, and a third party's boxes
// over the page (await hides them where they cover an element).
func (s *session) guard(spec probeSpec) probeSpec {
	markers := make(map[string]selectors.Markers, len(spec.Markers)+2)
	maps.Copy(markers, spec.Markers)
	var check, wall selectors.Markers
	dialogs := &dialogSpec{}
	obstacles := s.obstacles()
	for _, p := range s.profiles() {
		c := p.Challenges
		if c.SecurityCheck != nil {
			check = mergeMarkers(check, *c.SecurityCheck)
		}
		if c.HumanVerification != nil {
			wall = mergeMarkers(wall, *c.HumanVerification)
		}
		if u := p.UnknownDialogs; u != nil {
			dialogs.Close = appendNew(dialogs.Close, u.Close...)
			dialogs.Choice = appendNew(dialogs.Choice, u.Choice...)
		}
	}
	if !emptyMarkers(check) {
		markers[markCheck] = check
	}
	if !emptyMarkers(wall) {
		markers[markWall] = wall
	}
	spec.Markers = markers
	if len(dialogs.Close) > 0 {
		spec.Dialogs = dialogs
	}
	if len(obstacles) > 0 {
		spec.Obstacles = obstacles
	}
	return spec
}

// obstacles are the CSS of the obstacles of the profiles the run may be
// on, by name.
func (s *session) obstacles() map[string][]string {
	out := map[string][]string{}
	for _, p := range s.profiles() {
		for _, o := range p.Obstacles {
			out[o.Name] = appendNew(out[o.Name], o.CSS...)
		}
	}
	return out
}

func mergeMarkers(a, b selectors.Markers) selectors.Markers {
	a.Title = appendNew(a.Title, b.Title...)
	a.Text = appendNew(a.Text, b.Text...)
	a.URL = appendNew(a.URL, b.URL...)
	a.CSS = appendNew(a.CSS, b.CSS...)
	return a
}

func emptyMarkers(m selectors.Markers) bool {
	return len(m.Title)+len(m.Text)+len(m.URL)+len(m.CSS) == 0
}

func appendNew(list []string, more ...string) []string {
	for _, v := range more {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// ---- the security check ----

// interactiveHold is how long the check's interactive face must stay
// before the run gives up on it: the widget can show for a moment while
// the check loads.
const interactiveHold = 2 * time.Second

// checkAct is what a run does on a reading of a security check.
type checkAct int

const (
	checkNone         checkAct = iota // no check on the page
	checkWait                         // it is working: wait
	checkNeedsAPerson                 // it turned interactive, and stayed so
	checkOutlasted                    // it did not clear within the bound
)

// decideCheck judges a security check by what it has been doing, not by
// its first frame: the non-interactive face is waited out up to bound; the
// interactive face ends the run once it has stayed for interactiveHold. A
// visible browser waits for the person at its window.
func decideCheck(onCheck, interactive bool, shown, interactiveFor, bound time.Duration, headed bool) checkAct {
	switch {
	case !onCheck && !interactive:
		return checkNone
	case headed:
		return checkWait
	case interactive && interactiveFor >= interactiveHold:
		return checkNeedsAPerson
	case shown >= bound:
		return checkOutlasted
	}
	return checkWait
}

// checkEpisode follows the run's time on security checks.
type checkEpisode struct {
	since       time.Time     // the check now showing was first seen; zero: none
	interactive time.Time     // its interactive face was first seen; zero: not shown
	spent       time.Duration // on the checks that cleared
}

// total is the time spent on checks, the one showing included.
func (c *checkEpisode) total(now time.Time) time.Duration {
	if c.since.IsZero() {
		return c.spent
	}
	return c.spent + now.Sub(c.since)
}

// securityCheck deals with a reading: it reports whether the page shows a
// security check (the loop's own step then waits), and the error that ends
// the run when the check needs a person or outlasted its bound.
func (s *session) securityCheck(g glance) (bool, error) {
	now := time.Now()
	onCheck, interactive := g.r.Markers[markCheck], g.r.Markers[markWall]
	c := &s.check
	if !onCheck && !interactive {
		if !c.since.IsZero() {
			d := now.Sub(c.since)
			c.spent += d
			c.since, c.interactive = time.Time{}, time.Time{}
			s.log.Info("the site's security check cleared", "after", d.Round(100*time.Millisecond))
		}
		return false, nil
	}
	if c.since.IsZero() {
		c.since = now
		if s.opts.Headed {
			s.log.Warn("a check needs a person: clear it in the browser window", "check", "security check", "url", g.r.URL)
		} else {
			s.log.Warn("waiting for the site's security check", "url", g.r.URL, "up_to", s.cfg.SecurityCheckWait)
		}
	}
	var interactiveFor time.Duration
	switch {
	case !interactive:
		c.interactive = time.Time{}
	case c.interactive.IsZero():
		c.interactive = now
	default:
		interactiveFor = now.Sub(c.interactive)
	}
	switch decideCheck(onCheck, interactive, now.Sub(c.since), interactiveFor, s.cfg.SecurityCheckWait, s.opts.Headed) {
	case checkNeedsAPerson:
		return true, checkError(fmt.Sprintf("the site's security check on %s turned interactive after %s (a box a person must tick: %q) and stayed so for %s", pagePath(g.r.URL), now.Sub(c.since).Round(100*time.Millisecond), g.r.Title, interactiveFor.Round(100*time.Millisecond)))
	case checkOutlasted:
		return true, checkError(fmt.Sprintf("the site's security check on %s (%q) did not clear by itself within %s", pagePath(g.r.URL), g.r.Title, s.cfg.SecurityCheckWait))
	}
	return true, nil
}

// checkError is the error of a check that needs a person, saw first.
func checkError(saw string) error {
	return newError(KindHumanVerification, "%s: a headless browser cannot pass it and the tool never tries to solve it; sign in once as a person in a profile folder and reuse the profile, or run a visible browser (on a server: under xvfb-run); a check that clears more slowly may need a longer wait for the security check", saw).fix(SettingProfileDir, SettingHeaded, SettingCheckWait)
}

// ---- a third party's boxes over the page ----

// maxObstacleHides bounds the hides of one obstacle in one loop: a box that
// comes back at once is left to the loop's decision, whose drift message
// then names it as what covers the element.
const maxObstacleHides = 3

// hideJS hides the elements the CSS selectors match (an obstacle's
// container) and reports how many it hid. It changes nothing else: no
// control in them is pressed, nothing is chosen.
const hideJS = `((css) => {
  let n = 0;
  for (const sel of css) {
    let found = [];
    try { found = document.querySelectorAll(sel); } catch (e) { continue; }
    for (const el of found) {
      if (el.style.getPropertyValue("display") === "none") continue;
      el.style.setProperty("display", "none", "important");
      n++;
    }
  }
  return n;
})`

// coveredByObstacle lists, by obstacle, the elements of a reading that an
// obstacle covers.
func coveredByObstacle(r *probeResult) map[string][]string {
	out := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(r.Elements)) {
		m := r.Elements[name]
		if m.found() && m.Covered && m.Obstacle != "" {
			out[m.Obstacle] = append(out[m.Obstacle], name)
		}
	}
	return out
}

// hideObstacles hides the obstacles that cover an element of the reading
// (Google One Tap's box over the Log in button): an offer of a third party,
// not a dialog, whose controls sit in a frame the tool cannot look into.
// Hiding its box decides nothing. hides counts the loop's hides per
// obstacle. It reports whether it hid something: the loop then reads again.
func (s *session) hideObstacles(ctx context.Context, r *probeResult, hides map[string]int) (bool, error) {
	covering := coveredByObstacle(r)
	if len(covering) == 0 {
		return false, nil
	}
	css := s.obstacles()
	hid := false
	for _, name := range slices.Sorted(maps.Keys(covering)) {
		if hides[name] >= maxObstacleHides || len(css[name]) == 0 {
			continue
		}
		hides[name]++
		args, _ := json.Marshal(css[name])
		n, err := evalIn[int](ctx, s.world, hideJS+"("+string(args)+")")
		if err != nil {
			if transient(err) {
				return true, nil // the page is changing: the next reading tells
			}
			return false, s.actionError(ctx, "hiding "+name, err)
		}
		s.log.Info("hiding a third party's box over the page (nothing in it is pressed)", "obstacle", name, "covered", strings.Join(covering[name], ","), "hidden", n)
		hid = hid || n > 0
	}
	return hid, nil
}

// ---- dialogs nobody described ----

// dialogSpec is the probe's part for unknown dialogs: the names of a
// control that closes without choosing, and the words of a choice.
type dialogSpec struct {
	Close  []string `json:"close"`
	Choice []string `json:"choice"`
}

// openDialog is a modal dialog that holds none of the elements the probe
// matched: one the selectors file does not describe.
type openDialog struct {
	Title   string   `json:"title"`
	Text    string   `json:"text"`
	Buttons []string `json:"buttons"`
	Close   *match   `json:"close"` // the one control that closes it without choosing, if any
	Top     bool     `json:"top"`   // it is on top at its own centre
	Key     string   `json:"key"`
}

// id tells one dialog from another across readings.
func (d *openDialog) id() string { return d.Title + "\x00" + d.Text }

// named is how messages and warnings name a dialog: its title and first line.
func (d *openDialog) named() string {
	switch {
	case d.Title != "" && d.Text != "":
		return fmt.Sprintf("%q (%q)", d.Title, d.Text)
	case d.Title != "":
		return fmt.Sprintf("%q", d.Title)
	case d.Text != "":
		return fmt.Sprintf("(%q)", d.Text)
	}
	return "(a dialog with no title or text)"
}

// topUnknown is the unknown dialog a run deals with first: the one on top.
func topUnknown(r *probeResult) *openDialog {
	var last *openDialog
	for _, d := range r.Dialogs {
		if d.Top {
			return d
		}
		last = d
	}
	return last
}

// dialogTries counts what a run did to close one dialog.
type dialogTries struct {
	control, escape int
}

// dialogAct is how a run closes an unknown dialog.
type dialogAct int

const (
	dialogWait   dialogAct = iota // the last try may still take effect
	dialogPress                   // press its close control
	dialogEscape                  // press Escape
	dialogStuck                   // nothing closes it without choosing
)

// maxDialogTries bounds each way of closing one dialog: a second try covers
// one the page missed while it rendered.
const maxDialogTries = 2

// decideUnknownDialog picks how to close a dialog nobody described: by its
// close control, else by Escape, each tried again only once the page has
// settled with the dialog still there. Its other buttons, which choose
// something, are never pressed.
func decideUnknownDialog(hasClose bool, t dialogTries, settled bool) dialogAct {
	tried := t.control+t.escape > 0
	switch {
	case tried && !settled:
		return dialogWait
	case hasClose && t.control < maxDialogTries:
		return dialogPress
	case t.escape < maxDialogTries:
		return dialogEscape
	}
	return dialogStuck
}

// closingDialog is a close the run tried, confirmed by a later reading
// without the dialog.
type closingDialog struct {
	d   *openDialog
	how string
}

// noteDialogs records a dialog the run closed once a reading no longer
// shows it: only then does the result say it was closed.
func (s *session) noteDialogs(r *probeResult) {
	c := s.closing
	if c == nil || slices.ContainsFunc(r.Dialogs, func(d *openDialog) bool { return d.id() == c.d.id() }) {
		return
	}
	s.closing = nil
	s.warn(fmt.Sprintf("closed a dialog the selectors file does not know, %s, with %s; none of its other controls was pressed (%s)", c.d.named(), c.how, quoteList(c.d.Buttons)))
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "it had none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "its controls: " + strings.Join(q, ", ")
}

// closeUnknownDialog closes a dialog nobody described, without choosing
// anything (decideUnknownDialog), or names it as drift when nothing does.
func (s *session) closeUnknownDialog(ctx context.Context, d *openDialog, settled bool, url string) (reading, error) {
	if s.dialogTries == nil {
		s.dialogTries = map[string]*dialogTries{}
	}
	t := s.dialogTries[d.id()]
	if t == nil {
		t = &dialogTries{}
		s.dialogTries[d.id()] = t
		s.dialogShot(ctx)
	}
	switch decideUnknownDialog(d.Close != nil, *t, settled) {
	case dialogWait:
		return keepWaiting, nil
	case dialogStuck:
		return finished, &DriftError{Kind: KindSelectorDrift, Element: "unknown_dialogs", URL: url,
			Msg: fmt.Sprintf("a dialog the selectors file %s does not know, %s, stays over the page: it has no control that closes it without choosing and Escape did not close it (%s, which the tool never presses); close it once as a person in a visible browser, or describe it under dialogs in the selectors file", s.where(), d.named(), quoteList(d.Buttons))}
	case dialogPress:
		t.control++
		s.closing = &closingDialog{d: d, how: fmt.Sprintf("its %q control", d.Close.Name)}
		s.log.Info("closing a dialog the selectors file does not know", "dialog", d.Title, "with", d.Close.Name)
		press := pressMatch
		if d.Close.Unreachable {
			press = pressByKeyboard
		}
		return didAct, s.actionError(ctx, "closing the dialog "+d.named(), press(ctx, s.world, d.Close))
	}
	t.escape++
	s.closing = &closingDialog{d: d, how: "Escape"}
	s.log.Info("closing a dialog the selectors file does not know", "dialog", d.Title, "with", "Escape")
	return didAct, s.actionError(ctx, "pressing Escape on the dialog "+d.named(), pressKey(ctx, "Escape", 27, ""))
}

// dialogShot keeps a screenshot of an unknown dialog among the artifacts,
// where the run has an artifacts folder. A failed one is a warning.
func (s *session) dialogShot(ctx context.Context) {
	dir := s.cfg.ArtifactsDir
	if dir == "" {
		return
	}
	name := fmt.Sprintf("%s-%s-dialog-%d.png", unsafeName.ReplaceAllString(s.acct.Label(), "_"), time.Now().UTC().Format("20060102T150405Z"), len(s.dialogTries))
	p := filepath.Join(dir, name)
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		var shot []byte
		if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			err = os.WriteFile(p, shot, 0o600)
		}
	}
	if err != nil {
		s.warn("the screenshot of a dialog was not saved: " + err.Error())
		return
	}
	s.artifacts = append(s.artifacts, p)
}

// pressKey sends one key press to the page, as a person's keyboard would;
// text is what the key types ("\r" for Enter, "" for none).
func pressKey(ctx context.Context, key string, vk int64, text string) error {
	down := input.DispatchKeyEventTypeRawKeyDown
	if text != "" {
		down = input.DispatchKeyEventTypeKeyDown
	}
	for _, p := range []input.DispatchKeyEventParams{
		{Type: down, Key: key, Code: key, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk, Text: text},
		{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: key, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
	} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			return err
		}
	}
	return nil
}
