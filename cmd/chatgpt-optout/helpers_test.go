package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
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

// chromeSlots bounds the tests that drive Chrome at once, whatever
// -parallel says, to one per CPU: their work is Chrome's, bound by the
// CPU, and beyond that each run only takes longer and more CPU (measured
// on 2 cores: 8 runs side by side take 45% more CPU each than one after
// another, 4 take 20% more, 2 take 5%). The other tests run beside them.
var chromeSlots = make(chan struct{}, max(2, runtime.NumCPU()))

// parallelChrome is t.Parallel for a test that drives Chrome: it then
// waits for one of chromeSlots, which it holds until it ends.
func parallelChrome(t *testing.T) {
	t.Helper()
	t.Parallel()
	chromeSlots <- struct{}{}
	t.Cleanup(func() { <-chromeSlots })
}

// cli runs the built tool in a fresh working directory, with env as the
// only credentials, and returns the exit code and both outputs.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return cliIn(t, t.TempDir(), env, args...)
}

// cliIn is cli in the working directory dir. Unless env sets TMPDIR, the
// run has a temporary folder of its own.
func cliIn(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	tmp := env["TMPDIR"]
	if tmp == "" {
		tmp = shortTempDir(t)
	}
	cmd := toolCmd(t, tmp, env, args...)
	cmd.Dir = dir
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
		if _, given := env[k]; given || slices.Contains(credentialVars, k) || strings.HasPrefix(k, "CHATGPT_") || k == "CHROME_PATH" || k == "TMPDIR" || k == "GITHUB_STEP_SUMMARY" {
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
