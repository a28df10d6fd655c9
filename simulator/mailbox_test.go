package simulator

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// codeMessage is one email of a mailbox as an IMAP client sees it.
type codeMessage struct {
	UID          imap.UID
	From         string // "Name <addr>"
	To           string
	Subject      string
	Date         time.Time // the Date header
	InternalDate time.Time
	Body         string // the whole message, headers included
	Seen         bool
}

// code is the six digits at the end of the subject.
func (m codeMessage) code() string { return strings.TrimPrefix(m.Subject, MailSubjectPrefix) }

// trustingClient dials the simulator's mailbox over implicit TLS, trusting
// only its certificate, as the tool would with the "imap_ca" file.
func trustingClient(t *testing.T, s *Server) *imapclient.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.IMAPCertPEM()) {
		t.Fatalf("IMAPCertPEM is no certificate: %q", s.IMAPCertPEM())
	}
	u, err := url.Parse(s.IMAPURL())
	if err != nil || u.Scheme != "imaps" {
		t.Fatalf("IMAPURL %q", s.IMAPURL())
	}
	c, err := imapclient.DialTLS(u.Host, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatalf("dial %s: %v", u.Host, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// inbox signs in to the account's mailbox, selects INBOX and fetches every
// message in it.
func inbox(t *testing.T, c *imapclient.Client, user, password string) []codeMessage {
	t.Helper()
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("IMAP login %s: %v", user, err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select INBOX: %v", err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{
		UID: true, Envelope: true, InternalDate: true, Flags: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	var out []codeMessage
	for _, b := range bufs {
		m := codeMessage{UID: b.UID, Subject: b.Envelope.Subject, Date: b.Envelope.Date, InternalDate: b.InternalDate}
		if len(b.Envelope.From) == 1 {
			m.From = b.Envelope.From[0].Name + " <" + b.Envelope.From[0].Addr() + ">"
		}
		if len(b.Envelope.To) == 1 {
			m.To = b.Envelope.To[0].Addr()
		}
		for _, f := range b.Flags {
			m.Seen = m.Seen || f == imap.FlagSeen
		}
		if len(b.BodySection) == 1 {
			m.Body = string(b.BodySection[0].Bytes)
		}
		out = append(out, m)
	}
	return out
}

func readInbox(t *testing.T, s *Server, email string) []codeMessage {
	t.Helper()
	c := trustingClient(t, s)
	defer c.Logout()
	return inbox(t, c, s.MailboxUser(email), s.MailboxPassword(email))
}

func TestMailboxCodeEmailOverIMAPS(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	if !strings.HasPrefix(s.IMAPURL(), "imaps://127.0.0.1:") || !strings.HasSuffix(s.IMAPURL(), "/INBOX") {
		t.Fatalf("IMAPURL %q", s.IMAPURL())
	}
	const frank = "frank@example.com"
	if s.MailboxUser(frank) != frank || s.MailboxPassword(frank) != "frank-mailbox-6" {
		t.Errorf("frank's mailbox %q / %q", s.MailboxUser(frank), s.MailboxPassword(frank))
	}
	if want := "imaps://frank%40example.com@" + strings.TrimPrefix(s.IMAPURL(), "imaps://"); s.MailboxURL(frank) != want {
		t.Errorf("MailboxURL %q, want %q", s.MailboxURL(frank), want)
	}
	if s.MailboxUser("alice@example.com") != "" || s.MailboxPassword("alice@example.com") != "" {
		t.Error("alice gets no codes but has a mailbox")
	}
	if got := readInbox(t, s, frank); len(got) != 0 {
		t.Fatalf("inbox before any sign-in: %+v", got)
	}

	b := newBrowser(t)
	before := time.Now().Add(-time.Second)
	resp, _ := loginCurrent(t, s, b, frank, "frank-password-6")
	if resp.Request.URL.Path != "/email-verification" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	msgs := readInbox(t, s, frank)
	if len(msgs) != 1 {
		t.Fatalf("inbox after the password: %+v", msgs)
	}
	m := msgs[0]
	code := s.EmailCode(frank)
	if m.Subject != "Your ChatGPT code is "+code || m.From != "OpenAI <noreply@tm.openai.com>" || m.To != frank {
		t.Errorf("message %q from %q to %q, code %s", m.Subject, m.From, m.To, code)
	}
	if m.Date.Before(before) || m.Date.After(time.Now().Add(time.Second)) || m.InternalDate.Before(before) {
		t.Errorf("dated %v / internal %v, requested after %v", m.Date, m.InternalDate, before)
	}
	for _, want := range []string{"Content-Type: multipart/alternative", "Content-Type: text/plain", "Content-Type: text/html",
		"Enter this temporary verification code to continue:\r\n\r\n" + code + "\r\n", "<strong>" + code + "</strong>"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	// Subject, the text part twice, the HTML part twice: nothing else.
	if runs := regexp.MustCompile(`\d{6,}`).FindAllString(m.Body, -1); len(runs) != 5 || strings.Count(strings.Join(runs, ""), code) != 5 {
		t.Errorf("six-digit runs in the message: %q, want only the code", runs)
	}
	if m.Seen {
		t.Error("a new message is seen")
	}

	// The code from the mailbox signs in.
	resp, _ = b.post(s.AuthURL()+"/email-verification", url.Values{"code": {m.code()}})
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("after the mailed code at %s", resp.Request.URL)
	}
	c := s.Counters(frank)
	if c.MailsSent != 1 || c.IMAPLogins != 2 || c.IMAPFetches != 1 || c.IMAPLoginFailures != 0 || c.Logins != 1 {
		t.Errorf("counters %+v", c)
	}

	// The sim JSON line.
	data, _ := json.Marshal(s.Info())
	var info struct {
		IMAP     string           `json:"imap"`
		CA       string           `json:"imap_ca_pem"`
		Accounts []map[string]any `json:"accounts"`
	}
	json.Unmarshal(data, &info)
	if info.IMAP != s.IMAPURL() || !strings.HasPrefix(info.CA, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("info %s", data)
	}
	for _, a := range info.Accounts {
		switch a["email"] {
		case frank, "heidi@example.com":
			if a["imap_user"] != a["email"] || a["imap_password"] == "" || a["imap_url"] != s.MailboxURL(a["email"].(string)) {
				t.Errorf("account %v", a)
			}
		default:
			if _, has := a["imap_user"]; has {
				t.Errorf("account without codes has a mailbox: %v", a)
			}
		}
	}
}

func TestMailboxRefusesWrongPasswordAndUntrustedClients(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	const frank = "frank@example.com"
	c := trustingClient(t, s)
	if err := c.Login(frank, "frank-password-6").Wait(); err == nil {
		t.Error("the sign-in password opened the mailbox")
	}
	if err := c.Login("nobody@example.com", "x").Wait(); err == nil {
		t.Error("an unknown user signed in")
	}
	if err := c.Login("FRANK@example.com", s.MailboxPassword(frank)).Wait(); err != nil {
		t.Errorf("user name case matters: %v", err)
	}
	if got := s.Counters(frank); got.IMAPLoginFailures != 1 || got.IMAPLogins != 1 {
		t.Errorf("frank's counters %+v", got)
	}
	if got := s.Counters(""); got.IMAPLoginFailures != 2 {
		t.Errorf("total counters %+v", got)
	}

	// The certificate is self-signed: a client with the system roots refuses it.
	u, _ := url.Parse(s.IMAPURL())
	if c, err := imapclient.DialTLS(u.Host, nil); err == nil {
		c.Close()
		t.Error("a client that does not trust the certificate connected")
	} else if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted: %v", err)
	}
	// And a plain-text client gets no IMAP greeting from the TLS port.
	if c, err := imapclient.DialInsecure(u.Host, &imapclient.Options{}); err == nil {
		done := make(chan error, 1)
		go func() { done <- c.Login(frank, s.MailboxPassword(frank)).Wait() }()
		select {
		case err := <-done:
			if err == nil {
				t.Error("a plain-text login on the IMAPS port worked")
			}
		case <-time.After(3 * time.Second):
		}
		c.Close()
	}
}

func TestMailboxStaleCodeFirstThenDelayed(t *testing.T) {
	t.Parallel()
	s := start(t, Options{MailStale: true, MailDelay: 400 * time.Millisecond})
	const frank = "frank@example.com"
	b := newBrowser(t)
	requested := time.Now()
	loginCurrent(t, s, b, frank, "frank-password-6")
	msgs := readInbox(t, s, frank)
	if len(msgs) != 1 {
		t.Fatalf("right after the request: %+v", msgs)
	}
	stale := msgs[0]
	if stale.code() == s.EmailCode(frank) || len(stale.code()) != 6 {
		t.Errorf("the stale email holds the valid code %s", stale.code())
	}
	if !stale.Date.Before(requested.Add(-StaleMailAge+time.Minute)) || !stale.InternalDate.Before(requested.Add(-StaleMailAge+time.Minute)) {
		t.Errorf("stale email dated %v / %v, requested %v", stale.Date, stale.InternalDate, requested)
	}
	time.Sleep(700 * time.Millisecond)
	msgs = readInbox(t, s, frank)
	if len(msgs) != 2 || msgs[1].code() != s.EmailCode(frank) || msgs[1].UID <= stale.UID || msgs[1].InternalDate.Before(requested.Add(-time.Second)) {
		t.Fatalf("after the delay: %+v, code %s", msgs, s.EmailCode(frank))
	}
	// The stale code is refused, the new one signs in.
	_, body := b.post(s.AuthURL()+"/email-verification", url.Values{"code": {stale.code()}})
	if !strings.Contains(body, "Incorrect code. Please try again.") {
		t.Fatal("the stale code was accepted")
	}
	resp, _ := b.post(s.AuthURL()+"/email-verification", url.Values{"code": {msgs[1].code()}})
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("with the new code at %s", resp.Request.URL)
	}
	if c := s.Counters(frank); c.MailsSent != 2 {
		t.Errorf("counters %+v", c)
	}
}

func TestMailboxCodeTwice(t *testing.T) {
	t.Parallel()
	s := start(t, Options{MailTwice: true})
	const frank = "frank@example.com"
	b := newBrowser(t)
	requested := time.Now().Add(-time.Second)
	loginCurrent(t, s, b, frank, "frank-password-6")
	first := readInbox(t, s, frank)
	if len(first) != 1 || first[0].code() == s.EmailCode(frank) {
		t.Fatalf("at once: %+v, code %s", first, s.EmailCode(frank))
	}
	deadline := time.Now().Add(5 * time.Second)
	var msgs []codeMessage
	for len(msgs) < 2 && time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		msgs = readInbox(t, s, frank)
	}
	if len(msgs) != 2 {
		t.Fatalf("the second email never came: %+v", msgs)
	}
	newest := msgs[1]
	if newest.code() != s.EmailCode(frank) || !newest.Date.After(msgs[0].Date) || msgs[0].Date.Before(requested) {
		t.Fatalf("emails %+v, valid code %s", msgs, s.EmailCode(frank))
	}
	_, body := b.post(s.AuthURL()+"/email-verification", url.Values{"code": {msgs[0].code()}})
	if !strings.Contains(body, "Incorrect code. Please try again.") {
		t.Fatal("the replaced code was accepted")
	}
	resp, _ := b.post(s.AuthURL()+"/email-verification", url.Values{"code": {newest.code()}})
	if resp.Request.URL.String() != s.AppURL()+"/" {
		t.Fatalf("with the newest code at %s", resp.Request.URL)
	}
}

