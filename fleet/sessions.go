package fleet

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
)

// LoadIMAPRoots reads a PEM file of further certificates trusted for the
// mailboxes (imaps), besides the system's: for a mailbox server with a
// private certificate, like the simulator's. from names where the path
// came from, for messages. An empty path is nil: the system's roots.
func LoadIMAPRoots(path, from string) (*x509.CertPool, error) {
	if strings.TrimSpace(path) == "" {
		return nil, nil
	}
	data, err := automation.ReadFileCapped(path)
	if err != nil {
		return nil, &automation.Error{Kind: automation.KindConfig, Msg: fmt.Sprintf("%s %s cannot be read: %v", from, path, unwrapPathError(err)), Err: err}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, automation.ConfigError("%s %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", from, path)
	}
	return pool, nil
}

// NewMailbox checks a mailbox's URL and password, named in messages by
// where they came from (urlFrom, passwordFrom: a variable). It returns
// the mailbox or a sentence saying what is wrong; the URL is never quoted,
// since a password may have been pasted into it.
func NewMailbox(urlFrom, rawURL, passwordFrom, password string, roots *x509.CertPool) (*automation.Mailbox, string) {
	rawURL = strings.TrimSpace(rawURL)
	switch {
	case rawURL == "":
		return nil, passwordFrom + " is set but " + urlFrom + " is not: set the mailbox's address too, like imaps://user@imap.example.com:993/INBOX"
	case password == "":
		return nil, urlFrom + " is set but " + passwordFrom + " is not (or is empty): set the mailbox's password there"
	}
	if _, err := automation.ParseMailboxURL(rawURL); err != nil {
		return nil, urlFrom + " is not a mailbox URL: " + err.Error() + " (the value is not shown)"
	}
	return &automation.Mailbox{URL: rawURL, Password: password, RootCAs: roots, PasswordFrom: passwordFrom}, ""
}

// ResolveOptions are what ResolveWith needs besides the environment.
type ResolveOptions struct {
	// StateDir holds a state file per account (NAME.state) for the
	// accounts without a state: of their own; "" for none. It is created
	// 0700.
	StateDir string
	// StateKey and StatePlaintext are automation.Config's: without a key,
	// state files are refused unless StatePlaintext.
	StateKey       string
	StatePlaintext bool
	// IMAPRoots are the certificates trusted for the accounts' mailboxes
	// (nil: the system's).
	IMAPRoots *x509.CertPool
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._@+-]+`)

// StateFileName is the file of an account in a state folder: its name,
// made safe for a file name, with .state.
func StateFileName(name string) string {
	base := unsafeFileChars.ReplaceAllString(name, "_")
	if strings.HasPrefix(base, ".") || base == "" {
		base = "_" + base
	}
	return base + ".state"
}

// resolveSessions fills in the accounts' state files and mailboxes, and
// reads every state file that exists: one that cannot be read or
// decrypted stops the run before any browser starts.
func resolveSessions(specs []AccountSpec, accounts []automation.Account, lookup func(string) (string, bool), opts ResolveOptions, e *AccountsError) {
	if opts.StateDir != "" {
		if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
			e.add(0, "", "the state folder %s cannot be created: %v", opts.StateDir, unwrapPathError(err))
			return
		}
	}
	if opts.StateDir != "" && opts.StateKey == "" && !opts.StatePlaintext {
		e.add(0, "", "refusing to keep the sessions in the state folder %s unencrypted: a state file signs in as its account for weeks, so anyone who reads it is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt them, or allow plaintext explicitly", opts.StateDir)
		e.Problems[len(e.Problems)-1].Fix = []automation.Setting{automation.SettingStateKey, automation.SettingStatePlaintext}
		return
	}
	files := map[string]AccountSpec{}
	for i, s := range specs {
		a := &accounts[i]
		line := s.lineOf(keyState)
		switch {
		case s.State != "":
			a.StateFile = s.State
		case opts.StateDir != "":
			a.StateFile = filepath.Join(opts.StateDir, StateFileName(s.Name))
			line = s.Line
		}
		if a.StateFile != "" {
			clean := filepath.Clean(a.StateFile)
			if prev, dup := files[clean]; dup {
				e.add(line, s.Name, "state file %s is already the state of account %s at line %d: one state file holds one account's session", a.StateFile, automation.QuoteValue(prev.Name), prev.Line)
			} else {
				files[clean] = s
			}
			if opts.StateKey == "" && !opts.StatePlaintext {
				e.add(line, s.Name, "refusing to keep the session in %s unencrypted: a state file signs in as the account for weeks, so anyone who reads it is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly", a.StateFile)
				e.Problems[len(e.Problems)-1].Fix = []automation.Setting{automation.SettingStateKey, automation.SettingStatePlaintext}
			} else if st, err := automation.ReadStateFile(a.StateFile, opts.StateKey); err != nil {
				e.add(line, s.Name, "%s", errorText(err))
				e.Problems[len(e.Problems)-1].Fix = automation.FixOf(err)
			} else if st != nil && st.Account != "" && !strings.EqualFold(st.Account, s.Email) {
				e.add(line, s.Name, "state file %s was saved for another account (not %s): give each account its own state file", a.StateFile, s.Email)
			}
		}
		if s.IMAPURLEnv != "" || s.IMAPPasswordEnv != "" {
			if s.IMAPURLEnv == "" || s.IMAPPasswordEnv == "" {
				e.add(s.Line, s.Name, "a mailbox needs both imap_url_env: and imap_password_env: (the variables holding its address and its password)")
				continue
			}
			rawURL, okURL := lookup(s.IMAPURLEnv)
			password, okPassword := lookup(s.IMAPPasswordEnv)
			if !okURL || strings.TrimSpace(rawURL) == "" {
				e.add(s.lineOf(keyIMAPURLEnv), s.Name, "the environment variable %s (imap_url_env:) is not set or empty: set it to the mailbox's address, like imaps://user@imap.example.com:993/INBOX", s.IMAPURLEnv)
				continue
			}
			if !okPassword || password == "" {
				e.add(s.lineOf(keyIMAPPasswordEnv), s.Name, "the environment variable %s (imap_password_env:) is not set or empty: set it, in CI by mapping the secret to it", s.IMAPPasswordEnv)
				continue
			}
			m, msg := NewMailbox(s.IMAPURLEnv+" (imap_url_env:)", rawURL, s.IMAPPasswordEnv+" (imap_password_env:)", password, opts.IMAPRoots)
			if msg != "" {
				e.add(s.lineOf(keyIMAPURLEnv), s.Name, "%s", msg)
				continue
			}
			a.Mailbox = m
		}
	}
}

// errorText is an error's sentence without the kind's prefix.
func errorText(err error) string {
	var ae *automation.Error
	if errors.As(err, &ae) && ae.Msg != "" {
		return ae.Msg
	}
	return err.Error()
}
