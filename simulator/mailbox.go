package simulator

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// The code emails, as the login origin "sends" them.
const (
	MailFrom = "OpenAI <noreply@tm.openai.com>"
	// MailSubjectPrefix starts every code email's subject; the six digits follow.
	MailSubjectPrefix = "Your ChatGPT code is "

	// SharedMailboxUser and SharedMailboxPassword sign in to the mailbox
	// that gets a copy of every account's code emails (Options.SharedMailbox).
	SharedMailboxUser     = "codes@example.com"
	SharedMailboxPassword = "codes-mailbox-password"

	// StaleMailAge is how much older than the request the stale code email
	// of Options.MailStale is dated.
	StaleMailAge = 15 * time.Minute
	// mailTwiceGap is the least time between the replaced code email and the
	// valid one under Options.MailTwice, so that their Date headers differ.
	mailTwiceGap = 1100 * time.Millisecond
)

// mailbox is the IMAP side of a Server: one user per account that gets
// email codes (and the shared one).
type mailbox struct {
	srv     *imapserver.Server
	url     *url.URL // without a user
	certPEM []byte   // nil with IMAPPlain
	users   map[string]*mailUser
	timers  map[*time.Timer]struct{} // delayed deliveries; s.mu guards
}

type mailUser struct {
	name, password string
	account        *account // nil for the shared mailbox
	mem            *imapmemserver.User
}

// startMailbox opens the IMAP listener when some account gets email codes.
// It runs inside Start, before the server is shared.
func (s *Server) startMailbox() error {
	opts := s.opts
	if opts.NoMailbox {
		return nil
	}
	users := map[string]*mailUser{}
	for _, k := range s.order {
		if a := s.accounts[k]; opts.UI == UICurrent && (a.EmailCode || a.EmailFirst || opts.OneTimeCodeOffer) {
			if a.MailboxPassword == "" {
				a.MailboxPassword = "mbx-" + randomText(20)
			}
			users[strings.ToLower(a.Email)] = &mailUser{name: a.Email, password: a.MailboxPassword, account: a}
		}
	}
	if len(users) == 0 {
		return nil
	}
	if opts.SharedMailbox {
		if s.accounts[strings.ToLower(SharedMailboxUser)] != nil {
			return fmt.Errorf("simulator: account %q is the shared mailbox's user", SharedMailboxUser)
		}
		users[strings.ToLower(SharedMailboxUser)] = &mailUser{name: SharedMailboxUser, password: SharedMailboxPassword}
	}
	ln, err := net.Listen("tcp", cmp.Or(opts.IMAPAddr, "127.0.0.1:0"))
	if err != nil {
		return fmt.Errorf("simulator: IMAP listener: %w", err)
	}
	tcp, _ := ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	if tcp != nil && !tcp.IP.IsUnspecified() && !tcp.IP.IsLoopback() {
		host = tcp.IP.String()
	}
	m := &mailbox{
		url:    &url.URL{Scheme: "imaps", Host: net.JoinHostPort(host, strconv.Itoa(tcp.Port)), Path: "/INBOX"},
		users:  users,
		timers: map[*time.Timer]struct{}{},
	}
	if opts.IMAPPlain {
		m.url.Scheme = "imap"
	} else {
		var cert tls.Certificate
		cert, m.certPEM, err = selfSignedCert(host)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("simulator: IMAP certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	for _, u := range users {
		u.mem = imapmemserver.NewUser(u.name, u.password)
		_ = u.mem.Create("INBOX", nil) // fails only when it exists
		_ = u.mem.Subscribe("INBOX")
	}
	m.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &mailSession{s: s}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger:       log.New(io.Discard, "", 0),
		InsecureAuth: opts.IMAPPlain,
	})
	s.mail = m
	go func() { _ = m.srv.Serve(ln) }()
	return nil
}

// selfSignedCert makes the IMAPS certificate, which a client trusts by
// adding it to its roots.
func selfSignedCert(host string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "chatgpt-optout simulator mailbox", Organization: []string{"chatgpt-optout simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}

// mailSession is one IMAP connection, counting logins and fetches.
type mailSession struct {
	*imapmemserver.UserSession // nil until Login; its Close accepts nil
	s                          *Server
	user                       *mailUser
}

func (ms *mailSession) Login(username, password string) error {
	m := ms.s.mail
	u := m.users[strings.ToLower(strings.TrimSpace(username))]
	ok := u != nil && subtle.ConstantTimeCompare([]byte(password), []byte(u.password)) == 1
	ms.s.mu.Lock()
	c := &ms.s.unattributed
	if u != nil {
		c = ms.s.countersLocked(u.account)
	}
	if ok {
		c.IMAPLogins++
	} else {
		c.IMAPLoginFailures++
	}
	ms.s.mu.Unlock()
	if !ok {
		return imapserver.ErrAuthFailed
	}
	ms.user = u
	ms.UserSession = imapmemserver.NewUserSession(u.mem)
	return nil
}

func (ms *mailSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	ms.s.mu.Lock()
	ms.s.countersLocked(ms.user.account).IMAPFetches++
	ms.s.mu.Unlock()
	return ms.UserSession.Fetch(w, numSet, options)
}

// sendCodeLocked issues a new email code in the flow and mails it; s.mu
// must be held.
func (s *Server) sendCodeLocked(f *flow, a *account) {
	f.emailCode = randomDigits(6)
	a.emailCode = f.emailCode
	m := s.mail
	if m == nil || m.users[strings.ToLower(a.Email)] == nil {
		return
	}
	now := time.Now()
	delay := max(s.opts.MailDelay, 0)
	if s.opts.MailStale {
		s.deliverLocked(a, otherCode(f.emailCode), now.Add(-StaleMailAge))
	}
	if s.opts.MailTwice {
		s.deliverLocked(a, otherCode(f.emailCode), now)
		delay = max(delay, mailTwiceGap)
	}
	if delay == 0 {
		s.deliverLocked(a, f.emailCode, now)
		return
	}
	code := f.emailCode
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, pending := m.timers[t]; !pending {
			return // Close came first
		}
		delete(m.timers, t)
		s.deliverLocked(a, code, time.Now())
	})
	m.timers[t] = struct{}{}
}

