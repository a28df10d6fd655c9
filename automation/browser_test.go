package automation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
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

// start starts a browser and opens a page in it, so that it runs its
// renderer and utility processes too.
func start(t *testing.T, opts BrowserOptions) (*Browser, func()) {
	t.Helper()
	b, err := Launch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := chromedp.NewContext(b.ctx)
	if err := chromedp.Do(tab, chromedp.Navigate("data:text/html,<p>hello</p>")); err != nil {
		b.Close()
		t.Fatal(err)
	}
	cancelTab()
	return b, func() { b.Close() }
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

// Two starts at the same moment on one profile: the lock is taken before
// Chrome starts, so exactly one gets the profile and the other is told
// at once that it is in use, and by which process (or, in the moment
// before the holder wrote its ID, that it is starting).
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
		if KindOf(err) != KindConfig || !strings.Contains(err.Error(), "in use") ||
			!strings.Contains(err.Error(), fmt.Sprintf("(process %d)", os.Getpid())) && !strings.Contains(err.Error(), "chatgpt-optout that is starting:") {
			t.Errorf("refusal %q: want a config error saying in use, by which process", err)
		}
	}
	won[0].release()
	l, err := lockProfile(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.release()

	// The same through Launch, with real browsers.
	profile := filepath.Join(t.TempDir(), "profile")
	type outcome struct {
		b   *Browser
		err error
	}
	results := make(chan outcome, 2)
	for i := 0; i < 2; i++ {
		go func() {
			b, err := Launch(context.Background(), BrowserOptions{ProfileDir: profile})
			results <- outcome{b, err}
		}()
	}
	var errs []error
	for i := 0; i < 2; i++ {
		o := <-results
		if o.err != nil {
			errs = append(errs, o.err)
		} else {
			defer o.b.Close()
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
	b, err := Launch(context.Background(), BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := os.Stat(profile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("mode %04o, want 0700", st.Mode().Perm())
	}
	ws := b.Warnings()
	if len(ws) != 1 || !strings.Contains(ws[0], profile) || !strings.Contains(ws[0], "0755") || !strings.Contains(ws[0], "0700") {
		t.Errorf("warnings %q: want one naming the folder, its old mode and 0700", ws)
	}
	// A private folder gives no warning.
	b.Close()
	b, err = Launch(context.Background(), BrowserOptions{ProfileDir: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ws := b.Warnings(); len(ws) != 0 {
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
	notAProgram := filepath.Join(t.TempDir(), "text")
	if err := os.WriteFile(notAProgram, []byte("just text\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path  string
		words []string
	}{
		{"/bin/false", []string{`"/bin/false"`, "exit status 1", "printed nothing", "set the browser path", "apt-get install -y chromium"}},
		{notAProgram, []string{"cannot be started", "exec format error", "set the browser path"}},
		{noisy, []string{noisy, "exit status 3", "not a browser, args:", "more lines", "--version"}},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			shortTemp(t)
			_, err := Launch(context.Background(), BrowserOptions{ExecPath: c.path})
			if err == nil {
				t.Fatal("it started")
			}
			if KindOf(err) != KindConfig || !slices.Contains(FixOf(err), SettingBrowser) {
				t.Errorf("kind %s, fix %v: want config (exit 1), pointing at the browser path", KindOf(err), FixOf(err))
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

func TestQuoteValue_CapsLongValues(t *testing.T) {
	if got := quote.Value("short"); got != `"short"` {
		t.Errorf("%s", got)
	}
	long := strings.Repeat("é", 50<<20/2)
	got := quote.Value(long)
	if len(got) > 200 || !strings.HasPrefix(got, `"éé`) || !strings.Contains(got, "… (26214400 characters)") {
		t.Errorf("%d bytes: %.120s", len(got), got)
	}
}

func TestMentionsAny_MatchesWholeFolders(t *testing.T) {
	dirs := []string{"/tmp/chatgpt-optout-12"}
	for arg, want := range map[string]bool{
		"--user-data-dir=/tmp/chatgpt-optout-12/profile":             true,
		"--database=/tmp/chatgpt-optout-12/config/chromium/Crash Re": true,
		"/tmp/chatgpt-optout-12":                                     false, // a wrapper's plain argument
		"--profile-dir=/tmp/chatgpt-optout-12":                       true,
		"--user-data-dir=/tmp/chatgpt-optout-123/profile":            false,
		"--user-data-dir=/x/tmp/chatgpt-optout-12/profile":           false,
	} {
		if got := mentionsAny(arg, dirs); got != want {
			t.Errorf("%s: %v, want %v", arg, got, want)
		}
	}
}
