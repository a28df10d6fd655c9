package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Right after the tool exits, normal or failed, no process of its Chrome
// runs: the tool waits for the browser and every child before it exits.
func TestExit_NoChromeProcessRunsOnceTheToolHasExited(t *testing.T) {
	parallelChrome(t)
	accts := onFleet("exit", 3)
	srv := startSim(t, simulator.Options{Accounts: simAccounts(accts)})
	file, fleetEnv := writeFleet(t, srv, accts, "")
	profile := filepath.Join(t.TempDir(), "profile")
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"disable", map[string]string{"CHATGPT_EMAIL": "exit0@example.com", "CHATGPT_PASSWORD": "exit-password-0"}, []string{"disable"}, 0},
		{"disable with a refused password", map[string]string{"CHATGPT_EMAIL": "exit1@example.com", "CHATGPT_PASSWORD": "wrong"}, []string{"disable"}, 3},
		{"status with a kept profile", map[string]string{"CHATGPT_EMAIL": "exit0@example.com", "CHATGPT_PASSWORD": "exit-password-0"}, []string{"status", "--profile-dir", profile}, 0},
		{"enforce", fleetEnv, []string{"enforce", "--accounts", file}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := shortTempDir(t)
			cmd := toolCmd(t, tmp, c.env, append(c.args, "--base-url", srv.AppURL(), "--timeout", accountTimeout)...)
			out, _ := cmd.CombinedOutput()
			assertNoProcessNow(t, tmp, profile)
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit %d, want %d:\n%s", code, c.code, out)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

// `chatgpt-optout disable -v 2>&1 | head -2`: once the reader is gone, the
// tool stops the run as on Ctrl-C, and leaves neither Chrome nor its
// temporary folder behind.
func TestBrokenPipe_StopsTheRunAndLeavesNothing(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{Latency: 2 * time.Second})
	tmp := shortTempDir(t)
	cmd := toolCmd(t, tmp, map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "alice-password-1"}, "disable", "-v", "--base-url", srv.AppURL())
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// head -2, once the browser is up.
	sc := bufio.NewScanner(r)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for deadline := time.Now().Add(30 * time.Second); !hasEntries(tmp) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	r.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err2 error
	select {
	case err2 = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the tool went on after its output was closed")
	}
	var ee *exec.ExitError
	if errors.As(err2, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
		t.Errorf("the tool died of %v instead of stopping the run", ee.ProcessState)
	}
	assertNoProcessNow(t, tmp)
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	t.Logf("read %q, then %v", lines, cmd.ProcessState)
}

func hasEntries(dir string) bool {
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	return len(left) > 0
}

// A run killed with SIGKILL cannot clean up; the next run removes the
// temporary folder it left, and stops what still runs in it.
func TestKilledRun_TheNextRunRemovesItsFolder(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{Latency: 2 * time.Second})
	tmp := shortTempDir(t)
	creds := map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "alice-password-1"}
	cmd := toolCmd(t, tmp, creds, "disable", "-v", "--base-url", srv.AppURL())
	_, sc := startUntil(t, cmd, func(line string) bool {
		return strings.Contains(line, "opening the app") || strings.Contains(line, "opening the sign-in")
	})
	go func() {
		for sc.Scan() {
		}
	}()
	left, _ := filepath.Glob(filepath.Join(tmp, "chatgpt-optout-*"))
	if len(left) != 1 {
		t.Fatalf("temporary folders while running: %v", left)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(left[0]); err != nil {
		t.Fatalf("the killed run's folder is already gone (%v): nothing to test", err)
	}
	// The next run, even one whose browser does not start, cleans up.
	next := toolCmd(t, tmp, creds, "disable", "--base-url", srv.AppURL(), "--chrome", "/bin/false")
	out, _ := next.CombinedOutput()
	if code := next.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d: %s", code, out)
	}
	if _, err := os.Stat(left[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed run's folder %s is still there (%v)", left[0], err)
	}
	assertNoProcessNow(t, tmp)
}

// Runs started at the same moment on one profile: one gets it, the others
// are refused at once as in use (exit 1), never Chrome's own refusal.
func TestProfile_RunsStartedAtOnceOnOneProfile(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{})
	profile := filepath.Join(t.TempDir(), "profile")
	creds := map[string]string{"CHATGPT_EMAIL": "bob@example.com", "CHATGPT_PASSWORD": "bob-password-2"}
	const n = 3
	var wg sync.WaitGroup
	codes := make([]int, n)
	stdouts, stderrs := make([]string, n), make([]string, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		cmd := toolCmd(t, shortTempDir(t), creds, "status", "--base-url", srv.AppURL(), "--profile-dir", profile, "--output", "json")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		wg.Go(func() {
			<-start
			cmd.Run()
			codes[i], stdouts[i], stderrs[i] = cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i := 0; i < n; i++ {
		switch codes[i] {
		case 0:
			won++
			if !strings.Contains(stdouts[i], `"outcome": "compliant"`) {
				t.Errorf("run %d: stdout %q", i, stdouts[i])
			}
		case 1:
			if !strings.Contains(stderrs[i], "in use") || !strings.Contains(stderrs[i], profile) || strings.Contains(stderrs[i], "ProcessSingleton") {
				t.Errorf("run %d: stderr %q, want the profile in use", i, stderrs[i])
			}
		default:
			t.Errorf("run %d: exit %d, stdout %q, stderr %q", i, codes[i], stdouts[i], stderrs[i])
		}
	}
	if won != 1 {
		t.Errorf("%d runs got the profile, want 1 (exit codes %v)", won, codes)
	}
}

// A script, or timeout(1), that runs the tool with the profile folder on
// its own command line is never taken for one of the browser's processes:
// it outlives the tool and sees its exit code.
func TestExit_AWrapperNamingTheProfileFolderSurvives(t *testing.T) {
	parallelChrome(t)
	srv := startSim(t, simulator.Options{})
	profile := filepath.Join(t.TempDir(), "profile")
	tmp := shortTempDir(t)
	cmd := toolCmd(t, tmp, creds(t, srv, "alice@example.com"), "status", "--profile-dir="+profile, "--base-url", srv.AppURL(), "--timeout", accountTimeout)
	tool := cmd.Path
	cmd.Path = "/bin/sh"
	cmd.Args = append([]string{"sh", "-c", `"$0" "$@"; echo "wrapper alive, the tool exited $?"`, tool}, cmd.Args[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the wrapper did not end well (%v): it was killed with the browser?\n%s", err, out)
	}
	if !strings.Contains(string(out), "wrapper alive, the tool exited 2") {
		t.Errorf("want the wrapper alive and the tool's exit code 2 (the setting is on):\n%s", out)
	}
	assertNoProcessNow(t, tmp, profile)
}
