package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

// credentialVars are the machine's credentials and settings: no run of the
// tool sees them (toolCmd), so the machine's environment cannot leak into a
// run.
var credentialVars = []string{
	"CHATGPT_EMAIL", "CHATGPT_PASSWORD", "CHATGPT_TOTP_SECRET", "CHATGPT_SESSION_TOKEN",
	"CHATGPT_BASE_URL", "CHATGPT_OPTOUT_SELECTORS", "CHROME_PATH",
}

// toolDeadline bounds one run of the tool, far above what a fleet of 20
// takes on a loaded 2-core machine: the runs' own --timeout decide the
// outcomes.
const toolDeadline = 8 * time.Minute

// accountTimeout is the --timeout of the runs that set one: on a 2-core
// machine running the packages' tests side by side, an account that takes
// 5 s alone can take 40 s (and 90 s with a retry), so a tighter limit
// makes the outcomes depend on the load.
const accountTimeout = "2m"

// chromeSlots bounds the tests that start a Chrome of their own (a
// process of the tool, or a run in-process that needs its own browser) at
// once, whatever -parallel says, to one per CPU: their work is Chrome's,
// bound by the CPU, and beyond that each run only takes longer and more
// CPU (measured on 2 cores: 8 runs side by side take 45% more CPU each
// than one after another, 4 take 20% more, 2 take 5%). The other tests
// run beside them.
var chromeSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// parallelChrome is t.Parallel for a test that starts a Chrome of its own:
// it then waits for one of chromeSlots, which it holds until it ends.
func parallelChrome(t *testing.T) {
	t.Helper()
	t.Parallel()
	waitSlot(t, chromeSlots)
}

// sharedSlots bounds the tests that run in-process on the shared Chrome
// (sharedChrome) at once. A run there is a browser context, not a cold
// Chrome: it costs no start, and most of its time is spent waiting on the
// site (the simulator's latency, the flows' own waits), so twice as many
// as the machine has CPUs run beside those of chromeSlots (with -parallel
// 4 on 2 cores, -parallel alone bounds them).
var sharedSlots = make(chan struct{}, 2*max(2, runtime.NumCPU()))

// parallelShared is t.Parallel for a test whose runs drive the shared
// Chrome: it then waits for one of sharedSlots, which it holds until it
// ends.
func parallelShared(t *testing.T) {
	t.Helper()
	t.Parallel()
	waitSlot(t, sharedSlots)
}

// waitSlot takes one of slots until the test ends, and logs a long wait.
func waitSlot(t *testing.T, slots chan struct{}) {
	t.Helper()
	start := time.Now()
	slots <- struct{}{}
	t.Cleanup(func() { <-slots })
	if d := time.Since(start); d > time.Second {
		t.Logf("waited %v for a Chrome slot", d.Round(time.Millisecond))
	}
}

// cli runs the tool in-process in a fresh working directory, with env as
// the only credentials, and returns the exit code and both outputs.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return cliIn(t, t.TempDir(), env, args...)
}

// processVars are read by the process (the Go runtime and libraries, the
// browser's start), not through the command's system: a run that sets
// one is a run of the built tool (cliProcess).
var processVars = []string{"TMPDIR", "DISPLAY", "WAYLAND_DISPLAY", "SSL_CERT_DIR", "HOME", "GORACE"}

// cliIn is cli in the working directory dir: there is the automatic
// ./.env. Paths given to the tool are absolute: in-process, a relative one
// would be read from the package's folder.
//
// The run is execute itself, in this process: its environment is env over
// what a process of the tool would get (toolCmd: the test's environment
// without the machine's credentials and settings), and its browsers are
// contexts of the shared Chrome (startInProcess) unless env or args name a
// Chrome (CHROME_PATH, --chrome): that one is started as the tool starts
// it. A data race fails the test binary itself.
func cliIn(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k := range env {
		if slices.Contains(processVars, k) {
			t.Fatalf("cli with %s: the process reads it, not the command; use cliProcess", k)
		}
	}
	var stdout, stderr simtest.Buffer
	sys := system{stdout: &stdout, stderr: &stderr, lookupEnv: toolEnv(env), dir: dir, startBrowser: startInProcess, fetch: selectorsFetch(t, env)}
	_, chromeVar := env["CHROME_PATH"]
	if chromeVar || slices.ContainsFunc(args, func(a string) bool { return a == "--chrome" || strings.HasPrefix(a, "--chrome=") }) {
		sys.startBrowser = nil
	}
	ctx, cancel := context.WithTimeout(t.Context(), toolDeadline)
	defer cancel()
	start := time.Now()
	code := execute(ctx, sys, args)
	t.Logf("chatgpt-optout %v → exit %d in %v (in-process)\nstdout:\n%s\nstderr:\n%s", args, code, time.Since(start).Round(time.Millisecond), stdout.String(), stderr.String())
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("chatgpt-optout %v was stopped after %v", args, toolDeadline)
	}
	return code, stdout.String(), stderr.String()
}

