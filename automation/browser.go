package automation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chromedp/chromedp"
)

// BrowserOptions say how to start Chrome.
type BrowserOptions struct {
	// ExecPath is the Chrome or Chromium binary; empty means FindChrome.
	ExecPath string
	// Headed shows a window. It needs a display (X11, Wayland, or xvfb-run).
	Headed bool
	// ProfileDir is a persistent profile folder, locked while the browser
	// runs (a second start on it fails at once). Empty means a throw-away
	// profile, removed when the browser stops.
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

// pointAtChrome is the advice of every message about a browser binary.
const pointAtChrome = "install Chrome or Chromium (Debian: apt-get install -y chromium) and set the browser path to its binary"

// FindChrome returns the first Chrome or Chromium binary found on this machine.
func FindChrome() (string, error) {
	for _, name := range chromeNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", configError([]Setting{SettingBrowser}, "no Chrome or Chromium found: %s", pointAtChrome)
}

// CheckChrome finds the browser Launch would start, so that a caller
// can refuse a missing one (a configuration error) before anything runs.
func CheckChrome(opts BrowserOptions) (string, error) {
	if opts.ExecPath == "" {
		return FindChrome()
	}
	p, err := exec.LookPath(opts.ExecPath)
	if err != nil {
		why := err.Error()
		var ee *exec.Error
		if errors.As(err, &ee) {
			why = ee.Err.Error()
		}
		return "", configError([]Setting{SettingBrowser}, "the browser %s cannot be run: %v; %s", quote.Value(opts.ExecPath), capText(why, 200), pointAtChrome)
	}
	return p, nil
}

// allocatorOptions builds the Chrome command line.
func allocatorOptions(opts BrowserOptions, execPath, tmp string, p *browserProcess) []chromedp.ExecAllocatorOption {
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
		// Every window and browser context loads the omnibox popup WebUIs
		// (two renderers, never shown headless): about a third of a fleet's
		// CPU. The spare renderer Chrome keeps warm belongs to one browser
		// context, so with one per account it is nearly always wasted.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,SpareRendererForSitePerProcess"),
		chromedp.WindowSize(1280, 900),
		// Chrome never gets the tool's environment, which holds the
		// account's secrets. Its temporary files and crash reporter go in
		// the run's folder: removing it removes every trace, and the crash
		// reporter can be found by it.
		chromedp.NoInheritEnv,
		chromedp.Env(browserEnv(os.Environ(), opts.Headed, tmp)...),
		// A process group of its own: stopping it stops every child too.
		chromedp.ModifyCmdFunc(p.setup),
		chromedp.CombinedOutput(&p.output),
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

// browserProcess is what Launch knows of the Chrome it started.
type browserProcess struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	output cappedBuffer // the start of what Chrome printed, for a failed start's message
}

func (p *browserProcess) setup(cmd *exec.Cmd) {
	configureBrowserCmd(cmd)
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
}

// pid is the browser's process id (and its process group's), or 0 when it
// never started.
func (p *browserProcess) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// exitState describes how the browser process ended, or "" while it runs
// or when it never started. It reads what the reaper wrote: call it only
// once the start failed.
func (p *browserProcess) exitState() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.ProcessState == nil {
		return ""
	}
	return p.cmd.ProcessState.String()
}

// Browser is a running Chrome. Each run on it (Disable, Status, Verify,
// Login) opens a tab in a browser context of its own, so runs may go on in
// parallel on one Browser. Close it when done.
type Browser struct {
	ctx      context.Context // chromedp's browser context: it holds the connection
	stop     func()
	opts     BrowserOptions
	warnings []string
	agents   *userAgents // what its tabs tell the site they are
}