func TestMailboxEmailFirstResendAndShared(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SharedMailbox: true})
	const heidi = "heidi@example.com"
	b := newBrowser(t)
	resp, _ := loginCurrent(t, s, b, heidi, "unused")
	if resp.Request.URL.Path != "/email-verification" {
		t.Fatalf("at %s", resp.Request.URL)
	}
	first := s.EmailCode(heidi)
	b.get(s.AuthURL() + "/email-verification?resend=1")
	msgs := readInbox(t, s, heidi)
	if len(msgs) != 2 || msgs[0].code() != first || msgs[1].code() != s.EmailCode(heidi) || first == s.EmailCode(heidi) {
		t.Fatalf("after a resend: %+v", msgs)
	}
	loginCurrent(t, s, newBrowser(t), "frank@example.com", "frank-password-6")
	c := trustingClient(t, s)
	shared := inbox(t, c, SharedMailboxUser, SharedMailboxPassword)
	if len(shared) != 3 || shared[0].To != heidi || shared[2].To != "frank@example.com" || shared[2].code() != s.EmailCode("frank@example.com") {
		t.Fatalf("shared mailbox %+v", shared)
	}
	// A client of the shared mailbox picks by To and marks what it used seen.
	uids, err := c.UIDSearch(&imap.SearchCriteria{
		Header:  []imap.SearchCriteriaHeaderField{{Key: "To", Value: "frank@example.com"}},
		NotFlag: []imap.Flag{imap.FlagSeen},
	}, nil).Wait()
	if err != nil || len(uids.AllUIDs()) != 1 || uids.AllUIDs()[0] != shared[2].UID {
		t.Fatalf("search: %v %v", uids, err)
	}
	if err := c.Store(imap.UIDSetNum(shared[2].UID), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	c.Logout()
	if again := inbox(t, trustingClient(t, s), SharedMailboxUser, SharedMailboxPassword); !again[2].Seen || again[1].Seen {
		t.Errorf("after STORE +\\Seen: %+v", again)
	}
	if info := s.Info(); info.IMAPSharedUser != SharedMailboxUser || info.IMAPSharedPassword != SharedMailboxPassword {
		t.Errorf("info %+v", info)
	}
	if got := s.Counters(heidi); got.MailsSent != 2 {
		t.Errorf("heidi's counters %+v", got)
	}
}

