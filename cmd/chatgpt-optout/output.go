package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// printResults writes results to stdout as text or JSON.
func printResults(g *globalOptions, results ...*automation.Result) error {
	if g.output == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if len(results) == 1 {
			return enc.Encode(results[0])
		}
		return enc.Encode(results)
	}
	for _, r := range results {
		fmt.Fprintln(g.stdout, resultLine(r, len(results) > 1))
		if r.MoreThanTraining() {
			for _, sr := range r.Settings {
				fmt.Fprintln(g.stdout, "  "+sr.String())
			}
		}
		for _, w := range r.Warnings {
			fmt.Fprintln(g.stdout, "  warning: "+w)
		}
		for _, a := range r.Artifacts {
			fmt.Fprintln(g.stdout, "  artifact: "+a)
		}
	}
	return nil
}

// resultLine is the one-line human summary of a result: training's
// state, or its error.
func resultLine(r *automation.Result, withAccount bool) string {
	label := cmp.Or(r.Label, "setting")
	trainingChosen := !r.MoreThanTraining() || slices.ContainsFunc(r.Settings, func(s automation.SettingResult) bool { return s.Name == automation.DataTraining })
	line := fmt.Sprintf("%s (%s): %s", r.Outcome, r.ErrorKind, r.Error)
	switch o := r.Outcome; {
	case !trainingChosen && (o == automation.OutcomeChanged || o == automation.OutcomeCompliant || o == automation.OutcomeNoncompliant):
		// The settings' own lines follow.
		line = fmt.Sprintf("settings: %s", o)
	case o == automation.OutcomeChanged:
		line = fmt.Sprintf("%s: %s → %s (verified)", label, r.Before, r.After)
	case o == automation.OutcomeCompliant:
		line = fmt.Sprintf("%s: %s (already off, nothing changed)", label, r.After)
	case o == automation.OutcomeNoncompliant && r.Action == automation.ActionWouldTurnOff:
		line = fmt.Sprintf("%s: %s (dry run: would turn it off)", label, r.Before)
	case o == automation.OutcomeNoncompliant:
		line = fmt.Sprintf("%s: %s", label, r.Before)
	}
	if withAccount {
		return r.Account + ": " + line
	}
	return line
}
