// Package simtest is the test support of the packages that drive the
// simulator: it starts one for a test and stops it with the test, finds its
// accounts, reads its server-side record, and sends a run's log to the
// test's log, and keeps a copy of a run's output. It is for tests only.
package simtest

import (
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// Start starts a simulator that stops when t ends.
func Start(t testing.TB, opts simulator.Options) *simulator.Server {
	t.Helper()
	if testing.Short() {
		// The quick tier (go test -short) leaves out the end-to-end
		// tests: every one starts its simulator here, and a browser.
		t.Skip("end-to-end test against the simulator: left out of -short")
	}
	srv, err := simulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the simulator: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// Account is the simulator's account with email.
func Account(t testing.TB, srv *simulator.Server, email string) simulator.Account {
	t.Helper()
	for _, a := range srv.Accounts() {
		if a.Email == email {
			return a
		}
	}
	t.Fatalf("no simulator account %s", email)
	return simulator.Account{}
}

// Training is the simulator's own record of the setting: true when
// training is allowed (the setting on).
func Training(t testing.TB, srv *simulator.Server, email string) bool {
	t.Helper()
	on, err := srv.TrainingAllowed(email)
	if err != nil {
		t.Fatal(err)
	}
	return on
}

// Logger writes into the test's log, at info level.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// Buffer keeps a copy of a run's output (its log, its stdout), which the
// run's goroutines may write at once.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
