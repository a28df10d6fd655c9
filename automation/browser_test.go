package automation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shortTemp is a temporary folder with a short path (Chrome puts unix
// sockets in its TMPDIR), set as TMPDIR for the test.
func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "cb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("TMPDIR", dir)
	return dir
}

func needsLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
}

// start starts a browser and opens a page in it, so that it runs its
// renderer and utility processes too.
func start(t *testing.T, opts BrowserOptions) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, stop, err := StartBrowser(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(ctx)
	if err := chromedp.Do(tab, chromedp.Navigate("data:text/html,<p>hello</p>")); err != nil {
		stop()
		t.Fatal(err)
	}
	cancelTab()
	return ctx, stop
}

// Chrome's processes carry only the variables they need: never the
// account's secrets, which the tool has in its environment.
func TestBrowser_ProcessesGetNoSecretsInTheirEnvironment(t *testing.T) {
	needsLinux(t)
	tmp := shortTemp(t)
	secrets := map[string]string{
		"CHATGPT_PASSWORD":      "Env-Password-Value-81",
		"CHATGPT_TOTP_SECRET":   "JBSWY3DPEHPK3PXPJBSW",
		"CHATGPT_SESSION_TOKEN": "eyJhbGciOiJkaXIi.env-session-token",
		"ALICE_PASSWORD":        "Fleet-Password-Value-42",
		"CHATGPT_EMAIL":         "someone@example.com",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("LC_ALL", "C.UTF-8")
	_, stop := start(t, BrowserOptions{})
	defer stop()
	pids := browserProcesses(0, false, []string{tmp})
	if len(pids) < 3 {
		t.Fatalf("found %d browser processes, want the browser and its children", len(pids))
	}
	main := 0
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			continue // it ended meanwhile
		}
		for k, v := range secrets {
			if bytes.Contains(data, []byte(v)) || bytes.Contains(data, []byte(k+"=")) {
				t.Errorf("process %d holds %s in its environment", pid, k)
			}
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if bytes.Contains(cmdline, []byte("--type=")) || bytes.Contains(cmdline, []byte("crashpad")) {
			// Chrome's children write their title over their environment's
			// memory: only the browser's own is a list of variables.
			continue
		}
		main = pid
		vars := map[string]string{}
		for _, kv := range bytes.Split(data, []byte{0}) {
			if k, v, ok := strings.Cut(string(kv), "="); ok {
				vars[k] = v
			}
		}
		// Every variable of the tool's own environment that is not on the
		// list stays out (a wrapper script like Debian's adds its own, and
		// a shell sets PWD).
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			if got, ok := vars[k]; ok && got == v && !browserVar(k, false) && k != "PWD" {
				t.Errorf("the browser got %s from the tool's environment", k)
			}
		}
		if vars["PATH"] == "" || vars["LC_ALL"] != "C.UTF-8" || !strings.HasPrefix(vars["TMPDIR"], tmp+"/") {
			t.Errorf("the browser: PATH %q LC_ALL %q TMPDIR %q: want the allowed variables and TMPDIR in the run's folder", vars["PATH"], vars["LC_ALL"], vars["TMPDIR"])
		}
	}
	if main == 0 {
		t.Error("the browser process itself was not among them")
	}
}

func TestBrowserEnv_DisplayOnlyWhenHeaded(t *testing.T) {
	environ := []string{"PATH=/bin", "DISPLAY=:9", "XAUTHORITY=/x", "CHATGPT_PASSWORD=p", "https_proxy=http://proxy:3128", "AWS_SECRET_ACCESS_KEY=k", "FONTCONFIG_PATH=/f", "LC_TIME=C"}
	has := func(env []string, name string) bool {
		for _, kv := range env {
			if strings.HasPrefix(kv, name+"=") {
				return true
			}
		}
		return false
	}
	headless := browserEnv(environ, false, "/tmp/run")
	headed := browserEnv(environ, true, "/tmp/run")
	for _, name := range []string{"PATH", "https_proxy", "FONTCONFIG_PATH", "LC_TIME", "TMPDIR", "XDG_CONFIG_HOME"} {
		if !has(headless, name) || !has(headed, name) {
			t.Errorf("%s is not passed", name)
		}
	}
	for _, name := range []string{"CHATGPT_PASSWORD", "AWS_SECRET_ACCESS_KEY"} {
		if has(headless, name) || has(headed, name) {
			t.Errorf("%s is passed", name)
		}
	}
	if has(headless, "DISPLAY") || !has(headed, "DISPLAY") || !has(headed, "XAUTHORITY") {
		t.Errorf("display variables: headless %v, headed %v", headless, headed)
	}
}

