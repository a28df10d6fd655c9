package fleet

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/chatgpt-optout/chatgpt-optout/automation"
	"github.com/chatgpt-optout/chatgpt-optout/internal/quote"
	"github.com/chatgpt-optout/chatgpt-optout/mailbox"
)

// ResolveOptions are what Resolve needs besides the environment.
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

// stateFileName is the file of an account in a state folder: its name,
// made safe for a file name, with .state.
func stateFileName(name string) string {
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
		if opts.StateKey == "" && !opts.StatePlaintext {
			e.add(0, "", "refusing to keep the sessions in the state folder %s unencrypted: a state file signs in as its account for weeks, so anyone who reads it is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt them, or allow plaintext explicitly", opts.StateDir).Fix = []automation.Setting{automation.SettingStateKey, automation.SettingStatePlaintext}
			return
		}
	}
	var reads []stateRead
	files := map[string]AccountSpec{}
	for i, s := range specs {
		a := &accounts[i]
		line := s.lineOf("state")
		switch {
		case s.State != "":
			a.StateFile = s.State
		case opts.StateDir != "":
			a.StateFile = filepath.Join(opts.StateDir, stateFileName(s.Name))
			line = s.Line
		}
		if a.StateFile != "" {
			clean := filepath.Clean(a.StateFile)
			if prev, dup := files[clean]; dup {
				e.add(line, s.Name, "state file %s is already the state of account %s at line %d: one state file holds one account's session", a.StateFile, quote.Value(prev.Name), prev.Line)
			} else {
				files[clean] = s
			}
			if opts.StateKey == "" && !opts.StatePlaintext {
				e.add(line, s.Name, "refusing to keep the session in %s unencrypted: a state file signs in as the account for weeks, so anyone who reads it is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly", a.StateFile).Fix = []automation.Setting{automation.SettingStateKey, automation.SettingStatePlaintext}
			} else {
				reads = append(reads, stateRead{i, line})
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
				e.add(s.lineOf("imap_url_env"), s.Name, "the environment variable %s (imap_url_env:) is not set or empty: set it to the mailbox's address, like imaps://user@imap.example.com:993/INBOX", s.IMAPURLEnv)
				continue
			}
			if !okPassword || password == "" {
				e.add(s.lineOf("imap_password_env"), s.Name, "the environment variable %s (imap_password_env:) is not set or empty: set it, in CI by mapping the secret to it", s.IMAPPasswordEnv)
				continue
			}
			m, err := mailbox.New(s.IMAPURLEnv+" (imap_url_env:)", rawURL, s.IMAPPasswordEnv+" (imap_password_env:)", password, opts.IMAPRoots)
			if err != nil {
				e.add(s.lineOf("imap_url_env"), s.Name, "%v", err)
				continue
			}
			a.Mailbox = m
		}
	}
	readStates(accounts, specs, reads, opts.StateKey, e)
}

// stateRead is an account's state file to read, and the line naming it.
type stateRead struct{ i, line int }

// readStates reads the state files that exist, decrypting them side by
// side (a passphrase costs a second of scrypt each), once: each run uses
// what was read here (automation.Account.State).
func readStates(accounts []automation.Account, specs []AccountSpec, reads []stateRead, key string, e *AccountsError) {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for k, r := range reads {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			accounts[r.i].State, errs[k] = automation.ReadState(accounts[r.i].StateFile, key, specs[r.i].Email)
		})
	}
	wg.Wait()
	for k, r := range reads {
		if errs[k] != nil {
			e.add(r.line, specs[r.i].Name, "%s", errorText(errs[k])).Fix = automation.FixOf(errs[k])
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
