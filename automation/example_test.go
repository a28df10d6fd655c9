package automation_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Switch the setting off for one account. Here the site is the built-in
// simulator of chatgpt.com; against the real site, BaseURL stays empty.
func ExampleDisable() {
	site, err := simulator.Start(simulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer site.Close()

	ctx := context.Background()
	b, err := automation.Launch(ctx, automation.BrowserOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	acct := automation.Account{Email: "alice@example.com", Password: "alice-password-1"}
	res, err := automation.Disable(ctx, b, acct, automation.Config{BaseURL: site.AppURL()})
	if err != nil {
		log.Fatalf("%s: %v", automation.KindOf(err), err)
	}
	fmt.Println(res.Before, "→", res.After, res.Outcome, res.Verified)
	// Output: on → off changed true
}

// Read the setting without changing it: a setting found on is no error,
// it is the outcome noncompliant. One browser serves many accounts at
// once, each run in a browser context of its own.
func ExampleStatus() {
	site, b := simulatorAndBrowser()
	defer site.Close()
	defer b.Close()

	cfg := automation.Config{BaseURL: site.AppURL()}
	accounts := []automation.Account{
		{Email: "alice@example.com", Password: "alice-password-1"},
		{Email: "bob@example.com", Password: "bob-password-2"},
	}
	results := make([]*automation.Result, len(accounts))
	var wg sync.WaitGroup
	for i, acct := range accounts {
		wg.Go(func() {
			res, err := automation.Status(context.Background(), b, acct, cfg)
			if err != nil {
				log.Fatal(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	for i, res := range results {
		fmt.Println(accounts[i].Email, res.After, res.Outcome)
	}
	// Output:
	// alice@example.com on noncompliant
	// bob@example.com off compliant
}

// When the page no longer matches the selectors file, the run changes
// nothing and its error is a *DriftError naming the element that went
// missing. Here the file looks for a switch the page does not have.
func ExampleDriftError() {
	site, b := simulatorAndBrowser()
	defer site.Close()
	defer b.Close()

	file, err := selectors.Default()
	if err != nil {
		log.Fatal(err)
	}
	for i := range file.Profiles {
		file.Profiles[i].Path.Switch.Candidates = []selectors.Candidate{{CSS: "#no-such-switch"}}
	}
	acct := automation.Account{Email: "alice@example.com", Password: "alice-password-1"}
	res, err := automation.Disable(context.Background(), b, acct, automation.Config{BaseURL: site.AppURL(), Selectors: file})

	var drift *automation.DriftError
	if errors.As(err, &drift) {
		fmt.Println(drift.Kind, drift.Element, drift.Candidates, drift.Counts)
	}
	fmt.Println(res.Outcome, res.After)
	on, _ := site.TrainingAllowed(acct.Email)
	fmt.Println("still on:", on)
	// Output:
	// selector_drift path.switch [css="#no-such-switch"] [0]
	// drift unknown
	// still on: true
}

// simulatorAndBrowser starts the simulator and a Chrome, as ExampleDisable
// does; the simulator without its background traffic, so that a page that
// lacks what the file looks for is seen settled sooner.
func simulatorAndBrowser() (*simulator.Server, *automation.Browser) {
	site, err := simulator.Start(simulator.Options{Quiet: true})
	if err != nil {
		log.Fatal(err)
	}
	b, err := automation.Launch(context.Background(), automation.BrowserOptions{})
	if err != nil {
		site.Close()
		log.Fatal(err)
	}
	return site, b
}
