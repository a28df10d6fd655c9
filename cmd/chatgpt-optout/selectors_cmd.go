package main

import (
	"encoding/json"
	"fmt"
	"os"

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
			f, err := selectors.Load(path)
			if err != nil {
				return automation.ConfigError("%v", err)
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
			path := firstNonEmpty(file, os.Getenv("CHATGPT_OPTOUT_SELECTORS"))
			f, err := selectors.Load(path)
			if err != nil {
				return automation.ConfigError("%v", err)
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
			data, err := os.ReadFile(path)
			if err != nil {
				return automation.ConfigError("selectors file: %v", err)
			}
			_, err = g.stdout.Write(data)
			return err
		},
	}
	show.Flags().StringVar(&file, "selectors", "", "selectors file to show instead of the built-in one (env CHATGPT_OPTOUT_SELECTORS)")
	cmd.AddCommand(show)
	return cmd
}
