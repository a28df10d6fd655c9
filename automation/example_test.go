package automation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Switch the setting off for one account, here on the built-in simulator
// of chatgpt.com; against the real site, leave BaseURL empty.
func ExampleDisable() {
	srv, err := simulator.Start(simulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	browser, stop, err := automation.StartBrowser(context.Background(), automation.BrowserOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	acct := automation.Account{Email: "alice@example.com", Password: "alice-password-1"}
	res := automation.Disable(browser, acct, automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute})
	fmt.Println(res.Before, "→", res.After, res.Outcome, res.Verified)
	// Output: on → off changed true
}

// Read the setting without changing it.
func ExampleStatus() {
	srv, err := simulator.Start(simulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	browser, stop, err := automation.StartBrowser(context.Background(), automation.BrowserOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	acct := automation.Account{Email: "bob@example.com", Password: "bob-password-2"}
	res := automation.Status(browser, acct, automation.Config{BaseURL: srv.AppURL(), Timeout: time.Minute})
	fmt.Println(res.After, res.Outcome)
	// Output: off compliant
}