// Launch starts Chrome. Close returns once the browser and its processes
// have ended (killed after a few seconds), its throw-away profile is
// removed and the profile folder is free. The start has no deadline (a cold
// Chrome on a loaded machine is slow); ending ctx stops it, or the browser.
func Launch(ctx context.Context, opts BrowserOptions) (*Browser, error) {
	execPath, err := CheckChrome(opts)
	if err != nil {
		return nil, err
	}
	if opts.Headed && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, configError([]Setting{SettingHeaded}, "a visible browser needs a display and none is set (DISPLAY is empty): on a server run under xvfb-run (Debian: apt-get install -y xvfb)")
	}
	sweepOnce.Do(sweepTempDirs)
	var warnings []string
	var lock *profileLock
	if opts.ProfileDir != "" {
		abs, ws, l, err := prepareProfile(opts.ProfileDir)
		if err != nil {
			return nil, err
		}
		warnings, lock, opts.ProfileDir = ws, l, abs
	}
	tmp, err := newTempDir()
	if err != nil {
		lock.release()
		return nil, &Error{Kind: KindBrowser, Msg: "cannot create a temporary folder for the browser: " + err.Error(), Err: err}
	}
	proc := &browserProcess{output: cappedBuffer{max: 16 << 10}}
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, allocatorOptions(opts, execPath, tmp, proc)...)
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	browserCtx, browserCancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	dirs := []string{tmp, opts.ProfileDir} // an empty one names nothing (mentionsAny)
	started := false
	stop := sync.OnceFunc(func() {
		pid := proc.pid()
		if opts.ProfileDir != "" && ctx.Err() == nil && started {
			// A kept profile must be closed gracefully, or Chrome may not
			// write the session cookies to disk.
			closeGracefully(browserCtx)
		}
		// Kill the process group at once (surely the browser's while it
		// runs): children that outlive it hold open the output pipe that
		// chromedp waits for.
		if browserCtx.Err() == nil {
			killGroup(pid)
		}
		browserCancel()
		allocCancel() // returns once the browser process is reaped
		stopBrowserProcesses(pid, dirs, 5*time.Second)
		removeAll(tmp)
		lock.release()
	})
	if err := chromedp.Do(browserCtx); err != nil {
		stop()
		return nil, startError(ctx, err, opts, execPath, proc)
	}
	started = true
	return &Browser{ctx: browserCtx, stop: stop, opts: opts, warnings: warnings, agents: &userAgents{}}, nil
}

// Attach wraps a browser the caller started itself with chromedp (a remote
// Chrome through chromedp.NewRemoteAllocator, say): browserCtx is its
// chromedp browser context, and Close calls stop. opts says how the runs
// treat it (Headed, BlockResources); its start options are not used.
func Attach(browserCtx context.Context, stop func(), opts BrowserOptions) *Browser {
	if stop == nil {
		stop = func() {}
	}
	return &Browser{ctx: browserCtx, opts: opts, agents: &userAgents{}, stop: sync.OnceFunc(stop)}
}

// Close stops the browser. It may be called more than once.
func (b *Browser) Close() error {
	b.stop()
	return nil
}

// Err is nil while the browser runs, and says why once it has stopped
// (closed, crashed or killed, or its start context ended).
func (b *Browser) Err() error {
	if err := b.ctx.Err(); err != nil {
		return fmt.Errorf("the browser stopped: %w", err)
	}
	return nil
}

// Options are the options the browser was started with.
func (b *Browser) Options() BrowserOptions { return b.opts }

// Warnings are what the start had to warn about (a profile folder it made
// private, for example); Disable, Status and Verify add them to their result.
func (b *Browser) Warnings() []string { return append([]string(nil), b.warnings...) }

