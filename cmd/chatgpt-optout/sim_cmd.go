package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func newSimCmd(g *globalOptions) *cobra.Command {
	var (
		ui, addr, authAddr, loginEntry, variants, imapCA string
		opts                                             simulator.Options
	)
	cmd := &cobra.Command{
		Use: "sim",
		Example: `  chatgpt-optout sim --ui current
  chatgpt-optout sim --ui 2023 --variant renamed-classes`,
		Short: "Serve the built-in ChatGPT simulator on loopback",
		Long: `sim serves a replica of chatgpt.com and its login origin on loopback, for trying
the tool, CI smoke tests and work on a selectors file. Its first stdout line is
one JSON object with the app and auth URLs, the UI era and the demo accounts.
It runs until interrupted.

Accounts that get sign-in codes by email (current UI) have a mailbox on an IMAP
server on loopback: the JSON line carries "imap" (imaps://127.0.0.1:PORT/INBOX),
"imap_ca" (a PEM file with the server's self-signed certificate, to trust) and
per such account "imap_user", "imap_password" and "imap_url".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch simulator.UI(ui) {
			case simulator.UICurrent, simulator.UI2023:
			default:
				return automation.ConfigError("--ui %q is not one of current, 2023", ui)
			}
			if loginEntry != "redirect" && loginEntry != "dialog" {
				return automation.ConfigError("--login-entry %q is not redirect or dialog", loginEntry)
			}
			vs, err := simulator.ParseVariants(variants)
			if err != nil {
				return automation.WrapConfig(err, "--variant: %v", err)
			}
			opts.UI, opts.AppAddr, opts.AuthAddr, opts.LoginEntry, opts.Variants = simulator.UI(ui), addr, authAddr, loginEntry, vs
			srv, err := simulator.Start(opts)
			if err != nil {
				return automation.WrapConfig(err, "cannot start the simulator: %v", err)
			}
			defer srv.Close()
			info := srv.Info()
			if pem := srv.IMAPCertPEM(); pem != nil {
				path, remove, err := writeIMAPCA(imapCA, pem)
				if err != nil {
					return automation.WrapConfig(err, "--imap-ca: %v", err)
				}
				defer remove()
				info.IMAPCA = path
			}
			line, _ := json.Marshal(info)
			fmt.Fprintln(g.stdout, string(line))
			fmt.Fprintf(g.stderr, "simulator (%s UI) at %s, login at %s; try:\n  CHATGPT_EMAIL=%s CHATGPT_PASSWORD=%s chatgpt-optout disable --base-url %s\nCtrl-C stops it.\n",
				ui, srv.AppURL(), srv.AuthURL(), info.Accounts[0].Email, info.Accounts[0].Password, srv.AppURL())
			if info.IMAP != "" {
				fmt.Fprintf(g.stderr, "sign-in codes are mailed to %s", info.IMAP)
				if info.IMAPCA != "" {
					fmt.Fprintf(g.stderr, " (certificate %s)", info.IMAPCA)
				}
				fmt.Fprintln(g.stderr)
			}
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ui, "ui", string(simulator.UICurrent), "UI era to serve: current or 2023")
	f.StringVar(&addr, "addr", "127.0.0.1:0", "listen address of the app")
	f.StringVar(&authAddr, "auth-addr", "127.0.0.1:0", "listen address of the login origin")
	f.StringVar(&loginEntry, "login-entry", "redirect", "what the Log in button does: redirect (to the login origin) or dialog (an in-page dialog first)")
	f.StringVar(&variants, "variant", "", "UI changes of real releases to serve, comma-separated: "+variantNames())
	f.DurationVar(&opts.Latency, "latency", 0, "delay added to every backend answer")
	f.DurationVar(&opts.SessionTTL, "session-ttl", 0, "sessions expire after this long (0: never)")
	f.BoolVar(&opts.Quiet, "quiet", false, "no background traffic (WebSocket, event stream, long poll, beacons) and no rotating text on the app pages")
	f.BoolVar(&opts.LateDialogs, "late-dialogs", false, "show the post-login dialogs late, over the settings once they are open (the 2023 onboarding then as Headless UI had it: reached by the keyboard only)")
	f.BoolVar(&opts.ConsentBanner, "consent-banner", false, "show a cookie banner over the bottom of the app pages until it is answered")
	f.BoolVar(&opts.SplitCode, "split-code", false, "show the one-time and emailed code fields as six one-digit boxes (current UI)")
	f.BoolVar(&opts.SidebarCollapsed, "sidebar-collapsed", false, "open the signed-in app with its sidebar collapsed: only the rail's profile trigger shows (current UI)")
	f.BoolVar(&opts.HoldWrites, "hold-writes", false, "hold the setting's write answer open after its status and body: a request that never finishes")
	f.BoolVar(&opts.SessionOnlyCookie, "session-only-cookie", false, "set the session cookie without an expiry (a browser drops it at exit)")
	f.StringVar(&opts.WelcomeBackEmail, "welcome-back-email", "", "serve the login page as \"Welcome back\" with this email prefilled")
	f.BoolVar(&opts.NoMailbox, "no-mailbox", false, "serve no IMAP mailbox for the sign-in code emails")
	f.StringVar(&opts.IMAPAddr, "imap-addr", "127.0.0.1:0", "listen address of the mailbox (IMAP)")
	f.BoolVar(&opts.IMAPPlain, "imap-plain", false, "serve the mailbox as plain IMAP (imap://) instead of IMAPS with a self-signed certificate")
	f.StringVar(&imapCA, "imap-ca", "", "write the mailbox's certificate (PEM) to this file and keep it (default: a temporary file, removed at exit)")
	f.DurationVar(&opts.MailDelay, "mail-delay", 0, "deliver each sign-in code email this long after the code is issued")
	f.BoolVar(&opts.MailStale, "mail-stale", false, "put an old, invalid code email (dated 15 minutes earlier) before each code email")
	f.BoolVar(&opts.MailTwice, "mail-twice", false, "send each code twice: first one the site replaces, then the valid one about a second later")
	f.BoolVar(&opts.SharedMailbox, "shared-mailbox", false, "add a mailbox (imap_shared_user) that gets a copy of every account's code emails")
	return cmd
}

func variantNames() string {
	var names []string
	for _, v := range simulator.AllVariants() {
		names = append(names, string(v))
	}
	return strings.Join(names, ", ")
}

// writeIMAPCA writes the mailbox certificate to path, or to a temporary file
// when path is empty; remove deletes a temporary file.
func writeIMAPCA(path string, pem []byte) (written string, remove func(), err error) {
	if path != "" {
		return path, func() {}, os.WriteFile(path, pem, 0o644)
	}
	f, err := os.CreateTemp("", "chatgpt-optout-sim-imap-*.pem")
	if err != nil {
		return "", nil, err
	}
	remove = func() { os.Remove(f.Name()) }
	if _, err := f.Write(pem); err != nil {
		f.Close()
		remove()
		return "", nil, err
	}
	if err := f.Close(); err != nil {
		remove()
		return "", nil, err
	}
	return f.Name(), remove, nil
}
