package fleet

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// chromeArgs is the command line of the browser process behind ctx, with
// the throw-away profile's path and the switches listed in drop left out.
func chromeArgs(t *testing.T, ctx context.Context, drop ...string) []string {
	t.Helper()
	pid := chromedp.FromContext(ctx).Browser.Process().Pid
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
next:
	for _, a := range strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")[1:] {
		for _, d := range append(drop, "--user-data-dir=") {
			if strings.HasPrefix(a, d) {
				continue next
			}
		}
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// The shared fleet Chrome is started like automation.StartBrowser starts
// one, switch for switch, but for the omnibox popups it turns off: a guard
// on the workaround in chrome.go.
func TestSharedChrome_SameCommandLineAsAutomation(t *testing.T) {
	if _, err := automation.FindChrome(); err != nil {
		t.Fatal("this test drives a real Chromium:", err)
	}
	opts := automation.BrowserOptions{BlockResources: true}
	actx, astop, err := automation.StartBrowser(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer astop()
	fctx, fstop, err := startShared(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer fstop()

	want := chromeArgs(t, actx)
	got := chromeArgs(t, fctx)
	// Only --disable-features differs, and only by the omnibox popups.
	feature := func(args []string) string {
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "--disable-features="); ok {
				return v
			}
		}
		return ""
	}
	if base := feature(want); base == "" || !strings.HasPrefix(fleetDisabledFeatures, base+",") {
		t.Errorf("automation disables features %q; the fleet's list %q must be it plus the omnibox popups: update fleetDisabledFeatures", base, fleetDisabledFeatures)
	}
	if strings.Join(chromeArgs(t, actx, "--disable-features="), " ") != strings.Join(chromeArgs(t, fctx, "--disable-features="), " ") {
		t.Errorf("the fleet's Chrome command line drifted from automation's: update sharedAllocatorOptions in chrome.go\nautomation: %q\nfleet:      %q", want, got)
	}

	// And the popups are gone: an isolated context opens only its page.
	tab, cancel := chromedp.NewContext(fctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.CallBrowser(fctx, target.GetTargets, target.GetTargetsParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range res.TargetInfos {
		if strings.Contains(ti.URL, "omnibox-popup") {
			t.Errorf("the shared Chrome still loads %s", ti.URL)
		}
	}
}
