package main

import (
	"context"
	"io"
	"os"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// system is everything a run takes from its process: output streams,
// environment, working folder (for ./.env) and how it starts a browser.
// main uses osSystem; tests build their own to run the commands
// in-process. A zero field means the process's own.
type system struct {
	stdout, stderr io.Writer
	// lookupEnv reads an environment variable; nil: os.LookupEnv.
	lookupEnv func(string) (string, bool)
	// dir is where the automatic ./.env is looked for; "": the working
	// folder. Messages still name it .env.
	dir string
	// startBrowser starts a browser; nil: automation.Launch (for enforce,
	// the fleet's own, which checks first that the browser exists).
	startBrowser func(context.Context, automation.BrowserOptions) (*automation.Browser, error)
	// fetch fetches a selectors file from a URL: its HTTP client (nil: the
	// system's roots, SSL_CERT_FILE) and cache folder ("": the user's).
	// The command adds the keys and the tool's version.
	fetch selectors.FetchOptions
}

// osSystem is the process itself.
func osSystem() system {
	return system{stdout: os.Stdout, stderr: os.Stderr, lookupEnv: os.LookupEnv}
}

func (s system) lookup(name string) (string, bool) {
	if s.lookupEnv == nil {
		return os.LookupEnv(name)
	}
	return s.lookupEnv(name)
}

// getenv is os.Getenv through the system.
func (s system) getenv(name string) string {
	v, _ := s.lookup(name)
	return v
}

// launch starts a browser: automation.Launch unless the system has its own.
func (s system) launch(ctx context.Context, opts automation.BrowserOptions) (*automation.Browser, error) {
	if s.startBrowser == nil {
		return automation.Launch(ctx, opts)
	}
	return s.startBrowser(ctx, opts)
}
