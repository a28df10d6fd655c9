package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

func newSimCmd(g *globalOptions) *cobra.Command {
	var (
		ui, addr, authAddr, loginEntry, variants, imapCA, plan string
		opts                                                   simulator.Options
		first                                                  firstMinuteFlags
	)
	cmd := &cobra.Command{
		Use: "sim",
		Example: `  chatgpt-optout sim --ui current
  chatgpt-optout sim --ui 2023 --variant renamed-classes
  chatgpt-optout sim --security-check headless --unknown-dialog escape --site-errors 1
  chatgpt-optout sim --chaos 42`,
		Short: "Serve the built-in ChatGPT simulator on loopback",
		Long: `sim serves a replica of chatgpt.com and its login origin on loopback, for trying
the tool, CI smoke tests and work on a selectors file. Its first stdout line is
one JSON object with the app and auth URLs, the UI era and the demo accounts.
It runs until interrupted.

Accounts that get sign-in codes by email (current UI) have a mailbox on an IMAP
server on loopback: the JSON line carries "imap" (imaps://127.0.0.1:PORT/INBOX),
"imap_ca" (a PEM file with the server's self-signed certificate, to trust) and
per such account "imap_user", "imap_password" and "imap_url".

The first minute on the real site, each off by default: a Cloudflare managed
challenge in front of the app and/or the login origin (--security-check), a
dialog nobody catalogued after sign-in (--unknown-dialog), error pages on the
way back from the login origin (--site-errors), and the password page's
"Log in with a one-time code" (--one-time-code-offer). --chaos SEED draws a
combination of them from the seed instead (it overrides those flags), prints it
on stderr and adds it to the JSON line as "chaos", with the outcome a run must
end with ("expect").

Accounts are on the free plan unless said otherwise (oscar is on plus); --plan
puts every account on free, go, plus or pro. The plan shows in the profile
trigger, sets the marketing defaults (on for free and go) and decides whether
the settings have an "Ads controls" tab (free and go only). The JSON line
names an account's plan when it is not free, and "teen" for a linked teen
account (tina) whose training switch is the parent's.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if u := simulator.UI(ui); u != simulator.UICurrent && u != simulator.UI2023 {
				return configErrorf("--ui %q is not one of current, 2023", ui)
			}
			if loginEntry != "redirect" && loginEntry != "dialog" {
				return configErrorf("--login-entry %q is not redirect or dialog", loginEntry)
			}
			vs, err := simulator.ParseVariants(variants)
			if err != nil {
				return wrapConfig(err, "--variant: %v", err)
			}
			opts.UI, opts.AppAddr, opts.AuthAddr, opts.LoginEntry, opts.Variants = simulator.UI(ui), addr, authAddr, loginEntry, vs
			if err := first.apply(cmd, &opts); err != nil {
				return err
			}
			if err := applyPlan(cmd, plan, &opts); err != nil {
				return err
			}
			srv, err := simulator.Start(opts)
			if err != nil {
				return wrapConfig(err, "cannot start the simulator: %v", err)
			}
			defer srv.Close()
			info := srv.Info()
			if pem := srv.IMAPCertPEM(); pem != nil {
				path, remove, err := writeIMAPCA(imapCA, pem)
				if err != nil {
					return wrapConfig(err, "--imap-ca: %v", err)
				}
				defer remove()
				info.IMAPCA = path
			}
			line, _ := json.Marshal(info)
			fmt.Fprintln(g.stdout, string(line))
			fmt.Fprintf(g.stderr, "simulator (%s UI) at %s, login at %s; try:\n  CHATGPT_EMAIL=%s CHATGPT_PASSWORD=%s chatgpt-optout disable --base-url %s\nCtrl-C stops it.\n",
				ui, srv.AppURL(), srv.AuthURL(), info.Accounts[0].Email, info.Accounts[0].Password, srv.AppURL())
			if plan := srv.ChaosPlan(); plan != nil {
				fmt.Fprintln(g.stderr, plan.Summary)
			}
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
	f.BoolVar(&opts.LateDialogs, "late-dialogs", false, "show the post-login dialogs late, over the settings once they are open at Data controls (the 2023 onboarding then as Headless UI had it: reached by the keyboard only)")
	f.BoolVar(&opts.ConsentBanner, "consent-banner", false, "show a cookie banner over the bottom of the app pages until it is answered")
	f.BoolVar(&opts.SplitCode, "split-code", false, "show the one-time and emailed code fields as six one-digit boxes (current UI)")
	f.BoolVar(&opts.SidebarCollapsed, "sidebar-collapsed", false, "open the signed-in app with its sidebar collapsed: only the rail's profile trigger shows (current UI)")
	f.BoolVar(&opts.HoldWrites, "hold-writes", false, "hold the setting's write answer open after its status and body: a request that never finishes")
	f.DurationVar(&opts.FirstPaint, "first-paint", 0, "keep the signed-out home page blank this long before it draws (current UI)")
	f.DurationVar(&opts.PlaceholderFor, "placeholder-for", 0, "show the signed-out home page's placeholder profile trigger this long before the login buttons (current UI)")
	f.DurationVar(&opts.DataControlsDelay, "data-controls-delay", 0, "keep the Data controls panel's rows behind a spinner this long (current UI)")
	f.BoolVar(&opts.WelcomeBackAsText, "welcome-back-as-text", false, "the \"Welcome back\" page shows the email as text, in a hidden field (with --welcome-back-email)")
	f.BoolVar(&opts.OneTap, "one-tap", false, "show Google One Tap's box over the Log in button and the login dialog (current UI)")
	f.DurationVar(&opts.LoadingSwitches, "loading-switches", 0, "render every setting switch disabled and off for this long after it appears, before its value loads")
	f.DurationVar(&opts.LazySwitches, "lazy-switches", 0, "render every setting switch enabled and off for this long after it appears, before its value loads")
	f.DurationVar(&opts.SlowWrites, "slow-writes", 0, "hold every setting write this long before it is applied and answered (a slow save; a second click meanwhile asks for the opposite)")
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
	f.StringVar(&first.check, "security-check", "", "put a Cloudflare managed challenge in front of the site: clears (passes by itself), interactive (turns into a checkbox for every browser) or headless (passes unless the User-Agent says HeadlessChrome)")
	f.DurationVar(&first.checkDelay, "security-check-delay", 0, "how long the challenge checks before it clears or turns interactive (default 2s)")
	f.StringVar(&first.checkOrigin, "security-check-origin", "both", "where the challenge stands: app, auth or both")
	f.IntVar(&first.checkAtView, "security-check-at-view", 1, "challenge a browser's Nth page load on that origin")
	f.StringVar(&first.dialog, "unknown-dialog", "", "show a dialog nobody catalogued after sign-in, closing by: x, close, dismiss, escape or none (only a choice ends it)")
	f.BoolVar(&first.dialogOverSettings, "unknown-dialog-over-settings", false, "show the --unknown-dialog over the settings, 0.3s after they open, instead of when the app loads")
	f.IntVar(&first.siteErrors, "site-errors", 0, "every account's sign-in lands on an \"Operation timed out\" error page this many times before it goes through (-1: always)")
	f.BoolVar(&opts.OneTimeCodeOffer, "one-time-code-offer", false, "offer \"Log in with a one-time code\" on the password page (current UI; every account then gets a mailbox)")
	f.StringVar(&plan, "plan", "", "put every account on this plan: free, go, plus or pro (default: each account's own; free unless said)")
	f.Int64Var(&opts.Chaos, "chaos", 0, "draw the first-minute surprises from this seed (overrides the flags above; 0: off) and print the plan on stderr")
	return cmd
}

// firstMinuteFlags are the sim flags of the first minute on the real site.
type firstMinuteFlags struct {
	check, checkOrigin, dialog string
	checkDelay                 time.Duration
	checkAtView, siteErrors    int
	dialogOverSettings         bool
}

// apply checks the flags and sets their options; a flag that only refines
// another is an error without it.
func (f firstMinuteFlags) apply(cmd *cobra.Command, opts *simulator.Options) error {
	changed := cmd.Flags().Changed
	switch mode := simulator.CheckMode(f.check); mode {
	case "":
		for _, name := range []string{"security-check-delay", "security-check-origin", "security-check-at-view"} {
			if changed(name) {
				return configErrorf("--%s needs --security-check", name)
			}
		}
	case simulator.CheckClears, simulator.CheckInteractive, simulator.CheckHeadless:
		if !slices.Contains([]string{"app", "auth", "both"}, f.checkOrigin) {
			return configErrorf("--security-check-origin %q is not one of app, auth, both", f.checkOrigin)
		}
		if f.checkDelay < 0 {
			return configErrorf("--security-check-delay %v is negative", f.checkDelay)
		}
		if f.checkAtView < 1 {
			return configErrorf("--security-check-at-view %d is not 1 or more", f.checkAtView)
		}
		opts.SecurityCheck = &simulator.SecurityCheck{Mode: mode, Delay: f.checkDelay, Origin: f.checkOrigin, AtView: f.checkAtView}
	default:
		return configErrorf("--security-check %q is not one of clears, interactive, headless", f.check)
	}
	switch {
	case f.dialog != "":
		closeBy, err := simulator.ParseDialogClose(f.dialog)
		if err != nil {
			return configErrorf("--unknown-dialog %q is not one of x, close, dismiss, escape, none", f.dialog)
		}
		opts.UnknownDialog = &simulator.UnknownDialog{Close: closeBy, OverSettings: f.dialogOverSettings}
	case changed("unknown-dialog"):
		return configErrorf("--unknown-dialog is empty (want one of x, close, dismiss, escape, none)")
	case f.dialogOverSettings:
		return configErrorf("--unknown-dialog-over-settings needs --unknown-dialog")
	}
	if f.siteErrors < -1 {
		return configErrorf("--site-errors %d is not -1 (always), 0 or more", f.siteErrors)
	}
	if f.siteErrors != 0 {
		if opts.Accounts == nil {
			opts.Accounts = simulator.DemoAccounts()
		}
		for i := range opts.Accounts {
			opts.Accounts[i].SiteErrors = f.siteErrors
		}
	}
	return nil
}

// applyPlan puts every account on --plan, when given.
func applyPlan(cmd *cobra.Command, plan string, opts *simulator.Options) error {
	switch plan {
	case simulator.PlanFree, simulator.PlanGo, simulator.PlanPlus, simulator.PlanPro:
	case "":
		if cmd.Flags().Changed("plan") {
			return configErrorf("--plan is empty (want one of free, go, plus, pro)")
		}
		return nil
	default:
		return configErrorf("--plan %q is not one of free, go, plus, pro", plan)
	}
	if opts.Accounts == nil {
		opts.Accounts = simulator.DemoAccounts()
	}
	for i := range opts.Accounts {
		opts.Accounts[i].Plan = plan
	}
	return nil
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
	_, err = f.Write(pem)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, err
	}
	return f.Name(), remove, nil
}
