package main

import (
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/pquerna/otp/totp"
	"github.com/spf13/pflag"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// browserOptions are the flags shared by the commands that drive a browser.
type browserOptions struct {
	baseURL    string
	ui         string
	selectors  string
	envFile    string
	profileDir string
	headed     bool
	chrome     string
	timeout    time.Duration
	artifacts  string
	route      string
}

func (o *browserOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.baseURL, "base-url", "", "where the app lives (env CHATGPT_BASE_URL; default https://chatgpt.com)")
	fs.StringVar(&o.ui, "ui", "auto", "UI profile of the selectors file to use, or auto to detect")
	fs.StringVar(&o.selectors, "selectors", "", "selectors file to use instead of the built-in one (env CHATGPT_OPTOUT_SELECTORS)")
	fs.StringVar(&o.envFile, "env-file", "", "dotenv file to load first (default .env when present; the environment wins)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "persistent Chrome profile that keeps a signed-in session (default: a throw-away profile)")
	fs.BoolVar(&o.headed, "headed", false, "show the browser window (needs a display; on servers use xvfb-run)")
	fs.StringVar(&o.chrome, "chrome", "", "Chrome or Chromium binary (env CHROME_PATH; default: the first one found)")
	fs.DurationVar(&o.timeout, "timeout", automation.DefaultTimeout, "limit for one account, end to end")
	fs.StringVar(&o.artifacts, "artifacts", "", "folder for a screenshot, the masked page HTML and the console log on failure")
	fs.StringVar(&o.route, "route", "auto", "way to the setting: menu, deep_link, or auto (menu, then the deep link)")
}

// loadEnv reads the dotenv file: the one named, or .env when present.
// Values already in the environment win.
func (o *browserOptions) loadEnv() error {
	file := o.envFile
	if file == "" {
		if _, err := os.Stat(".env"); err != nil {
			return nil
		}
		file = ".env"
	}
	vars, err := godotenv.Read(file)
	if err != nil {
		return automation.ConfigError("dotenv file %s cannot be read: %v (fix it, or point --env-file elsewhere)", file, err)
	}
	for k, v := range vars {
		// A variable set but empty in the environment does not hide the file's value.
		if os.Getenv(k) == "" {
			os.Setenv(k, v)
		}
	}
	return nil
}

// config turns flags and environment into a run configuration. Nothing
// starts before it succeeds.
func (o *browserOptions) config(g *globalOptions) (automation.Config, automation.BrowserOptions, error) {
	var cfg automation.Config
	if err := o.loadEnv(); err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	path := firstNonEmpty(o.selectors, os.Getenv("CHATGPT_OPTOUT_SELECTORS"))
	file, err := selectors.Load(path)
	if err != nil {
		return cfg, automation.BrowserOptions{}, automation.ConfigError("%v", err)
	}
	if o.timeout <= 0 {
		return cfg, automation.BrowserOptions{}, automation.ConfigError("--timeout must be positive, like 2m")
	}
	cfg = automation.Config{
		BaseURL:      firstNonEmpty(o.baseURL, os.Getenv("CHATGPT_BASE_URL"), "https://chatgpt.com"),
		Selectors:    file,
		UI:           o.ui,
		Route:        automation.Route(o.route),
		Timeout:      o.timeout,
		ArtifactsDir: o.artifacts,
		Headed:       o.headed,
		Logger:       g.logger(),
	}
	if cfg, err = cfg.WithDefaults(); err != nil {
		return cfg, automation.BrowserOptions{}, err
	}
	bo := automation.BrowserOptions{
		ExecPath:   firstNonEmpty(o.chrome, os.Getenv("CHROME_PATH")),
		Headed:     o.headed,
		ProfileDir: o.profileDir,
	}
	return cfg, bo, nil
}

// account reads the one account of disable and status from the environment.
func (o *browserOptions) account() (automation.Account, error) {
	a := automation.Account{
		Email:        strings.TrimSpace(os.Getenv("CHATGPT_EMAIL")),
		Password:     os.Getenv("CHATGPT_PASSWORD"),
		TOTPSecret:   strings.TrimSpace(os.Getenv("CHATGPT_TOTP_SECRET")),
		SessionToken: strings.TrimSpace(os.Getenv("CHATGPT_SESSION_TOKEN")),
		ProfileDir:   o.profileDir,
	}
	hasSession := a.SessionToken != "" || a.ProfileDir != ""
	switch {
	case a.Email == "" && a.Password == "" && !hasSession:
		return a, automation.ConfigError("no credentials: set CHATGPT_EMAIL and CHATGPT_PASSWORD (in the environment or .env), or CHATGPT_SESSION_TOKEN, or use --profile-dir with a profile from `chatgpt-optout login`")
	case a.Email == "" && a.Password != "":
		return a, automation.ConfigError("CHATGPT_PASSWORD is set but CHATGPT_EMAIL is not: set both")
	case a.Email != "" && a.Password == "" && !hasSession:
		return a, automation.ConfigError("CHATGPT_EMAIL is set but CHATGPT_PASSWORD is not: set both, or use CHATGPT_SESSION_TOKEN or --profile-dir")
	}
	if a.TOTPSecret != "" {
		if _, err := totp.GenerateCode(strings.ToUpper(strings.ReplaceAll(a.TOTPSecret, " ", "")), time.Now()); err != nil {
			return a, automation.ConfigError("CHATGPT_TOTP_SECRET is not a base32 authenticator secret (%v): copy the secret shown when MFA was set up", err)
		}
	}
	if a.Email == "" {
		a.Name = "session"
	}
	return a, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
