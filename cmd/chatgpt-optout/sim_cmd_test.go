package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/chatgpt-optout/chatgpt-optout/simulator"
	"github.com/chatgpt-optout/chatgpt-optout/simulator/simtest"
)

func TestSim_JSONLineCarriesTheMailbox(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, system{stdout: pw, stderr: io.Discard}, []string{"sim", "--quiet"})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	var info simulator.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	if !strings.HasPrefix(info.IMAP, "imaps://127.0.0.1:") || info.IMAPCA == "" {
		t.Fatalf("imap %q, imap_ca %q", info.IMAP, info.IMAPCA)
	}
	var frank simulator.InfoAccount
	for _, a := range info.Accounts {
		if a.Email == "frank@example.com" {
			frank = a
		} else if a.IMAPUser != "" && a.Email != "heidi@example.com" {
			t.Errorf("%s has a mailbox", a.Email)
		}
	}
	if frank.IMAPUser != "frank@example.com" || frank.IMAPPassword != "frank-mailbox-6" {
		t.Fatalf("frank %+v", frank)
	}
	pem, err := os.ReadFile(info.IMAPCA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("imap_ca holds no certificate: %q", pem)
	}
	u, _ := url.Parse(info.IMAP)
	c, err := imapclient.DialTLS(u.Host, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatalf("IMAPS with the imap_ca file: %v", err)
	}
	if err := c.Login(frank.IMAPUser, frank.IMAPPassword).Wait(); err != nil {
		t.Errorf("login: %v", err)
	}
	c.Close()

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sim exited %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop")
	}
	if _, err := os.Stat(info.IMAPCA); !os.IsNotExist(err) {
		t.Errorf("the temporary certificate file stays after exit: %v", err)
	}
}

// runSimCmd runs the sim command with args and returns its JSON line, what
// it wrote on stderr by then, and a func that stops it.
func runSimCmd(t *testing.T, args ...string) (simulator.Info, *simtest.Buffer, func()) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &simtest.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, system{stdout: pw, stderr: stderr}, append([]string{"sim", "--quiet"}, args...))
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("sim %v: reading the first line: %v (stderr %q)", args, err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	var info simulator.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	stop := func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("sim exited %d", code)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("sim did not stop")
		}
	}
	t.Cleanup(cancel)
	return info, stderr, stop
}

func TestSim_FirstMinuteFlags(t *testing.T) {
	info, _, stop := runSimCmd(t, "--security-check", "interactive", "--security-check-origin", "app",
		"--security-check-delay", "300ms", "--unknown-dialog", "escape", "--unknown-dialog-over-settings",
		"--site-errors", "2", "--one-time-code-offer")
	defer stop()
	if info.Chaos != nil {
		t.Errorf("a chaos plan without --chaos: %+v", info.Chaos)
	}
	// The app is behind the challenge, the login origin is not.
	resp, err := http.Get(info.App + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("cf-mitigated") != "challenge" || !strings.Contains(string(body), "Just a moment...") {
		t.Errorf("app: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = http.Get(info.Auth + "/log-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("auth: %d", resp.StatusCode)
	}
	// --one-time-code-offer gives every account a mailbox.
	for _, a := range info.Accounts {
		if a.IMAPUser == "" {
			t.Errorf("%s has no mailbox", a.Email)
		}
	}
}

func TestSim_Chaos(t *testing.T) {
	var seed int64
	for seed = 1; simulator.NewChaosPlan(seed).Surprises() < 2; seed++ {
	}
	want := simulator.NewChaosPlan(seed)
	info, stderr, stop := runSimCmd(t, "--chaos", fmt.Sprint(seed))
	stop()
	if info.Chaos == nil || info.Chaos.Summary != want.Summary || info.Chaos.Expect != want.Expect {
		t.Fatalf("chaos %+v, want %+v", info.Chaos, want)
	}
	if !strings.Contains(stderr.String(), want.Summary+"\n") {
		t.Errorf("stderr lacks the plan's summary %q: %q", want.Summary, stderr.String())
	}
}

func TestSim_FirstMinuteFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--security-check", "sometimes"}, "--security-check"},
		{[]string{"--security-check", "clears", "--security-check-origin", "cdn"}, "--security-check-origin"},
		{[]string{"--security-check", "clears", "--security-check-delay", "-1s"}, "--security-check-delay"},
		{[]string{"--security-check", "clears", "--security-check-at-view", "0"}, "--security-check-at-view"},
		{[]string{"--security-check-origin", "app"}, "--security-check-origin"},
		{[]string{"--security-check-delay", "1s"}, "--security-check-delay"},
		{[]string{"--unknown-dialog", "swipe"}, "--unknown-dialog"},
		{[]string{"--unknown-dialog", ""}, "--unknown-dialog"},
		{[]string{"--unknown-dialog-over-settings"}, "--unknown-dialog-over-settings"},
		{[]string{"--site-errors", "-2"}, "--site-errors"},
		{[]string{"--chaos", "many"}, "--chaos"},
	} {
		var stderr strings.Builder
		code := execute(context.Background(), system{stdout: io.Discard, stderr: &stderr}, append([]string{"sim", "--quiet"}, tc.args...))
		if code == 0 {
			t.Errorf("sim %v: exit 0", tc.args)
			continue
		}
		if !strings.Contains(stderr.String(), tc.flag) {
			t.Errorf("sim %v: %q does not name %s", tc.args, stderr.String(), tc.flag)
		}
	}
}

func TestSim_Plan(t *testing.T) {
	// By default the accounts keep their own plans: oscar is on plus, tina a
	// teen, the others free (no "plan" in the JSON line).
	info, _, stop := runSimCmd(t)
	stop()
	seen := 0
	for _, a := range info.Accounts {
		switch a.Email {
		case "oscar@example.com":
			seen++
			if a.Plan != simulator.PlanPlus || a.Teen {
				t.Errorf("oscar %+v", a)
			}
		case "tina@example.com":
			seen++
			if a.Plan != "" || !a.Teen {
				t.Errorf("tina %+v", a)
			}
		default:
			if a.Plan != "" || a.Teen {
				t.Errorf("%s %+v", a.Email, a)
			}
		}
	}
	if seen != 2 {
		t.Errorf("oscar and tina not among %+v", info.Accounts)
	}

	// --plan puts every account on it.
	info, _, stop = runSimCmd(t, "--plan", "pro", "--site-errors", "1")
	defer stop()
	for _, a := range info.Accounts {
		if a.Plan != simulator.PlanPro {
			t.Errorf("%s on %q", a.Email, a.Plan)
		}
	}
}

func TestSim_PlanErrors(t *testing.T) {
	for _, args := range [][]string{{"--plan", "team"}, {"--plan", ""}, {"--plan", "Plus"}} {
		var stderr strings.Builder
		code := execute(context.Background(), system{stdout: io.Discard, stderr: &stderr}, append([]string{"sim", "--quiet"}, args...))
		if code == 0 {
			t.Errorf("sim %v: exit 0", args)
			continue
		}
		if !strings.Contains(stderr.String(), "--plan") {
			t.Errorf("sim %v: %q does not name --plan", args, stderr.String())
		}
	}
}
