package automation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// onSimulator runs one account on a fresh simulator of chatgpt.com in a
// fresh Chrome, the way a program would against the real site (there,
// BaseURL stays empty).
func onSimulator(acct automation.Account, run func(context.Context, automation.Account, automation.Config) *automation.Result) (*automation.Result, error) {
	srv, err := simulator.Start(simulator.Options{})
	if err != nil {
		return nil, err
	}
	defer srv.Close()

	browser, stop, err := automation.StartBrowser(context.Background(), automation.BrowserOptions{})
	if err != nil {
		return nil, err
	}
	defer stop()
	return run(browser, acct, automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute}), nil
}

// Switch the setting off for one account, here on the built-in simulator
// of chatgpt.com.
func ExampleDisable() {
	res, err := onSimulator(automation.Account{Email: "alice@example.com", Password: "alice-password-1"}, automation.Disable)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Before, "→", res.After, res.Outcome, res.Verified)
	// Output: on → off changed true
}

// Read the setting without changing it.
func ExampleStatus() {
	res, err := onSimulator(automation.Account{Email: "bob@example.com", Password: "bob-password-2"}, automation.Status)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.After, res.Outcome)
	// Output: off compliant
}
