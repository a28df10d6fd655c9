package main

import (
	"context"
	"io"
	"os"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// system is everything a run of the tool takes from the process it runs
// in: its output streams, its environment variables, its working folder
// (for the automatic ./.env) and the way it starts a browser. main builds
// it from the process (osSystem); the tests build their own, to run the
// commands in-process. A zero field means the process's own.
type system struct {
	stdout, stderr io.Writer
	// lookupEnv reads an environment variable; nil: os.LookupEnv.
	lookupEnv func(string) (string, bool)
	// dir is the working folder the automatic dotenv file ./.env is
	// looked for in; "": the process's. Messages still name it .env.
	dir string
	// startBrowser starts a browser for a run; nil: automation.Launch
	// (and, for enforce, the fleet's own start with its check that the
	// browser exists before anything runs).
	startBrowser func(context.Context, automation.BrowserOptions) (*automation.Browser, error)
	// fetch is how a selectors file is fetched from a URL: its HTTP
	// client (nil: one that trusts the system's roots, SSL_CERT_FILE) and
	// its cache folder ("": under $XDG_CACHE_HOME or ~/.cache). The
	// command adds the keys and the tool's version.
	fetch selectors.FetchOptions
}

// osSystem is the process itself.
func osSystem() system {
	return system{stdout: os.Stdout, stderr: os.Stderr, lookupEnv: os.LookupEnv}
}

// lookup reads an environment variable.
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
