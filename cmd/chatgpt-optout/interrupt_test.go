package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Ctrl-C in the middle of a run stops Chrome and removes its throw-away
// profile: nothing is left behind.
func TestInterrupt_LeavesNoChromeAndNoTempDir(t *testing.T) {
	bin := buildBinary(t)
	// A slow backend keeps the run busy long enough to interrupt it.
	srv := startSim(t, simulator.Options{Latency: 3 * time.Second})
	tmp := shortTempDir(t)
	cmd := exec.Command(bin, "disable", "-v", "--base-url", srv.AppURL())
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "CHATGPT_EMAIL=alice@example.com", "CHATGPT_PASSWORD=alice-password-1")
	// Wait until the browser is up and the run is under way.
	seen, sc := startUntil(t, cmd, func(line string) bool {
		return strings.Contains(line, "opening the sign-in") || strings.Contains(line, "entering the email")
	})
	if dirs, _ := filepath.Glob(filepath.Join(tmp, "*")); len(dirs) == 0 {
		t.Fatalf("no throw-away profile in TMPDIR while running; stderr so far: %v", seen)
	}
	interrupt(t, cmd, sc)
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Errorf("exit %d after Ctrl-C, want 3", code)
	}
	assertNothingLeft(t, tmp)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// buildBinary builds the command once per test run, for tests that need a
// real process (signals, xvfb-run).
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chatgpt-optout-test-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "chatgpt-optout")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// The documented way to run headed on a server: under xvfb-run.
func TestHeaded_RunsUnderXvfbRun(t *testing.T) {
	if _, err := exec.LookPath("xvfb-run"); err != nil {
		t.Fatal("this test needs xvfb-run (Debian: apt-get install -y xvfb); scripts/test installs it")
	}
	srv := startSim(t, simulator.Options{})
	cmd := exec.Command("xvfb-run", "-a", buildBinary(t), "disable", "--headed", "--base-url", srv.AppURL())
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DISPLAY=", "CHATGPT_EMAIL=alice@example.com", "CHATGPT_PASSWORD=alice-password-1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "on → off (verified)") {
		t.Fatalf("xvfb-run ... --headed: %v\n%s", err, out)
	}
	if on, _ := srv.TrainingAllowed("alice@example.com"); on {
		t.Error("the simulator still has the setting on")
	}
}
