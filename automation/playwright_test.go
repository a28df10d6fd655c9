package automation_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// playwrightCore finds playwright-core as scripts/ensure-playwright
// installs it, or skips: the test needs Node.js and that package.
func playwrightCore(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		missingTool(t, "Node.js is not installed")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		missingTool(t, "no cache folder for playwright-core")
	}
	dir := filepath.Join(cache, "chatgpt-optout-tools", "node", "node_modules", "playwright-core")
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		missingTool(t, "playwright-core is not installed (scripts/ensure-playwright installs it)")
	}
	return dir
}

// A session state travels both ways: a storageState file Playwright wrote
// signs this tool in without a login page, and one this tool wrote signs
// Playwright in.
func TestState_TravelsBetweenPlaywrightAndTheTool(t *testing.T) {
	t.Parallel()
	core := playwrightCore(t)
	chrome, err := automation.FindChrome()
	if err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, simulator.Options{})
	node := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join("testdata", "playwright-state.js")}, args...)...)
		cmd.Env = append(os.Environ(), "PLAYWRIGHT_CORE="+core, "CHROME_BIN="+chrome)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node %s: %v\n%s", args[0], err, out)
		}
		return strings.TrimSpace(string(out))
	}
	dir := t.TempDir()

	// Playwright → the tool.
	tok, err := srv.NewSession("alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	fromPlaywright := filepath.Join(dir, "playwright.json")
	node("save", srv.AppURL(), "__Secure-next-auth.session-token", tok, fromPlaywright)
	cfg := config(t, srv)
	cfg.StatePlaintext = true
	before := srv.Counters("alice@example.com")
	res := status(t, browser(t), automation.Account{Email: "alice@example.com", StateFile: fromPlaywright}, cfg)
	if res.Outcome != automation.OutcomeNoncompliant {
		t.Fatalf("the tool with Playwright's state = %+v, want the setting read (on)", res)
	}
	if after := srv.Counters("alice@example.com"); after.LoginPageViews != before.LoginPageViews || after.Logins != before.Logins {
		t.Errorf("the tool signed in again: %+v → %+v", before, after)
	}

	// The tool → Playwright.
	fromTool := filepath.Join(dir, "tool.json")
	a := account(t, srv, "bob@example.com")
	a.StateFile = fromTool
	if res := status(t, browser(t), a, cfg); res.Outcome != automation.OutcomeCompliant {
		t.Fatalf("bob's run = %+v", res)
	}
	before = srv.Counters("bob@example.com")
	if got := node("load", srv.AppURL(), fromTool); got != "signed-in" {
		t.Fatalf("Playwright with the tool's state printed %q", got)
	}
	if after := srv.Counters("bob@example.com"); after.Logins != before.Logins {
		t.Errorf("Playwright had to sign in: %+v → %+v", before, after)
	}
}

// missingTool skips a test whose tool is missing, except in CI (CI set),
// where every tool is installed by the scripts and a missing one fails.
func missingTool(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg + ": in CI the scripts install it, so this is a failure")
	}
	t.Skip(msg)
}