// selectorsFetch is what SSL_CERT_FILE and XDG_CACHE_HOME in env tell a
// process of the tool about fetching a selectors file: the roots it
// trusts (Go reads SSL_CERT_FILE once per process) and its cache folder
// (selectors.DefaultCacheDir under XDG_CACHE_HOME).
func selectorsFetch(t *testing.T, env map[string]string) selectors.FetchOptions {
	t.Helper()
	var fetch selectors.FetchOptions
	if file, ok := env["SSL_CERT_FILE"]; ok {
		pem, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			t.Fatalf("SSL_CERT_FILE %s holds no certificate", file)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
		fetch.Client = &http.Client{Transport: tr}
	}
	if dir, ok := env["XDG_CACHE_HOME"]; ok {
		fetch.CacheDir = filepath.Join(dir, "chatgpt-optout", "selectors")
	}
	return fetch
}

// hiddenVar is a variable of the machine that no run of the tool sees: its
// credentials and settings.
func hiddenVar(k string) bool {
	return slices.Contains(credentialVars, k) || strings.HasPrefix(k, "CHATGPT_") || k == "CHROME_PATH" || k == "TMPDIR" || k == "GITHUB_STEP_SUMMARY"
}

// toolEnv is the environment toolCmd gives a process of the tool, as a
// lookup: env, over the test's environment without hiddenVar.
func toolEnv(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		if v, ok := env[k]; ok {
			return v, true
		}
		if hiddenVar(k) {
			return "", false
		}
		return os.LookupEnv(k)
	}
}

// shared is the headless Chrome the in-process runs share, started on
// first use and stopped by TestMain.
var shared struct {
	mu sync.Mutex
	b  *automation.Browser
}

// sharedChrome is the shared Chrome, started (again, if it stopped) when
// needed: headless, with images (each run blocks them in its own tabs when
// its options say so).
func sharedChrome() (*automation.Browser, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b != nil && shared.b.Err() == nil {
		return shared.b, nil
	}
	if shared.b != nil {
		shared.b.Close()
	}
	b, err := automation.Launch(context.Background(), automation.BrowserOptions{})
	if err != nil {
		shared.b = nil
		return nil, err
	}
	shared.b = b
	return b, nil
}

// startInProcess is the in-process runs' way to start a browser: a
// Browser on the shared Chrome, whose runs each get a browser context of
// their own (no cookie is shared) and whose Close leaves the shared Chrome
// running. A browser the shared one cannot stand for (another binary, a
// visible window, a profile folder) is started as the tool starts it.
func startInProcess(ctx context.Context, opts automation.BrowserOptions) (*automation.Browser, error) {
	if opts.ExecPath != "" || opts.Headed || opts.ProfileDir != "" {
		return automation.Launch(ctx, opts)
	}
	b, err := sharedChrome()
	if err != nil {
		return nil, err
	}
	return automation.Attach(b.Context(), nil, opts), nil
}

// cliProcess runs the built tool as a process in a fresh working
// directory, with env as the only credentials, and returns the exit code
// and both outputs: for the tests whose point is the process (its exit,
// its environment, its temporary folder, its children), and the
// end-to-end runs of each command. Unless env sets TMPDIR, the run has a
// temporary folder of its own.
func cliProcess(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	tmp := env["TMPDIR"]
	if tmp == "" {
		tmp = shortTempDir(t)
	}
	cmd := toolCmd(t, tmp, env, args...)
	cmd.Dir = t.TempDir()
	return runCmd(t, cmd)
}