// startError explains a browser that did not start.
func startError(ctx context.Context, err error, opts BrowserOptions, execPath string, proc *browserProcess) error {
	if ctx.Err() != nil {
		return &Error{Kind: KindInterrupted, Msg: "interrupted while starting the browser", Err: ctx.Err()}
	}
	if errors.Is(err, chromedp.ErrNoDisplay) {
		return configError([]Setting{SettingHeaded}, "a visible browser needs a display: run under xvfb-run")
	}
	out := proc.output.String()
	if strings.Contains(out, "ProcessSingleton") || strings.Contains(out, "profile appears to be in use") {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("the profile folder %s is in use by another browser: wait for the other run to end, or give each run its own profile folder", opts.ProfileDir), Err: err, Fix: []Setting{SettingProfileDir}}
	}
	printed := "it printed nothing"
	if text := printedText(out); text != "" {
		printed = "it printed:\n" + text
	}
	what := quote.Value(execPath)
	if opts.ExecPath == "" {
		what = quote.Value(execPath) + " (the first browser found on this machine)"
	}
	if proc.pid() == 0 {
		// It could not even be started (not a program this system runs).
		return &Error{Kind: KindConfig, Err: err, Fix: []Setting{SettingBrowser}, Msg: fmt.Sprintf("the browser %s cannot be started: %s; %s", what, capText(err.Error(), 300), pointAtChrome)}
	}
	if state := proc.exitState(); state != "" {
		// The binary ran and ended before it spoke the DevTools protocol:
		// it is not a Chrome that can run here.
		return &Error{Kind: KindConfig, Err: err, Fix: []Setting{SettingBrowser}, Msg: fmt.Sprintf("the browser %s is not a Chrome that runs here: started as %s --headless --remote-debugging-pipe --user-data-dir=… (and more flags), it ended at once (%s) without answering on its DevTools connection; %s\nCheck it with `%s --version`, or %s",
			what, quote.Value(execPath), state, printed, execPath, pointAtChrome)}
	}
	return &Error{Kind: KindBrowser, Err: err, Msg: fmt.Sprintf("starting the browser %s failed: %s; %s", what, capText(err.Error(), 300), printed)}
}

// prepareProfile makes the profile folder, keeps it private and takes its
// lock. It returns the absolute folder and what it had to warn about.
func prepareProfile(dir string) (string, []string, *profileLock, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, nil, wrapConfig(err, "profile folder %s: %v", quote.Value(dir), err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", nil, nil, wrapConfig(err, "profile folder %s cannot be created: %v", quote.Value(dir), err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", nil, nil, wrapConfig(err, "profile folder %s: %v", quote.Value(dir), err)
	}
	if !st.IsDir() {
		return "", nil, nil, configError(nil, "profile folder %s is not a folder", quote.Value(dir))
	}
	var warnings []string
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		// The folder holds the signed-in session: nobody else may read it.
		if err := os.Chmod(abs, 0o700); err != nil {
			return "", nil, nil, wrapConfig(err, "the profile folder %s can be read by other users (mode %04o) and cannot be made private: %v; it holds the session, so run chmod 700 on it or use another folder", abs, perm, err)
		}
		warnings = append(warnings, fmt.Sprintf("the profile folder %s could be read by other users (mode %04o); it holds the session, so it is now private (0700)", abs, perm))
	}
	lock, err := lockProfile(abs)
	if err != nil {
		return "", nil, nil, err
	}
	if err := checkProfileFree(abs); err != nil {
		lock.release()
		return "", nil, nil, err
	}
	return abs, warnings, lock, nil
}

// checkProfileFree fails fast when another Chrome holds the profile: Chrome
// would otherwise hand the run to that process and the run would hang.
func checkProfileFree(dir string) error {
	lock := filepath.Join(dir, "SingletonLock")
	target, err := os.Readlink(lock)
	if err != nil {
		return nil // no lock: free
	}
	// The lock points to "hostname-pid"; a crashed run's names no process.
	pid := 0
	if i := strings.LastIndexByte(target, '-'); i >= 0 {
		pid, _ = strconv.Atoi(target[i+1:])
	}
	if pid > 0 && processAlive(pid) {
		return configError([]Setting{SettingProfileDir}, "the profile folder %s is in use by another browser (process %d): wait for the other run to end, or give each run its own profile folder", dir, pid)
	}
	os.Remove(lock)
	return nil
}

// removeAll removes dir, trying again for a moment: Chrome's helper
// processes can still write there just after the browser exits.
func removeAll(dir string) {
	for range 50 {
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
		_ = chromedp.Cancel(browserCtx)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// Context is chromedp's context of the browser, for a program that runs
// chromedp actions of its own on it: chromedp.NewContext(b.Context()) opens
// a tab. It ends when the browser stops.
func (b *Browser) Context() context.Context { return b.ctx }
