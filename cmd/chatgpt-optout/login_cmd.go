package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// loginTimeout is how long login waits for a person by default.
const loginTimeout = "10m"

func newLoginCmd(g *globalOptions) *cobra.Command {
	o := &browserOptions{}
	cmd := &cobra.Command{
		Use: "login --profile-dir DIR | --save-state FILE",
		Example: `  chatgpt-optout login --profile-dir ~/.config/chatgpt-optout/profile
  xvfb-run chatgpt-optout login --save-state me.state`,
		Short: "Open a visible browser so a person can sign in; the profile keeps the session",
		Long: `login opens a visible Chrome at --base-url with the profile folder DIR and waits
until a person has signed in, however the site asks (captcha, MFA, an email code,
a Google account). Then it closes the browser. Later runs of disable, status and
enforce with --profile-dir DIR (or profile_dir: in an accounts file) reuse the
session headless, with no password.

On a server without a display, run it under Xvfb and reach the window with a VNC
viewer, or run it on a desktop and copy the folder.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.profileDir == "" && o.stateFile == "" {
				return configErrorf("login needs --profile-dir DIR (the folder that will keep the session) or --save-state FILE (a state file to write once signed in)")
			}
			o.headed = true
			cfg, bo, err := o.config(cmd.Context(), g)
			if err != nil {
				return err
			}
			cfg.SaveStateFile = o.stateFile
			b, err := g.sys.launch(cmd.Context(), bo)
			if err != nil {
				return err
			}
			warnAll(g, b.Warnings())
			fmt.Fprintf(g.stderr, "A browser window is open at %s: sign in there. Waiting up to %s.\n", cfg.BaseURL, cfg.Timeout)
			ui, err := automation.Login(cmd.Context(), b, cfg)
			b.Close()
			if err != nil {
				return err
			}
			if o.profileDir != "" {
				fmt.Fprintf(g.stdout, "signed in (%s UI); the profile %s keeps the session: use --profile-dir %s with disable, status or enforce\n", ui, o.profileDir, o.profileDir)
			}
			if o.stateFile != "" {
				fmt.Fprintf(g.stdout, "signed in (%s UI); the session is saved in %s: use --state %s with disable or status (state: in an accounts file)\n", ui, o.stateFile, o.stateFile)
			}
			return nil
		},
	}
	o.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.stateFile, "save-state", "", "write the session, once signed in, to this state file (Playwright storageState JSON, age-encrypted with "+envStateKey+")")
	cmd.Flags().BoolVar(&o.statePlaintext, "state-plaintext", false, "allow an unencrypted state file (without "+envStateKey+" one is refused)")
	_ = cmd.Flags().MarkHidden("headed")
	t := cmd.Flags().Lookup("timeout")
	t.DefValue = loginTimeout
	_ = t.Value.Set(loginTimeout)
	return cmd
}
