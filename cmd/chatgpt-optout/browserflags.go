package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// browserOptions are the flags shared by the commands that drive a browser.
type browserOptions struct {
	baseURL    string
	ui         string
	src        selectorsSource
	envFile    string
	profileDir string
	headed     bool
	chrome     string
	timeout    time.Duration
	checkWait  time.Duration
	settings   []string
	artifacts  string
	route      string

	// stateFile is --state (the one-account commands) or --save-state
	// (login); stateKey is CHATGPT_OPTOUT_STATE_KEY, once read.
	stateFile      string
	statePlaintext bool
	stateKey       string
	// selectorsWarnings are what loading the selectors file had to say;
	// they go into the result.
	selectorsWarnings []string

	flags *pflag.FlagSet // to tell a flag given empty from one not given
	env   *envSource     // the environment and the dotenv file, once loaded
}

// addStateFlags adds --state and --state-plaintext (disable, status,
// selectors verify).
func (o *browserOptions) addStateFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.stateFile, "state", "", "saved session state (Playwright storageState JSON, age-encrypted with "+envStateKey+"): loaded before the first page load, written after a run that ended signed in")
	fs.BoolVar(&o.statePlaintext, "state-plaintext", false, "allow an unencrypted state file (without "+envStateKey+" one is refused)")
}

