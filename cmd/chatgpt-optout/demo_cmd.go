package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func newDemoCmd(g *globalOptions) *cobra.Command {
	var ui, chrome string
	var headed bool
	cmd := &cobra.Command{
		Use: "demo",
		Example: `  chatgpt-optout demo
  chatgpt-optout demo --ui 2023`,
		Short: "Run disable and then status against the built-in simulator",
		Long: `demo starts the ChatGPT simulator in-process, runs disable and then status on
one of its accounts in a headless Chrome, and prints each step and the result.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ui != string(simulator.UICurrent) && ui != string(simulator.UI2023) {
				return configErrorf("--ui %q is not one of current, 2023", ui)
			}
			srv, err := simulator.Start(simulator.Options{UI: simulator.UI(ui)})
			if err != nil {
				return wrapConfig(err, "cannot start the simulator: %v", err)
			}
			defer srv.Close()
			acct := srv.Accounts()[0]
			fmt.Fprintf(g.stdout, "simulator (%s UI) at %s, login at %s\n", ui, srv.AppURL(), srv.AuthURL())
			fmt.Fprintf(g.stdout, "account %s: setting on in the simulator: %v\n", acct.Email, acct.TrainingAllowed)

			// The demo shows its steps: log at info level unless asked for more.
			steps := *g
			steps.verbose = max(steps.verbose, 1)
			logger := steps.logger()
			start := time.Now()
			b, err := g.sys.launch(cmd.Context(), automation.BrowserOptions{ExecPath: chrome, Headed: headed})
			if err != nil {
				return err
			}
			defer b.Close()
			logger.Info("browser started", "after", time.Since(start).Round(time.Millisecond))
			cfg := automation.Config{BaseURL: srv.AppURL(), Logger: logger}
			a := automation.Account{Email: acct.Email, Password: acct.Password}

			fmt.Fprintln(g.stdout, "\n== disable")
			dis, err := automation.Disable(cmd.Context(), b, a, cfg)
			describeResult(dis, err, nil)
			if err := printResults(g, dis); err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, "\n== status")
			st, err := automation.Status(cmd.Context(), b, a, cfg)
			describeResult(st, err, nil)
			if err := printResults(g, st); err != nil {
				return err
			}
			on, err := srv.TrainingAllowed(acct.Email)
			if err != nil {
				return err
			}
			logger.Log(cmd.Context(), slog.LevelInfo, "demo finished", "simulator_training_allowed", on, "took", time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(g.stdout, "\nsimulator's own record: training allowed = %v\n", on)
			return &exitError{code: exitCode(dis, st)}
		},
	}
	cmd.Flags().StringVar(&ui, "ui", string(simulator.UICurrent), "UI era to simulate: current or 2023")
	cmd.Flags().StringVar(&chrome, "chrome", "", "Chrome or Chromium binary (default: the first one found)")
	cmd.Flags().BoolVar(&headed, "headed", false, "show the browser window")
	return cmd
}
