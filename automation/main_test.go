package automation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/selectors"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// shared is one headless Chrome shared by every test of the package that
// needs one: each run gets its own isolated browser context in it, as in
// production. It starts with the first test that asks, so the tests that
// need no browser (the decisions) run without Chrome.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// browser returns the shared Chrome.
func browser(t testing.TB) context.Context {
	t.Helper()
	shared.once.Do(func() {
		if _, err := automation.FindChrome(); err != nil {
			shared.err = fmt.Errorf("these tests drive a real Chromium: %w", err)
			return
		}
		shared.ctx, shared.cancel, shared.err = automation.StartBrowser(context.Background(), automation.BrowserOptions{})
	})
	if shared.err != nil {
		t.Fatalf("starting Chromium: %v", shared.err)
	}
	return shared.ctx
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

// eras are the two UIs every flow is proven on.
var eras = []simulator.UI{simulator.UICurrent, simulator.UI2023}

// startSim starts a simulator for one test.
func startSim(t *testing.T, opts simulator.Options) *simulator.Server {
	t.Helper()
	srv, err := simulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// config is a run configuration against srv, logging into the test log.
func config(t *testing.T, srv *simulator.Server) automation.Config {
	t.Helper()
	return automation.Config{
		BaseURL: srv.AppURL(),
		Timeout: 60 * time.Second,
		Logger:  slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

// account returns the credentials of the simulator account with email.
func account(t *testing.T, srv *simulator.Server, email string) automation.Account {
	t.Helper()
	for _, a := range srv.Accounts() {
		if a.Email == email {
			return automation.Account{Email: a.Email, Password: a.Password, TOTPSecret: a.TOTPSecret}
		}
	}
	t.Fatalf("no simulator account %s", email)
	return automation.Account{}
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
	on, err := srv.TrainingAllowed(email)
	if err != nil {
		t.Fatal(err)
	}
	return on
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

var _ io.Writer = testWriter{}
