package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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

// resultLine is the one-line human summary of a result.
func resultLine(r *automation.Result, withAccount bool) string {
	label := r.Label
	if label == "" {
		label = "setting"
	}
	var b strings.Builder
	trainingChosen := !r.MoreThanTraining() || slices.ContainsFunc(r.Settings, func(s automation.SettingResult) bool { return s.Name == automation.DataTraining })
	switch r.Outcome {
	case automation.OutcomeChanged, automation.OutcomeCompliant, automation.OutcomeNoncompliant:
		if !trainingChosen {
			// The settings' own lines follow.
			fmt.Fprintf(&b, "settings: %s", r.Outcome)
			break
		}
		fallthrough
	default:
		resultState(&b, r, label)
	}
	if withAccount {
		return fmt.Sprintf("%s: %s", r.Account, b.String())
	}
	return b.String()
}

// resultState is the line of a result by training's state, or its error.
func resultState(b *strings.Builder, r *automation.Result, label string) {
	switch r.Outcome {
	case automation.OutcomeChanged:
		fmt.Fprintf(b, "%s: %s → %s (verified)", label, r.Before, r.After)
	case automation.OutcomeCompliant:
		fmt.Fprintf(b, "%s: %s (already off, nothing changed)", label, r.After)
	case automation.OutcomeNoncompliant:
		if r.Action == automation.ActionWouldTurnOff {
			fmt.Fprintf(b, "%s: %s (dry run: would turn it off)", label, r.Before)
		} else {
			fmt.Fprintf(b, "%s: %s", label, r.Before)
		}
	default:
		fmt.Fprintf(b, "%s (%s): %s", r.Outcome, r.ErrorKind, r.Error)
	}
}
