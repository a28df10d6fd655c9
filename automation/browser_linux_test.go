package automation

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Chrome's processes carry only the variables they need: never the
// account's secrets, which the tool has in its environment.
func TestBrowser_ProcessesGetNoSecretsInTheirEnvironment(t *testing.T) {
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
	pids := browserProcesses([]string{tmp})
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

// Stopping the browser returns once none of its processes runs: right
// after the cancel, /proc has none left, for a throw-away profile and a
// kept one.
func TestBrowser_StopLeavesNoProcessRunning(t *testing.T) {
	for _, kept := range []bool{false, true} {
		t.Run(fmt.Sprintf("kept profile %v", kept), func(t *testing.T) {
			opts := BrowserOptions{}
			if kept {
				opts.ProfileDir = filepath.Join(t.TempDir(), "profile")
			}
			tmp := shortTemp(t)
			dirs := []string{tmp, opts.ProfileDir}
			_, stop := start(t, opts)
			if n := len(browserProcesses(dirs)); n < 3 {
				t.Fatalf("%d browser processes while it runs", n)
			}
			began := time.Now()
			stop()
			if pids := browserProcesses(dirs); len(pids) > 0 {
				t.Errorf("processes %v still run right after the stop", pids)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("left in the temporary folder: %v", left)
			}
			t.Logf("the stop took %v", time.Since(began))
		})
	}
}

// A run killed before it could clean up (SIGKILL) leaves its temporary
// folder; the next run removes it, and stops any process still using it,
// but leaves the folders of live runs and unmarked folders alone.
func TestBrowser_TemporaryFoldersOfDeadRunsAreRemoved(t *testing.T) {
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
