package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// An enforce over six accounts with mixed outcomes writes one HTML file
// that Chromium renders with a row per account and the right counts; with
// --evidence the accounts that ended off carry a screenshot of their
// switch, and no secret is in the file.
func TestEnforce_HTMLReportWithEvidence(t *testing.T) {
	parallelShared(t)
	var accts []fleetAccount
	for i := 0; i < 6; i++ {
		a := fleetAccount{name: fmt.Sprintf("acct-%d", i), wantOutcome: "changed", reachable: true,
			sim: simulator.Account{Email: fmt.Sprintf("html%d@example.com", i), Password: fmt.Sprintf("Html-%d-s3cret-value", i), TrainingAllowed: i < 3}}
		switch {
		case i >= 3 && i < 5:
			a.wantOutcome = "compliant"
		case i == 5:
			a.password, a.wantOutcome, a.reachable = "Not-The-Password-77", "failed", false
		}
		accts = append(accts, a)
	}
	srv := startSim(t, simulator.Options{Accounts: simAccounts(accts)})
	file, env := writeFleet(t, srv, accts, t.TempDir())
	out := t.TempDir()
	if dir := os.Getenv("CHATGPT_OPTOUT_TEST_ARTIFACTS"); dir != "" {
		out = dir
	}
	report := filepath.Join(out, "enforce-report.html")
	code, _, stderr := cli(t, env, "enforce", "--accounts", file, "--base-url", srv.AppURL(), "--timeout", accountTimeout, "--parallel", "3",
		"--report-html", report, "--evidence")
	if code != 3 {
		t.Fatalf("exit %d, want 3 (one account failed)\n%s", code, stderr)
	}
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		for _, secret := range []string{a.sim.Password, a.password} {
			if secret != "" && strings.Contains(string(html), secret) {
				t.Errorf("the report holds %s's password", a.name)
			}
		}
	}

	b, err := startInProcess(context.Background(), automation.BrowserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	tab, cancel := chromedp.NewContext(b.Context())
	defer cancel()
	ctx, cancelWait := context.WithTimeout(tab, 30*time.Second)
	defer cancelWait()
	type rendered struct {
		Rows   []string `json:"rows"`
		Shots  int      `json:"shots"`
		Loaded int      `json:"loaded"`
	}
	var shot []byte
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+report)); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx,
		chromedp.Evaluate[rendered](`({rows: [...document.querySelectorAll("tr.account")].map((r) => r.innerText.replace(/\s+/g, " ")),
			shots: document.querySelectorAll("tr.account img").length,
			loaded: [...document.querySelectorAll("tr.account img")].filter((i) => i.complete && i.naturalWidth > 0).length})`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "enforce-report.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 6 {
		t.Fatalf("%d rows rendered, want 6: %q", len(got.Rows), got.Rows)
	}
	counts := map[string]int{}
	for _, a := range accts {
		counts[a.wantOutcome]++
		found := false
		for _, r := range got.Rows {
			if strings.Contains(r, a.name) && strings.Contains(r, a.wantOutcome) {
				found = true
			}
		}
		if !found {
			t.Errorf("no row shows %s %s: %q", a.name, a.wantOutcome, got.Rows)
		}
	}
	if got.Shots != 5 || got.Loaded != 5 {
		t.Errorf("%d screenshots, %d rendered; want one for each of the 5 accounts that ended off", got.Shots, got.Loaded)
	}
	page := string(html)
	for outcome, n := range counts {
		if !strings.Contains(page, fmt.Sprint(n)) || !strings.Contains(page, outcome) {
			t.Errorf("the report does not count %d %s", n, outcome)
		}
	}
}
