// Package mailbox reads the sign-in codes a site sends by email from an
// IMAP mailbox: the newest message that arrived after the code was asked
// for, its code found by a pattern.
package mailbox

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// UID is a message's unique id in its folder.
type UID = imap.UID

// Mailbox is the IMAP mailbox that receives an account's sign-in codes.
// When the site asks for a code it sent by email, the run reads the
// newest message that arrived after the request and types its code.
type Mailbox struct {
	// URL is imaps://USER@HOST:PORT/MAILBOX (implicit TLS; port 993 and
	// INBOX when left out; USER may be percent-encoded), or imap://… for a
	// server on this machine only.
	URL      string
	Password string         // the password or app password; never logged
	RootCAs  *x509.CertPool // trusted for imaps; nil means the system's
	// PasswordFrom names where the password came from (a variable), for
	// the message when the mailbox refuses it.
	PasswordFrom string
}

// ErrRefused is a mailbox that refused the sign-in: the configuration is
// wrong, not the site. CodeSince's error wraps it then.
var ErrRefused = errors.New("the mailbox refused the sign-in")

// refused is ErrRefused in its own sentence, naming the mailbox.
type refused struct{ msg string }

func (e refused) Error() string        { return e.msg }
func (e refused) Is(target error) bool { return target == ErrRefused }

// mailboxAddr is a parsed Mailbox.URL; host has the port, name not.
type mailboxAddr struct {
	tls                      bool
	host, name, user, folder string
}

// parseURL checks a mailbox URL and names what is wrong with it.
func parseURL(raw string) (mailboxAddr, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return mailboxAddr{}, errors.New("it is not a URL (want imaps://USER@HOST:993/INBOX)")
	}
	a := mailboxAddr{folder: cmp.Or(strings.TrimPrefix(u.Path, "/"), "INBOX")}
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
	a.user, a.host, a.name = u.User.Username(), u.Host, u.Hostname()
	if u.Port() == "" {
		a.host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "993", false: "143"}[a.tls])
	}
	return a, nil
}

// DefaultCodePattern finds a six-digit code, as the site sends.
var DefaultCodePattern = regexp.MustCompile(`\b(\d{6})\b`)

// pollEvery is how often the mailbox is looked at while a code is awaited.
const pollEvery = time.Second

// Wait bounds the wait for a code email, within the caller's deadline.
const Wait = 2 * time.Minute

// CodeSince returns the code of the newest message that arrived at or
// after since and after the message afterUID (0: any), with its UID,
// waiting for one to arrive. pattern has one group: the code.
func (m *Mailbox) CodeSince(ctx context.Context, since time.Time, afterUID UID, pattern *regexp.Regexp) (string, UID, error) {
	a, err := parseURL(m.URL)
	if err != nil {
		return "", 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, Wait)
	defer cancel()
	for {
		code, uid, err := m.look(ctx, a, since, afterUID, pattern)
		if err != nil || code != "" {
			return code, uid, err
		}
		select {
		case <-ctx.Done():
			return "", 0, fmt.Errorf("no message with a code arrived in %s at %s within %s", a.folder, a.host, Wait)
		case <-time.After(pollEvery):
		}
	}
}

// look opens the mailbox once and reads the messages of the last day,
// newest first.
func (m *Mailbox) look(ctx context.Context, a mailboxAddr, since time.Time, afterUID imap.UID, pattern *regexp.Regexp) (string, imap.UID, error) {
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{RootCAs: m.RootCAs, ServerName: a.name, MinVersion: tls.VersionTLS12},
		Dialer:    &net.Dialer{Timeout: 15 * time.Second},
	}
	dial := imapclient.DialInsecure
	if a.tls {
		dial = imapclient.DialTLS
	}
	c, err := dial(a.host, opts)
	if err != nil {
		return "", 0, fmt.Errorf("cannot reach the mailbox at %s: %v", a.host, err)
	}
	defer func() { _ = c.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(a.user, m.Password).Wait(); err != nil {
		from := cmp.Or(m.PasswordFrom, "the mailbox password")
		return "", 0, refused{fmt.Sprintf("the mailbox at %s refused the sign-in of %s: check %s", a.host, a.user, from)}
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
	if msg, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if code := firstGroup(pattern, subject); code != "" {
			return code
		}
	}
	return firstGroup(pattern, string(raw))
}

func firstGroup(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); len(m) > 1 {
		return m[1]
	}
	return ""
}

// LoadRoots reads a PEM file of further certificates trusted for the
// mailboxes (imaps), besides the system's: for a mailbox server with a
// private certificate, like the simulator's. from names where the path
// came from, for messages. An empty path is nil: the system's roots.
func LoadRoots(path, from string) (*x509.CertPool, error) {
	if strings.TrimSpace(path) == "" {
		return nil, nil
	}
	data, err := fileio.ReadCapped(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s cannot be read: %w", from, path, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", from, path)
	}
	return pool, nil
}

// New checks a mailbox's URL and password, named in messages by where
// they came from (urlFrom, passwordFrom: a variable), and returns the
// mailbox. Its error says what is wrong; the URL is never quoted, since a
// password may have been pasted into it.
func New(urlFrom, rawURL, passwordFrom, password string, roots *x509.CertPool) (*Mailbox, error) {
	rawURL = strings.TrimSpace(rawURL)
	switch {
	case rawURL == "":
		return nil, errors.New(passwordFrom + " is set but " + urlFrom + " is not: set the mailbox's address too, like imaps://user@imap.example.com:993/INBOX")
	case password == "":
		return nil, errors.New(urlFrom + " is set but " + passwordFrom + " is not (or is empty): set the mailbox's password there")
	}
	if _, err := parseURL(rawURL); err != nil {
		return nil, errors.New(urlFrom + " is not a mailbox URL: " + err.Error() + " (the value is not shown)")
	}
	return &Mailbox{URL: rawURL, Password: password, RootCAs: roots, PasswordFrom: passwordFrom}, nil
}
