package fleet_test

import (
	"cmp"
	"context"
	"fmt"
	"log"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/fleet"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Switch the setting off for a fleet of accounts in one Chrome, each in a
// browser context of its own, and sum up. Here the site is the built-in
// simulator of chatgpt.com, and the accounts come from code; a program
// would read an accounts file with LoadAccounts and Resolve.
func ExampleRun() {
	site, err := simulator.Start(simulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer site.Close()

	accounts := []automation.Account{
		{Name: "alice", Email: "alice@example.com", Password: "alice-password-1"},
		{Name: "bob", Email: "bob@example.com", Password: "bob-password-2"},
		{Name: "mallory", Email: "alice@example.com", Password: "not-her-password"},
	}
	rep, err := fleet.Run(context.Background(), accounts, fleet.Options{
		Config:   automation.Config{BaseURL: site.AppURL()},
		Parallel: 2,
		Retries:  0,
	})
	if err != nil {
		log.Fatal(err) // a configuration error: nothing ran
	}
	for _, r := range rep.Results {
		fmt.Println(r.Account, r.Outcome, cmp.Or(string(r.ErrorKind), "-"))
	}
	fmt.Println(rep.Headline())
	// Output:
	// alice changed -
	// bob compliant -
	// mallory failed bad_credentials
	// 2 of 3 accounts off; 1 changed now; 1 failed
}