func otherCode(code string) string {
	for {
		if c := randomDigits(6); c != code {
			return c
		}
	}
}

// deliverLocked puts one code email, dated at, into the account's mailbox
// (and the shared one); s.mu must be held.
func (s *Server) deliverLocked(a *account, code string, at time.Time) {
	msg := codeMail(a.Email, code, at)
	for _, u := range []*mailUser{s.mail.users[strings.ToLower(a.Email)], s.mail.users[strings.ToLower(SharedMailboxUser)]} {
		if u == nil {
			continue
		}
		if _, err := u.mem.Append("INBOX", bytes.NewReader(msg), &imap.AppendOptions{Time: at}); err == nil && u.account != nil {
			a.counters.MailsSent++
		}
	}
}

// codeMail is the sign-in code email: multipart/alternative, plain text and
// HTML, CRLF line ends. No other run of six digits is in it (the boundary
// and Message-ID are letters), so a loose pattern finds only the code.
func codeMail(to, code string, at time.Time) []byte {
	boundary := "b1_" + randomLetters(24)
	text := "Your ChatGPT code is " + code + "\n\n" +
		"Enter this temporary verification code to continue:\n\n" +
		code + "\n\n" +
		"If you were not trying to log in to ChatGPT, please reset your password.\n\n" +
		"Best,\nThe ChatGPT team\n\n" +
		"OpenAI, 1455 3rd Street, San Francisco, CA 94158\n"
	html := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Your ChatGPT code</title></head>` +
		`<body style="font-family:Helvetica,Arial,sans-serif;color:#333"><table width="560" cellpadding="0" cellspacing="0"><tr><td>` +
		`<h1 style="font-size:24px">Your ChatGPT code is ` + code + `</h1>` +
		`<p>Enter this temporary verification code to continue:</p>` +
		`<p style="font-size:32px;letter-spacing:4px;background:#f4f4f4;padding:16px"><strong>` + code + `</strong></p>` +
		`<p>If you were not trying to log in to ChatGPT, please <a href="https://chatgpt.com/reset-password">reset your password</a>.</p>` +
		`<p>Best,<br>The ChatGPT team</p><p style="color:#6e6e80;font-size:12px">OpenAI, 1455 3rd Street, San Francisco, CA 94158</p>` +
		`</td></tr></table></body></html>`
	var b strings.Builder
	for _, h := range [][2]string{
		{"From", MailFrom},
		{"To", to},
		{"Subject", MailSubjectPrefix + code},
		{"Date", at.Format(time.RFC1123Z)},
		{"Message-ID", "<" + randomLetters(32) + "@tm.openai.com>"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + boundary + `"`},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	for _, part := range [][2]string{{"text/plain", text}, {"text/html", html}} {
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString("Content-Type: " + part[0] + "; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(strings.ReplaceAll(part[1], "\n", "\r\n") + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String())
}

func (s *Server) closeMailbox() error {
	m := s.mail
	if m == nil {
		return nil
	}
	s.mu.Lock()
	for t := range m.timers {
		t.Stop()
		delete(m.timers, t)
	}
	s.mu.Unlock()
	return m.srv.Close()
}

// IMAPURL is the mailbox's URL without a user, e.g.
// "imaps://127.0.0.1:41236/INBOX", or "" without a mailbox.
func (s *Server) IMAPURL() string {
	if s.mail == nil {
		return ""
	}
	return s.mail.url.String()
}

// IMAPCertPEM is the mailbox's self-signed certificate in PEM, new on every
// Start; nil without a mailbox or with Options.IMAPPlain.
func (s *Server) IMAPCertPEM() []byte {
	if s.mail == nil {
		return nil
	}
	return bytes.Clone(s.mail.certPEM)
}

// MailboxUser is the IMAP user of the account's mailbox (its email), or "".
func (s *Server) MailboxUser(email string) string { return s.mailUser(email).name }

// MailboxPassword is the IMAP password of the account's mailbox
// (Account.MailboxPassword, random per Start when that is empty), or "".
func (s *Server) MailboxPassword(email string) string { return s.mailUser(email).password }

// MailboxURL is IMAPURL with the account's mailbox user in it, e.g.
// "imaps://frank%40example.com@127.0.0.1:41236/INBOX", or "".
func (s *Server) MailboxURL(email string) string {
	u := s.mailUser(email)
	if u.name == "" {
		return ""
	}
	withUser := *s.mail.url
	withUser.User = url.User(u.name)
	return withUser.String()
}

// mailUser is the account's (or the shared) mailbox user; zero without one.
func (s *Server) mailUser(email string) mailUser {
	key := strings.ToLower(strings.TrimSpace(email))
	if s.mail == nil || s.mail.users[key] == nil {
		return mailUser{}
	}
	return *s.mail.users[key]
}
