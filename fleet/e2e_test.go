package fleet_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

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

	var sims []simulator.Account
	var accts []automation.Account
	for i := 0; i < 6; i++ {
		a := simulator.Account{Email: fmt.Sprintf("crash%d@example.com", i), Password: fmt.Sprintf("crash-password-%d", i), TrainingAllowed: true}
		sims = append(sims, a)
		accts = append(accts, automation.Account{Name: fmt.Sprintf("crash-%d", i), Email: a.Email, Password: a.Password})
	}
	srv, err := simulator.Start(simulator.Options{Accounts: sims})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	victim := accts[2]
	var killed atomic.Bool
	var pid atomic.Int64
	run := func(browserCtx context.Context, acct automation.Account, cfg automation.Config) *automation.Result {
		if acct.Name == victim.Name && killed.CompareAndSwap(false, true) {
			proc := chromedp.FromContext(browserCtx).Browser.Process()
			pid.Store(int64(proc.Pid))
			go func() {
				// Kill it once the victim is signing in.
				deadline := time.Now().Add(20 * time.Second)
				for srv.Counters(acct.Email).LoginPageViews == 0 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				proc.Kill()
			}()
		}
		return automation.Disable(browserCtx, acct, cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := fleet.Run(ctx, accts, fleet.Options{
		Config:     automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute},
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
	if rep.ExitCode != 0 || rep.Summary.Changed != 6 {
		t.Errorf("exit %d summary %+v, want every account changed", rep.ExitCode, rep.Summary)
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