// Stopping the browser returns once none of its processes runs: right
// after the cancel, /proc has none left, for a throw-away profile and a
// kept one.
func TestBrowser_StopLeavesNoProcessRunning(t *testing.T) {
	needsLinux(t)
	for _, kept := range []bool{false, true} {
		t.Run(fmt.Sprintf("kept profile %v", kept), func(t *testing.T) {
			opts := BrowserOptions{}
			if kept {
				opts.ProfileDir = filepath.Join(t.TempDir(), "profile")
			}
			tmp := shortTemp(t)
			dirs := []string{tmp, opts.ProfileDir}
			_, stop := start(t, opts)
			if n := len(browserProcesses(0, false, dirs)); n < 3 {
				t.Fatalf("%d browser processes while it runs", n)
			}
			began := time.Now()
			stop()
			if pids := browserProcesses(0, false, dirs); len(pids) > 0 {
				t.Errorf("processes %v still run right after the stop", pids)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("left in the temporary folder: %v", left)
			}
			t.Logf("the stop took %v", time.Since(began))
		})
	}
}

// Two starts at the same moment on one profile: the lock is taken before
// Chrome starts, so exactly one gets the profile and the other is told
// at once that it is in use.
func TestBrowser_ProfileLockIsTakenAtomically(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []*profileLock
	var lost []error
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			l, err := lockProfile(dir)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				lost = append(lost, err)
			} else {
				won = append(won, l)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 || len(lost) != 15 {
		t.Fatalf("%d took the lock, %d were refused; want 1 and 15", len(won), len(lost))
	}
	for _, err := range lost {
		if KindOf(err) != KindConfig || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
			t.Errorf("refusal %q: want a config error saying in use, by which process", err)
		}
	}
	won[0].release()
	l, err := lockProfile(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.release()

	// The same through StartBrowser, with real browsers.
	profile := filepath.Join(t.TempDir(), "profile")
	type outcome struct {
		stop context.CancelFunc
		err  error
	}
	results := make(chan outcome, 2)
	for i := 0; i < 2; i++ {
		go func() {
			_, stop, err := StartBrowser(context.Background(), BrowserOptions{ProfileDir: profile})
			results <- outcome{stop, err}
		}()
	}
	var errs []error
	for i := 0; i < 2; i++ {
		o := <-results
		if o.err != nil {
			errs = append(errs, o.err)
		} else {
			defer o.stop()
		}
	}
	if len(errs) != 1 || KindOf(errs[0]) != KindConfig || !strings.Contains(errs[0].Error(), "in use") {
		t.Errorf("two starts on one profile: errors %v, want exactly one config error saying in use", errs)
	}
}

