package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// BrowserOptions say how to start Chrome.
type BrowserOptions struct {
	// ExecPath is the Chrome or Chromium binary; empty means FindChrome.
	ExecPath string
	// Headed shows a window. It needs a display (X11, Wayland, or xvfb-run).
	Headed bool
	// ProfileDir is a persistent profile folder. Empty means a throw-away
	// profile in the temporary directory, removed when the browser stops.
	ProfileDir string
	// BlockResources stops images, fonts and media from loading.
	BlockResources bool
	// Logf receives chromedp's own error messages; nil drops them.
	Logf func(format string, args ...any)
}

// chromeNames are the binaries FindChrome looks for, in order.
var chromeNames = []string{
	"chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
	"chrome", "headless-shell", "headless_shell",
	"/usr/bin/chromium", "/usr/lib/chromium/chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
}

// FindChrome returns the first Chrome or Chromium binary found on this machine.
func FindChrome() (string, error) {
	for _, name := range chromeNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ConfigError("no Chrome or Chromium found: install it (Debian: apt-get install -y chromium) or pass --chrome PATH / set CHROME_PATH")
}

// resolveChrome checks an explicit path, or finds one.
func resolveChrome(path string) (string, error) {
	if path == "" {
		return FindChrome()
	}
	p, err := exec.LookPath(path)
	if err != nil {
		return "", ConfigError("the browser %q cannot be run: %v; pass --chrome PATH or set CHROME_PATH to a Chrome or Chromium binary", path, err)
	}
	return p, nil
}

// allocatorOptions builds the Chrome command line.
func allocatorOptions(opts BrowserOptions, execPath, tmp string) []chromedp.ExecAllocatorOption {
	o := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	o = append(o,
		chromedp.ExecPath(execPath),
		// No traffic the run did not ask for: updates, metrics, field trials.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("lang", "en-US"),
		// Chrome loads the omnibox popup WebUIs (two renderer processes)
		// for every window, and every isolated browser context opens one; a
		// headless run never shows an omnibox. About a third of a fleet's
		// CPU. The spare renderer Chrome keeps warm for the next tab
		// belongs to one browser context, so with a context per account
		// nearly every spare is started for nothing: two renderers in three.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,SpareRendererForSitePerProcess"),
		chromedp.WindowSize(1280, 900),
		// Chrome's own temporary files (shared memory, crash dumps) go in
		// the run's folder too, so removing that folder removes all traces
		// even when Chrome was killed.
		chromedp.Env("TMPDIR="+tmp),
	)
	profile := opts.ProfileDir
	if profile == "" {
		profile = filepath.Join(tmp, "profile")
	}
	o = append(o, chromedp.UserDataDir(profile))
	if opts.BlockResources {
		o = append(o, chromedp.Flag("blink-settings", "imagesEnabled=false"))
	}
	if opts.Headed {
		o = append(o, chromedp.VisibleWindow)
	}
	return o
}

// StartBrowser starts Chrome and returns a context that carries it. Cancel
// the context to stop Chrome; a throw-away profile is removed with it.
// The start itself has no deadline: a cold Chrome on a loaded machine is
// slow, and ctx cancellation still stops it.
func StartBrowser(ctx context.Context, opts BrowserOptions) (context.Context, context.CancelFunc, error) {
	execPath, err := resolveChrome(opts.ExecPath)
	if err != nil {
		return nil, nil, err
	}
	if opts.Headed && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, nil, ConfigError("--headed needs a display and none is set (DISPLAY is empty): on a server run the command under xvfb-run (Debian: apt-get install -y xvfb)")
	}
	if opts.ProfileDir != "" {
		abs, err := filepath.Abs(opts.ProfileDir)
		if err != nil {
			return nil, nil, ConfigError("profile folder %q: %v", opts.ProfileDir, err)
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return nil, nil, ConfigError("profile folder %q cannot be created: %v", opts.ProfileDir, err)
		}
		if err := checkProfileFree(abs); err != nil {
			return nil, nil, err
		}
		opts.ProfileDir = abs
	}
	tmp, err := os.MkdirTemp("", "chatgpt-optout-")
	if err != nil {
		return nil, nil, &Error{Kind: KindBrowser, Msg: "cannot create a temporary folder for the browser: " + err.Error(), Err: err}
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, allocatorOptions(opts, execPath, tmp)...)
	var ctxOpts []chromedp.ContextOption
	if opts.Logf != nil {
		ctxOpts = append(ctxOpts, chromedp.WithErrorf(opts.Logf))
	} else {
		ctxOpts = append(ctxOpts, chromedp.WithErrorf(func(string, ...any) {}))
	}
	browserCtx, browserCancel := chromedp.NewContext(allocCtx, ctxOpts...)
	cancel := func() {
		if opts.ProfileDir != "" && ctx.Err() == nil {
			// A kept profile must be closed gracefully, or Chrome may not
			// write the session cookies to disk.
			closeGracefully(browserCtx)
		}
		browserCancel()
		allocCancel() // returns once Chrome has exited
		removeAll(tmp)
	}
	if err := chromedp.Do(browserCtx); err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, nil, &Error{Kind: KindInterrupted, Msg: "interrupted while starting the browser", Err: ctx.Err()}
		}
		if errors.Is(err, chromedp.ErrNoDisplay) {
			return nil, nil, ConfigError("--headed needs a display: run under xvfb-run")
		}
		return nil, nil, &Error{Kind: KindBrowser, Msg: fmt.Sprintf("starting the browser %s failed: %v", execPath, err), Err: err}
	}
	return browserCtx, cancel, nil
}

// checkProfileFree fails fast when another Chrome holds the profile: Chrome
// would otherwise hand the run to that process and the run would hang.
func checkProfileFree(dir string) error {
	lock := filepath.Join(dir, "SingletonLock")
	target, err := os.Readlink(lock)
	if err != nil {
		return nil // no lock: free
	}
	// The lock points to "hostname-pid". A stale lock from a crashed run
	// names a process that no longer exists.
	var pid int
	for i := len(target) - 1; i >= 0; i-- {
		if target[i] == '-' {
			fmt.Sscanf(target[i+1:], "%d", &pid)
			break
		}
	}
	if pid > 0 && processAlive(pid) {
		return ConfigError("the profile folder %s is in use by another browser (process %d): wait for the other run to end, or give each run its own --profile-dir", dir, pid)
	}
	os.Remove(lock)
	return nil
}

// removeAll removes dir, trying again for a moment: Chrome's helper
// processes can still write there just after the browser exits.
func removeAll(dir string) {
	for i := 0; i < 50; i++ {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeGracefully asks Chrome to close and waits a bounded time for it.
func closeGracefully(browserCtx context.Context) {
	done := make(chan struct{})
	go func() {
		chromedp.Cancel(browserCtx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}
