package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// credentialVars are unset for every test so the machine's environment
// cannot leak into a run.
var credentialVars = []string{
	"CHATGPT_EMAIL", "CHATGPT_PASSWORD", "CHATGPT_TOTP_SECRET", "CHATGPT_SESSION_TOKEN",
	"CHATGPT_BASE_URL", "CHATGPT_OPTOUT_SELECTORS", "CHROME_PATH",
}

// cli runs the command line in-process, in a fresh working directory, with
// env as the only credentials, and returns the exit code and both outputs.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return cliIn(t, t.TempDir(), env, args...)
}

// cliIn is cli in the working directory dir.
func cliIn(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for _, k := range credentialVars {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	// A bound for a hung command, far above what a fleet of 20 takes on a
	// loaded 2-core machine: the runs' own --timeout decide the outcomes.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	code := execute(ctx, args, &stdout, &stderr)
	t.Logf("chatgpt-optout %v → exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout.String(), stderr.String())
	return code, stdout.String(), stderr.String()
}

func startSim(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	srv, err := simulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
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
		var procs []string
		for _, dir := range append([]string{tmp}, others...) {
			if out, _ := exec.Command("pgrep", "-f", dir).Output(); len(bytes.TrimSpace(out)) > 0 {
				procs = append(procs, strings.Fields(string(out))...)
			}
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