func TestMailboxPlainAndOff(t *testing.T) {
	t.Parallel()
	s := start(t, Options{IMAPPlain: true})
	if !strings.HasPrefix(s.IMAPURL(), "imap://127.0.0.1:") || s.IMAPCertPEM() != nil || s.Info().IMAPCAPEM != "" {
		t.Fatalf("plain: %q, cert %q", s.IMAPURL(), s.IMAPCertPEM())
	}
	loginCurrent(t, s, newBrowser(t), "frank@example.com", "frank-password-6")
	u, _ := url.Parse(s.IMAPURL())
	c, err := imapclient.DialInsecure(u.Host, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if msgs := inbox(t, c, "frank@example.com", "frank-mailbox-6"); len(msgs) != 1 || msgs[0].code() != s.EmailCode("frank@example.com") {
		t.Fatalf("plain inbox %+v", msgs)
	}

	for name, opts := range map[string]Options{
		"NoMailbox":       {NoMailbox: true},
		"2023":            {UI: UI2023},
		"no code account": {Accounts: []Account{{Email: "a@example.com", Password: "p"}}},
	} {
		s := start(t, opts)
		if s.IMAPURL() != "" || s.IMAPCertPEM() != nil || s.MailboxUser("frank@example.com") != "" || s.Info().IMAP != "" {
			t.Errorf("%s: a mailbox at %q", name, s.IMAPURL())
		}
	}
	// Accounts of one's own get a random mailbox password.
	s2 := start(t, Options{Accounts: []Account{{Email: "x@example.com", Password: "p", EmailCode: true}}})
	if pw := s2.MailboxPassword("x@example.com"); len(pw) < 16 || s2.Accounts()[0].MailboxPassword != pw {
		t.Errorf("random mailbox password %q", pw)
	}
}