// toolCmd is the built tool with args, in a fresh working directory, with
// TMPDIR set to tmp, and the test process's environment without the
// machine's credentials and settings (credentialVars, any CHATGPT_* and
// CHROME_PATH, GITHUB_STEP_SUMMARY) but with env. It runs in a process
// group of its own, killed with everything in it after toolDeadline or
// when the test ends.
func toolCmd(t *testing.T, tmp string, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolDeadline)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, buildBinary(t), args...)
	cmd.Dir = t.TempDir()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, given := env[k]; given || hiddenVar(k) {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	if _, ok := os.LookupEnv("GORACE"); !ok && raceEnabled {
		// Not the race runtime's second of sleep before each exit.
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=50")
	}
	for k, v := range env {
		if k != "TMPDIR" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return nil
	}
	// A Chrome that outlived the tool and holds its output open does not
	// hang the test.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// runCmd runs cmd, a toolCmd, to its end and returns its exit code and
// both outputs.
func runCmd(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("starting %v: %v", cmd.Args, err)
	}
	code := cmd.ProcessState.ExitCode()
	t.Logf("chatgpt-optout %v → exit %d in %v\nstdout:\n%s\nstderr:\n%s", cmd.Args[1:], code, time.Since(start).Round(time.Millisecond), stdout.String(), stderr.String())
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("chatgpt-optout %v was killed after %v", cmd.Args[1:], toolDeadline)
	}
	if strings.Contains(stderr.String(), "WARNING: DATA RACE") {
		t.Errorf("chatgpt-optout %v: the race detector found a data race", cmd.Args[1:])
	}
	return code, stdout.String(), stderr.String()
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// raceEnabled is whether the tests run with the race detector (race_test.go):
// the tool they build is then built with it too.
var raceEnabled bool

// goBuild builds the package in the current directory to the file bin,
// with the race detector when the tests have it.
func goBuild(bin string, flags ...string) error {
	args := append([]string{"build"}, flags...)
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, "-o", bin, ".")...).CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	return nil
}

// buildBinary builds the command once per test run, for the tests to run
// as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chatgpt-optout-test-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "chatgpt-optout")
		binErr = goBuild(binPath)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func startSim(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	return simtest.Start(t, opts)
}

// creds is the environment for one simulator account.
func creds(t *testing.T, srv *simulator.Server, email string) map[string]string {
	t.Helper()
	for _, a := range srv.Accounts() {
		if a.Email == email {
			env := map[string]string{"CHATGPT_EMAIL": a.Email, "CHATGPT_PASSWORD": a.Password}
			if a.TOTPSecret != "" {
				env["CHATGPT_TOTP_SECRET"] = a.TOTPSecret
			}
			return env
		}
	}
	t.Fatalf("no simulator account %s", email)
	return nil
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.b != nil {
		shared.b.Close()
	}
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// shortTempDir is a temporary folder with a short path: Chrome puts a unix
// socket in it, and socket paths are limited to about 100 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "co-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// assertNothingLeft checks that no Chrome runs on the folders and that the
// temporary folder is empty.
func assertNothingLeft(t *testing.T, tmp string, others ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(tmp, "*"))
		// Not pgrep -f: a folder's name can begin another's.
		procs, err := processesUsing(append([]string{tmp}, others...)...)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 && len(procs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind: files %v, processes %v", left, procs)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startUntil starts cmd and reads its stderr until a line satisfies ready.
// It returns the lines read and the scanner for the rest.
func startUntil(t *testing.T, cmd *exec.Cmd, ready func(line string) bool) ([]string, *bufio.Scanner) {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var seen []string
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if ready(sc.Text()) {
			break
		}
	}
	return seen, sc
}

// interrupt sends Ctrl-C to cmd, reads the rest of its stderr from sc and
// waits, at most 30 s, for it to end. It returns the rest of stderr.
func interrupt(t *testing.T, cmd *exec.Cmd, sc *bufio.Scanner) string {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		rest <- b.String()
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the tool did not stop within 30 s of Ctrl-C")
	}
	return <-rest
}

// liveProcessesUsing lists the processes that run now (not zombies: those
// have ended) and name one of dirs, or a path inside it, in their command
// line: Chrome passes its --user-data-dir to every child, and its crash
// reporter's database is in the run's folder.
func liveProcessesUsing(t *testing.T, dirs ...string) []int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	pids, err := processesUsing(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	return pids
}

func processesUsing(dirs ...string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); err != nil || i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if namesAny(arg, dirs) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids, nil
}

func namesAny(arg string, dirs []string) bool {
	for _, d := range dirs {
		if i := strings.Index(arg, d); d != "" && i >= 0 && (i+len(d) == len(arg) || arg[i+len(d)] == '/') {
			return true
		}
	}
	return false
}

// assertNoProcessNow checks, at once and without waiting, that no process
// runs on the folders.
func assertNoProcessNow(t *testing.T, dirs ...string) {
	t.Helper()
	if pids := liveProcessesUsing(t, dirs...); len(pids) > 0 {
		var desc []string
		for _, pid := range pids {
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			desc = append(desc, fmt.Sprintf("%d %.150s", pid, strings.ReplaceAll(string(cmdline), "\x00", " ")))
		}
		t.Errorf("still running right after the tool exited:\n%s", strings.Join(desc, "\n"))
	}
}
