package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
)

// globalOptions are the flags every command has.
type globalOptions struct {
	verbose   int
	logFormat string
	output    string
	stdout    io.Writer // sys.stdout, guarded
	stderr    io.Writer // sys.stderr, guarded
	sys       system    // the environment, the working folder, the browser
}

func (g *globalOptions) logger() *slog.Logger {
	// -v: info, -vv: debug (slog's levels are 4 apart).
	opts := &slog.HandlerOptions{Level: slog.LevelWarn - slog.Level(4*min(g.verbose, 2))}
	if g.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(g.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(g.stderr, opts))
}

func (g *globalOptions) check() error {
	if g.output != "text" && g.output != "json" {
		return configErrorf("--output %s is not text or json", quote.Value(g.output))
	}
	if g.logFormat != "text" && g.logFormat != "json" {
		return configErrorf("--log-format %s is not text or json", quote.Value(g.logFormat))
	}
	return nil
}

// exitError carries an exit code out of a command that already printed
// what happened.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// execute runs the command line in sys (osSystem: the process) and returns
// the process exit code (errorCode). A write to stdout or
// stderr that fails (a closed pipe: `| head`) ends the run like Ctrl-C:
// Chrome is stopped and its folder removed before the tool exits.
func execute(ctx context.Context, sys system, args []string) int {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	stdout, stderr := guard(sys.stdout, stop), guard(sys.stderr, stop)
	g := &globalOptions{stdout: stdout, stderr: stderr, sys: sys}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	var ae *automation.Error
	var de *automation.DriftError
	switch {
	case errors.As(err, &ee):
	case errors.As(err, &ae) || errors.As(err, &de):
		fmt.Fprintf(stderr, "error: %s\n", describe(err, nil))
	default:
		// cobra's and pflag's messages quote the value in full.
		fmt.Fprintf(stderr, "error: %s\n", capMessage(capQuoted(err.Error())))
		fmt.Fprintln(stderr, "run 'chatgpt-optout --help' for usage")
	}
	return errorCode(err)
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "chatgpt-optout",
		Short: "Switch off ChatGPT's \"Improve the model for everyone\" setting with a real browser",
		Long: `chatgpt-optout signs in to ChatGPT with a real Chrome and switches off the setting
that lets OpenAI keep and train on your chats ("Improve the model for everyone";
"Chat history & training" in the 2023 UI), then reads it back to prove it stuck.

Credentials come from the environment or a .env file: CHATGPT_EMAIL,
CHATGPT_PASSWORD, optional CHATGPT_TOTP_SECRET and CHATGPT_SESSION_TOKEN.

Exit codes: 0 off and verified, 1 usage or configuration error, 2 the setting is
on, 3 an account failed, 4 the UI no longer matches the selectors file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.check()
		},
	}
	pf := root.PersistentFlags()
	pf.CountVarP(&g.verbose, "verbose", "v", "log more (-v steps, -vv debug); logs go to stderr")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	pf.StringVar(&g.output, "output", "text", "result format on stdout: text or json")
	root.AddCommand(
		newDisableCmd(g),
		newStatusCmd(g),
		newEnforceCmd(g),
		newLoginCmd(g),
		newSelectorsCmd(g),
		newSimCmd(g),
		newDemoCmd(g),
		newVersionCmd(g),
	)
	return root
}
