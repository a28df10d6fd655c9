package automation

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// The probe reads the page from an isolated world: the page's window never
// sees it, and it scrolls nothing until an element is about to be pressed.
func TestProbe_LeavesThePageAloneUntilItPresses(t *testing.T) {
	t.Parallel()
	tab, w := testTab(t)
	tctx, cancelWait := context.WithTimeout(tab, 30*time.Second)
	defer cancelWait()
	page := `<div style="height:3000px">top</div><button data-testid="far" onclick="window.pressed=true">Far</button>`
	if err := chromedp.Do(tctx, chromedp.Navigate("data:text/html,"+url.PathEscape(page))); err != nil {
		t.Fatal(err)
	}
	spec := probeSpec{Elements: map[string]elementSpec{"far": {Candidates: []selectors.Candidate{{TestID: "far"}}}}}
	r, err := look(tctx, w, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	m := r.el("far")
	if !m.found() || !m.Offscreen || m.Covered {
		t.Fatalf("match = %+v, want found, outside the viewport, not covered", m)
	}
	type pageView struct {
		Globals []string `json:"globals"`
		ScrollY float64  `json:"scrollY"`
		Pressed bool     `json:"pressed"`
	}
	read := func() pageView {
		v, err := chromedp.Run(tctx, chromedp.Evaluate[pageView](`({globals: Object.keys(window).filter((k) => k.startsWith("__optout")), scrollY: window.scrollY, pressed: !!window.pressed})`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := read(); len(v.Globals) != 0 || v.ScrollY != 0 {
		t.Fatalf("after a look the page has %+v: want no globals of the probe and no scrolling", v)
	}
	if err := pressMatch(tctx, w, m); err != nil {
		t.Fatal(err)
	}
	if v := read(); !v.Pressed || v.ScrollY == 0 || len(v.Globals) != 0 {
		t.Errorf("after the press the page has %+v: want the button pressed, scrolled to, still no globals", v)
	}
}