// A profile folder others can read is made private, and the result says so.
func TestBrowser_ProfileFolderOthersCanReadIsMadePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no modes")
	}
	profile := filepath.Join(t.TempDir(), "profile")
	if err := os.Mkdir(profile, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(profile, 0o755) // whatever the umask
	ctx, stop, err := StartBrowser(context.Background(), BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	st, err := os.Stat(profile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("mode %04o, want 0700", st.Mode().Perm())
	}
	ws := BrowserWarnings(ctx)
	if len(ws) != 1 || !strings.Contains(ws[0], profile) || !strings.Contains(ws[0], "0755") || !strings.Contains(ws[0], "0700") {
		t.Errorf("warnings %q: want one naming the folder, its old mode and 0700", ws)
	}
	// A private folder gives no warning.
	stop()
	ctx, stop2, err := StartBrowser(context.Background(), BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if ws := BrowserWarnings(ctx); len(ws) != 0 {
		t.Errorf("warnings for a private folder: %q", ws)
	}
}

// A binary that is not Chrome (or exits at once) is a configuration error
// that says what was started, what it printed, and how to point at a real
// Chrome.
func TestBrowser_ABinaryThatIsNotChromeIsAConfigError(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell scripts")
	}
	noisy := filepath.Join(t.TempDir(), "not-chrome")
	script := "#!/bin/sh\necho 'not a browser, args:' \"$1\"\ni=0; while [ $i -lt 5000 ]; do echo \"line $i of noise\"; i=$((i+1)); done\nexit 3\n"
	if err := os.WriteFile(noisy, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, source string
		words        []string
	}{
		{"/bin/false", "--chrome", []string{`"/bin/false" (--chrome)`, "exit status 1", "printed nothing", "--chrome PATH", "CHROME_PATH", "apt-get install -y chromium"}},
		{noisy, "CHROME_PATH", []string{noisy, "(CHROME_PATH)", "exit status 3", "not a browser, args:", "more lines", "--version"}},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			shortTemp(t)
			_, _, err := StartBrowser(context.Background(), BrowserOptions{ExecPath: c.path, ExecPathSource: c.source})
			if err == nil {
				t.Fatal("it started")
			}
			if KindOf(err) != KindConfig {
				t.Errorf("kind %s, want config (exit 1)", KindOf(err))
			}
			for _, w := range c.words {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
			if len(err.Error()) > 4000 {
				t.Errorf("the error has %d bytes: what the binary printed is not capped", len(err.Error()))
			}
		})
	}
}

// A run killed before it could clean up (SIGKILL) leaves its temporary
// folder; the next run removes it, and stops any process still using it,
// but leaves the folders of live runs and unmarked folders alone.
func TestBrowser_TemporaryFoldersOfDeadRunsAreRemoved(t *testing.T) {
	needsLinux(t)
	tmp := shortTemp(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer live.Process.Kill()
	mk := func(name, mark string) string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "profile"), 0o700); err != nil {
			t.Fatal(err)
		}
		if mark != "" {
			if err := os.WriteFile(filepath.Join(dir, ownerFileName), []byte(mark), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	deadDir := mk(tempPrefix+"dead", ownerMark(dead.Process.Pid))
	reused := mk(tempPrefix+"reused", fmt.Sprintf("chatgpt-optout %d %d\n", live.Process.Pid, processStartTime(live.Process.Pid)+1))
	liveDir := mk(tempPrefix+"live", ownerMark(live.Process.Pid))
	unmarked := mk(tempPrefix+"unmarked", "")
	other := mk("other-dead", ownerMark(dead.Process.Pid))
	// A leftover process of the dead run, still using its folder.
	leftover := exec.Command("sh", "-c", "sleep 60", "--user-data-dir="+filepath.Join(deadDir, "profile"))
	if err := leftover.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- leftover.Wait() }()

	sweepTempDirs()
	for dir, gone := range map[string]bool{deadDir: true, reused: true, liveDir: false, unmarked: false, other: false} {
		_, err := os.Stat(dir)
		if gone != errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: removed %v, want %v", filepath.Base(dir), !gone, gone)
		}
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		leftover.Process.Kill()
		t.Error("the leftover process of the dead run still runs")
	}
}

func TestQuoteValue_CapsLongValues(t *testing.T) {
	if got := QuoteValue("short"); got != `"short"` {
		t.Errorf("%s", got)
	}
	long := strings.Repeat("é", 50<<20/2)
	got := QuoteValue(long)
	if len(got) > 200 || !strings.HasPrefix(got, `"éé`) || !strings.Contains(got, "… (26214400 characters)") {
		t.Errorf("%d bytes: %.120s", len(got), got)
	}
}

func TestMentionsAny_MatchesWholeFolders(t *testing.T) {
	dirs := []string{"/tmp/chatgpt-optout-12"}
	for arg, want := range map[string]bool{
		"--user-data-dir=/tmp/chatgpt-optout-12/profile":             true,
		"--database=/tmp/chatgpt-optout-12/config/chromium/Crash Re": true,
		"/tmp/chatgpt-optout-12":                                     true,
		"--user-data-dir=/tmp/chatgpt-optout-123/profile":            false,
		"--user-data-dir=/x/tmp/chatgpt-optout-12/profile":           false,
	} {
		if got := mentionsAny(arg, dirs); got != want {
			t.Errorf("%s: %v, want %v", arg, got, want)
		}
	}
}
