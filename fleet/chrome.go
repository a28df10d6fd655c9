package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// fleetDisabledFeatures is the --disable-features of the shared fleet
// Chrome: chromedp's default list plus the omnibox popup WebUIs. Chrome
// loads those (chrome://omnibox-popup.top-chrome/, two renderer processes)
// for every window, and every isolated browser context opens a window: on
// the simulator they were about a third of the CPU of a fleet run, for a
// headless browser that never shows an omnibox.
const fleetDisabledFeatures = "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"

// startShared starts the Chrome that the accounts without a profile folder
// share. It is automation.StartBrowser for a throw-away profile, with
// fleetDisabledFeatures added.
//
// WORKAROUND: automation.BrowserOptions has no way to add Chrome switches,
// so this repeats automation's command line (allocatorOptions) and start.
// TestSharedChrome_SameCommandLineAsAutomation fails when the two drift
// apart. Once automation's allocatorOptions sets this --disable-features
// itself (it helps every command: each run opens a window), startShared
// becomes automation.StartBrowser and this file goes.
func startShared(ctx context.Context, opts automation.BrowserOptions) (context.Context, context.CancelFunc, error) {
	if opts.ProfileDir != "" {
		return automation.StartBrowser(ctx, opts)
	}
	execPath := opts.ExecPath
	if execPath == "" {
		p, err := automation.FindChrome()
		if err != nil {
			return nil, nil, err
		}
		execPath = p
	} else {
		p, err := exec.LookPath(execPath)
		if err != nil {
			return nil, nil, automation.ConfigError("the browser %q cannot be run: %v; pass --chrome PATH or set CHROME_PATH to a Chrome or Chromium binary", execPath, err)
		}
		execPath = p
	}
	if opts.Headed && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, nil, automation.ConfigError("--headed needs a display and none is set (DISPLAY is empty): on a server run the command under xvfb-run (Debian: apt-get install -y xvfb)")
	}
	tmp, err := os.MkdirTemp("", "chatgpt-optout-")
	if err != nil {
		return nil, nil, &automation.Error{Kind: automation.KindBrowser, Msg: "cannot create a temporary folder for the browser: " + err.Error(), Err: err}
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, sharedAllocatorOptions(opts, execPath, tmp)...)
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	browserCtx, browserCancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	cancel := func() {
		browserCancel()
		allocCancel() // returns once Chrome has exited
		removeAllRetry(tmp)
	}
	if err := chromedp.Do(browserCtx); err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, nil, &automation.Error{Kind: automation.KindInterrupted, Msg: "interrupted while starting the browser", Err: ctx.Err()}
		}
		if errors.Is(err, chromedp.ErrNoDisplay) {
			return nil, nil, automation.ConfigError("--headed needs a display: run under xvfb-run")
		}
		return nil, nil, &automation.Error{Kind: automation.KindBrowser, Msg: fmt.Sprintf("starting the browser %s failed: %v", execPath, err), Err: err}
	}
	return browserCtx, cancel, nil
}

// sharedAllocatorOptions is automation's command line for a throw-away
// profile, plus fleetDisabledFeatures.
func sharedAllocatorOptions(opts automation.BrowserOptions, execPath, tmp string) []chromedp.ExecAllocatorOption {
	o := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	o = append(o,
		chromedp.ExecPath(execPath),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.Env("TMPDIR="+tmp),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Flag("disable-features", fleetDisabledFeatures),
	)
	if opts.BlockResources {
		o = append(o, chromedp.Flag("blink-settings", "imagesEnabled=false"))
	}
	if opts.Headed {
		o = append(o, chromedp.VisibleWindow)
	}
	return o
}

// removeAllRetry removes dir, trying again for a moment: Chrome's helper
// processes can still write there just after the browser exits.
func removeAllRetry(dir string) {
	for i := 0; i < 50; i++ {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
