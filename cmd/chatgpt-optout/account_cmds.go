package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

func newDisableCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	var dryRun bool
	cmd := &cobra.Command{
		Use: "disable",
		Example: `  # once, right after signing up (credentials from the environment or .env)
  CHATGPT_EMAIL=you@example.com CHATGPT_PASSWORD=... chatgpt-optout disable

  # see what would change, change nothing
  chatgpt-optout disable --dry-run --output json

  # reuse a session saved by an earlier run, encrypted with an age key
  CHATGPT_OPTOUT_STATE_KEY=AGE-SECRET-KEY-1... chatgpt-optout disable --state me.state`,
		Short: "Sign in, switch the setting off and verify it stuck",
		Long: `disable signs in to one account, opens Settings → Data controls through the
profile menu, switches "Improve the model for everyone" off when it is on, and
reads it back after a reload. Run again, it changes nothing and says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOne(cmd, g, o, func(cfg *automation.Config) { cfg.DryRun = dryRun }, automation.Disable)
		},
	}
	o.addFlags(cmd.Flags())
	o.addStateFlags(cmd.Flags())
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "read the setting and say what would change, change nothing (exit 2 when on)")
	return cmd
}

func newStatusCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	cmd := &cobra.Command{
		Use: "status",
		Example: `  # exit 0 when the setting is off, 2 when it is on
  chatgpt-optout status

  chatgpt-optout status --output json | jq .after`,
		Short: "Sign in and report the setting's state (exit 0 off, 2 on), changing nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOne(cmd, g, o, nil, automation.Status)
		},
	}
	o.addFlags(cmd.Flags())
	o.addStateFlags(cmd.Flags())
	return cmd
}

// runOne is disable and status: run one account, print the result.
func runOne(cmd *cobra.Command, g *globalOptions, o *browserOptions, adjust func(*automation.Config), do accountFunc) error {
	res, err := runAccount(cmd, g, o, adjust, do)
	if err != nil {
		return err
	}
	if err := printResults(g, res); err != nil {
		return err
	}
	return &exitError{code: exitCode(res)}
}

// accountFunc is one of the library's runs: Disable, Status, Verify.
type accountFunc func(context.Context, *automation.Browser, automation.Account, automation.Config) (*automation.Result, error)

// runAccount gathers the configuration and the account, refusing bad input
// before Chrome starts, then runs do in a fresh browser.
func runAccount(cmd *cobra.Command, g *globalOptions, o *browserOptions, adjust func(*automation.Config), do accountFunc) (*automation.Result, error) {
	cfg, bo, err := o.config(cmd.Context(), g)
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	acct, err := o.account()
	if err != nil {
		return nil, err
	}
	// Images, fonts and media are never needed to read a switch; a
	// person watching a visible browser sees the page whole.
	bo.BlockResources = !bo.Headed
	b, err := g.sys.launch(cmd.Context(), bo)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	res, err := do(cmd.Context(), b, acct, cfg)
	describeResult(res, err, nil)
	res.SelectorsSource = cfg.Selectors.Origin().String()
	res.Warnings = append(slices.Clone(o.selectorsWarnings), res.Warnings...)
	return res, nil
}
