package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

func newSelectorsCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "selectors",
		Short: "Check or show the selectors file that describes the ChatGPT pages",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a selectors file against its schema (the built-in one without FILE)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			f, err := loadSelectors(path, "")
			if err != nil {
				return err
			}
			if g.output == "json" {
				return json.NewEncoder(g.stdout).Encode(map[string]any{"source": f.Source, "version": f.Version, "profiles": f.ProfileNames(), "valid": true})
			}
			fmt.Fprintf(g.stdout, "%s: valid, version %s, profiles %v\n", f.Source, f.Version, f.ProfileNames())
			return nil
		},
	})
	var file string
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the selectors file in use, with its version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, from := file, "--selectors"
			if !cmd.Flags().Changed("selectors") {
				path, from = os.Getenv("CHATGPT_OPTOUT_SELECTORS"), "CHATGPT_OPTOUT_SELECTORS"
			}
			f, err := loadSelectors(path, from)
			if err != nil {
				return err
			}
			if g.output == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(f)
			}
			fmt.Fprintf(g.stdout, "# source: %s\n# version: %s\n", f.Source, f.Version)
			if path == "" {
				_, err = g.stdout.Write(selectors.Embedded())
				return err
			}
			data, err := automation.ReadFileCapped(path)
			if err != nil {
				return automation.ConfigError("selectors file %s: %v", path, err)
			}
			_, err = g.stdout.Write(data)
			return err
		},
	}
	show.Flags().StringVar(&file, "selectors", "", "selectors file to show instead of the built-in one (env CHATGPT_OPTOUT_SELECTORS)")
	cmd.AddCommand(show, newVerifyCmd(g))
	return cmd
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Walk the whole path read-only and report which locator of each element matched",
		Long: `verify signs in (credentials, CHATGPT_SESSION_TOKEN or --profile-dir) and walks
profile menu → Settings → Data controls → the switch without changing anything. It
prints one row per element of the selectors file: the candidate that matched, how many
elements it matched, and ok, stale (a fallback matched: fix the file soon), missing (exit
4) or not_seen (the flow did not pass that page).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runAccount(cmd, g, o, nil, automation.Verify)
			if err != nil {
				return err
			}
			if g.output == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				printChecks(g, res)
			}
			// The setting's state is not verify's business: only whether
			// the file still matches the page.
			code := exitOK
			switch res.Outcome {
			case automation.OutcomeDrift:
				code = exitDrift
			case automation.OutcomeFailed:
				code = exitFailed
			}
			return &exitError{code: code}
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// printChecks writes the verify table.
func printChecks(g *globalOptions, res *automation.Result) {
	w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "ELEMENT\tSTATUS\tMATCHES\tCANDIDATE\n")
	for _, c := range res.Elements {
		cand := c.Candidate
		if c.Index > 0 {
			cand = fmt.Sprintf("#%d %s", c.Index, c.Candidate)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", c.Element, c.Status, c.Matches, cand)
	}
	w.Flush()
	fmt.Fprintf(g.stdout, "selectors %s, UI %s\n", res.SelectorsVersion, res.UI)
	if res.Error != "" {
		fmt.Fprintf(g.stdout, "%s (%s): %s\n", res.Outcome, res.ErrorKind, res.Error)
	}
}
