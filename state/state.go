// Package state reads and writes saved browser sessions: the cookies of
// the app's and the login's origins and the app origin's localStorage, in
// Playwright's storageState format, optionally encrypted with age (an
// X25519 identity or a passphrase). A file saved by Playwright works here,
// and one saved here works in Playwright.
package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/chatgpt-optout/chatgpt-optout/internal/fileio"
)

// Session is a saved browser session in Playwright's storageState format. A
// run that loads one before its first page load goes straight to the
// signed-in app.
type Session struct {
	Cookies []Cookie `json:"cookies"`
	Origins []Origin `json:"origins"`
	// Account is the email the state was saved for (Playwright ignores
	// it); a state saved for another account is refused.
	Account string `json:"chatgpt_optout_account,omitempty"`
}

// Cookie is one cookie of a Session.
type Cookie struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	Domain   string  `json:"domain"`
	Path     string  `json:"path"`
	Expires  float64 `json:"expires"` // seconds since the epoch; -1 for a session-only cookie
	HTTPOnly bool    `json:"httpOnly"`
	Secure   bool    `json:"secure"`
	SameSite string  `json:"sameSite"` // Strict, Lax or None
}

// Origin is the localStorage of one origin.
type Origin struct {
	Origin       string `json:"origin"`
	LocalStorage []Item `json:"localStorage"`
}

// Item is one localStorage entry.
type Item struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MaxFileSize bounds a state file: a session is a few kilobytes.
const MaxFileSize = 4 << 20

// errTooLarge is a state file, or its decrypted content, over MaxFileSize.
var errTooLarge = fmt.Errorf("it is larger than %d MiB, which no session is", MaxFileSize>>20)

// ErrKeyNeeded says a state file is encrypted and no key was given.
var ErrKeyNeeded = errors.New("the state file is encrypted and no key is set")

// CheckKey refuses, before anything is read or written, a key that
// claims to be an age identity (AGE-SECRET-KEY-1…) and is not one; any
// other key is a passphrase, "" none. Its error never quotes the key.
func CheckKey(key string) error {
	if strings.TrimSpace(key) == "" {
		return nil
	}
	_, _, err := identity(key)
	return err
}

// identity turns a key into an age identity and recipient: an age
// X25519 identity (AGE-SECRET-KEY-1…) or a passphrase (age's scrypt).
func identity(key string) (age.Identity, age.Recipient, error) {
	key = strings.TrimSpace(key)
	if strings.HasPrefix(key, "AGE-SECRET-KEY-1") {
		id, err := age.ParseX25519Identity(key)
		if err != nil {
			return nil, nil, fmt.Errorf("the state key looks like an age identity but is not one: %w", err)
		}
		return id, id.Recipient(), nil
	}
	id, err := age.NewScryptIdentity(key)
	if err != nil {
		return nil, nil, err
	}
	r, err := age.NewScryptRecipient(key)
	if err != nil {
		return nil, nil, err
	}
	return id, r, nil
}

// Decode reads a state file's bytes, decrypting them with key when
// they are age-encrypted; it tells the two kinds apart itself. Errors never
// quote the file's contents.
func Decode(data []byte, key string) (*Session, error) {
	if len(data) > MaxFileSize {
		return nil, errTooLarge
	}
	// An age file, binary or armored.
	binary := bytes.HasPrefix(data, []byte("age-encryption.org/"))
	if binary || bytes.HasPrefix(bytes.TrimSpace(data), []byte(armor.Header)) {
		if key == "" {
			return nil, ErrKeyNeeded
		}
		id, _, err := identity(key)
		if err != nil {
			return nil, err
		}
		var src io.Reader = bytes.NewReader(data)
		if !binary {
			src = armor.NewReader(src)
		}
		r, err := age.Decrypt(src, id)
		if err != nil {
			return nil, fmt.Errorf("it cannot be decrypted with the state key (wrong key, or a damaged file): %w", err)
		}
		if data, err = fileio.ReadAtMost(r, MaxFileSize, errTooLarge); errors.Is(err, errTooLarge) {
			return nil, err
		} else if err != nil {
			return nil, fmt.Errorf("it cannot be decrypted with the state key (a damaged file): %w", err)
		}
	}
	var st Session
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("it is not storageState JSON (a syntax error at byte %d)", se.Offset)
		}
		return nil, errors.New("it is not storageState JSON ({\"cookies\": [...], \"origins\": [...]})")
	}
	for i, c := range st.Cookies {
		if c.Name == "" || c.Domain == "" {
			return nil, fmt.Errorf("cookie %d has no name or domain", i+1)
		}
	}
	return &st, nil
}

// Encode writes a state as storageState JSON, age-encrypted (armored)
// when key is set.
func Encode(st *Session, key string) ([]byte, error) {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if key == "" {
		return append(data, '\n'), nil
	}
	_, rcpt, err := identity(key)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	a := armor.NewWriter(&buf)
	w, err := age.Encrypt(a, rcpt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := cmp.Or(w.Close(), a.Close()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ErrPlaintext is WriteFile's refusal to write a session unencrypted
// when plaintext is not allowed.
var ErrPlaintext = errors.New("refusing to write a session unencrypted")

// ReadFile reads a state file. A missing file is (nil, nil): the first run
// has none. Its errors name the file and what to do, and never quote its
// contents; errors.Is(err, ErrKeyNeeded) tells an encrypted file read
// without a key.
func ReadFile(path, key string) (*Session, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s cannot be read: %w", path, err)
	}
	defer f.Close()
	data, err := fileio.ReadAtMost(f, MaxFileSize, errTooLarge)
	if err == nil {
		var st *Session
		if st, err = Decode(data, key); err == nil {
			return st, nil
		}
	}
	if errors.Is(err, ErrKeyNeeded) {
		return nil, fmt.Errorf("state file %s is encrypted: set the state key to the key it was written with: %w", path, err)
	}
	return nil, fmt.Errorf("state file %s: %w; delete it to sign in afresh", path, err)
}

// WriteFile writes a state file atomically (a temporary file in the same
// folder, renamed over the old one), readable by its owner only, creating
// its folder (0700). Without a key it writes plaintext only when plaintext
// is set: the file holds a live session, as good as a password to whoever
// reads it.
func WriteFile(path string, st *Session, key string, plaintext bool) error {
	if key == "" && !plaintext {
		return fmt.Errorf("%w to %s: it signs in as the account for weeks, so anyone who reads the file is signed in too; set a state key (an age identity from age-keygen, or a passphrase) to encrypt it, or allow plaintext explicitly", ErrPlaintext, path)
	}
	data, err := Encode(st, key)
	if err != nil {
		return fmt.Errorf("encoding the state for %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the folder of state file %s: %w", path, err)
	}
	if err := fileio.WriteAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("writing state file %s: %w", path, err)
	}
	return nil
}

// Secrets are the values of a state that must never be written anywhere
// but its file: every cookie value of 8 characters or more.
func (st *Session) Secrets() []string {
	if st == nil {
		return nil
	}
	var s []string
	for _, c := range st.Cookies {
		if len(c.Value) >= 8 {
			s = append(s, c.Value)
		}
	}
	return s
}
