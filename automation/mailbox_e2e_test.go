package automation_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
	"github.com/chatgpt-optout/chatgpt-optout/simulator"
)

// mailbox is the simulator's mailbox of an account, trusted as the real
// one would be.
func testMailbox(t *testing.T, srv *simulator.Server, email string) *mailbox.Mailbox {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.IMAPCertPEM()) {
		t.Fatal("the simulator's mailbox certificate does not parse")
	}
	return &mailbox.Mailbox{URL: srv.MailboxURL(email), Password: srv.MailboxPassword(email), RootCAs: pool}
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
		// When the tool reads the mailbox between the two emails, the first
		// code is refused and the next, newer one is read (2 codes); when
		// both have arrived, the newest is the valid one (1 code).
		"a replaced code, then the new one": {simulator.Options{MailTwice: true}, 2},
		"a late email":                      {simulator.Options{MailDelay: 3 * time.Second}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, tt.opts)
			a := account(t, srv, "frank@example.com")
			a.Mailbox = testMailbox(t, srv, a.Email)
			res := disable(t, browser(t), a, config(t, srv))
			if res.Outcome != automation.OutcomeChanged || !res.Verified {
				t.Fatalf("result = %+v, want changed", res)
			}
			c := srv.Counters(a.Email)
			if c.MFAAttempts < 1 || c.MFAAttempts > tt.codes || c.Logins != 1 || c.IMAPLogins == 0 {
				t.Errorf("counters %+v: want at most %d codes entered, one sign-in, the mailbox read", c, tt.codes)
			}
			if seen := seenMail(t, srv, a.Email); seen != c.MFAAttempts {
				t.Errorf("%d code emails marked seen, want the %d used", seen, c.MFAAttempts)
			}
		})
	}
}

func TestMailbox_AMailboxThatRefusesTheSignInIsAConfigurationError(t *testing.T) {
	t.Parallel()
	srv := startSim(t, simulator.Options{})
	a := account(t, srv, "frank@example.com")
	a.Mailbox = testMailbox(t, srv, a.Email)
	a.Mailbox.Password, a.Mailbox.PasswordFrom = "not-the-mailbox-password", "CHATGPT_IMAP_PASSWORD"
	res := disable(t, browser(t), a, config(t, srv))
	if res.ErrorKind != automation.KindConfig || !strings.Contains(res.Error, "CHATGPT_IMAP_PASSWORD") {
		t.Fatalf("result = %+v, want a configuration error naming the variable", res)
	}
	if strings.Contains(res.Error, "not-the-mailbox-password") {
		t.Error("the error quotes the mailbox password")
	}
	if srv.Counters(a.Email).MFAAttempts != 0 {
		t.Error("a code was entered without one from the mailbox")
	}
}

// seenMail counts the messages of the account's mailbox marked seen.
func seenMail(t *testing.T, srv *simulator.Server, email string) int {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.IMAPCertPEM())
	u, err := url.Parse(srv.IMAPURL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := imapclient.DialTLS(u.Host, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool, ServerName: u.Hostname()}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(srv.MailboxUser(email), srv.MailboxPassword(email)).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(found.AllUIDs())
}
