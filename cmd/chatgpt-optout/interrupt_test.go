package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Ctrl-C in the middle of a run stops Chrome and removes its throw-away
// profile: nothing is left behind.
func TestInterrupt_LeavesNoChromeAndNoTempDir(t *testing.T) {
	parallelChrome(t)
	// A slow backend keeps the run busy long enough to interrupt it.
	srv := startSim(t, simulator.Options{Latency: 3 * time.Second})
	tmp := shortTempDir(t)
	cmd := toolCmd(t, tmp, map[string]string{"CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "alice-password-1"}, "disable", "-v", "--base-url", srv.AppURL())
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

// The documented way to run headed on a server: under xvfb-run.
func TestHeaded_RunsUnderXvfbRun(t *testing.T) {
	parallelChrome(t)
	xvfbRun, err := exec.LookPath("xvfb-run")
	if err != nil {
		t.Fatal("this test needs xvfb-run (Debian: apt-get install -y xvfb); scripts/test installs it")
	}
	srv := startSim(t, simulator.Options{})
	cmd := toolCmd(t, shortTempDir(t), map[string]string{"DISPLAY": "", "CHATGPT_EMAIL": "alice@example.com", "CHATGPT_PASSWORD": "alice-password-1"}, "disable", "--headed", "--base-url", srv.AppURL())
	cmd.Path, cmd.Args = xvfbRun, append([]string{"xvfb-run", "-a", cmd.Path}, cmd.Args[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "on → off (verified)") {
		t.Fatalf("xvfb-run ... --headed: %v\n%s", err, out)
	}
	if on, _ := srv.TrainingAllowed("alice@example.com"); on {
		t.Error("the simulator still has the setting on")
	}
}
