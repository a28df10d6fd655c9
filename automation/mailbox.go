package automation

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/chatgpt-optout/chatgpt-optout/selectors"
)

// Mailbox is the IMAP mailbox that receives an account's sign-in codes.
// When the site asks for a code it sent by email, the run reads the
// newest message that arrived after the request and types its code.
type Mailbox struct {
	// URL is imaps://USER@HOST:PORT/MAILBOX (implicit TLS; port 993 when
	// left out), or imap://… for a server on this machine only. The user
	// may be percent-encoded (alice%40example.com). MAILBOX defaults to
	// INBOX.
	URL string
	// Password is the mailbox's password or app password. It is never
	// logged.
	Password string
	// RootCAs are the certificates trusted for imaps; nil means the
	// system's.
	RootCAs *x509.CertPool
	// PasswordFrom names where the password came from (a variable), for
	// the message when the mailbox refuses it.
	PasswordFrom string
}

// errMailboxRefused is a mailbox that refused the sign-in: the
// configuration is wrong, not the site.
type errMailboxRefused struct{ msg string }

func (e errMailboxRefused) Error() string { return e.msg }

// mailboxAddr is a parsed Mailbox.URL.
type mailboxAddr struct {
	tls        bool
	host, user string
	folder     string
}

// ParseMailboxURL checks a mailbox URL and names what is wrong with it.
func ParseMailboxURL(raw string) (mailboxAddr, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return mailboxAddr{}, errors.New("it is not a URL (want imaps://USER@HOST:993/INBOX)")
	}
	a := mailboxAddr{folder: strings.TrimPrefix(u.Path, "/")}
	switch u.Scheme {
	case "imaps":
		a.tls = true
	case "imap":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return mailboxAddr{}, errors.New("imap:// sends the password in clear and is allowed for this machine only; use imaps://")
		}
	default:
		return mailboxAddr{}, fmt.Errorf("its scheme is %q, not imaps (want imaps://USER@HOST:993/INBOX)", u.Scheme)
	}
	if u.User == nil || u.User.Username() == "" {
		return mailboxAddr{}, errors.New("it names no user (want imaps://USER@HOST:993/INBOX)")
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return mailboxAddr{}, errors.New("it holds a password; put the password in its own variable instead")
	}
	if u.Hostname() == "" {
		return mailboxAddr{}, errors.New("it names no host")
	}
	a.user = u.User.Username()
	a.host = u.Host
	if u.Port() == "" {
		a.host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "993", false: "143"}[a.tls])
	}
	if a.folder == "" {
		a.folder = "INBOX"
	}
	return a, nil
}

// DefaultCodePattern finds a six-digit code, as the site sends.
var DefaultCodePattern = regexp.MustCompile(`\b(\d{6})\b`)

// mailPollEvery is how often the mailbox is looked at while a code is awaited.
const mailPollEvery = time.Second

// mailWait bounds the wait for a code email, within the run's deadline.
const mailWait = 2 * time.Minute

// codeSince returns the code of the newest message that arrived at or
// after since and after the message afterUID (0: any), with its UID,
// waiting for one to arrive. pattern has one group: the code.
func (m *Mailbox) codeSince(ctx context.Context, since time.Time, afterUID imap.UID, pattern *regexp.Regexp) (string, imap.UID, error) {
	a, err := ParseMailboxURL(m.URL)
	if err != nil {
		return "", 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, mailWait)
	defer cancel()
	for {
		code, uid, err := m.look(ctx, a, since, afterUID, pattern)
		if err != nil || code != "" {
			return code, uid, err
		}
		select {
		case <-ctx.Done():
			return "", 0, fmt.Errorf("no message with a code arrived in %s at %s within %s", a.folder, a.host, mailWait)
		case <-time.After(mailPollEvery):
		}
	}
}

// look opens the mailbox once and reads the messages of the last day,
// newest first.
func (m *Mailbox) look(ctx context.Context, a mailboxAddr, since time.Time, afterUID imap.UID, pattern *regexp.Regexp) (string, imap.UID, error) {
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: m.RootCAs, ServerName: hostOnly(a.host), MinVersion: tls.VersionTLS12},
		Dialer:    &net.Dialer{Timeout: 15 * time.Second},
	}
	var c *imapclient.Client
	var err error
	if a.tls {
		c, err = imapclient.DialTLS(a.host, opts)
	} else {
		c, err = imapclient.DialInsecure(a.host, opts)
	}
	if err != nil {
		return "", 0, fmt.Errorf("cannot reach the mailbox at %s: %v", a.host, err)
	}
	defer func() { _ = c.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(a.user, m.Password).Wait(); err != nil {
		from := "the mailbox password"
		if m.PasswordFrom != "" {
			from = m.PasswordFrom
		}
		return "", 0, errMailboxRefused{fmt.Sprintf("the mailbox at %s refused the sign-in of %s: check %s", a.host, a.user, from)}
	}
	if _, err := c.Select(a.folder, nil).Wait(); err != nil {
		return "", 0, fmt.Errorf("the mailbox at %s has no folder %s: %v", a.host, a.folder, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Since: since.Add(-24 * time.Hour)}, nil).Wait()
	if err != nil {
		return "", 0, fmt.Errorf("searching the mailbox at %s: %v", a.host, err)
	}
	uids := found.AllUIDs()
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return u <= afterUID })
	if len(uids) == 0 {
		return "", 0, nil
	}
	if len(uids) > 20 {
		uids = uids[len(uids)-20:]
	}
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		return "", 0, fmt.Errorf("reading the mailbox at %s: %v", a.host, err)
	}
	code, uid := newestCode(msgs, body, since, pattern)
	if code != "" {
		// Read: a person looking at the mailbox sees it was used. Failing
		// to mark it changes nothing for the sign-in.
		_ = c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	}
	return code, uid, nil
}

// newestCode is the code of the newest message received at or after since
// (a minute of clock skew allowed).
func newestCode(msgs []*imapclient.FetchMessageBuffer, body *imap.FetchItemBodySection, since time.Time, pattern *regexp.Regexp) (string, imap.UID) {
	var best string
	var bestAt time.Time
	var bestUID imap.UID
	for _, msg := range msgs {
		at := msg.InternalDate
		if at.Before(since.Add(-time.Minute)) || (bestUID != 0 && (at.Before(bestAt) || at.Equal(bestAt) && msg.UID < bestUID)) {
			continue
		}
		if code := codeIn(msg.FindBodySection(body), pattern); code != "" {
			best, bestAt, bestUID = code, at, msg.UID
		}
	}
	return best, bestUID
}

// codeIn finds the code in a message: its subject first, then its text.
func codeIn(raw []byte, pattern *regexp.Regexp) string {
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return firstGroup(pattern, string(raw))
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if code := firstGroup(pattern, subject); code != "" {
		return code
	}
	return firstGroup(pattern, string(raw))
}

func firstGroup(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); len(m) > 1 {
		return m[1]
	}
	return ""
}

func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

// codePattern is the selectors file's pattern for the code in an email
// (challenges.email_verification.code_pattern, checked when the file was
// loaded), or DefaultCodePattern.
func codePattern(m *selectors.Profile) *regexp.Regexp {
	if m != nil && m.Challenges.EmailVerification != nil && m.Challenges.EmailVerification.CodePattern != "" {
		if re, err := regexp.Compile(m.Challenges.EmailVerification.CodePattern); err == nil {
			return re
		}
	}
	return DefaultCodePattern
}
