package automation_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

// shared is one headless Chrome shared by every test of the package that
// needs one: each run gets its own isolated browser context in it, as in
// production. It starts with the first test that asks, so the tests that
// need no browser (the decisions) run without Chrome.
var shared struct {
	once sync.Once
	b    *automation.Browser
	err  error
}

// browser returns the shared Chrome.
func browser(t testing.TB) *automation.Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("drives a real Chromium: left out of -short")
	}
	shared.once.Do(func() {
		if _, err := automation.FindChrome(); err != nil {
			shared.err = fmt.Errorf("these tests drive a real Chromium: %w", err)
			return
		}
		shared.b, shared.err = automation.Launch(context.Background(), automation.BrowserOptions{})
	})
	if shared.err != nil {
		t.Fatalf("starting Chromium: %v", shared.err)
	}
	return shared.b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.b != nil {
		shared.b.Close()
	}
	stopXvfb(xvfb.cmd)
	os.Exit(code)
}

// runFunc is one of the library's runs.
type runFunc func(context.Context, *automation.Browser, automation.Account, automation.Config) (*automation.Result, error)

// run calls do and checks that its result and its error agree, as the
// library promises: no error for an account that ended compliant, changed
// or noncompliant; otherwise an *Error or *DriftError of the result's kind
// and sentence.
func run(t testing.TB, do runFunc, b *automation.Browser, a automation.Account, cfg automation.Config) *automation.Result {
	t.Helper()
	res, _ := runE(t, do, b, a, cfg)
	return res
}

// runE is run, returning the error too.
func runE(t testing.TB, do runFunc, b *automation.Browser, a automation.Account, cfg automation.Config) (*automation.Result, error) {
	t.Helper()
	res, err := do(context.Background(), b, a, cfg)
	if res == nil {
		t.Fatalf("no result (error %v)", err)
	}
	failed := res.Outcome == automation.OutcomeFailed || res.Outcome == automation.OutcomeDrift
	switch {
	case failed && err == nil:
		t.Errorf("the result is %s (%s) but the run returned no error", res.Outcome, res.ErrorKind)
	case !failed && err != nil:
		t.Errorf("the result is %s but the run returned an error: %v", res.Outcome, err)
	case err != nil:
		var ae *automation.Error
		var de *automation.DriftError
		if !errors.As(err, &ae) && !errors.As(err, &de) {
			t.Errorf("the error is a %T, not an *automation.Error or *automation.DriftError: %v", err, err)
		}
		if k := automation.KindOf(err); k != res.ErrorKind || err.Error() != res.Error {
			t.Errorf("the error (%s: %v) does not agree with the result (%s: %s)", k, err, res.ErrorKind, res.Error)
		}
		if (res.Outcome == automation.OutcomeDrift) != (de != nil) {
			t.Errorf("outcome %s with an error of type %T: drift and only drift is a *DriftError", res.Outcome, err)
		}
	}
	return res, err
}

// points reports whether err asks to change every one of settings.
func points(err error, settings ...automation.Setting) bool {
	fix := automation.FixOf(err)
	for _, s := range settings {
		if !slices.Contains(fix, s) {
			return false
		}
	}
	return true
}

func disable(t testing.TB, b *automation.Browser, a automation.Account, cfg automation.Config) *automation.Result {
	t.Helper()
	return run(t, automation.Disable, b, a, cfg)
}

func status(t testing.TB, b *automation.Browser, a automation.Account, cfg automation.Config) *automation.Result {
	t.Helper()
	return run(t, automation.Status, b, a, cfg)
}

func verify(t testing.TB, b *automation.Browser, a automation.Account, cfg automation.Config) *automation.Result {
	t.Helper()
	return run(t, automation.Verify, b, a, cfg)
}

// eras are the two UIs every flow is proven on.
var eras = []simulator.UI{simulator.UICurrent, simulator.UI2023}

// startSim starts a simulator for one test.
func startSim(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	return simtest.Start(t, opts)
}

// config is a run configuration against srv, logging into the test log.
func config(t *testing.T, srv *simulator.Server) automation.Config {
	t.Helper()
	return automation.Config{BaseURL: srv.AppURL(), Logger: simtest.Logger(t)}
}

// account returns the credentials of the simulator account with email.
func account(t *testing.T, srv *simulator.Server, email string) automation.Account {
	t.Helper()
	a := simtest.Account(t, srv, email)
	return automation.Account{Email: a.Email, Password: a.Password, TOTPSecret: a.TOTPSecret}
}

// mutated returns a fresh copy of the embedded selectors file after edit.
func mutated(t *testing.T, edit func(f *selectors.File)) *selectors.File {
	t.Helper()
	f, err := selectors.Default()
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	return f
}

func training(t *testing.T, srv *simulator.Server, email string) bool {
	t.Helper()
	return simtest.Training(t, srv, email)
}
