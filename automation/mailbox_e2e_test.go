package automation_test

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// mailbox is the simulator's mailbox of an account, trusted as the real
// one would be.
func mailbox(t *testing.T, srv *simulator.Server, email string) *automation.Mailbox {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.IMAPCertPEM()) {
		t.Fatal("the simulator's mailbox certificate does not parse")
	}
	return &automation.Mailbox{URL: srv.MailboxURL(email), Password: srv.MailboxPassword(email), RootCAs: pool}
}

// When the site sends a code by email, the run reads it from the mailbox
// and finishes the sign-in alone: the newest code after the request, not
// an older one, also when the email comes late.
func TestMailbox_FinishesASignInThatAsksForAnEmailedCode(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		opts  simulator.Options
		codes int // codes entered
	}{
		"the code email":            {simulator.Options{}, 1},
		"an older code email first": {simulator.Options{MailStale: true}, 1},
		// The first email's code is refused; the next, newer one is read.
		"a replaced code, then the new one": {simulator.Options{MailTwice: true}, 2},
		"a late email":                      {simulator.Options{MailDelay: 3 * time.Second}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startSim(t, tt.opts)
			a := account(t, srv, "frank@example.com")
			a.Mailbox = mailbox(t, srv, a.Email)
			res := automation.Disable(browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged || !res.Verified {
				t.Fatalf("result = %+v, want changed", res)
			}
			if c := srv.Counters(a.Email); c.MFAAttempts != tt.codes || c.Logins != 1 || c.IMAPLogins == 0 {
				t.Errorf("counters %+v: want %d codes entered, one sign-in, the mailbox read", c, tt.codes)
			}
		})
	}
}

func TestMailbox_AMailboxThatRefusesTheSignInIsEmailVerification(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	a := account(t, srv, "frank@example.com")
	a.Mailbox = mailbox(t, srv, a.Email)
	a.Mailbox.Password = "not-the-mailbox-password"
	res := automation.Disable(browser(t), a, config(t, srv))
	if res.ErrorKind != automation.KindEmailVerification || !strings.Contains(res.Error, "mailbox") {
		t.Fatalf("result = %+v, want email_verification naming the mailbox", res)
	}
	if strings.Contains(res.Error, "not-the-mailbox-password") {
		t.Error("the error quotes the mailbox password")
	}
	if srv.Counters(a.Email).MFAAttempts != 0 {
		t.Error("a code was entered without one from the mailbox")
	}
}