func (o *browserOptions) addFlags(fs *pflag.FlagSet) {
	o.flags = fs
	fs.StringVar(&o.baseURL, "base-url", "", "where the app lives (env CHATGPT_BASE_URL; default https://chatgpt.com)")
	fs.StringVar(&o.ui, "ui", "auto", "UI profile of the selectors file to use, or auto to detect")
	o.src.addFlags(fs, "selectors file to use instead of the built-in one")
	fs.StringVar(&o.envFile, "env-file", "", "dotenv file to load first (default .env when present; the environment wins)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "persistent Chrome profile that keeps a signed-in session (default: a throw-away profile)")
	fs.BoolVar(&o.headed, "headed", false, "show the browser window (needs a display; on servers use xvfb-run)")
	fs.StringVar(&o.chrome, "chrome", "", "Chrome or Chromium binary (env CHROME_PATH; default: the first one found)")
	fs.DurationVar(&o.timeout, "timeout", automation.DefaultTimeout, "limit for one account, end to end")
	fs.DurationVar(&o.checkWait, "security-check-wait", automation.DefaultSecurityCheckWait, "how long to wait, each time, for the site's security check (\"Just a moment...\") to clear by itself; --timeout bounds it too")
	fs.StringSliceVar(&o.settings, "settings", nil, "settings to switch off (status: read), comma-separated: training (the default), marketing, ads, voice, memory, or all (training, marketing, ads and voice) (env CHATGPT_OPTOUT_SETTINGS)")
	fs.StringVar(&o.artifacts, "artifacts", "", "folder for a screenshot, the masked page HTML and the console log on failure")
	fs.StringVar(&o.route, "route", "auto", "way to the setting: menu, deep_link, or auto (menu, then the deep link)")
}

// dataSettings reads --settings, or CHATGPT_OPTOUT_SETTINGS without it.
func (o *browserOptions) dataSettings() ([]automation.DataSetting, error) {
	names, from := o.settings, "--settings"
	if o.flags == nil || !o.flags.Changed("settings") {
		v, ok := o.env.lookup(envSettings)
		if !ok {
			return automation.ParseDataSettings()
		}
		names, from = []string{v}, o.env.origin(envSettings)
	}
	if strings.TrimSpace(strings.Join(names, "")) == "" {
		return nil, configErrorf("%s is empty: name the settings to switch off (training, marketing, ads, voice, memory or all), or leave it out for training", from)
	}
	d, err := automation.ParseDataSettings(names...)
	if err != nil {
		return nil, configErrorf("%s: %v", from, err)
	}
	return d, nil
}

// config turns flags and environment into a run configuration. Nothing
// starts before it succeeds.
func (o *browserOptions) config(ctx context.Context, g *globalOptions) (automation.Config, automation.BrowserOptions, error) {
	var cfg automation.Config
	var err error
	if o.env, err = loadDotenv(o.envFile, g.sys.lookup, g.sys.dir); err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	if o.timeout <= 0 {
		return cfg, automation.BrowserOptions{}, configErrorf("--timeout must be positive, like 2m")
	}
	if o.checkWait <= 0 {
		return cfg, automation.BrowserOptions{}, configErrorf("--security-check-wait must be positive, like 30s")
	}
	chosen, err := o.dataSettings()
	if err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	baseURL, err := o.appURL()
	if err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	// Checked before the selectors file is fetched; the library's rule.
	route, err := automation.ParseRoute(o.route)
	if err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	if o.stateKey, err = stateKey(o.env, o.stateFile, o.statePlaintext); err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	// Last of the checks: a URL is fetched once, here, for the whole run.
	file, warnings, err := o.src.resolve(ctx, g.sys.fetch, o.env)
	if err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	o.selectorsWarnings = warnings
	cfg = automation.Config{
		BaseURL:      baseURL,
		Selectors:    file,
		UI:           o.ui,
		Route:        route,
		Timeout:      o.timeout,
		ArtifactsDir: o.artifacts,
		Settings:     chosen,
		// A security check gets the run's time at most.
		SecurityCheckWait: min(o.checkWait, o.timeout),
		Logger:            g.logger(),
		StateKey:          o.stateKey,
		// A key present, the file is encrypted; the flag only allows
		// plaintext where there is none.
		StatePlaintext: o.statePlaintext,
	}
	if cfg, err = cfg.WithDefaults(); err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	chrome, _, _ := flagOrEnv(o.flags, "chrome", o.chrome, o.env, "CHROME_PATH")
	bo := automation.BrowserOptions{
		ExecPath:   chrome,
		Headed:     o.headed,
		ProfileDir: o.profileDir,
	}
	return cfg, bo, nil
}

// appURL is the app's address: --base-url, CHATGPT_BASE_URL, or the real
// site when neither is set. One set but empty is refused: it would
// otherwise mean the real site without a word.
func (o *browserOptions) appURL() (string, error) {
	v, from, set := flagOrEnv(o.flags, "base-url", o.baseURL, o.env, "CHATGPT_BASE_URL")
	if !set {
		return automation.DefaultBaseURL, nil
	}
	if strings.TrimSpace(v) == "" {
		leave := "leave the flag out"
		if from != "--base-url" {
			leave = "unset the variable"
		}
		return "", configErrorf("%s is empty: give the app's address, like https://chatgpt.com (or the simulator's), or %s to use the real site", from, leave)
	}
	if err := automation.CheckBaseURL(v); err != nil {
		return "", configErrorf("%s %v", from, err)
	}
	return v, nil
}

// account reads the one account of disable and status from the environment.
func (o *browserOptions) account() (automation.Account, error) {
	get := func(name string) string {
		v, _ := o.env.lookup(name)
		return v
	}
	a := automation.Account{
		Email:        strings.TrimSpace(get("CHATGPT_EMAIL")),
		Password:     get("CHATGPT_PASSWORD"),
		TOTPSecret:   strings.TrimSpace(get("CHATGPT_TOTP_SECRET")),
		SessionToken: strings.TrimSpace(get("CHATGPT_SESSION_TOKEN")),
		ProfileDir:   o.profileDir,
		StateFile:    o.stateFile,
	}
	m, err := mailboxFromEnv(o.env)
	if err != nil {
		return a, err
	}
	a.Mailbox = m
	switch {
	case a.Email == "" && !a.CanSignIn():
		return a, configErrorf("no credentials: set CHATGPT_EMAIL and CHATGPT_PASSWORD (in the environment or .env), or CHATGPT_SESSION_TOKEN, or use --profile-dir with a profile from `chatgpt-optout login` (or --state with a state file it saved)")
	case a.Email == "" && a.Password != "":
		return a, configErrorf("CHATGPT_PASSWORD is set but CHATGPT_EMAIL is not: set both")
	case a.Email != "" && !a.CanSignIn():
		return a, configErrorf("CHATGPT_EMAIL is set but CHATGPT_PASSWORD is not: set both, or use CHATGPT_SESSION_TOKEN, --profile-dir or --state, or give the account a mailbox (CHATGPT_IMAP_URL) where the site's sign-in codes arrive")
	}
	if err := a.Check(); err != nil {
		return a, configErrorf("%s: %v", o.env.origin("CHATGPT_TOTP_SECRET"), err)
	}
	if a.StateFile != "" {
		// Read (and decrypted) once, before Chrome starts: a file that
		// cannot be, or that was saved for another account, stops the run
		// with exit 1; a missing one is a first run.
		if a.State, err = automation.ReadState(a.StateFile, o.stateKey, a.Email); err != nil {
			return a, err
		}
	}
	if a.Email == "" {
		a.Name = "session"
	}
	return a, nil
}

// capMessage cuts a message from a library to a size a terminal shows.
func capMessage(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "… (cut)"
}
