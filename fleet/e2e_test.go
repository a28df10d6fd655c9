package fleet_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

// simFleet is n simulator accounts with the setting on, named prefix-0 …
// prefix-(n-1), and the fleet's accounts for them.
func simFleet(prefix string, n int) ([]simulator.Account, []automation.Account) {
	var sims []simulator.Account
	var accts []automation.Account
	for i := range n {
		a := simulator.Account{Email: fmt.Sprintf("%s%d@example.com", prefix, i), Password: fmt.Sprintf("%s-password-%d", prefix, i), TrainingAllowed: true}
		sims = append(sims, a)
		accts = append(accts, automation.Account{Name: fmt.Sprintf("%s-%d", prefix, i), Email: a.Email, Password: a.Password})
	}
	return sims, accts
}

// A Chrome killed in the middle of a fleet run is replaced: the accounts
// it was running run again in the new one, the run goes on, every account
// ends off, and neither Chrome nor its temporary profile is left behind.
func TestRun_KilledChromeIsRestartedAndTheRunGoesOn(t *testing.T) {
	if _, err := automation.FindChrome(); err != nil {
		t.Fatal("this test drives a real Chromium:", err)
	}
	tmp, err := os.MkdirTemp("/tmp", "co-fleet")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)

	sims, accts := simFleet("crash", 6)
	srv := simtest.Start(t, simulator.Options{Accounts: sims})

	victim := accts[2]
	var killed atomic.Bool
	var pid atomic.Int64
	run := func(ctx context.Context, b *automation.Browser, acct automation.Account, cfg automation.Config) (*automation.Result, error) {
		if acct.Name == victim.Name && killed.CompareAndSwap(false, true) {
			// The shared browser is the only one running yet.
			p := browserProcess(t, tmp)
			pid.Store(int64(p))
			go func() {
				// Kill it once the victim is signing in.
				deadline := time.Now().Add(20 * time.Second)
				for srv.Counters(acct.Email).LoginPageViews == 0 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				syscall.Kill(p, syscall.SIGKILL)
			}()
		}
		return automation.Disable(ctx, b, acct, cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := fleet.Run(ctx, accts, fleet.Options{
		Config:     automation.Config{BaseURL: srv.AppURL()},
		Parallel:   2,
		Retries:    0, // a crash is not the account's fault: it runs again all the same
		RunAccount: run,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		t.Logf("%s: %s %s retries %d: %s", r.Account, r.Outcome, r.ErrorKind, r.Retries, r.Error)
	}
	if !killed.Load() {
		t.Fatal("the victim never ran")
	}
	if rep.Summary != (fleet.Summary{Total: 6, Changed: 6}) {
		t.Errorf("summary %+v, want every account changed", rep.Summary)
	}
	if rep.BrowserRestarts != 1 || rep.BrowserStarts != 2 {
		t.Errorf("browser starts %d restarts %d, want 2 and 1", rep.BrowserStarts, rep.BrowserRestarts)
	}
	if r := rep.Results[2]; r.Retries < 1 {
		t.Errorf("the victim ran %d extra times, want at least one", r.Retries)
	}
	for _, a := range sims {
		if on, _ := srv.TrainingAllowed(a.Email); on {
			t.Errorf("%s is still on", a.Email)
		}
	}
	// Nothing left: no Chrome on the folder, no temporary profile.
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(tmp, "*"))
		out, _ := exec.Command("pgrep", "-f", tmp).Output()
		if len(left) == 0 && len(bytes.TrimSpace(out)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: files %v, processes %s", left, strings.TrimSpace(string(out)))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// browserProcess is the process id of the one Chrome running on a profile
// under dir: the browser itself (it alone has the DevTools connection),
// not one of its children.
func browserProcess(t *testing.T, dir string) int {
	t.Helper()
	var pids []int
	for pid, procDir := range processes() {
		cmdline, err := os.ReadFile(filepath.Join(procDir, "cmdline"))
		if err != nil {
			continue // it ended meanwhile
		}
		if bytes.Contains(cmdline, []byte("--user-data-dir="+dir+"/")) && bytes.Contains(cmdline, []byte("--remote-debugging-")) && !bytes.Contains(cmdline, []byte("--type=")) {
			pids = append(pids, pid)
		}
	}
	if len(pids) != 1 {
		t.Fatalf("found %d browser processes on a profile under %s (%v), want the one shared browser", len(pids), dir, pids)
	}
	return pids[0]
}

// processes are the machine's processes: each one's ID and its folder in
// /proc, whose files may be gone by the time they are read.
func processes() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if !yield(pid, filepath.Join("/proc", e.Name())) {
				return
			}
		}
	}
}
