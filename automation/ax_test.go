package automation

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// A role match is the probe's reading of the page; the run acts on it only
// when the browser's accessibility tree agrees.
func TestSure_ActsOnlyOnRoleMatchesTheAccessibilityTreeConfirms(t *testing.T) {
	t.Parallel()
	tab, w := testTab(t)
	continueButton := selectors.Candidate{Role: "button", Name: "Continue"}
	spec := probeSpec{Elements: map[string]elementSpec{"p0." + elEmailSubmit: {Candidates: []selectors.Candidate{continueButton}}}}
	for _, tc := range []struct {
		page string
		want bool
	}{
		{`<button style="width:120px;height:30px">Continue</button>`, true},
		// Hidden from assistive technology: the probe sees a visible
		// button named Continue, the tree has no such node.
		{`<div role="button" aria-hidden="true" style="width:120px;height:30px">Continue</div>`, false},
	} {
		wait, cancelWait := context.WithTimeout(tab, 20*time.Second)
		if err := chromedp.Do(wait, chromedp.Navigate("data:text/html,"+url.PathEscape(tc.page))); err != nil {
			t.Fatal(err)
		}
		r, err := look(wait, w, spec, false)
		if err != nil {
			t.Fatal(err)
		}
		v := view{r: r, prefix: "p0.", spec: spec}
		if !v.has(elEmailSubmit) {
			t.Fatalf("%s: the probe found no button, the test proves nothing", tc.page)
		}
		if got := v.sure(wait, elEmailSubmit); got != tc.want {
			t.Errorf("%s: sure = %v, want %v", tc.page, got, tc.want)
		}
		cancelWait()
	}
}

// testTab starts a Chrome of the test's own and opens a tab in an isolated
// browser context, with the probe's world following it. Both end with the
// test.
func testTab(t *testing.T) (context.Context, *world) {
	t.Helper()
	b, err := Launch(context.Background(), BrowserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	w := newWorld()
	tab, cancelTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(w.listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline
		t.Fatal(err)
	}
	return tab, w
}
